"""Summary figures about an archive: totals, per-source counts, date range, last run."""

from __future__ import annotations

import os
import sqlite3
from typing import Any


def archive_stats(conn: sqlite3.Connection, path: str) -> dict[str, Any]:
    """Totals for the whole archive, read in one go."""
    row = conn.execute(
        "SELECT count(*) AS articles, count(DISTINCT source) AS sources, "
        "min(published) AS oldest, max(published) AS newest, "
        "sum(duplicate_of IS NOT NULL) AS near_duplicates, "
        "coalesce(sum(word_count), 0) AS words FROM articles"
    ).fetchone()
    runs = conn.execute("SELECT count(*), max(started) FROM runs").fetchone()
    size = sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p))
    return {
        "articles": row["articles"],
        "sources": row["sources"],
        "oldest": row["oldest"],
        "newest": row["newest"],
        "near_duplicates": row["near_duplicates"] or 0,
        "words": row["words"],
        "runs": runs[0],
        "last_run": runs[1],
        "bytes": size,
    }


def per_source(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Article counts and date range for each source, largest first."""
    rows = conn.execute(
        "SELECT coalesce(source, '') AS source, count(*) AS articles, "
        "min(published) AS oldest, max(published) AS newest, "
        "max(last_seen) AS last_seen FROM articles GROUP BY source ORDER BY articles DESC, source"
    ).fetchall()
    return [dict(r) for r in rows]


def per_day(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Articles per publication day and source (for charts)."""
    rows = conn.execute(
        "SELECT substr(published, 1, 10) AS day, coalesce(source, '') AS source, "
        "count(*) AS articles FROM articles WHERE published IS NOT NULL "
        "GROUP BY day, source ORDER BY day, source"
    ).fetchall()
    return [dict(r) for r in rows]
