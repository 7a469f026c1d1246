"""Keep each site's concurrency limit, within a crawl process and across its worker processes.

Scrapy limits the requests in flight to a site (``CONCURRENT_REQUESTS_PER_DOMAIN``, or a
source's own setting) as they reach its downloader, but requests that reach it together all go
out (`ProcessSlots`), and the limit holds only within one process: two worker processes fetching
from one site would send it twice as many. So each request to a site first takes one of the
site's slots (before its robots.txt turn and its check for a Retry-After pause, which a request
that waited for its slot must still keep) and frees it when its answer or its failure comes
back: slots of this process, or, when other processes fetch too, slots shared by all of them
(`newscrawl.pacing`). A request
whose site has no free slot waits: it is woken when this process frees one, and looks again
every ``poll_seconds`` of the shared state (50 ms for a local crawl's files, 100 ms for a
cluster's Redis) for one another process freed. A request that waited
``NEWSCRAWL_SLOT_MAX_WAIT`` seconds goes anyway (counted as ``newscrawl/site_slots/overdue``),
so a stuck slot can slow a crawl but never stop it."""

from __future__ import annotations

import logging
import time
import weakref
from collections import defaultdict, deque
from typing import Any, Protocol

from scrapy import signals
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet import defer, reactor

from newscrawl.pacing import SharedPacing, shared_state, shares_pacing

logger = logging.getLogger(__name__)

#: Where a request's slot is kept while it is out.
META_KEY = "nc_site_slot"
#: The slot-taking middleware of each crawler, for the one that frees slots.
_TAKERS: weakref.WeakKeyDictionary[Any, SiteSlotsMiddleware] = weakref.WeakKeyDictionary()


class SlotTable(Protocol):
    """Where a site's request slots are kept: shared (`newscrawl.pacing.SharedPacing`) or
    this process's own (`ProcessSlots`)."""

    poll_seconds: float
    held: set[tuple[str, Any]]

    def take_slot(self, host: str, limit: int) -> tuple[str, Any] | None: ...

    def give_slot(self, slot: tuple[str, Any]) -> None: ...


class ProcessSlots:
    """The request slots of a crawl process whose sites no other process fetches from.

    Scrapy checks a site's limit as each request reaches its downloader, but the requests that
    reach it in one turn of the event loop all find the limit free: with Scrapy 2.19 a crawl in
    one process sent 7 requests at once to a site limited to 2. So the limit is kept here too.
    """

    #: A request waiting for a slot is woken when one is freed; this is only a fallback.
    poll_seconds = 1.0

    def __init__(self) -> None:
        self.held: set[tuple[str, Any]] = set()

    def take_slot(self, host: str, limit: int) -> tuple[str, int] | None:
        """Take a free one of `host`'s `limit` slots, or None."""
        for n in range(limit):
            if (host, n) not in self.held:
                self.held.add((host, n))
                return host, n
        return None

    def give_slot(self, slot: tuple[str, Any]) -> None:
        """Free a slot `take_slot` gave."""
        self.held.discard(slot)


class SiteSlotsMiddleware:
    """Take a slot of the request's site before it goes on to its turn (robots.txt Crawl-delay,
    `DOWNLOAD_DELAY`) and to the check for a pause (Retry-After), so that a request which waited
    for a slot keeps them too; `SiteSlotsReleaseMiddleware` frees it. See the module docstring."""

    def __init__(self, crawler: Any, shared: bool, max_wait: float) -> None:
        self.crawler = crawler
        #: Whether other processes fetch too (`newscrawl.pacing.shares_pacing`).
        self.shared = shared
        self.max_wait = max_wait
        self.waiting: defaultdict[str, deque[defer.Deferred[None]]] = defaultdict(deque)
        self.local = ProcessSlots()

    @classmethod
    def from_crawler(cls, crawler: Any) -> SiteSlotsMiddleware:
        middleware = cls(
            crawler,
            shares_pacing(crawler.settings),
            crawler.settings.getfloat("NEWSCRAWL_SLOT_MAX_WAIT", 300.0),
        )
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        _TAKERS[crawler] = middleware
        return middleware

    def _state(self) -> SlotTable:
        """The slots shared with the other processes, or this process's own."""
        state: SharedPacing | None = shared_state(self.crawler) if self.shared else None
        return self.local if state is None else state

    def _tables(self) -> list[SlotTable]:
        """Where a slot may have been taken: this process's table, and the shared state (which
        a local crawl has only once its archive is open)."""
        state = self._state()
        return [self.local] if state is self.local else [self.local, state]

    def site_limit(self, request: Any) -> tuple[str, int]:
        """The request's site (Scrapy's download slot key) and its concurrency limit."""
        downloader = getattr(getattr(self.crawler, "engine", None), "downloader", None)
        if downloader is None:
            host = urlparse_cached(request).hostname or ""
            return host, self.crawler.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 8)
        key = downloader.get_slot_key(request)
        slot = downloader.slots.get(key)
        if slot is not None:
            return key, int(slot.concurrency)
        settings = getattr(downloader, "per_slot_settings", {}).get(key, {})
        default = getattr(downloader, "ip_concurrency", 0) or getattr(
            downloader, "domain_concurrency", 8
        )
        return key, int(settings.get("concurrency", default))

    async def process_request(self, request: Any, spider: Any = None) -> None:
        state = self._state()
        site, limit = self.site_limit(request)
        if limit <= 0:
            return None
        started = time.monotonic()
        while (slot := state.take_slot(site, limit)) is None:
            if time.monotonic() - started >= self.max_wait:
                self.crawler.stats.inc_value("newscrawl/site_slots/overdue")
                logger.warning(
                    "no free request slot for %s after %.0f s: sending %s anyway",
                    site,
                    self.max_wait,
                    request.url,
                )
                return None
            await self._wait(site, state)
        request.meta[META_KEY] = slot
        return None

    async def _wait(self, site: str, state: SlotTable) -> None:
        """Wait until this process frees a slot of `site`, or `state.poll_seconds` at most."""
        woken: defer.Deferred[None] = defer.Deferred()
        queue = self.waiting[site]
        queue.append(woken)
        clock: Any = reactor
        timer = clock.callLater(state.poll_seconds, self._wake, woken)
        try:
            await maybe_deferred_to_future(woken)
        finally:
            if timer.active():
                timer.cancel()
            if woken in queue:
                queue.remove(woken)
            if not queue:
                self.waiting.pop(site, None)

    @staticmethod
    def _wake(woken: defer.Deferred[None]) -> None:
        if not woken.called:
            woken.callback(None)

    def free(self, request: Any) -> None:
        """Give back the slot `request` holds, and wake a request waiting for one."""
        slot = request.meta.pop(META_KEY, None)
        if slot is None:
            return
        slot = tuple(slot)
        for table in self._tables():
            table.give_slot(slot)
        queue = self.waiting.get(slot[0])
        if queue:
            self._wake(queue.popleft())

    def spider_closed(self, spider: Any = None) -> None:
        """Free every slot still held (requests the closing engine dropped)."""
        for table in self._tables():
            for slot in list(table.held):
                table.give_slot(slot)


class SiteSlotsReleaseMiddleware:
    """Free a request's slot when its answer or its failure comes back, before any other
    middleware sees it (one may turn it into a retry or a redirect: a new request)."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> SiteSlotsReleaseMiddleware:
        return cls(crawler)

    def _free(self, request: Any) -> None:
        taker = _TAKERS.get(self.crawler)
        if taker is not None:
            taker.free(request)

    def process_response(self, request: Any, response: Any, spider: Any = None) -> Any:
        """Free the request's slot as its answer comes back."""
        self._free(request)
        return response

    def process_exception(self, request: Any, exception: Exception, spider: Any = None) -> None:
        """Free the request's slot when it failed."""
        self._free(request)
        return None
