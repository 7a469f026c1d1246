"""Recording what happened to a page: counted in the crawl stats and kept in the frontier."""

from __future__ import annotations

import logging
from typing import Any

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem
from scrapy.utils.defer import deferred_from_coro

logger = logging.getLogger(__name__)

STATS_PREFIX = "newscrawl"


def count(crawler: Any, name: str, source: str | None = None, value: int = 1) -> None:
    """Add to a crawl counter, in total and for the source when one is given."""
    stats = crawler.stats
    stats.inc_value(f"{STATS_PREFIX}/{name}", value)
    if source:
        stats.inc_value(f"{STATS_PREFIX}/source/{source}/{name}", value)


def stop_on_storage_error(crawler: Any, exc: Exception, items: int = 1) -> None:
    """The disk refused a write: count it, say it once, and stop the crawl (status failed).

    Nothing half-written stays (each write is one transaction); what was not archived is still
    claimed by this run and goes back to the queue on the next run.
    """
    stats = crawler.stats
    count(crawler, "failed/storage_error", None, items)
    if stats.get_value(f"{STATS_PREFIX}/error") is None:
        stats.set_value(f"{STATS_PREFIX}/error", str(exc))
        logger.error("Stopping the crawl: %s", exc)
        engine = crawler.engine
        if engine is not None:
            deferred_from_coro(engine.close_spider_async(reason="storage_error"))


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
