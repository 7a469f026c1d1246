"""The cluster's frontier: discovered URLs become requests in the shared Redis queue.

It offers the spider the same interface as the SQLite frontier (`discover`, `claim`, `mark`,
`work_left`, validators), so the spider's discovery code is the same on one machine and on many;
the scrapy-redis scheduler and the shared seen-set do the queueing and de-duplication.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

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
        """True while requests wait in the shared queue or are leased by some worker."""
        pipe = self.server.pipeline()
        pipe.zcard(self.keys.requests)
        pipe.hlen(self.keys.leases)
        waiting, leased = pipe.execute()
        return bool(waiting or leased)

    def waiting(self) -> int:
        """Requests waiting in the shared queue."""
        return int(self.server.zcard(self.keys.requests))

    def validators(self, url: str) -> tuple[str | None, str | None]:
        raw = self.server.hget(self.keys.validators, url)
        if not raw:
            return None, None
        data = json.loads(raw)
        return data.get("etag"), data.get("last_modified")

    def set_validators(
        self, url: str, source: str, kind: str, etag: str | None, last_modified: str | None
    ) -> None:
        self.server.hset(
            self.keys.validators, url, json.dumps({"etag": etag, "last_modified": last_modified})
        )

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
