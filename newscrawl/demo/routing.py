"""Send the demo crawl's requests to the ports the demo site is really served on.

``newscrawl demo`` names each publisher by a fixed origin (``http://127.0.0.1:8701`` ...) so that
its article URLs are the same in every run and a second run finds nothing new. When one of those
ports is busy, the publisher is served on another port under the same URLs
(`DemoServer.routes`), and this downloader middleware, enabled by the demo only, connects each
request for that origin to the port it is served on, as to an HTTP proxy (``meta["proxy"]``).
The request itself, its URL as the frontier, robots.txt, the archive and the WARC files see it,
does not change; the demo server reads the origin from the absolute request target.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from scrapy.exceptions import NotConfigured

#: Setting: origin in the demo site's URLs -> origin it is served on (``http://host:port``).
SETTING = "NEWSCRAWL_DEMO_ROUTES"
#: Before Scrapy's HttpProxyMiddleware (750), which then uses the proxy set here.
ORDER = 740
#: Meta key marking a proxy set by this middleware (dropped on a redirect away from the demo).
_MARK = "_newscrawl_demo_route"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class DemoRoutesMiddleware:
    """Connect requests for a moved demo origin to the port that serves it."""

    def __init__(self, routes: Mapping[str, str]) -> None:
        self.routes = {_origin(k): str(v) for k, v in routes.items()}

    @classmethod
    def from_crawler(cls, crawler: Any) -> DemoRoutesMiddleware:
        routes = crawler.settings.getdict(SETTING)
        if not routes:
            raise NotConfigured
        return cls(routes)

    def process_request(self, request: Any, spider: Any = None) -> None:
        """Route `request` when its origin is a moved demo origin."""
        target = self.routes.get(_origin(request.url))
        if target:
            request.meta["proxy"] = target
            request.meta[_MARK] = True
        elif request.meta.pop(_MARK, False):
            request.meta.pop("proxy", None)


def crawl_settings(routes: Mapping[str, str]) -> dict[str, Any]:
    """The crawl settings that route the demo's moved origins (none when nothing moved)."""
    if not routes:
        return {}
    from newscrawl import settings

    # A setting given for a run replaces the whole dict: keep newscrawl's own middlewares.
    middlewares = {**settings.DOWNLOADER_MIDDLEWARES, f"{__name__}.DemoRoutesMiddleware": ORDER}
    return {SETTING: dict(routes), "DOWNLOADER_MIDDLEWARES": middlewares}
