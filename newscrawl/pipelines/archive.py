"""Archiving: batched upserts into the archive; the frontier marked done and the articles'
near-duplicate signatures saved in the same transaction."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timezone
from typing import Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import DropItem
from twisted.internet import task

from newscrawl.archive import signatures
from newscrawl.archive.errors import StorageError
from newscrawl.frontier import mark_done
from newscrawl.pipelines.outcomes import count, stop_on_storage_error
from newscrawl.recheck import DEFAULT_SCHEDULE, next_check, parse_schedule

logger = logging.getLogger(__name__)


class ArchivePipeline:
    """Write articles in batches (by count or age), so a crash loses at most one unwritten batch."""

    def __init__(
        self, crawler: Any, batch_size: int, batch_seconds: float, schedule: str = ""
    ) -> None:
        self.crawler = crawler
        self.schedule = parse_schedule(schedule)
        self.batch_size = max(1, batch_size)
        self.batch_seconds = batch_seconds
        self.pending: list[dict[str, Any]] = []
        self.oldest: float | None = None
        self.timer: task.LoopingCall | None = None
        self.storage_error: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> ArchivePipeline:
        settings = crawler.settings
        pipeline = cls(
            crawler,
            settings.getint("NEWSCRAWL_BATCH_SIZE", 50),
            settings.getfloat("NEWSCRAWL_BATCH_SECONDS", 2.0),
            settings.get("NEWSCRAWL_RECHECK_SCHEDULE", DEFAULT_SCHEDULE),
        )
        crawler.signals.connect(pipeline.on_idle, signal=signals.spider_idle)
        return pipeline

    def open_spider(self, spider: Any = None) -> None:
        self.timer = task.LoopingCall(self._flush_if_due)
        self.timer.start(max(0.2, self.batch_seconds / 2), now=False)

    def close_spider(self, spider: Any = None) -> None:
        if self.timer is not None and self.timer.running:
            self.timer.stop()
        self.flush()

    def on_idle(self, spider: Any = None) -> None:
        """Nothing is being fetched: write the last batch now rather than when it is due.

        The other worker processes of the run wait for these URLs to be marked done before they
        finish; a batch left for the timer kept them all open for up to `batch_seconds`.
        """
        self.flush()

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if self.storage_error is not None:
            raise DropItem(f"storage_error: {self.storage_error}")
        adapter = ItemAdapter(item)
        adapter["next_check"] = next_check(
            adapter.get("published"),
            adapter.get("first_seen"),
            datetime.now(timezone.utc),
            self.schedule,
        )
        self.pending.append(dict(adapter.items()))
        if self.oldest is None:
            self.oldest = time.monotonic()
        if len(self.pending) >= self.batch_size:
            self.flush()
        return item

    def _storage_failed(self, exc: StorageError, batch: list[dict[str, Any]]) -> None:
        """The disk refused the batch (nothing of it was written): stop the crawl."""
        self.storage_error = str(exc)
        stop_on_storage_error(self.crawler, exc, len(batch))

    def _flush_if_due(self) -> None:
        if self.oldest is not None and time.monotonic() - self.oldest >= self.batch_seconds:
            self.flush()

    def flush(self) -> None:
        """Write the pending articles and mark their URLs done, all in one transaction."""
        if not self.pending:
            return
        batch, self.pending, self.oldest = self.pending, [], None
        session = self.crawler.spider.session
        frontier_urls = {}
        for article in batch:
            urls = {article["url"], article.get("requested_url") or article["url"]}
            frontier_urls[article["url"]] = (urls, article.get("source"))

        pending = signatures.pending_for(self.crawler)

        def mark(conn: Any, result: Any) -> None:
            for urls, source in frontier_urls.values():
                mark_done(conn, urls, source)
            # The dedupe pipeline's signatures of these articles land with them.
            pending.write(conn, frontier_urls)

        try:
            result = session.archive.upsert_articles(batch, also=mark)
        except StorageError as exc:
            self._storage_failed(exc, batch)
            return
        pending.written(frontier_urls)
        by_url = {a["url"]: a.get("source") for a in batch}
        for name, urls in (
            ("articles_new", result.new),
            ("articles_updated", result.updated),
            ("articles_unchanged", result.unchanged),
        ):
            for url in urls:
                count(self.crawler, name, by_url.get(url))
