"""The cluster's frontier: discovered URLs become requests in the shared Redis queue.

It offers the spider the same interface as the SQLite frontier (`discover`, `claim`, `mark`,
`work_left`, validators), so the spider's discovery code is the same on one machine and on many;
the scrapy-redis scheduler and the shared seen-set do the queueing and de-duplication.

While Redis cannot be reached, its answers stand in for what Redis would say (work is left, no
validators are known) and its writes wait in the request queue's backlog, so a worker waits for
the server instead of failing or stopping.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from newscrawl.cluster.connection import Outage, unreachable_errors
from newscrawl.cluster.keys import Keys
from newscrawl.frontier import Claimed, Discovered
from newscrawl.sources import Source, source_from_dict


class ClusterSources(dict[str, Source]):
    """Sources by name; a name not known yet is read from Redis (seeded after this started)."""

    def __init__(
        self,
        server: Any,
        keys: Keys,
        sources: Iterable[Source] = (),
        on_new: Callable[[Source], None] | None = None,
    ) -> None:
        super().__init__()
        self.server = server
        self.redis_keys = keys
        self.on_new = on_new
        for source in sources:
            self[source.name] = source

    def __setitem__(self, name: str, source: Source) -> None:
        super().__setitem__(name, source)
        if self.on_new is not None:
            self.on_new(source)

    def __missing__(self, name: str) -> Source:
        raw = self.server.hget(self.redis_keys.sources, name)
        if raw is None:
            raise KeyError(f"source {name!r} is not known to this cluster (seed it first)")
        source = source_from_dict(json.loads(raw))
        self[name] = source
        return source

    def refresh(self) -> None:
        """Read every source definition from Redis."""
        for name, raw in self.server.hgetall(self.redis_keys.sources).items():
            key = name.decode() if isinstance(name, bytes) else name
            self[key] = source_from_dict(json.loads(raw))


class RedisFrontier:
    """Discovery into the shared queue (through the scheduler and its seen-set)."""

    def __init__(self, spider: Any, server: Any, keys: Keys) -> None:
        self.spider = spider
        self.server = server
        self.keys = keys
        self._outage = Outage("cluster frontier", cap=2.0)

    def _queue(self) -> Any:
        """The running crawl's request queue (None before the crawl has one)."""
        from newscrawl.cluster.scheduler import scheduler_of

        scheduler = scheduler_of(getattr(self.spider, "crawler", None))
        return scheduler.queue if scheduler is not None else None

    def _read(self, read: Any, unknown: Any) -> Any:
        """`read()` from Redis, or `unknown` while Redis cannot be reached."""
        queue = self._queue()
        outage: Outage = queue.outage if queue is not None else self._outage
        if not outage.ready():
            return unknown
        try:
            value = read()
        except unreachable_errors() as exc:
            outage.failed(exc)
            return unknown
        outage.succeeded()
        return value

    def discover(self, items: Iterable[Discovered]) -> None:
        """Queue the URLs any worker has not seen recently (one round trip for the seen-set,
        one for the queue, however many links a page has)."""
        from newscrawl.cluster.scheduler import scheduler_of

        requests = [self.spider.cluster_request(item) for item in items]
        scheduler = scheduler_of(self.spider.crawler)
        if scheduler is not None:
            scheduler.enqueue_discovered(requests)
            return
        engine = self.spider.crawler.engine
        for request in requests:
            engine.crawl(request)

    def flush(self) -> None:
        """Nothing is buffered: requests reach Redis as they are scheduled."""

    def claim(
        self, limit: int, sources: Sequence[str] | None = None, budget: int | None = None
    ) -> list[Claimed]:
        """The scheduler takes requests from Redis itself: nothing to claim."""
        return []

    def claimed_this_run(self) -> dict[str, int]:
        return {}

    def mark(
        self, url: str, state: str, reason: str | None = None, kind: str | None = None
    ) -> None:
        """Outcomes are counted in the worker's stats; the archive-worker records articles."""

    def state_of(self, url: str) -> str | None:
        return None

    def work_left(self, sources: Sequence[str] | None = None) -> bool:
        """True while requests wait in the shared queue or are leased by some worker (or this
        worker's writes wait for Redis, or Redis cannot be reached: it may have some)."""
        queue = self._queue()
        if queue is not None and queue.backlog:
            return True

        def read() -> bool:
            pipe = self.server.pipeline()
            pipe.zcard(self.keys.requests)
            pipe.hlen(self.keys.leases)
            waiting, leased = pipe.execute()
            return bool(waiting or leased)

        return bool(self._read(read, True))

    def waiting(self) -> int:
        """Requests waiting in the shared queue (none can be taken while Redis is away)."""
        return int(self._read(lambda: self.server.zcard(self.keys.requests), 0))

    def validators(self, url: str) -> tuple[str | None, str | None]:
        raw = self._read(lambda: self.server.hget(self.keys.validators, url), None)
        if not raw:
            return None, None
        data = json.loads(raw)
        return data.get("etag"), data.get("last_modified")

    def set_validators(
        self, url: str, source: str, kind: str, etag: str | None, last_modified: str | None
    ) -> None:
        value = json.dumps({"etag": etag, "last_modified": last_modified})

        def write() -> None:
            self.server.hset(self.keys.validators, url, value)

        queue = self._queue()
        if queue is not None:
            queue.write(write)  # waits in the backlog while Redis cannot be reached
        else:
            self._read(write, None)

    def watermark(self, url: str) -> str | None:
        """News-sitemap watermarks belong to single-machine runs; the seen-set covers a cluster."""
        return None

    def set_watermark(self, urls: Iterable[str], started: str) -> None:
        """See `watermark`."""


class ClusterSession:
    """What the spider reaches through ``spider.session`` when crawling with Redis."""

    def __init__(self, sources: ClusterSources, frontier: RedisFrontier) -> None:
        self.sources = sources
        self.frontier = frontier
        self.archive = None
        self.owns_run = True
