"""robots.txt as RFC 9309 says: a 5xx (or 429) answer means "disallow everything" for now.

Scrapy's RobotsTxtMiddleware parses whatever body comes back, so a 500 error page reads as
"allow all". This subclass replaces the parser of a host whose robots.txt answered 5xx or 429
(after Scrapy's retries) with one that refuses every URL, and the refusal is counted as
``failed/robots_unavailable`` (not ``robots``), so the pages are tried again on a later run.
4xx answers stay "allow all" (RFC 9309 2.3.1.3). Network errors are left to the pages' own
fetches, which fail with the same error and reason.

A robots.txt request that failed for a reason that is not the site's answer (`answered_by_site`:
an error raised by newscrawl's own stack on the way, such as a Redis error from a cluster's
shared pacing, or a request refused by one of its checks) does not count as "allow all": the
host's pages wait (`AskAgain`) and robots.txt is asked for again, after a wait that doubles from
``NEWSCRAWL_ROBOTS_RETRY_DELAY`` seconds (default 1) up to 30 s. A page that waited
``NEWSCRAWL_ROBOTS_MAX_WAIT`` seconds (default 300), or that waits as the crawl stops, is refused
as ``failed/robots_unavailable``, never fetched unchecked.

A host that asked to be left alone (``Retry-After``, `newscrawl.middlewares.retryafter`, also
on an earlier run) gets no robots.txt request either: its requests are refused as
``failed/backoff`` (no attempt used) until the pause ends, and robots.txt is asked for then;
Scrapy's middleware would take the refused robots.txt request for a missing file and let every
page through unchecked for the rest of the run.

It also gives every request that waits for a host's robots.txt the parser: Scrapy's own
middleware awaits one shared Deferred through an asyncio Future, which consumes its result, so
under the asyncio reactor only the first waiter got the parser and the others were let through
unchecked (seen when many requests for a new host arrive at once, as from a shared queue).
"""

from __future__ import annotations

import logging
import time
from functools import lru_cache
from typing import Any

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred
from twisted.internet.task import deferLater

from newscrawl.middlewares.guard import BlockedRequest

logger = logging.getLogger(__name__)


class UnavailableRobots:
    """The robot parser of a host whose robots.txt could not be had: nothing is allowed."""

    def __init__(self, status: int) -> None:
        self.status = status

    def allowed(self, url: str | bytes, user_agent: str | bytes) -> bool:
        """Never: RFC 9309 asks for complete disallow while robots.txt is unreachable."""
        return False


class BackingOffRobots:
    """The robot parser of a host whose robots.txt was not asked for: the host is backing off
    (Retry-After) until `until` (wall-clock seconds). Nothing is allowed until then."""

    def __init__(self, until: float) -> None:
        self.until = until

    def allowed(self, url: str | bytes, user_agent: str | bytes) -> bool:
        """Never: robots.txt is not known yet."""
        return False


class AskAgain:
    """Stands for the parser of a host whose robots.txt request failed for a reason that is not
    the site's answer: its pages wait, and robots.txt is asked for again at `at` (monotonic)."""

    def __init__(self, at: float, error: str) -> None:
        self.at = at
        self.error = error

    def allowed(self, url: str | bytes, user_agent: str | bytes) -> bool:
        """Never: robots.txt is not known yet."""
        return False


#: The longest wait (seconds) before robots.txt is asked for again (`AskAgain`).
ASK_AGAIN_MAX_SECONDS = 30.0


@lru_cache(maxsize=1)
def _download_errors() -> tuple[type[BaseException], ...]:
    """The errors of a download itself: the site or the network to it did not answer."""
    from scrapy import exceptions as scrapy_errors
    from twisted.internet import defer
    from twisted.internet import error as net
    from twisted.web.client import ResponseFailed, ResponseNeverReceived

    errors: list[type[BaseException]] = [
        net.ConnectError,  # refused, timed out, no route, ...
        net.DNSLookupError,
        net.ConnectionClosed,
        net.ConnectingCancelledError,
        defer.TimeoutError,
        ResponseFailed,
        ResponseNeverReceived,
    ]
    for name in (
        "CannotResolveHostError",
        "DownloadConnectionRefusedError",
        "DownloadTimeoutError",
        "DownloadCancelledError",
        "DownloadFailedError",
        "ResponseDataLossError",
        "UnsupportedURLSchemeError",
    ):
        error = getattr(scrapy_errors, name, None)
        if isinstance(error, type):
            errors.append(error)
    try:
        from scrapy.core.downloader.handlers.http11 import TunnelError

        errors.append(TunnelError)
    except ImportError:  # pragma: no cover
        pass
    return tuple(errors)


#: Modules (prefixes) of newscrawl's own stack: an error raised in their code is not the site's.
OWN_MODULES = ("newscrawl.", "redis.")


def answered_by_site(error: BaseException, own: tuple[str, ...] = OWN_MODULES) -> bool:
    """Whether a robots.txt request failed because of the site or the network to it.

    Yes for an error of the download itself (refused, timed out, cut short, no such host) and a
    request Scrapy dropped (too many redirects); no for a request refused by a newscrawl check
    (`BlockedRequest`) and for an error raised by newscrawl's own stack on the way (its class,
    or the code it was raised in, is in a module of `own`: a Redis error from a cluster's shared
    pacing, a bug in a middleware). Other errors, raised by Scrapy or Twisted for the request
    itself (an invalid host name), are the pages' errors too: yes."""
    if isinstance(error, BlockedRequest):
        return False
    if isinstance(error, (IgnoreRequest, *_download_errors())):
        return True
    modules = [type(error).__module__]
    trace = error.__traceback__
    while trace is not None:
        name = trace.tb_frame.f_globals.get("__name__", "")
        if name != __name__:  # this middleware's own frames: it parses what the site sent
            modules.append(name)
        trace = trace.tb_next
    return not any(f"{module}.".startswith(own) for module in modules)


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with 5xx/429 meaning complete disallow."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        settings = crawler.settings
        self.ask_again_delay = max(0.01, settings.getfloat("NEWSCRAWL_ROBOTS_RETRY_DELAY", 1.0))
        self.max_wait = settings.getfloat("NEWSCRAWL_ROBOTS_MAX_WAIT", 300.0)
        #: host -> robots.txt requests in a row that failed for a reason not the site's.
        self._not_answered: dict[str, int] = {}
        self._own: tuple[str, ...] | None = None

    def own_modules(self) -> tuple[str, ...]:
        """`OWN_MODULES` and the modules of the downloader middlewares installed that are not
        Scrapy's."""
        if self._own is not None:
            return self._own
        engine = getattr(self.crawler, "engine", None)
        manager = getattr(getattr(engine, "downloader", None), "middleware", None)
        if manager is None:
            return OWN_MODULES
        modules = {type(m).__module__ for m in getattr(manager, "middlewares", ())}
        self._own = OWN_MODULES + tuple(
            sorted(f"{m}." for m in modules if not f"{m}.".startswith("scrapy."))
        )
        return self._own

    async def robot_parser(self, request: Any) -> Any:
        """The host's parser; requests that come while robots.txt is on its way wait for it, and
        wait again while it is asked for again (`AskAgain`)."""
        netloc = urlparse_cached(request).netloc
        started = time.monotonic()
        while True:
            parser = await self._host_parser(request)
            if not isinstance(parser, AskAgain):
                return parser
            await self._wait_to_ask_again(parser, netloc, request, started)

    async def _wait_to_ask_again(
        self, parser: AskAgain, netloc: str, request: Any, started: float
    ) -> None:
        """Wait until robots.txt is asked for again (the first request to wake asks); refuse
        the request once it waited too long, or as the crawl stops."""
        while True:
            now = time.monotonic()
            if now - started >= self.max_wait or not self._crawling():
                self._stats.inc_value("newscrawl/robots_not_had")
                raise BlockedRequest(
                    "robots_unavailable",
                    f"robots.txt of {netloc} could not be had ({parser.error}): "
                    f"not fetched <{request.url}>",
                )
            left = min(parser.at, started + self.max_wait) - now
            if left <= 0:
                break
            from twisted.internet import reactor

            await maybe_deferred_to_future(deferLater(reactor, min(left, 1.0), lambda: None))
        if self._parsers.get(netloc) is parser:
            del self._parsers[netloc]

    def _crawling(self) -> bool:
        """Whether the crawl goes on (not stopping)."""
        engine = getattr(self.crawler, "engine", None)
        if engine is None:
            return True
        slot = getattr(engine, "_slot", None)
        return bool(getattr(engine, "running", True)) and getattr(slot, "closing", None) is None

    async def _host_parser(self, request: Any) -> Any:
        """The host's parser (or `AskAgain`); requests that come while robots.txt is on its way
        wait for it."""
        netloc = urlparse_cached(request).netloc
        pending = self._parsers.get(netloc)
        if isinstance(pending, BackingOffRobots) and time.time() >= pending.until:
            # The host's pause is over: ask for robots.txt now.
            del self._parsers[netloc]
            pending = None
        if isinstance(pending, Deferred):
            waiter: Deferred[Any] = Deferred()

            def relay(result: Any) -> Any:
                waiter.callback(result)
                return result  # keep the result for the next waiter

            pending.addCallback(relay)
            return await maybe_deferred_to_future(waiter)
        return await super().robot_parser(request)

    async def _parse_robots(self, response: Any, netloc: str, request: Any) -> None:
        self._not_answered.pop(netloc, None)
        status = int(response.status)
        if status >= 500 or status == 429:
            self._stats.inc_value(f"robotstxt/response_status_count/{status}")
            self._stats.inc_value("newscrawl/robots_unavailable_hosts")
            logger.warning(
                "robots.txt of %s answered %d: nothing is fetched from that host this run",
                netloc,
                status,
            )
            deferred = self._parsers[netloc]
            parser: Any = UnavailableRobots(status)
            self._parsers[netloc] = parser
            deferred.callback(parser)  # type: ignore[union-attr]
            return
        await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        """robots.txt could not be had: a host backing off is asked again once its pause ends
        (meanwhile its pages are refused); other errors are Scrapy's (allow all)."""
        error = getattr(exc, "value", exc)  # a Twisted Failure in older Scrapy versions
        until = getattr(error, "until", None)
        if not (isinstance(error, BlockedRequest) and error.reason == "backoff"):
            if answered_by_site(error, self.own_modules()):
                self._not_answered.pop(netloc, None)
                super()._robots_error(exc, netloc)
            else:
                self._ask_again_later(error, netloc)
            return
        deferred = self._parsers[netloc]
        parser: Any = BackingOffRobots(float(until or 0.0))
        self._parsers[netloc] = parser
        if isinstance(deferred, Deferred):
            deferred.callback(parser)

    def _ask_again_later(self, error: BaseException, netloc: str) -> None:
        """robots.txt failed, not because of the site: its pages wait, it is asked for again."""
        failures = self._not_answered[netloc] = self._not_answered.get(netloc, 0) + 1
        wait = min(ASK_AGAIN_MAX_SECONDS, self.ask_again_delay * 2 ** min(failures - 1, 30))
        self._stats.inc_value("newscrawl/robots_asked_again")
        logger.warning(
            "robots.txt of %s could not be had (%s: %s), which is not the site's answer: its "
            "pages wait, and it is asked for again in %.1f s",
            netloc,
            type(error).__name__,
            error,
            wait,
        )
        deferred = self._parsers.get(netloc)
        parser: Any = AskAgain(time.monotonic() + wait, f"{type(error).__name__}: {error}")
        self._parsers[netloc] = parser
        if isinstance(deferred, Deferred):
            deferred.callback(parser)

    def process_request_2(self, rp: Any, request: Any) -> None:
        """Refuse every request to a host whose robots.txt is unavailable, with its own reason."""
        if isinstance(rp, BackingOffRobots):
            raise BlockedRequest(
                "backoff",
                f"backing off: robots.txt not asked for yet, {request.url} not fetched",
            )
        if isinstance(rp, UnavailableRobots):
            self._stats.inc_value("robotstxt/forbidden")
            raise BlockedRequest(
                "robots_unavailable",
                f"robots.txt unavailable (HTTP {rp.status}): not fetched <{request.url}>",
            )
        super().process_request_2(rp, request)
