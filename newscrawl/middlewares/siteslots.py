"""Keep each site's concurrency limit, within a crawl process and across its worker processes.

Scrapy limits the requests in flight to a site (``CONCURRENT_REQUESTS_PER_DOMAIN``, or a
source's own setting) as they reach its downloader, but requests that reach it together all go
out (`ProcessSlots`), and the limit holds only within one process: two worker processes fetching
from one site would send it twice as many. So each request to a site first takes one of the
site's slots (before its robots.txt turn and its check for a Retry-After pause, which a request
that waited for its slot must still keep) and frees it when its answer or its failure comes
back: slots of this process, or, when other processes fetch too, slots shared by all of them
(`newscrawl.pacing`).

The requests whose site has no free slot wait in line (`WaitingLine`): the first is woken when
this process frees a slot, and looks every ``poll_seconds`` of the shared state (50 ms for a
local crawl's files, 100 ms for a cluster's Redis) for one another process freed; the others
wait behind it, so a cluster worker asks Redis about a busy site 10 times a second, not 10 times
a second for each request waiting. A request that waited ``NEWSCRAWL_SLOT_MAX_WAIT`` seconds
goes anyway (counted as ``newscrawl/site_slots/overdue``), so a stuck slot can slow a crawl but
never stop it."""

from __future__ import annotations

import logging
import time
import weakref
from collections import deque
from typing import Any, Protocol

from scrapy import signals
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet import defer, reactor
from twisted.internet.base import DelayedCall

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


#: A request waiting behind others for a slot of its site also looks for one by itself this often
#: (seconds), in case the line stalls.
BEHIND_POLL_SECONDS = 1.0


class WaitingLine:
    """The requests of this process waiting for a slot of one site, first come first served.

    Only the first in line looks at the slot table every `poll_seconds` (for a cluster, a round
    trip to Redis each time); the others wait behind it, looking by themselves only every
    `BEHIND_POLL_SECONDS`. Whoever leaves the line (with a slot, or to look again at the back of
    it) hands the first place on at once. A request is woken with True when more than one slot
    may be free (its own look, or the one before it found a slot that way): if it gets one, it
    wakes the next too; with False when this process freed one slot for it.
    """

    def __init__(self, clock: Any, poll_seconds: float) -> None:
        self.clock = clock
        self.poll_seconds = poll_seconds
        self.waiting: deque[defer.Deferred[bool]] = deque()
        self._timers: dict[defer.Deferred[bool], DelayedCall] = {}

    def __len__(self) -> int:
        return len(self.waiting)

    def join(self) -> defer.Deferred[bool]:
        """A place at the back of the line: a Deferred that fires when it is time to look."""
        woken: defer.Deferred[bool] = defer.Deferred()
        self.waiting.append(woken)
        delay = self.poll_seconds if len(self.waiting) == 1 else BEHIND_POLL_SECONDS
        self._timers[woken] = self.clock.callLater(
            max(delay, self.poll_seconds), self._fire, woken, True
        )
        return woken

    def leave(self, woken: defer.Deferred[bool]) -> None:
        """Leave the line (after `woken` fired, or when giving up); the next first looks soon."""
        timer = self._timers.pop(woken, None)
        if timer is not None and timer.active():
            timer.cancel()
        if woken in self.waiting:
            self.waiting.remove(woken)
        if self.waiting:
            first = self._timers.get(self.waiting[0])
            if first is not None and first.active():
                due = self.clock.seconds() + self.poll_seconds
                if first.getTime() > due:
                    first.reset(self.poll_seconds)

    def wake_first(self, more_may_be_free: bool) -> None:
        """Let the first in line look now: this process freed a slot, or more may be free."""
        if self.waiting:
            self._fire(self.waiting.popleft(), more_may_be_free)

    @staticmethod
    def _fire(woken: defer.Deferred[bool], more_may_be_free: bool) -> None:
        if not woken.called:
            woken.callback(more_may_be_free)


class SiteSlotsMiddleware:
    """Take a slot of the request's site before it goes on to its turn (robots.txt Crawl-delay,
    `DOWNLOAD_DELAY`) and to the check for a pause (Retry-After), so that a request which waited
    for a slot keeps them too; `SiteSlotsReleaseMiddleware` frees it. See the module docstring."""

    def __init__(self, crawler: Any, shared: bool, max_wait: float) -> None:
        self.crawler = crawler
        #: Whether other processes fetch too (`newscrawl.pacing.shares_pacing`).
        self.shared = shared
        self.max_wait = max_wait
        self.lines: dict[str, WaitingLine] = {}
        self.local = ProcessSlots()
        self.clock: Any = reactor

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
        # Behind requests already waiting for the site, a look would find no slot: wait in line.
        slot = None if self.lines.get(site) else state.take_slot(site, limit)
        more_may_be_free = False
        while slot is None:
            if time.monotonic() - started >= self.max_wait:
                self.crawler.stats.inc_value("newscrawl/site_slots/overdue")
                logger.warning(
                    "no free request slot for %s after %.0f s: sending %s anyway",
                    site,
                    self.max_wait,
                    request.url,
                )
                return None
            more_may_be_free = await self._wait(site, state)
            slot = state.take_slot(site, limit)
        request.meta[META_KEY] = slot
        if more_may_be_free and (line := self.lines.get(site)) is not None:
            line.wake_first(True)
        return None

    async def _wait(self, site: str, state: SlotTable) -> bool:
        """Wait in `site`'s line until it is this request's time to look for a slot; return
        whether more than one slot may be free (see `WaitingLine`)."""
        line = self.lines.get(site)
        if line is None:
            line = self.lines[site] = WaitingLine(self.clock, state.poll_seconds)
        woken = line.join()
        try:
            more_may_be_free: bool = await maybe_deferred_to_future(woken)
            return more_may_be_free
        finally:
            line.leave(woken)
            if not line:
                self.lines.pop(site, None)

    def free(self, request: Any) -> None:
        """Give back the slot `request` holds, and wake a request waiting for one."""
        slot = request.meta.pop(META_KEY, None)
        if slot is None:
            return
        slot = tuple(slot)
        for table in self._tables():
            table.give_slot(slot)
        line = self.lines.get(slot[0])
        if line is not None:
            line.wake_first(False)

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
