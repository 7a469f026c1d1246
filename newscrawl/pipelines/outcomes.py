"""Recording what happened to a page: counted in the crawl stats and kept in the frontier."""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

STATS_PREFIX = "newscrawl"


def count(crawler: Any, name: str, source: str | None = None, value: int = 1) -> None:
    """Add to a crawl counter, in total and for the source when one is given."""
    stats = crawler.stats
    stats.inc_value(f"{STATS_PREFIX}/{name}", value)
    if source:
        stats.inc_value(f"{STATS_PREFIX}/source/{source}/{name}", value)


def drop(crawler: Any, item: Any, reason: str, message: str, kind: str | None = None) -> DropItem:
    """Count a dropped item under `reason`, mark its URL skipped, return the DropItem to raise."""
    adapter = ItemAdapter(item)
    source = adapter.get("source")
    count(crawler, f"dropped/{reason}", source)
    session = getattr(crawler.spider, "session", None)
    if session is not None:
        url = adapter.get("requested_url") or adapter.get("url")
        session.frontier.mark(url, "skipped", reason, kind=kind)
    return DropItem(f"{reason}: {message} <{adapter.get('fetched_url') or adapter.get('url')}>")
