"""Refuse requests to private, loopback and link-local addresses and to non-http(s) URLs.

Every request (start pages, discovered links, every redirect hop, robots.txt) passes here before
it is sent. Its host is resolved (in a thread, cached) and the request is refused with a
`BlockedRequest` (counted as ``failed/private_address`` or ``failed/blocked_scheme``) when the
crawl's `AddressPolicy` says no. The hosts of the crawl's start URLs are exempt, and
``NEWSCRAWL_ALLOW_PRIVATE = true`` turns the check off. A redirect whose ``Location`` is not
http(s) (``file:///etc/passwd``) is refused too, instead of surfacing as a bare 3xx.

``NEWSCRAWL_GUARD_RESOLVER`` names a function ``host -> [address, ...]`` to use instead of the
system resolver (tests map made-up names to 10.x or 169.254.169.254 without connecting).
"""

from __future__ import annotations

import logging
import time
from typing import Any
from urllib.parse import urljoin

from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.misc import load_object
from twisted.internet.threads import deferToThread

from newscrawl.net import addresses
from newscrawl.net.addresses import AddressPolicy, Verdict

logger = logging.getLogger(__name__)

#: Seconds a resolution is reused by the guard.
CACHE_SECONDS = 300.0


class BlockedRequest(IgnoreRequest):
    """A request refused by a newscrawl safety check; ``reason`` names the counter."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class PrivateAddressGuardMiddleware:
    """Downloader middleware applying `newscrawl.net.addresses.AddressPolicy` to each request."""

    def __init__(self, crawler: Any, policy: AddressPolicy) -> None:
        self.crawler = crawler
        self.policy = policy
        self.cache: dict[str, tuple[float, list[str] | None]] = {}
        self.started = False

    @classmethod
    def from_crawler(cls, crawler: Any) -> PrivateAddressGuardMiddleware:
        settings = crawler.settings
        policy = addresses.CURRENT  # shared with newscrawl.net.resolver.GuardedResolver
        policy.allow_private = settings.getbool("NEWSCRAWL_ALLOW_PRIVATE", False)
        resolver = settings.get("NEWSCRAWL_GUARD_RESOLVER")
        if resolver:
            policy.resolver = load_object(resolver)
        return cls(crawler, policy)

    def _learn_start_hosts(self) -> None:
        """Exempt the hosts of the spider's start URLs (read once, when the first request comes)."""
        if self.started:
            return
        self.started = True
        spider = getattr(self.crawler, "spider", None)
        urls: list[str] = list(getattr(spider, "start_urls", None) or [])
        for source in getattr(spider, "sources", None) or []:
            urls.extend(getattr(source, "start_urls", []) or [])
        self.policy.allow_hosts_of(urls)

    async def _resolve(self, host: str) -> list[str] | None:
        """The addresses of `host` (None when it does not resolve), cached for a while."""
        now = time.monotonic()
        cached = self.cache.get(host)
        if cached is not None and now - cached[0] < CACHE_SECONDS:
            return cached[1]
        try:
            found: list[str] | None = await maybe_deferred_to_future(
                deferToThread(self.policy.resolver, host)
            )
        except OSError:
            found = None
        self.cache[host] = (now, found)
        return found

    def _refuse(self, verdict: Verdict, url: str) -> BlockedRequest:
        self.crawler.stats.inc_value(f"newscrawl/guard/{verdict.reason}")
        logger.warning("Refused %s: %s", url, verdict.message)
        return BlockedRequest(verdict.reason, f"{verdict.message} <{url}>")

    async def process_request(self, request: Any, spider: Any = None) -> None:
        """Refuse the request when its URL or resolved host is not allowed."""
        self._learn_start_hosts()
        url = request.url
        verdict = self.policy.check_scheme(url)
        if verdict is None:
            host = self.policy.needs_resolution(url)
            found: list[str] | None = None
            if host is not None:
                found = await self._resolve(host)
                if found is None:
                    return None  # unresolvable: the download fails as a DNS error
            verdict = self.policy.check(url, found if host is not None else None)
        if verdict is not None:
            raise self._refuse(verdict, url)
        return None

    def process_response(self, request: Any, response: Any, spider: Any = None) -> Any:
        """Refuse a redirect to a non-http(s) URL (Scrapy would hand back the bare 3xx)."""
        location = response.headers.get(b"Location") if 300 <= response.status < 400 else None
        if location:
            target = urljoin(request.url, location.decode("latin-1").strip())
            verdict = self.policy.check_scheme(target)
            if verdict is not None:
                raise self._refuse(verdict, target)
        return response
