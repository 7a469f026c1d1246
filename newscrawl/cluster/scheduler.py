"""The cluster scheduler: scrapy-redis' scheduler with a leased queue and worker heartbeats.

Settings: ``NEWSCRAWL_REDIS_WORKER_TIMEOUT`` (seconds without a heartbeat after which a worker
counts as gone and its leased requests are queued again).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from typing import Any

from scrapy.http import Request
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from newscrawl.cluster.keys import LEASE_META, Keys
from newscrawl.cluster.queue import LeasedPriorityQueue
from newscrawl.isotime import utc_now

logger = logging.getLogger(__name__)

DEFAULT_WORKER_TIMEOUT = 15.0


class ReliableScheduler(Scheduler):
    """Requests from the shared queue, leased to this worker until handled."""

    queue: LeasedPriorityQueue

    def __init__(
        self, server: Any, *, worker_timeout: float = DEFAULT_WORKER_TIMEOUT, **kwargs: Any
    ):
        super().__init__(server, **kwargs)
        self.worker_timeout = worker_timeout
        self.heartbeat: task.LoopingCall | None = None
        self.beats = 0

    @classmethod
    def from_settings(cls, settings: Any) -> ReliableScheduler:
        instance = super().from_settings(settings)
        instance.worker_timeout = settings.getfloat(
            "NEWSCRAWL_REDIS_WORKER_TIMEOUT", DEFAULT_WORKER_TIMEOUT
        )
        return instance

    # -- lifecycle ------------------------------------------------------------------------------

    def open(self, spider: Any) -> None:
        super().open(spider)
        self.keys: Keys = getattr(spider, "cluster_keys", None) or Keys()
        self.worker_id = str(getattr(spider, "worker_id", "anonymous"))
        self.server.hset(
            self.keys.worker(self.worker_id),
            mapping={
                "host": socket.gethostname(),
                "pid": os.getpid(),
                "started": utc_now(),
                "state": "running",
            },
        )
        self.beat()
        self.heartbeat = task.LoopingCall(self.beat)
        self.heartbeat.start(max(0.2, self.worker_timeout / 5), now=False)

    def beat(self) -> None:
        """Say this worker is alive; now and then give back the leases of vanished workers."""
        ttl_ms = int(self.worker_timeout * 1000)
        pipe = self.server.pipeline()
        pipe.set(self.keys.alive(self.worker_id), "1", px=ttl_ms)
        pipe.zadd(self.keys.workers, {self.worker_id: time.time()})
        pipe.execute()
        self.beats += 1
        if self.beats % 5 == 1:
            moved = self.queue.requeue_orphans()
            if moved:
                logger.info("Requeued %d requests left leased by workers that stopped", moved)
                if self.stats:
                    self.stats.inc_value("newscrawl/cluster/requeued", moved)
            if self.df is not None and hasattr(self.df, "prune"):
                self.df.prune()

    def close(self, reason: str) -> Any:
        """Stop the heartbeat; leases this worker still holds go back to the queue."""
        if self.heartbeat is not None and self.heartbeat.running:
            self.heartbeat.stop()
        moved = self.queue.requeue_orphans(own=True)
        if moved:
            logger.info("Returned %d unfinished requests to the shared queue", moved)
        pipe = self.server.pipeline()
        pipe.delete(self.keys.alive(self.worker_id))
        pipe.hset(self.keys.worker(self.worker_id), mapping={"state": reason, "ended": utc_now()})
        pipe.execute()
        # Never flush: the queue and the seen-set belong to the whole cluster.
        return None

    # -- requests -------------------------------------------------------------------------------

    def enqueue_request(self, request: Request) -> bool:
        # A redirect or a retry carries the lease of the request it replaces: that one is done.
        done = request.meta.pop(LEASE_META, None)
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            self.queue.ack(done)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis", spider=self.spider)
        self.queue.push(request, done=done)
        return True

    def next_request(self) -> Request | None:
        request = self.queue.pop()
        if request is None:
            return None
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis", spider=self.spider)
        prepare = getattr(self.spider, "prepare", None)
        if prepare is not None:
            prepare(request)
        return request

    def enqueue_discovered(self, requests: list[Request]) -> int:
        """Queue a page's discoveries: one seen-set round trip and one push for all of them."""
        keep = [r for r in requests if r.dont_filter]
        filtered = [r for r in requests if not r.dont_filter]
        seen = self.df.requests_seen(filtered)
        new = keep + [r for r, was_seen in zip(filtered, seen, strict=True) if not was_seen]
        self.queue.push_many(new)
        if self.stats and new:
            self.stats.inc_value("scheduler/enqueued/redis", len(new), spider=self.spider)
        return len(new)

    def ack(self, request: Request) -> None:
        """The request is finished (handled or failed for good)."""
        self.queue.ack(request.meta.get(LEASE_META))


def lease_info(value: bytes | str) -> dict[str, Any]:
    """A lease entry as a dict (worker, score)."""
    return dict(json.loads(value))


def scheduler_of(crawler: Any) -> ReliableScheduler | None:
    """The running crawl's cluster scheduler, if it has one."""
    slot = getattr(getattr(crawler, "engine", None), "_slot", None)
    scheduler = getattr(slot, "scheduler", None)
    return scheduler if isinstance(scheduler, ReliableScheduler) else None
