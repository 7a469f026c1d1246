"""Credentials and cookies never cross origins on redirects.

Scrapy keeps a ``Cookie`` header when a redirect changes only the port or goes from http to
https, and keeps URL credentials (``user:pass@``). This middleware, placed after Scrapy's
HttpAuthMiddleware and before its CookiesMiddleware, compares each redirected request with the
first request of its redirect chain: when the origin (scheme, host, port) is not that one, it
removes ``Authorization``, ``Cookie`` and ``Proxy-Authorization`` (unless a proxy is set for the
request) and any ``user:pass@`` in the URL. Comparing with the first request, not the previous
hop, matters for chains like A -> B -> B: HttpAuthMiddleware adds its credentials again to every
hop whose host matches ``HTTPAUTH_DOMAIN`` (a subdomain, or any host when it is None), and the
second hop looks same-origin. Cookies the cookie jar itself holds for the new
origin are added later by the cookie middleware, following the jar's own scoping rules.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit, urlunsplit

logger = logging.getLogger(__name__)

#: Headers that carry credentials.
CREDENTIAL_HEADERS = (b"Authorization", b"Cookie")
DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) of `url`, with the scheme's default port filled in."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port or DEFAULT_PORTS.get(scheme)


def strip_userinfo(url: str) -> str:
    """`url` without ``user:password@``."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


class OriginGuardMiddleware:
    """Drop credentials from redirected requests that leave the origin they were sent to."""

    def __init__(self, crawler: Any = None) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> OriginGuardMiddleware:
        return cls(crawler)

    def process_request(self, request: Any, spider: Any = None) -> Any:
        """Strip credentials when this request is a redirect that left its chain's origin."""
        first = (request.meta.get("redirect_urls") or [None])[0]
        if first is None or origin_of(first) == origin_of(request.url):
            return None
        stripped = [h.decode() for h in CREDENTIAL_HEADERS if h in request.headers]
        for header in CREDENTIAL_HEADERS:
            request.headers.pop(header, None)
        if not request.meta.get("proxy"):
            request.headers.pop(b"Proxy-Authorization", None)
        for key in ("http_user", "http_pass"):
            request.meta.pop(key, None)
        clean = strip_userinfo(request.url)
        if stripped and self.crawler is not None:
            self.crawler.stats.inc_value("newscrawl/origin/stripped")
            logger.info("Redirect to %s left the origin: dropped %s", clean, ", ".join(stripped))
        if clean != request.url:
            return request.replace(url=clean)
        return None
