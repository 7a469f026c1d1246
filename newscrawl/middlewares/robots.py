"""robots.txt as RFC 9309 says: a 5xx (or 429) answer means "disallow everything" for now.

Scrapy's RobotsTxtMiddleware parses whatever body comes back, so a 500 error page reads as
"allow all". This subclass replaces the parser of a host whose robots.txt answered 5xx or 429
(after Scrapy's retries) with one that refuses every URL, and the refusal is counted as
``failed/robots_unavailable`` (not ``robots``), so the pages are tried again on a later run.
4xx answers stay "allow all" (RFC 9309 2.3.1.3). Network errors are left to the pages' own
fetches, which fail with the same error and reason.

It also gives every request that waits for a host's robots.txt the parser: Scrapy's own
middleware awaits one shared Deferred through an asyncio Future, which consumes its result, so
under the asyncio reactor only the first waiter got the parser and the others were let through
unchecked (seen when many requests for a new host arrive at once, as from a shared queue).
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from newscrawl.middlewares.guard import BlockedRequest

logger = logging.getLogger(__name__)


class UnavailableRobots:
    """The robot parser of a host whose robots.txt could not be had: nothing is allowed."""

    def __init__(self, status: int) -> None:
        self.status = status

    def allowed(self, url: str | bytes, user_agent: str | bytes) -> bool:
        """Never: RFC 9309 asks for complete disallow while robots.txt is unreachable."""
        return False


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with 5xx/429 meaning complete disallow."""

    async def robot_parser(self, request: Any) -> Any:
        """The host's parser; requests that come while robots.txt is on its way wait for it."""
        pending = self._parsers.get(urlparse_cached(request).netloc)
        if isinstance(pending, Deferred):
            waiter: Deferred[Any] = Deferred()

            def relay(result: Any) -> Any:
                waiter.callback(result)
                return result  # keep the result for the next waiter

            pending.addCallback(relay)
            return await maybe_deferred_to_future(waiter)
        return await super().robot_parser(request)

    async def _parse_robots(self, response: Any, netloc: str, request: Any) -> None:
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

    def process_request_2(self, rp: Any, request: Any) -> None:
        """Refuse every request to a host whose robots.txt is unavailable, with its own reason."""
        if isinstance(rp, UnavailableRobots):
            self._stats.inc_value("robotstxt/forbidden")
            raise BlockedRequest(
                "robots_unavailable",
                f"robots.txt unavailable (HTTP {rp.status}): not fetched <{request.url}>",
            )
        super().process_request_2(rp, request)
