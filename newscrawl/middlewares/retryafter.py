"""Honour ``Retry-After`` on 429 and 503 answers: back off from the host, then retry.

When a host answers 429 or 503 with a ``Retry-After`` (seconds or an HTTP date), no request is
sent to that host (scheme, host and port) until that time: requests to it wait here, and the
answered request is retried afterwards (sharing Scrapy's ``RETRY_TIMES`` budget). A wait longer
than ``NEWSCRAWL_RETRY_AFTER_MAX`` seconds is not sat out: the host is left alone for the rest of
the wait and its requests fail at once as ``failed/backoff``, to be fetched on a later run.
Answers without ``Retry-After`` are left to Scrapy's RetryMiddleware.

When a crawl runs in several worker processes, a pause one of them was asked for is written to
the host's shared state (`newscrawl.pacing`), which every worker reads before each request to
the host: requests already sent cannot be called back, as within one process.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet import reactor
from twisted.internet.task import deferLater

from newscrawl.middlewares.guard import BlockedRequest
from newscrawl.pacing import SharedPacing, shared_state, shares_pacing

logger = logging.getLogger(__name__)

#: Statuses whose Retry-After is honoured.
STATUSES = frozenset({429, 503})


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

    @classmethod
    def from_crawler(cls, crawler: Any) -> RetryAfterMiddleware:
        settings = crawler.settings
        return cls(
            crawler,
            settings.getfloat("NEWSCRAWL_RETRY_AFTER_MAX", 120.0),
            settings.getint("RETRY_TIMES", 2),
            shares_pacing(settings),
        )

    def _shared(self) -> SharedPacing | None:
        """The shared host state when other worker processes fetch too (else None)."""
        return shared_state(self.crawler) if self.shared else None

    def _keep(self, origin: str, until: float, sit_out: bool) -> None:
        previous = self.until.get(origin)
        if previous is None or previous[0] < until:
            self.until[origin] = (until, sit_out)

    def _sync(self, origin: str) -> None:
        """Take in a pause of `origin` another worker was asked for."""
        shared = self._shared()
        if shared is None:
            return
        wall = time.time()
        paused = shared.paused(origin, wall)
        if paused is not None:
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
                raise BlockedRequest(
                    "backoff",
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
        origin = _origin(request)
        sit_out = wait <= self.max_wait
        self._keep(origin, time.monotonic() + wait, sit_out)
        shared = self._shared()
        if shared is not None:
            shared.pause(origin, time.time() + wait, sit_out)
        self.crawler.stats.inc_value("newscrawl/retry_after/responses")
        logger.info(
            "%s answered %d with Retry-After %.0f s: backing off from %s",
            request.url,
            response.status,
            wait,
            origin,
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
