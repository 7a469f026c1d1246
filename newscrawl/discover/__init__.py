"""Discovery: find article URLs in feeds, sitemaps, robots.txt and HTML pages (pure functions)."""

from newscrawl.discover.feeds import Feed, FeedEntry, parse_feed, read_feed
from newscrawl.discover.kinds import detect_kind
from newscrawl.discover.links import (
    PageLinks,
    classify_url,
    find_feed_links,
    find_links,
    find_next_page,
    page_links,
)
from newscrawl.discover.sitemaps import Sitemap, SitemapEntry, parse_sitemap, sitemaps_from_robots

__all__ = [
    "Feed",
    "FeedEntry",
    "PageLinks",
    "Sitemap",
    "SitemapEntry",
    "classify_url",
    "detect_kind",
    "find_feed_links",
    "find_links",
    "find_next_page",
    "page_links",
    "parse_feed",
    "read_feed",
    "parse_sitemap",
    "sitemaps_from_robots",
]
