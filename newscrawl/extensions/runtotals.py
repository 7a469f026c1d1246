"""A crawl run's progress across all its worker processes, read from the archive.

Each worker process of a run (`newscrawl.runner`) counts only its own pages in its crawl stats,
but they all write to one archive: the run's frontier rows (``last_run`` is the run, claimed by
one of its workers) and the article versions they archive. `RunTotals` reads the run's totals
there, with read-only queries on indexed columns:

- pages: the frontier rows this run claimed that reached a final state, counted the way the crawl
  stats count them (a page skipped by robots.txt or a failed download was not fetched; a page
  dropped as a non-article, a duplicate or a variant was);
- articles: the versions written since the run began (a first version is a new article, a later
  one an update), of the run's sources, counted as they are added.

Both lag the stats a little (a fetched article reaches the archive with its batch) and never get
ahead of them, so they stay at or under the run's final summary.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from newscrawl.archive import Archive

#: How long (ms) a read may wait for the archive: the progress display must not hold the crawl up.
READ_BUSY_TIMEOUT_MS = 1000

# The run's rows (idx_frontier_run), each looked at once. A row the run did not claim (a redirect
# target whose validators were saved) is no fetch of its own, nor is a robots.txt that was not
# there (done, with a reason).
_FRONTIER_SQL = """
SELECT
  coalesce(sum(state = 'done' AND reason IS NULL), 0)
    + coalesce(sum(state = 'skipped' AND coalesce(reason, '') != 'robots'), 0)
    + coalesce(sum(state = 'failed' AND reason = 'extract_error'), 0) AS fetched,
  coalesce(sum(state = 'failed'), 0)
    + coalesce(sum(state = 'skipped' AND reason = 'unsupported_content_type'), 0) AS errors,
  coalesce(sum(state = 'skipped' AND reason IN ('duplicate_url', 'duplicate_content')), 0)
    AS duplicates
FROM frontier
WHERE last_run = ? AND state IN ('done', 'skipped', 'failed') AND claimed_by IS NOT NULL
"""
# The versions written since the last read (a range of the rowid: CROSS JOIN keeps that order,
# where the planner would otherwise walk every article of the sources), each article looked up
# by its URL for its source: another run may archive other sources meanwhile.
_VERSIONS_SQL = """
SELECT coalesce(sum(v.version = 1), 0) AS new, coalesce(sum(v.version > 1), 0) AS updated
FROM article_versions AS v CROSS JOIN articles AS a ON a.url = v.url
WHERE v.id > ? AND v.id <= ? AND v.reason IN ('crawl', 'recheck') AND a.source IN ({marks})
"""
_LAST_VERSION_SQL = "SELECT coalesce(max(id), 0) FROM article_versions"
_WORKERS_SQL = "SELECT count(*) FROM run_workers WHERE run_id = ?"


class RunTotals:
    """Reads the totals of run `run_id` of `sources` from the archive, on its own read-only
    connection (the crawl's own may be closed before the last read)."""

    def __init__(self, conn: sqlite3.Connection, run_id: int, sources: Sequence[str]) -> None:
        self.conn = conn
        self.run_id = run_id
        self.sources = list(sources)
        #: The last article version counted: at first, the last written before the run began.
        #: Versions are only ever added, by one writer at a time, in the order of their ids: each
        #: read counts those written since the one before.
        self.last_version = int(conn.execute(_LAST_VERSION_SQL).fetchone()[0])
        self.new = self.updated = 0
        self._versions_sql = _VERSIONS_SQL.format(marks=", ".join("?" for _ in self.sources))

    @classmethod
    def open(cls, db_path: str, run_id: int, sources: Sequence[str]) -> RunTotals:
        """Open the archive read-only; call before the run archives anything (its first worker
        opens before it seeds the frontier, and the others wait for that)."""
        archive = Archive.open(db_path, readonly=True, busy_timeout_ms=READ_BUSY_TIMEOUT_MS)
        try:
            return cls(archive.conn, run_id, sources)
        except BaseException:
            archive.close()
            raise

    def read(self) -> dict[str, int]:
        """The run's totals so far: fetched, errors, duplicates, new, updated, and the worker
        processes it has started (``processes``)."""
        conn = self.conn
        conn.execute("BEGIN")  # one snapshot for every figure
        try:
            pages: Any = conn.execute(_FRONTIER_SQL, (self.run_id,)).fetchone()
            last = int(conn.execute(_LAST_VERSION_SQL).fetchone()[0])
            articles: Any = (
                conn.execute(
                    self._versions_sql, (self.last_version, last, *self.sources)
                ).fetchone()
                if self.sources and last > self.last_version
                else (0, 0)
            )
            workers = conn.execute(_WORKERS_SQL, (self.run_id,)).fetchone()
        finally:
            if conn.in_transaction:
                conn.execute("COMMIT")
        self.new += int(articles[0])
        self.updated += int(articles[1])
        self.last_version = max(self.last_version, last)
        return {
            "fetched": int(pages[0]),
            "errors": int(pages[1]),
            "duplicates": int(pages[2]),
            "new": self.new,
            "updated": self.updated,
            "processes": max(1, int(workers[0])),
        }

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()
