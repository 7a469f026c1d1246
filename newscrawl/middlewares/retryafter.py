"""Honour ``Retry-After`` on 429 and 503 answers: back off from the host, then retry.

When a host answers 429 or 503 with a ``Retry-After`` (seconds or an HTTP date), no request is
sent to that host (scheme, host and port) until that time: requests to it wait here, and the
answered request is retried afterwards (sharing Scrapy's ``RETRY_TIMES`` budget). A wait longer
than ``NEWSCRAWL_RETRY_AFTER_MAX`` seconds is not sat out: the host is left alone for the rest of
the wait and its requests fail at once as ``failed/backoff`` (`HostBackingOff`), to be fetched
on a later run (such a refusal uses none of the URL's attempts, `newscrawl.frontier`). A pause
lasts at most `MAX_PAUSE` (a day), whatever the host asks.

A pause that is not sat out outlives the run: it is written to the host's state file beside the
archive (`newscrawl.pacing.HostState`, ``<db>.locks/hosts/``), and a later run looks it up before
its first request to the host (robots.txt included), so that no run asks the host again before
the time it gave.

When a crawl runs in several worker processes, every pause one of them was asked for is written to
the host's shared state (`newscrawl.pacing`), which every worker reads before each request to
the host: requests already sent cannot be called back, as within one process.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy import signals
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet import reactor
from twisted.internet.task import deferLater

from newscrawl.middlewares.guard import BlockedRequest
from newscrawl.pacing import HostState, SharedPacing, shared_state, shares_pacing

logger = logging.getLogger(__name__)

#: Statuses whose Retry-After is honoured.
STATUSES = frozenset({429, 503})
#: Longest pause (seconds) a Retry-After sets: a host asking for more is asked again after that.
MAX_PAUSE = 86400.0


class HostBackingOff(BlockedRequest):
    """A request refused, unsent, because its host asked to be left alone until `until`
    (wall-clock seconds); counted as ``failed/backoff``."""

    def __init__(self, origin: str, until: float, message: str) -> None:
        super().__init__("backoff", message)
        self.origin = origin
        self.until = until


def parse_retry_after(value: str | bytes | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or HTTP-date); None if invalid."""
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if not text:
        return None
    if text.isdigit():
        return float(int(text))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    current = datetime.now(timezone.utc).timestamp() if now is None else now
    return max(0.0, when.timestamp() - current)


def _origin(request: Any) -> str:
    parts = urlparse_cached(request)
    return f"{parts.scheme}://{parts.netloc}".lower()


class RetryAfterMiddleware:
    """Back off from hosts that ask for it; see the module docstring."""

    def __init__(
        self, crawler: Any, max_wait: float, max_retries: int, shared: bool = False
    ) -> None:
        self.crawler = crawler
        self.max_wait = max_wait
        self.max_retries = max_retries
        #: Whether other processes fetch too (`newscrawl.pacing.shares_pacing`).
        self.shared = shared
        #: origin -> (monotonic time until which it is left alone, whether requests wait)
        self.until: dict[str, tuple[float, bool]] = {}
        #: The host state files beside the archive, when this process does not share them.
        self._own: HostState | None = None
        self._own_opened = False
        #: Origins whose pause left by an earlier run this process looked up (one process).
        self._looked_up: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Any) -> RetryAfterMiddleware:
        settings = crawler.settings
        middleware = cls(
            crawler,
            settings.getfloat("NEWSCRAWL_RETRY_AFTER_MAX", 120.0),
            settings.getint("RETRY_TIMES", 2),
            shares_pacing(settings),
        )
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def _shared(self) -> SharedPacing | None:
        """The shared host state when other worker processes fetch too (else None)."""
        return shared_state(self.crawler) if self.shared else None

    def _durable(self) -> SharedPacing | None:
        """Where pauses outlive the run: the shared host state, or (one process) the same
        files beside the archive opened by this middleware; None without an archive file."""
        shared = self._shared()
        if shared is not None:
            return shared
        if not self._own_opened and not self.crawler.settings.get("REDIS_URL"):
            self._own_opened = True
            session = getattr(getattr(self.crawler, "spider", None), "session", None)
            path = getattr(getattr(session, "archive", None), "path", None)
            if path and str(path) != ":memory:":
                try:
                    self._own = HostState(str(path))
                except OSError as exc:
                    logger.warning("Retry-After pauses are not kept for later runs: %s", exc)
        return self._own

    def spider_closed(self, spider: Any = None) -> None:
        """Close the host state files this middleware opened."""
        if self._own is not None:
            self._own.close()
            self._own = None

    def _keep(self, origin: str, until: float, sit_out: bool) -> None:
        previous = self.until.get(origin)
        if previous is None or previous[0] < until:
            self.until[origin] = (until, sit_out)

    def _sync(self, origin: str) -> None:
        """Take in a pause of `origin` another worker (or an earlier run) was asked for.

        Worker processes sharing hosts look at every request; a process of its own looks once
        per host (for a pause an earlier run left), since no one else pauses it while it runs."""
        shared = self._shared()
        earlier = False
        if shared is None:
            if origin in self._looked_up:
                return
            self._looked_up.add(origin)
            shared = self._durable()
            if shared is None:
                return
            earlier = True
        wall = time.time()
        paused = shared.paused(origin, wall)
        if paused is None:
            return
        if earlier and origin not in self.until:
            self.crawler.stats.inc_value("newscrawl/retry_after/remembered")
            logger.info(
                "%s asked an earlier run to leave it alone (Retry-After) for %.0f s more: "
                "no request to it before then",
                origin,
                paused[0] - wall,
            )
        self._keep(origin, time.monotonic() + (paused[0] - wall), paused[1])

    async def process_request(self, request: Any, spider: Any = None) -> None:
        """Hold (or refuse) a request to a host that is backing off."""
        origin = _origin(request)
        while True:
            self._sync(origin)
            entry = self.until.get(origin)
            if entry is None:
                return None
            remaining = entry[0] - time.monotonic()
            if remaining <= 0:
                self.until.pop(origin, None)
                return None
            if not entry[1]:
                self.crawler.stats.inc_value("newscrawl/retry_after/refused")
                raise HostBackingOff(
                    origin,
                    time.time() + remaining,
                    f"backing off: {origin} asked for {remaining:.0f} s more <{request.url}>",
                )
            await maybe_deferred_to_future(deferLater(reactor, remaining, lambda: None))

    def process_response(self, request: Any, response: Any, spider: Any = None) -> Any:
        """Start a back-off on 429/503 with Retry-After and retry the request after it."""
        if response.status not in STATUSES or request.meta.get("dont_retry"):
            return response
        wait = parse_retry_after(response.headers.get(b"Retry-After"))
        if wait is None:
            return response
        wait = min(wait, MAX_PAUSE)
        origin = _origin(request)
        sit_out = wait <= self.max_wait
        self._keep(origin, time.monotonic() + wait, sit_out)
        # Shared with the other worker processes; a pause not sat out is kept for later runs.
        shared = self._shared()
        if shared is None and not sit_out:
            shared = self._durable()
        if shared is not None:
            shared.pause(origin, time.time() + wait, sit_out)
        self.crawler.stats.inc_value("newscrawl/retry_after/responses")
        logger.info(
            "%s answered %d with Retry-After %.0f s: backing off from %s%s",
            request.url,
            response.status,
            wait,
            origin,
            "" if sit_out else " (no request to it before then, also by later runs)",
        )
        if not sit_out:
            request.meta["dont_retry"] = True
            return response
        retry = get_retry_request(
            request,
            spider=self.crawler.spider,
            reason=f"retry_after_{response.status}",
            max_retry_times=request.meta.get("max_retry_times", self.max_retries),
        )
        if retry is None:
            request.meta["dont_retry"] = True
            return response
        return retry
