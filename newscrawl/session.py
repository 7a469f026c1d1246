"""A crawl session: the archive connection, the run record and the frontier a crawl shares.

The spider opens it; pipelines and extensions reach it through ``crawler.spider.session``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from newscrawl.archive import Archive
from newscrawl.frontier import Frontier
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

    def close(self) -> None:
        """Close the archive connection."""
        self.archive.close()
