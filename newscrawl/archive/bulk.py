"""Bulk loading: many articles into an archive fast, with the FTS5 sync triggers off meanwhile.

`bulk_load` is for empty archives and large imports. It works in large batches, each in its own
``BEGIN IMMEDIATE`` transaction that drops the FTS5 sync triggers, inserts the batch's articles
with one ``executemany``, adds their version-1 rows to `article_versions` and their words to
`articles_fts` with one set-based statement each, and recreates the triggers exactly as they were
(their SQL is read from ``sqlite_master`` first) before it commits. A failure or a kill at any
moment therefore rolls back the unfinished batch, triggers included: the archive always keeps its
triggers and an index in step with its rows. Finally the index is merged (FTS5 ``optimize``),
which makes later searches faster.

Only URLs not yet in the archive are inserted; rows whose URL is already archived (or repeated
in the input) are skipped and counted, never updated: use `Archive.upsert_articles` for that.
Each bulk-loaded article is version 1 and gets exactly one `article_versions` row (reason
``"import"`` unless told otherwise), whatever ``version`` the input row carried.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Any

from newscrawl.archive.errors import translate
from newscrawl.archive.schema import FTS_COLUMNS
from newscrawl.archive.store import WRITABLE_COLUMNS, Archive, article_to_row
from newscrawl.archive.versions import COPIED_FIELDS
from newscrawl.isotime import utc_now

#: Articles per transaction of a bulk load.
DEFAULT_BATCH = 20_000
#: Page cache used while bulk loading (KiB, as ``PRAGMA cache_size`` takes negative numbers).
BULK_CACHE_KIB = 256 * 1024


@dataclass
class BulkResult:
    """What a bulk load did: rows read, inserted, skipped (URL already archived) and batches."""

    read: int = 0
    inserted: int = 0
    skipped: int = 0
    batches: int = 0


def fts_triggers(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(name, SQL) of the triggers that keep `articles_fts` in step with `articles`."""
    rows = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'articles' "
        "AND sql LIKE '%articles_fts%' ORDER BY name"
    ).fetchall()
    return [(str(r[0]), str(r[1])) for r in rows]


def _chunks(rows: Iterable[Mapping[str, Any]], size: int) -> Iterator[list[Mapping[str, Any]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _load_batch(
    conn: sqlite3.Connection,
    rows: list[dict[str, Any]],
    triggers: list[tuple[str, str]],
    reason: str,
    with_versions: bool,
) -> int:
    """Insert one batch inside the caller's transaction; returns the rows inserted."""
    columns = list(WRITABLE_COLUMNS)
    before = int(conn.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()[0])
    for name, _sql in triggers:
        conn.execute(f'DROP TRIGGER "{name}"')
    conn.executemany(
        f"INSERT INTO articles ({', '.join(columns)}) "
        f"VALUES ({', '.join(':' + c for c in columns)}) ON CONFLICT(url) DO NOTHING",
        rows,
    )
    after = int(conn.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()[0])
    if after > before:
        fts_cols = ", ".join(FTS_COLUMNS)
        conn.execute(
            f"INSERT INTO articles_fts (rowid, {fts_cols}) "
            f"SELECT id, {fts_cols} FROM articles WHERE id > ?",
            (before,),
        )
        if with_versions:
            copied = ", ".join(COPIED_FIELDS)
            conn.execute(
                "INSERT INTO article_versions (url, version, reason, fetched_at, content_hash, "
                f"changed, diff, {copied}) SELECT url, 1, ?, last_seen, content_hash, '[]', NULL, "
                f"{copied} FROM articles WHERE id > ?",
                (reason, before),
            )
    for _name, sql in triggers:
        conn.execute(sql)
    return after - before


def bulk_load(
    archive: Archive,
    rows: Iterable[Mapping[str, Any]],
    *,
    batch: int = DEFAULT_BATCH,
    reason: str = "import",
    versions: bool = True,
    optimize: bool = True,
    now: str | None = None,
    progress: Callable[[BulkResult], None] | None = None,
) -> BulkResult:
    """Insert articles (mappings as for `Archive.upsert_articles`) in large trigger-free batches.

    Each batch is one transaction that ends with the triggers restored and the index in sync, so
    an interrupted load keeps every finished batch and nothing of the unfinished one.
    ``versions=False`` skips the `article_versions` rows (only for throwaway benchmark archives).
    """
    conn = archive.conn
    stamp = now or utc_now()
    result = BulkResult()
    cache = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
    try:
        for chunk in _chunks(rows, max(1, int(batch))):
            prepared = []
            for article in chunk:
                row = article_to_row(
                    {k: v for k, v in article.items() if k != "version_reason"}, stamp
                )
                row["version"] = 1
                prepared.append(row)
            with archive.transaction() as tx:
                triggers = fts_triggers(tx)
                inserted = _load_batch(tx, prepared, triggers, reason, versions)
            result.read += len(prepared)
            result.inserted += inserted
            result.skipped += len(prepared) - inserted
            result.batches += 1
            if progress is not None:
                progress(result)
        if optimize and result.inserted:
            with archive.transaction() as tx:
                tx.execute("INSERT INTO articles_fts(articles_fts) VALUES ('optimize')")
    except sqlite3.Error as exc:
        raise translate(exc, archive.path) from exc
    finally:
        conn.execute(f"PRAGMA cache_size = {int(cache)}")
    return result
