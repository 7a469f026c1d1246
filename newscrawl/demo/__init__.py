"""The bundled demo news site and its local server (used by ``newscrawl demo`` and the e2e tests).

from newscrawl.demo import DemoSite, serve_demo_site

site = DemoSite.load()
with serve_demo_site(site) as demo:
    print(site.start_urls(), demo.log.paths())
"""

from newscrawl.demo.data import DemoArticle, Publisher, seed_article
from newscrawl.demo.server import DemoServer, LoggedRequest, RequestLog, serve_demo_site
from newscrawl.demo.site import DemoSite, Resource, Traps

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
