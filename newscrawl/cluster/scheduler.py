"""The cluster scheduler: scrapy-redis' scheduler with a leased queue and worker heartbeats.

Settings: ``NEWSCRAWL_REDIS_WORKER_TIMEOUT`` (seconds without a heartbeat after which a worker
counts as gone and its leased requests are queued again).

While Redis cannot be reached the worker waits: the heartbeat keeps trying (and says the worker
is alive again as soon as the server answers), no request is taken, and requests discovered or
finished meanwhile wait in the queue's backlog (`newscrawl.cluster.queue`). Leases of workers
whose heartbeat stopped during an outage are not taken back until the workers have had one
worker timeout, after the server answers again, to send theirs.
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

from newscrawl.cluster.connection import unreachable_errors
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
        #: The clock of the heartbeat (the reactor unless set, as tests do, before `open`).
        self.clock: Any = None
        self.beats = 0
        #: When (monotonic) Redis answered again after an outage: no orphaned leases are taken
        #: back for a worker timeout after that (the workers alive send their heartbeats first).
        self.recovered_at: float | None = None
        self._outages_seen = 0
        self.info: dict[str, Any] = {}

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
        self.info = {
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "started": utc_now(),
            "state": "running",
        }
        self.server.hset(self.keys.worker(self.worker_id), mapping=self.info)
        self.beat()
        self.heartbeat = task.LoopingCall(self.beat)
        if self.clock is not None:
            self.heartbeat.clock = self.clock
        self.heartbeat.start(max(0.2, self.worker_timeout / 5), now=False)

    def beat(self) -> None:
        """Say this worker is alive; now and then give back the leases of vanished workers.

        A beat that cannot reach Redis is noted (one warning per outage) and the heartbeat goes
        on: the next beat that reaches it says the worker is alive again."""
        outage = self.queue.outage
        # An outage since the last beat (whoever saw it: it may be over already).
        after_outage = outage.down or outage.count != self._outages_seen
        try:
            self._beat(after_outage)
        except unreachable_errors() as exc:
            outage.failed(exc)
            return
        outage.succeeded()
        self._outages_seen = outage.count
        self.queue.flush()
        if after_outage:
            self._wake_engine()

    def _wake_engine(self) -> None:
        """Let the engine take requests now, not at its next heartbeat (up to 5 s away)."""
        engine = getattr(getattr(self.spider, "crawler", None), "engine", None)
        nextcall = getattr(getattr(engine, "_slot", None), "nextcall", None)
        if nextcall is not None:
            nextcall.schedule()

    def _beat(self, after_outage: bool) -> None:
        ttl_ms = int(self.worker_timeout * 1000)
        pipe = self.server.pipeline()
        if self.info:
            # Again each time: a server restarted without its data has lost it.
            pipe.hset(self.keys.worker(self.worker_id), mapping=self.info)
        pipe.set(self.keys.alive(self.worker_id), "1", px=ttl_ms)
        pipe.zadd(self.keys.workers, {self.worker_id: time.time()})
        pipe.execute()
        self.beats += 1
        now = time.monotonic()
        if after_outage:
            self.recovered_at = now
        if self.recovered_at is not None:
            if now - self.recovered_at < self.worker_timeout:
                return  # the other workers' heartbeats may not have reached Redis yet
            self.recovered_at = None
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
        self.queue.outage.next_try = 0.0  # one more try, whatever the wait
        error: Exception | None = None
        try:
            # Leases ended while Redis was away end first: they must not go back to the queue.
            if self.queue.flush():
                moved = self.queue.requeue_orphans(own=True)
                if moved:
                    logger.info("Returned %d unfinished requests to the shared queue", moved)
            pipe = self.server.pipeline()
            pipe.delete(self.keys.alive(self.worker_id))
            pipe.hset(
                self.keys.worker(self.worker_id), mapping={"state": reason, "ended": utc_now()}
            )
            pipe.execute()
        except unreachable_errors() as exc:
            error = exc
        if error is not None or self.queue.backlog:
            logger.warning(
                "Redis cannot be reached as worker %s stops (%s): %d writes are dropped, and "
                "the requests it holds go back to the queue when its heartbeat expires",
                self.worker_id,
                error or "writes still waiting",
                len(self.queue.backlog),
            )
        # Never flush: the queue and the seen-set belong to the whole cluster.
        return None

    # -- requests -------------------------------------------------------------------------------

    def enqueue_request(self, request: Request) -> bool:
        # A redirect or a retry carries the lease of the request it replaces: that one is done.
        done = request.meta.pop(LEASE_META, None)
        data = self.queue.encode(request)
        seen: list[bool] = []

        def write() -> None:
            if not seen:  # asked once: a second ask would find the URL seen by the first
                seen.append(not request.dont_filter and self.df.request_seen(request))
                if seen[0]:
                    self.df.log(request, self.spider)
                elif self.stats:
                    self.stats.inc_value("scheduler/enqueued/redis", spider=self.spider)
            if seen[0]:
                if done:
                    self.queue.ack_now(done)
            else:
                self.queue.push_now([(data, request.priority)], done)

        if self.queue.write(write):
            return not seen[0]
        return True  # queued once Redis answers (unless seen by then)

    def next_request(self) -> Request | None:
        request = self.queue.pop()
        if request is None:
            return None
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis", spider=self.spider)
        prepare = getattr(self.spider, "prepare", None)
        if prepare is not None:
            try:
                prepare(request)
            except unreachable_errors() as exc:
                self.queue.outage.failed(exc)  # its source is read again when needed
        return request

    def has_pending_requests(self) -> bool:
        """Requests waiting in the shared queue; while Redis cannot be reached (or writes wait
        for it), say yes: the worker waits for it rather than go idle."""
        if self.queue.backlog or self.queue.outage.down:
            return True
        try:
            return len(self.queue) > 0
        except unreachable_errors() as exc:
            self.queue.outage.failed(exc)
            return True

    def enqueue_discovered(self, requests: list[Request]) -> int:
        """Queue a page's discoveries: one seen-set round trip and one push for all of them."""
        keep = [r for r in requests if r.dont_filter]
        filtered = [r for r in requests if not r.dont_filter]
        encoded = {id(r): self.queue.encode(r) for r in requests}
        new: list[Request] = []
        asked: list[bool] = []

        def write() -> None:
            if not asked:  # asked once: a second ask would find the URLs seen by the first
                seen = self.df.requests_seen(filtered)
                new.extend(keep + [r for r, was in zip(filtered, seen, strict=True) if not was])
                asked.append(True)
                if self.stats and new:
                    self.stats.inc_value("scheduler/enqueued/redis", len(new), spider=self.spider)
            self.queue.push_now([(encoded[id(r)], r.priority) for r in new])

        if self.queue.write(write):
            return len(new)
        return len(requests)  # queued once Redis answers (those not seen by then)

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
