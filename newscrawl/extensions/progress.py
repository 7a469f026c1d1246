"""Crawl progress: a live display on a terminal, else periodic log lines (text or JSON).

A run in several worker processes (`newscrawl.runner`) shows one display, or logs one line per
interval, with the totals of all its processes: its first worker (number 0) reports them, read
from the archive (`newscrawl.extensions.runtotals.RunTotals`), and the others stay quiet. A crawl
in one process reports its own crawl stats.

Articles count once they are archived: the archive pipeline writes them in batches
(``NEWSCRAWL_BATCH_SIZE`` articles, or those waiting ``NEWSCRAWL_BATCH_SECONDS``), so ``new`` and
``updated`` move batch by batch, and the last batch is written when the crawl runs out of work.
Log lines therefore end with one more line when the crawl closes, with that last batch in it.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Mapping
from typing import Any

from scrapy import signals
from twisted.internet import task

from newscrawl.extensions.runtotals import RunTotals

logger = logging.getLogger("newscrawl.progress")

#: The counts behind the figures of a progress line.
COUNTS = ("fetched", "new", "updated", "duplicates", "errors")
#: Seconds between two refreshes of the live display.
LIVE_REFRESH_SECONDS = 0.5
#: Least seconds between two reads of a run's totals for the live display (log lines read them
#: once per line, every NEWSCRAWL_PROGRESS_INTERVAL).
LIVE_READ_SECONDS = 1.0
#: Largest share of the time spent reading a run's totals: a read that took 20 ms waits 0.4 s
#: before the next one, however large the run grows.
READ_SHARE = 0.05


def stats_counts(stats: Mapping[str, Any]) -> dict[str, int]:
    """The counts of a progress line, from one process's crawl stats."""
    get = stats.get
    failed = sum(
        v for k, v in stats.items() if k.startswith("newscrawl/failed/") and isinstance(v, int)
    )
    return {
        "fetched": int(get("newscrawl/fetched", 0)),
        "new": int(get("newscrawl/articles_new", 0)),
        "updated": int(get("newscrawl/articles_updated", 0)),
        "duplicates": int(get("newscrawl/duplicates", 0)),
        "errors": failed,
    }


def figures_from_counts(counts: Mapping[str, int], elapsed: float) -> dict[str, Any]:
    """The figures a progress line shows, from its counts and the seconds elapsed."""
    fetched = int(counts.get("fetched", 0))
    return {
        "elapsed_s": round(elapsed, 1),
        "fetched": fetched,
        "new": int(counts.get("new", 0)),
        "updated": int(counts.get("updated", 0)),
        "duplicates": int(counts.get("duplicates", 0)),
        "errors": int(counts.get("errors", 0)),
        "pages_per_min": round(fetched * 60 / elapsed, 1) if elapsed > 0 else 0.0,
    }


def progress_figures(stats: dict[str, Any], elapsed: float) -> dict[str, Any]:
    """The figures a progress line shows, from the crawl stats."""
    return figures_from_counts(stats_counts(stats), elapsed)


def run_figures(run: Mapping[str, int], own: Mapping[str, int], elapsed: float) -> dict[str, Any]:
    """The figures of a run in several processes, from its totals read from the archive and this
    process's own counts. Both fall short of the truth at times (a process's pages and articles
    reach the archive with its next batch) and never exceed it: each figure is the larger."""
    return figures_from_counts(
        {name: max(int(run.get(name, 0)), int(own.get(name, 0))) for name in COUNTS}, elapsed
    )


def format_progress(figures: dict[str, Any], run_id: int | None = None, processes: int = 1) -> str:
    """A progress line for people; a run's totals over several processes say so."""
    line = (
        "{fetched} pages fetched ({pages_per_min}/min), articles: {new} new, {updated} updated, "
        "{duplicates} duplicates; {errors} errors; {elapsed_s}s elapsed".format(**figures)
    )
    if processes > 1:
        run = f"run {run_id}, " if run_id is not None else ""
        line += f"; {run}{processes} crawl processes"
    return line


def progress_table(figures: dict[str, Any], caption: str | None = None) -> Any:
    """The live display: one row of figures, refreshed in place."""
    from rich.table import Table

    table = Table(box=None, show_edge=False, pad_edge=False, caption=caption)
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
    seconds (0 turns progress off; so does a log level above INFO, as with ``--quiet``).

    In a run of several worker processes (``NEWSCRAWL_WORKERS``) only worker 0
    (``NEWSCRAWL_WORKER``) reports, with the run's totals.
    """

    def __init__(
        self,
        crawler: Any,
        interval: float,
        as_json: bool,
        live: bool = False,
        *,
        worker: int = 0,
        workers: int = 1,
    ) -> None:
        self.crawler = crawler
        self.interval = interval
        self.as_json = as_json
        self.live_enabled = live
        self.live: Any = None
        self.started = time.monotonic()
        self.timer: task.LoopingCall | None = None
        self.worker = worker
        self.workers = workers
        self.run_id: int | None = None
        #: Reads the run's totals (worker 0 of a run of several processes).
        self.totals: RunTotals | None = None
        self.run_counts: dict[str, int] = {}
        self.next_read = 0.0
        self.read_failed = False

    @classmethod
    def from_crawler(cls, crawler: Any) -> ProgressReporter:
        settings = crawler.settings
        as_json = settings.get("NEWSCRAWL_LOG_FORMAT", "text") == "json"
        interval = settings.getfloat("NEWSCRAWL_PROGRESS_INTERVAL", 10.0)
        live = interval > 0 and not as_json and sys.stderr.isatty()
        ext = cls(
            crawler,
            interval,
            as_json,
            live=live,
            worker=settings.getint("NEWSCRAWL_WORKER", 0),
            workers=settings.getint("NEWSCRAWL_WORKERS", 1),
        )
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    @property
    def reports(self) -> bool:
        """True for a crawl in one process and for the first worker of a run of several."""
        return self.workers <= 1 or self.worker == 0

    def opened(self, spider: Any = None) -> None:
        self.started = time.monotonic()
        if self.interval <= 0 or not self.reports or not logger.isEnabledFor(logging.INFO):
            return
        session = getattr(spider, "session", None)
        self.run_id = getattr(session, "run_id", None)
        if self.workers > 1 and session is not None:
            self._open_totals(session)
        if self.live_enabled:
            from rich.console import Console
            from rich.live import Live

            self.live = Live(console=Console(stderr=True), refresh_per_second=4, transient=True)
            self.live.start()
            # Log lines must go through Live's stderr proxy to print above the display.
            self._swap_log_streams(sys.stderr)
            self.timer = task.LoopingCall(self.report)
            self.timer.start(LIVE_REFRESH_SECONDS, now=True)
        else:
            self.timer = task.LoopingCall(self.report)
            self.timer.start(self.interval, now=False)

    def _open_totals(self, session: Any) -> None:
        """Read the run's totals from now on; without them, this process's own are shown."""
        try:
            self.totals = RunTotals.open(
                session.archive.path, int(session.run_id), list(session.sources)
            )
        except Exception as exc:  # noqa: BLE001 - progress must never stop a crawl
            logger.warning("Progress shows this crawl process only: %s", exc)

    def figures(self, *, fresh: bool = False) -> dict[str, Any]:
        """The figures to show now (the run's totals read again if due, or if `fresh`)."""
        elapsed = time.monotonic() - self.started
        own = stats_counts(self.crawler.stats.get_stats())
        if self.totals is None:
            return figures_from_counts(own, elapsed)
        self._read_totals(fresh)
        return run_figures(self.run_counts, own, elapsed)

    def _read_totals(self, fresh: bool) -> None:
        """Read the run's totals, at most once per `LIVE_READ_SECONDS` on a live display; a read
        that fails keeps the last figures (and says so once)."""
        assert self.totals is not None
        now = time.monotonic()
        if not fresh and now < self.next_read:
            return
        gap = LIVE_READ_SECONDS if self.live is not None else 0.0
        try:
            counts = self.totals.read()
        except Exception as exc:  # noqa: BLE001 - progress must never stop a crawl
            if not self.read_failed:
                logger.warning("Cannot read the run's progress from the archive: %s", exc)
            self.read_failed = True
            self.next_read = now + max(gap, 1.0)
            return
        self.run_counts = counts
        self.next_read = now + max(gap, (time.monotonic() - now) / READ_SHARE)

    def report(self, *, final: bool = False) -> None:
        figures = self.figures(fresh=final)
        processes = int(self.run_counts.get("processes", 1)) if self.totals is not None else 1
        if self.live is not None:
            caption = f"run {self.run_id}: {processes} crawl processes" if processes > 1 else None
            self.live.update(progress_table(figures, caption))
        elif self.as_json:
            extra: dict[str, Any] = {"processes": processes}
            if self.run_id is not None:
                extra["run_id"] = self.run_id
            logger.info(json.dumps({"event": "progress", **figures, **extra}))
        else:
            logger.info(format_progress(figures, self.run_id, processes))

    def closed(self, spider: Any = None) -> None:
        logs_lines = self.timer is not None and self.live is None
        if self.timer is not None and self.timer.running:
            self.timer.stop()
        if self.live is not None:
            self.live.stop()
            self.live = None
            self._swap_log_streams(sys.__stderr__)
        if logs_lines:
            # The last archive batch is written as the crawl closes: one more line shows it.
            self.report(final=True)
        if self.totals is not None:
            self.totals.close()
            self.totals = None

    def _swap_log_streams(self, stream: Any) -> None:
        for handler in logging.getLogger().handlers:
            if isinstance(handler, logging.StreamHandler) and not isinstance(
                handler, logging.FileHandler
            ):
                handler.setStream(stream)
