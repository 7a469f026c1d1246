"""Honour robots.txt ``Crawl-delay``, which Scrapy's robots middleware parses but ignores.

Requests to a host whose robots.txt sets a crawl delay are spaced at least that far apart,
whatever AutoThrottle or concurrency settings say. When a crawl runs in several worker processes,
or as a cluster worker, the spacing holds across them (`newscrawl.pacing`), and so do
``DOWNLOAD_DELAY`` and the delay AutoThrottle sets for the host, which Scrapy applies per process.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import reactor
from twisted.internet.task import deferLater

from newscrawl.pacing import SharedPacing, shared_state, shares_pacing


class CrawlDelayMiddleware:
    """Space requests per host by robots.txt Crawl-delay (capped: NEWSCRAWL_MAX_CRAWL_DELAY)."""

    def __init__(
        self, crawler: Any, max_delay: float, shared: bool = False, download_delay: float = 0.0
    ) -> None:
        self.crawler = crawler
        self.max_delay = max_delay
        #: Whether other processes fetch too (`newscrawl.pacing.shares_pacing`).
        self.shared = shared
        #: The fixed delay kept across processes (Scrapy keeps it within each one).
        self.shared_delay = download_delay if shared else 0.0
        self.autothrottle = shared and crawler.settings.getbool("AUTOTHROTTLE_ENABLED")
        self.next_allowed: dict[str, float] = {}
        self.user_agent = crawler.settings.get("ROBOTSTXT_USER_AGENT") or crawler.settings.get(
            "USER_AGENT"
        )

    @classmethod
    def from_crawler(cls, crawler: Any) -> CrawlDelayMiddleware:
        settings = crawler.settings
        return cls(
            crawler,
            settings.getfloat("NEWSCRAWL_MAX_CRAWL_DELAY", 60.0),
            shares_pacing(settings),
            settings.getfloat("DOWNLOAD_DELAY", 0.0),
        )

    def _robots_parser(self, netloc: str) -> Any:
        engine = getattr(self.crawler, "engine", None)
        manager = getattr(getattr(engine, "downloader", None), "middleware", None)
        for middleware in getattr(manager, "middlewares", ()):
            if isinstance(middleware, RobotsTxtMiddleware):
                parser = getattr(middleware, "_parsers", {}).get(netloc)
                return parser if hasattr(parser, "rp") else None
        return None

    def crawl_delay(self, netloc: str) -> float:
        """The Crawl-delay robots.txt asks of us for this host (0 when none or not known yet)."""
        parser = self._robots_parser(netloc)
        if parser is None:
            return 0.0
        try:
            delay = parser.rp.crawl_delay(self.user_agent)
        except Exception:
            return 0.0
        return min(float(delay or 0.0), self.max_delay)

    def _shared_pacing(self) -> SharedPacing | None:
        """The shared host state when other worker processes fetch too (else None)."""
        return shared_state(self.crawler) if self.shared else None

    def throttle_delay(self, request: Any) -> float:
        """The delay AutoThrottle keeps between this process's requests to the request's host."""
        downloader = getattr(getattr(self.crawler, "engine", None), "downloader", None)
        if downloader is None:
            return 0.0
        slot = downloader.slots.get(downloader.get_slot_key(request))
        return float(getattr(slot, "delay", 0.0) or 0.0)

    def delay_for(self, request: Any, shared: bool) -> float:
        """The spacing to keep before `request`: robots.txt's Crawl-delay for its host and, when
        other worker processes fetch too (`shared`), the delays Scrapy keeps only per process."""
        delay = self.crawl_delay(urlsplit(request.url).netloc)
        if shared:
            delay = max(delay, self.shared_delay)
            if self.autothrottle:
                delay = max(delay, self.throttle_delay(request))
        return delay

    async def process_request(self, request: Any, spider: Any = None) -> None:
        if request.url.endswith("/robots.txt"):
            return None
        netloc = urlsplit(request.url).netloc
        shared = self._shared_pacing()
        delay = self.delay_for(request, shared is not None)
        if delay <= 0:
            return None
        if shared is not None:
            now = time.time()
            start = shared.reserve(netloc, delay, now)
        else:
            now = time.monotonic()
            start = max(now, self.next_allowed.get(netloc, now))
            self.next_allowed[netloc] = start + delay
        if start > now:
            await maybe_deferred_to_future(deferLater(reactor, start - now, lambda: None))
        return None
