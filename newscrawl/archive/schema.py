"""The archive's schema: versioned migrations (sqlite-utils), FTS5 and connection settings.

The schema version lives in ``PRAGMA user_version`` and the file is marked as a newscrawl archive
with ``PRAGMA application_id``, so any other SQLite file is recognised and refused.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import suppress

import sqlite_utils

#: Marks a SQLite file as a newscrawl archive (``PRAGMA application_id``; "NWSC" in ASCII).
APPLICATION_ID = 0x4E575343

#: Columns indexed for full-text search, in the order bm25 weights refer to them.
FTS_COLUMNS = ("title", "description", "authors", "text")
#: bm25 weights for `FTS_COLUMNS`: a match in the title counts most.
FTS_WEIGHTS = (10.0, 3.0, 2.0, 1.0)
FTS_TOKENIZE = "porter unicode61 remove_diacritics 2"

#: Columns of the articles table as first created (migration 1); later migrations add more.
ARTICLE_COLUMNS: dict[str, type] = {
    "id": int,
    "url": str,
    "fetched_url": str,
    "title": str,
    "authors": str,
    "published": str,
    "published_raw": str,
    "modified": str,
    "modified_raw": str,
    "language": str,
    "source": str,
    "site_name": str,
    "section": str,
    "tags": str,
    "description": str,
    "image": str,
    "text": str,
    "word_count": int,
    "content_hash": str,
    "access": str,
    "duplicate_of": str,
    "provenance": str,
    "news": str,
    "first_seen": str,
    "last_seen": str,
}

RUN_COLUMNS: dict[str, type] = {
    "id": int,
    "started": str,
    "ended": str,
    "status": str,
    "command": str,
    "sources": str,
    "pages_fetched": int,
    "articles_new": int,
    "articles_updated": int,
    "articles_unchanged": int,
    "duplicates": int,
    "failed": int,
    "counters": str,
    "summary": str,
    "error": str,
    "pid": int,
}


def _migration_1(db: sqlite_utils.Database) -> None:
    """Articles with FTS5 (sqlite-utils external content + triggers) and the runs table."""
    articles = db.table("articles")
    articles.create(ARTICLE_COLUMNS, pk="id", not_null={"url"})
    articles.create_index(["url"], unique=True)
    articles.create_index(["published"])
    articles.create_index(["source", "published"])
    articles.create_index(["content_hash"])
    articles.enable_fts(list(FTS_COLUMNS), create_triggers=True, tokenize=FTS_TOKENIZE)
    runs = db.table("runs")
    runs.create(RUN_COLUMNS, pk="id")
    runs.create_index(["started"])


FRONTIER_COLUMNS: dict[str, type] = {
    "url": str,
    "source": str,
    "kind": str,
    "state": str,
    "reason": str,
    "depth": int,
    "priority": int,
    "attempts": int,
    "referrer": str,
    "meta": str,
    "discovered_at": str,
    "fetched_at": str,
    "last_run": int,
}


def _migration_2(db: sqlite_utils.Database) -> None:
    """The crawl frontier (every discovered URL and its state) and near-duplicate signatures."""
    frontier = db.table("frontier")
    frontier.create(FRONTIER_COLUMNS, pk="url", not_null={"state", "kind"})
    frontier.create_index(["state", "priority"])
    frontier.create_index(["source", "state"])
    signatures = db.table("article_signatures")
    signatures.create({"url": str, "signature": bytes}, pk="url")
    bands = db.table("article_bands")
    bands.create({"band": int, "hash": int, "url": str}, pk=("band", "hash", "url"))


#: Fields whose change makes a new version of an article.
VERSIONED_FIELDS = (
    "title",
    "authors",
    "published",
    "modified",
    "description",
    "section",
    "tags",
    "image",
    "language",
    "text",
)

VERSION_COLUMNS: dict[str, type] = {
    "id": int,
    "url": str,
    "version": int,
    "reason": str,
    "fetched_at": str,
    "content_hash": str,
    "changed": str,
    "diff": str,
    "title": str,
    "authors": str,
    "published": str,
    "modified": str,
    "description": str,
    "section": str,
    "tags": str,
    "image": str,
    "language": str,
    "text": str,
    "extractor_version": str,
    "warc_file": str,
    "warc_offset": int,
}


ARTICLE_COLUMNS_V3: dict[str, type] = {
    "warc_file": str,
    "warc_offset": int,
    "warc_length": int,
    "extractor_version": str,
    "etag": str,
    "last_modified": str,
    "next_check": str,
    "version": int,
}


def _migration_3(db: sqlite_utils.Database) -> None:
    """Raw captures (WARC pointers), HTTP validators, re-check times and article versions."""
    articles = db.table("articles")
    for name, kind in ARTICLE_COLUMNS_V3.items():
        articles.add_column(name, kind)
    articles.create_index(["source", "next_check"])
    frontier = db.table("frontier")
    for name, kind in (("etag", str), ("last_modified", str), ("lastmod", str), ("watermark", str)):
        frontier.add_column(name, kind)
    versions = db.table("article_versions")
    versions.create(VERSION_COLUMNS, pk="id", not_null={"url", "version"})
    versions.create_index(["url", "version"], unique=True)
    versions.create_index(["fetched_at"])


RUN_WORKER_COLUMNS: dict[str, type] = {
    "run_id": int,
    "worker": int,
    "pid": int,
    "status": str,
    "started": str,
    "ended": str,
    "counters": str,
    "summary": str,
}


def _migration_4(db: sqlite_utils.Database) -> None:
    """Crawls in several processes: who claimed a frontier URL, and each worker's outcome."""
    db.table("frontier").add_column("claimed_by", int)
    db.table("run_workers").create(RUN_WORKER_COLUMNS, pk=("run_id", "worker"))


def _migration_5(db: sqlite_utils.Database) -> None:
    """Frontier indexes for the crawl's hot queries, so they stay fast as the frontier grows.

    - claim (``state = 'pending' ORDER BY priority DESC, depth, rowid LIMIT n``) walks an index in
      that order and stops after n rows, instead of sorting every pending URL of a priority;
      it replaces the (state, priority) index, of which it is an extension;
    - the URLs this run claimed per source (page budgets, polled at every claim) are counted
      from an index of this run's rows instead of a scan of the whole frontier.
    """
    db.execute("CREATE INDEX idx_frontier_claim ON frontier (state, priority DESC, depth)")
    db.execute("DROP INDEX IF EXISTS idx_frontier_state_priority")
    db.execute("CREATE INDEX idx_frontier_run ON frontier (last_run, source, state)")


def _migration_6(db: sqlite_utils.Database) -> None:
    """When each host may next be fetched, for the robots.txt Crawl-delay the worker processes
    of a crawl share (`newscrawl.pacing`)."""
    db.execute("CREATE TABLE host_pacing (host TEXT PRIMARY KEY, next_allowed REAL NOT NULL)")


def _migration_7(db: sqlite_utils.Database) -> None:
    """Hosts that asked for a pause (``Retry-After``), until when, and whether requests wait it out
    or are refused: shared by the worker processes of a crawl (`newscrawl.pacing`)."""
    db.execute(
        "CREATE TABLE host_backoff "
        "(origin TEXT PRIMARY KEY, until REAL NOT NULL, sit_out INTEGER NOT NULL)"
    )


def _migration_8(db: sqlite_utils.Database) -> None:
    """The host pacing and pauses the worker processes share moved to small state files beside
    the archive (`newscrawl.pacing`): a turn reserved in the archive waited for its write lock."""
    db.execute("DROP TABLE IF EXISTS host_pacing")
    db.execute("DROP TABLE IF EXISTS host_backoff")


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _migration_1,
    _migration_2,
    _migration_3,
    _migration_4,
    _migration_5,
    _migration_6,
    _migration_7,
    _migration_8,
]
SCHEMA_VERSION = len(MIGRATIONS)
#: Every column of the articles table at `SCHEMA_VERSION`.
ALL_ARTICLE_COLUMNS: dict[str, type] = {**ARTICLE_COLUMNS, **ARTICLE_COLUMNS_V3}


def configure(conn: sqlite3.Connection, *, busy_timeout_ms: int = 30_000) -> None:
    """Apply the settings every archive connection uses (NORMAL sync, busy wait)."""
    conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")


def schema_version(conn: sqlite3.Connection) -> int:
    """The schema version stored in the file (0 for a new, empty database)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def application_id(conn: sqlite3.Connection) -> int:
    """The application id stored in the file header."""
    return int(conn.execute("PRAGMA application_id").fetchone()[0])


def is_empty(conn: sqlite3.Connection) -> bool:
    """True when the database holds no tables at all (a brand-new file)."""
    row = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    return int(row[0]) == 0


def migrate(db: sqlite_utils.Database) -> int:
    """Bring the archive up to `SCHEMA_VERSION`; each migration runs in its own transaction."""
    conn = db.conn
    conn.execute("PRAGMA journal_mode = WAL")
    current = schema_version(conn)
    for version in range(current + 1, SCHEMA_VERSION + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated while we waited for the write lock.
            if schema_version(conn) >= version:
                conn.execute("COMMIT")
                continue
            MIGRATIONS[version - 1](db)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            # SQLite may have rolled back already (a full disk): the first error is the one.
            if conn.in_transaction:
                with suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            raise
    return schema_version(conn)
