"""Crawl progress: a live display on a terminal, else periodic log lines (text or JSON)."""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

from scrapy import signals
from twisted.internet import task

logger = logging.getLogger("newscrawl.progress")


def progress_figures(stats: dict[str, Any], elapsed: float) -> dict[str, Any]:
    """The figures a progress line shows, from the crawl stats."""
    get = stats.get
    failed = sum(
        v for k, v in stats.items() if k.startswith("newscrawl/failed/") and isinstance(v, int)
    )
    fetched = int(get("newscrawl/fetched", 0))
    return {
        "elapsed_s": round(elapsed, 1),
        "fetched": fetched,
        "new": int(get("newscrawl/articles_new", 0)),
        "updated": int(get("newscrawl/articles_updated", 0)),
        "duplicates": int(get("newscrawl/duplicates", 0)),
        "errors": failed,
        "pages_per_min": round(fetched * 60 / elapsed, 1) if elapsed > 0 else 0.0,
    }


def format_progress(figures: dict[str, Any]) -> str:
    """A progress line for people."""
    return (
        "{fetched} pages fetched ({pages_per_min}/min), articles: {new} new, {updated} updated, "
        "{duplicates} duplicates; {errors} errors; {elapsed_s}s elapsed".format(**figures)
    )


def progress_table(figures: dict[str, Any]) -> Any:
    """The live display: one row of figures, refreshed in place."""
    from rich.table import Table

    table = Table(box=None, show_edge=False, pad_edge=False)
    for name in ("fetched", "new", "updated", "duplicates", "errors", "pages/min", "elapsed"):
        table.add_column(name, justify="right")
    table.add_row(
        str(figures["fetched"]),
        str(figures["new"]),
        str(figures["updated"]),
        str(figures["duplicates"]),
        str(figures["errors"]),
        str(figures["pages_per_min"]),
        f"{figures['elapsed_s']:.0f}s",
    )
    return table


class ProgressReporter:
    """Show crawl progress: live on a terminal, else a log line every NEWSCRAWL_PROGRESS_INTERVAL
    seconds (0 turns progress off)."""

    def __init__(self, crawler: Any, interval: float, as_json: bool, live: bool = False) -> None:
        self.crawler = crawler
        self.interval = interval
        self.as_json = as_json
        self.live_enabled = live
        self.live: Any = None
        self.started = time.monotonic()
        self.timer: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> ProgressReporter:
        settings = crawler.settings
        as_json = settings.get("NEWSCRAWL_LOG_FORMAT", "text") == "json"
        interval = settings.getfloat("NEWSCRAWL_PROGRESS_INTERVAL", 10.0)
        live = interval > 0 and not as_json and sys.stderr.isatty()
        ext = cls(crawler, interval, as_json, live=live)
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def opened(self, spider: Any = None) -> None:
        self.started = time.monotonic()
        if self.live_enabled:
            from rich.console import Console
            from rich.live import Live

            self.live = Live(console=Console(stderr=True), refresh_per_second=4, transient=True)
            self.live.start()
            # Log lines must go through Live's stderr proxy to print above the display.
            self._swap_log_streams(sys.stderr)
            self.timer = task.LoopingCall(self.report)
            self.timer.start(0.5, now=True)
        elif self.interval > 0:
            self.timer = task.LoopingCall(self.report)
            self.timer.start(self.interval, now=False)

    def report(self) -> None:
        figures = progress_figures(self.crawler.stats.get_stats(), time.monotonic() - self.started)
        if self.live is not None:
            self.live.update(progress_table(figures))
        elif self.as_json:
            logger.info(json.dumps({"event": "progress", **figures}))
        else:
            logger.info(format_progress(figures))

    def closed(self, spider: Any = None) -> None:
        if self.timer is not None and self.timer.running:
            self.timer.stop()
        if self.live is not None:
            self.live.stop()
            self.live = None
            self._swap_log_streams(sys.__stderr__)

    def _swap_log_streams(self, stream: Any) -> None:
        for handler in logging.getLogger().handlers:
            if isinstance(handler, logging.StreamHandler) and not isinstance(
                handler, logging.FileHandler
            ):
                handler.setStream(stream)
