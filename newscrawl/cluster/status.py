"""What the cluster is doing: queue lengths, workers seen recently, articles waiting."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from newscrawl.cluster.keys import Keys


@dataclass
class WorkerStatus:
    """One crawl worker as its Redis hash and heartbeat describe it."""

    worker: str
    host: str
    pid: int | None
    state: str
    alive: bool
    last_seen_s: float
    fetched: int
    items_pushed: int
    leased: int


@dataclass
class ClusterStatus:
    """Queue lengths and workers of one cluster."""

    requests_waiting: int
    requests_leased: int
    seen: int
    items_waiting: int
    items_taken: int
    archiver: dict[str, Any] | None
    sources: list[str]
    workers: list[WorkerStatus] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests_waiting": self.requests_waiting,
            "requests_leased": self.requests_leased,
            "seen": self.seen,
            "items_waiting": self.items_waiting,
            "items_taken": self.items_taken,
            "archiver": self.archiver,
            "sources": self.sources,
            "workers": [w.__dict__ for w in self.workers],
        }


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def cluster_status(server: Any, keys: Keys, *, recent_s: float = 3600.0) -> ClusterStatus:
    """Read the cluster's state; workers whose last heartbeat is older than `recent_s` are left
    out."""
    now = time.time()
    pipe = server.pipeline()
    pipe.zcard(keys.requests)
    pipe.hvals(keys.leases)
    pipe.zcount(keys.seen, now, "+inf")
    pipe.llen(keys.items)
    pipe.llen(keys.items_taken)
    pipe.get(keys.archiver)
    pipe.hkeys(keys.sources)
    pipe.zrangebyscore(keys.workers, now - recent_s, "+inf", withscores=True)
    waiting, leases, seen, items, taken, archiver, sources, workers = pipe.execute()
    leased_by: dict[str, int] = {}
    for lease in leases:
        owner = str(json.loads(lease).get("worker", ""))
        leased_by[owner] = leased_by.get(owner, 0) + 1
    rows = []
    for raw_id, beat in workers:
        worker = _text(raw_id)
        info = {_text(k): _text(v) for k, v in server.hgetall(keys.worker(worker)).items()}
        counters = json.loads(info.get("counters") or "{}")
        rows.append(
            WorkerStatus(
                worker=worker,
                host=info.get("host", ""),
                pid=int(info["pid"]) if info.get("pid") else None,
                state=info.get("state", "unknown"),
                alive=bool(server.exists(keys.alive(worker))),
                last_seen_s=round(now - float(beat), 1),
                fetched=int(counters.get("fetched", 0)),
                items_pushed=int(counters.get("items_pushed", 0)),
                leased=leased_by.get(worker, 0),
            )
        )
    return ClusterStatus(
        requests_waiting=int(waiting),
        requests_leased=len(leases),
        seen=int(seen),
        items_waiting=int(items),
        items_taken=int(taken),
        archiver=json.loads(archiver) if archiver else None,
        sources=sorted(_text(s) for s in sources),
        workers=rows,
    )
