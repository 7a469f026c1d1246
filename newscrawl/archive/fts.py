"""Checking and rebuilding the FTS5 index of the articles table.

FTS5's own ``integrity-check`` does not notice an external-content index that has drifted from
its table (for example after an ``INSERT OR REPLACE``), so `check` also re-tokenises the table
into a temporary index and compares the two token by token.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from newscrawl.archive.schema import FTS_COLUMNS, FTS_TOKENIZE


@dataclass
class FtsReport:
    """The outcome of `check`: rows in the table and index, and token mismatches found."""

    ok: bool
    rows: int
    indexed_rows: int
    missing_tokens: int
    stale_tokens: int
    message: str


def check(conn: sqlite3.Connection) -> FtsReport:
    """Verify that `articles_fts` holds exactly the tokens of the `articles` rows."""
    try:
        conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
    except sqlite3.DatabaseError as exc:
        return FtsReport(False, 0, 0, 0, 0, f"FTS5 integrity-check failed: {exc}")
    rows = int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
    indexed = int(conn.execute("SELECT count(*) FROM articles_fts_docsize").fetchone()[0])
    cols = ", ".join(FTS_COLUMNS)
    conn.execute("DROP TABLE IF EXISTS temp.nc_fts_check")
    conn.execute("DROP TABLE IF EXISTS temp.nc_vocab_real")
    conn.execute("DROP TABLE IF EXISTS temp.nc_vocab_check")
    try:
        conn.execute(
            f"CREATE VIRTUAL TABLE temp.nc_fts_check USING fts5({cols}, content='', "
            f"tokenize='{FTS_TOKENIZE}')"
        )
        conn.execute(
            f"INSERT INTO temp.nc_fts_check(rowid, {cols}) SELECT id, {cols} FROM main.articles"
        )
        conn.execute(
            "CREATE VIRTUAL TABLE temp.nc_vocab_real "
            "USING fts5vocab(main, articles_fts, 'instance')"
        )
        conn.execute(
            "CREATE VIRTUAL TABLE temp.nc_vocab_check "
            "USING fts5vocab(temp, nc_fts_check, 'instance')"
        )
        stale = int(
            conn.execute(
                "SELECT count(*) FROM (SELECT * FROM temp.nc_vocab_real "
                "EXCEPT SELECT * FROM temp.nc_vocab_check)"
            ).fetchone()[0]
        )
        missing = int(
            conn.execute(
                "SELECT count(*) FROM (SELECT * FROM temp.nc_vocab_check "
                "EXCEPT SELECT * FROM temp.nc_vocab_real)"
            ).fetchone()[0]
        )
    finally:
        conn.execute("DROP TABLE IF EXISTS temp.nc_vocab_real")
        conn.execute("DROP TABLE IF EXISTS temp.nc_vocab_check")
        conn.execute("DROP TABLE IF EXISTS temp.nc_fts_check")
    ok = stale == 0 and missing == 0 and rows == indexed
    if ok:
        message = f"ok: {rows} articles, index in sync"
    else:
        message = (
            f"index out of sync: {rows} articles, {indexed} indexed, "
            f"{stale} stale and {missing} missing tokens; run `newscrawl fts rebuild`"
        )
    return FtsReport(ok, rows, indexed, missing, stale, message)


def rebuild(conn: sqlite3.Connection) -> None:
    """Rebuild `articles_fts` from the `articles` table (also the last step of a bulk load)."""
    conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')")
