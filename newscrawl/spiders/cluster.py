"""The news spider as a cluster worker: the same discovery, with the queue, the seen-set and the
articles in Redis (see `newscrawl.cluster`). It never opens the SQLite archive, so workers can run
on machines that do not hold it.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Request, Response
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task

from newscrawl.cluster.connection import RedisUnavailable, connect, redis_url, round_trips
from newscrawl.cluster.frontier import ClusterSession, ClusterSources, RedisFrontier
from newscrawl.cluster.keys import LEASE_META, Keys
from newscrawl.cluster.seed import seed
from newscrawl.cluster.settings import worker_settings
from newscrawl.frontier import Discovered
from newscrawl.net import addresses
from newscrawl.pipelines.outcomes import count
from newscrawl.runsummary import summarise
from newscrawl.spiders.news import NewsSpider

logger = logging.getLogger(__name__)

#: Seconds a worker waits with nothing to do anywhere in the cluster before it stops (0: never).
DEFAULT_MAX_IDLE = 10.0


def new_worker_id() -> str:
    """A worker id unique across machines: host, process and a random suffix."""
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(2)}"


class ClusterNewsSpider(NewsSpider):
    """Discover and request news articles; a cluster worker sharing the queue through Redis."""

    name = "news-cluster"
    needs_sources = False
    cluster_keys: Keys
    worker_id: str
    server: Any
    max_idle: float
    idle_since: float | None

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> ClusterNewsSpider:
        spider: ClusterNewsSpider = super(NewsSpider, cls).from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        url = settings.get("REDIS_URL")
        if not url:
            raise RedisUnavailable(
                "the cluster spider needs a Redis server: set REDIS_URL or $NEWSCRAWL_REDIS"
            )
        server = connect(url)
        spider.cluster_keys = Keys(settings.get("NEWSCRAWL_REDIS_PREFIX") or "newscrawl")
        spider.worker_id = settings.get("NEWSCRAWL_WORKER_ID") or new_worker_id()
        spider.server = server
        # Start URL hosts are trusted as on one machine (the private-address guard lets them
        # through), whichever worker seeded them and whenever.
        sources = ClusterSources(
            server,
            spider.cluster_keys,
            spider.sources,
            on_new=lambda source: addresses.CURRENT.allow_hosts_of(source.start_urls),
        )
        sources.refresh()
        spider.session = ClusterSession(  # type: ignore[assignment]
            sources, RedisFrontier(spider, server, spider.cluster_keys)
        )
        spider.obey_robots = settings.getbool("ROBOTSTXT_OBEY", True)
        spider.max_idle = settings.getfloat("NEWSCRAWL_REDIS_MAX_IDLE", DEFAULT_MAX_IDLE)
        spider.idle_since = None
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        return spider

    @classmethod
    def update_settings(cls, settings: Any) -> None:
        """Become a cluster worker whichever way the spider is started (`newscrawl crawl
        --redis`, ``scrapy crawl news-cluster -s REDIS_URL=...``, a Scrapyd job)."""
        super().update_settings(settings)
        url = settings.get("REDIS_URL") or settings.get("NEWSCRAWL_REDIS") or redis_url()
        if url:
            values = worker_settings(
                url,
                settings.get("NEWSCRAWL_REDIS_PREFIX") or "newscrawl",
                {"NEWSCRAWL_WARC_DIR": settings.get("NEWSCRAWL_WARC_DIR")},
            )
            values.pop("NEWSCRAWL_WARC_DIR", None)
            settings.setdict(values, priority="spider")

    # -- scheduling: the scrapy-redis scheduler takes requests from the shared queue ------------

    async def start(self) -> AsyncIterator[Any]:
        """Start URLs given to this worker are seeded into Redis; then the queue feeds it."""
        if self.sources:
            queued = seed(self.server, self.cluster_keys, self.sources)
            logger.info("Queued %d start URLs of %d sources", queued, len(self.sources))
        logger.info("Cluster worker %s waiting for requests from Redis", self.worker_id)
        nothing: tuple[Request, ...] = ()
        for request in nothing:
            yield request

    def start_requests(self) -> Iterator[Request]:
        return iter(())

    def prepare(self, request: Request) -> None:
        """Called by the scheduler for each request taken from Redis: know its source (and so
        its start URL hosts) before it is downloaded."""
        name = request.meta.get("nc_source")
        if name:
            try:
                self.session.sources[name]  # type: ignore[union-attr]
            except KeyError:
                logger.warning("Request %s names an unknown source %r", request.url, name)

    def cluster_request(self, item: Discovered) -> Request:
        """The request for a discovered URL, as the shared queue keeps it."""
        request = self._request(
            item.url, item.source, item.kind, item.depth, frontier=True, hints=item.meta or None
        )
        # The shared seen-set filters rediscovered URLs, except start pages and re-checks.
        keep = item.kind == "start" or bool((item.meta or {}).get("recheck"))
        return request.replace(priority=item.priority, dont_filter=keep)

    def _claim(self) -> Iterator[Request]:
        return iter(())

    def _conditional_headers(self, url: str, kind: str, hints: dict[str, Any]) -> dict[str, str]:
        if kind == "article":
            # A re-check pushed by the archive-worker carries the validators it stored.
            etag, modified = hints.get("etag"), hints.get("last_modified")
            headers = {}
            if hints.get("recheck") and etag:
                headers["If-None-Match"] = str(etag)
            if hints.get("recheck") and modified:
                headers["If-Modified-Since"] = str(modified)
            return headers
        return super()._conditional_headers(url, kind, hints)

    def on_idle(self, spider: Any = None) -> None:
        """Stay open while the cluster has work, and for `max_idle` seconds after."""
        if self.poller is None or not self.poller.running:
            self.poller = task.LoopingCall(self._poll)
            self.poller.start(0.25, now=True)
        raise DontCloseSpider

    def _poll(self) -> None:
        frontier: RedisFrontier = self.session.frontier  # type: ignore[union-attr,assignment]
        engine = self.crawler.engine
        if frontier.waiting():
            self.idle_since = None
            self._stop_poller()
            slot = getattr(engine, "_slot", None)
            if slot is not None:
                slot.nextcall.schedule()  # take them now, not at the engine's next heartbeat
            return
        if frontier.work_left():
            self.idle_since = None
            return
        now = time.monotonic()
        if self.idle_since is None:
            self.idle_since = now
        if self.max_idle > 0 and now - self.idle_since >= self.max_idle:
            self._stop_poller()
            if engine.spider_is_idle():
                logger.info("Nothing left in the cluster's queue: worker %s stops", self.worker_id)
                deferred_from_coro(engine.close_spider_async(reason="finished"))

    # -- responses ------------------------------------------------------------------------------

    def _not_modified(
        self, response: Response, source_name: str, kind: str, frontier_url: str | None
    ) -> Iterator[Any]:
        count(self.crawler, "not_modified", source_name)
        if kind == "article":
            count(self.crawler, "articles_unchanged", source_name)
        return iter(())

    def on_error(self, failure: Any) -> None:
        """Count the failure like a local crawl, then release the request's lease."""
        try:
            super().on_error(failure)
        finally:
            lease = failure.request.meta.get(LEASE_META)
            scheduler: Any = getattr(getattr(self.crawler.engine, "_slot", None), "scheduler", None)
            if lease and scheduler is not None:
                scheduler.queue.ack(lease)

    def closed(self, reason: str) -> None:
        """Leave this worker's counters in Redis for `newscrawl status` and the launcher."""
        import json

        if self.poller is not None and self.poller.running:
            self.poller.stop()
        counters, summary = summarise(self.crawler.stats.get_stats())
        counters["close_reason"] = reason
        counters["redis_round_trips"] = round_trips()
        self.server.hset(
            self.cluster_keys.worker(self.worker_id),
            mapping={
                "counters": json.dumps(counters, default=str),
                "summary": json.dumps(summary, default=str),
                "state": reason,
            },
        )
