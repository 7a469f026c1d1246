"""The bundled demo news site and its local server (used by ``newscrawl demo`` and the e2e tests).

    from newscrawl.demo import DemoSite, serve_demo_site

    site = DemoSite.load()
    with serve_demo_site(site) as demo:
        print(site.start_urls(), demo.log.paths())

The server names are imported lazily so that ``python -m newscrawl.demo.server`` runs cleanly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from newscrawl.demo.data import DemoArticle, Publisher, seed_article
from newscrawl.demo.site import DemoSite, Resource, Traps

if TYPE_CHECKING:
    from newscrawl.demo.server import DemoServer, LoggedRequest, RequestLog, serve_demo_site

_SERVER_NAMES = ("DemoServer", "LoggedRequest", "RequestLog", "serve_demo_site")

__all__ = [
    "DemoArticle",
    "DemoServer",
    "DemoSite",
    "LoggedRequest",
    "Publisher",
    "RequestLog",
    "Resource",
    "Traps",
    "seed_article",
    "serve_demo_site",
]


def __getattr__(name: str) -> Any:
    """Import the server's names on first use."""
    if name in _SERVER_NAMES:
        from newscrawl.demo import server

        return getattr(server, name)
    raise AttributeError(f"module 'newscrawl.demo' has no attribute {name!r}")
