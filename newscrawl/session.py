"""A crawl session: the archive connection, the run record and the frontier a crawl shares.

The spider opens it; pipelines and extensions reach it through ``crawler.spider.session``.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Sequence
from typing import Any

from newscrawl.archive import Archive
from newscrawl.frontier import Frontier
from newscrawl.isotime import utc_now
from newscrawl.sources import Source

logger = logging.getLogger(__name__)


class CrawlSession:
    """Everything one crawl run writes to: archive, runs row, frontier."""

    def __init__(
        self,
        archive: Archive,
        run_id: int,
        sources: Sequence[Source],
        *,
        owns_run: bool,
        max_attempts: int = 3,
    ) -> None:
        self.archive = archive
        self.run_id = run_id
        self.sources = {s.name: s for s in sources}
        self.owns_run = owns_run
        self.frontier = Frontier(archive, run_id, max_attempts=max_attempts)
        self.opened_at = time.monotonic()

    @classmethod
    def open(
        cls,
        db_path: str,
        sources: Sequence[Source],
        *,
        run_id: int | None = None,
        command: str = "crawl",
        max_attempts: int = 3,
    ) -> CrawlSession:
        """Open the archive and attach to (or start) the run record."""
        archive = Archive.open(db_path, create=True)
        owns = run_id is None
        if run_id is None:
            run_id = archive.start_run(command, [s.name for s in sources])
        session = cls(archive, run_id, sources, owns_run=owns, max_attempts=max_attempts)
        recovered = session.frontier.recover()
        if recovered:
            logger.info(
                "Resuming: %d URLs left in flight by an interrupted run are pending again",
                recovered,
            )
        return session

    def finish(self, status: str, counters: dict[str, Any], summary: dict[str, Any]) -> None:
        """Write what is buffered and record the run's outcome."""
        try:
            self.frontier.flush()
        finally:
            self.archive.finish_run(self.run_id, status, counters, summary)

    def worker_started(self, worker: int) -> None:
        """Say that this worker process runs (the first one says so once it has seeded)."""
        with self.archive.transaction() as conn:
            conn.execute(
                "INSERT INTO run_workers (run_id, worker, pid, status, started) "
                "VALUES (?, ?, ?, 'running', ?) ON CONFLICT(run_id, worker) DO UPDATE "
                "SET pid = excluded.pid, status = 'running', started = excluded.started",
                (self.run_id, worker, os.getpid(), utc_now()),
            )

    def seeded(self, wait_limit_s: float = 60.0) -> bool:
        """True once the run's first worker has put the start URLs in the frontier.

        A run started without a first worker (a single `scrapy crawl`) counts as seeded, and so
        does one whose first worker has not shown up within `wait_limit_s`.
        """
        if self.owns_run:
            return True
        row = self.archive.conn.execute(
            "SELECT 1 FROM run_workers WHERE run_id = ? AND worker = 0", (self.run_id,)
        ).fetchone()
        if row is not None:
            return True
        return time.monotonic() - self.opened_at > wait_limit_s

    def finish_worker(
        self, worker: int, status: str, counters: dict[str, Any], summary: dict[str, Any]
    ) -> None:
        """Record one worker process's outcome; the process that started the run merges them."""
        try:
            self.frontier.flush()
        finally:
            with self.archive.transaction() as conn:
                conn.execute(
                    "INSERT INTO run_workers (run_id, worker, pid, status, ended, counters, "
                    "summary) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(run_id, worker) DO UPDATE "
                    "SET pid = excluded.pid, status = excluded.status, ended = excluded.ended, "
                    "counters = excluded.counters, summary = excluded.summary",
                    (
                        self.run_id,
                        worker,
                        os.getpid(),
                        status,
                        utc_now(),
                        json.dumps(counters, default=str),
                        json.dumps(summary, default=str),
                    ),
                )

    def close(self) -> None:
        """Close the archive connection."""
        self.archive.close()
