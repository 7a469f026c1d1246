"""The archive store: opening an archive file, upserting articles, recording runs.

One `Archive` wraps one SQLite connection in explicit-transaction mode (``isolation_level=None``):
every write runs in a ``BEGIN IMMEDIATE`` transaction, so concurrent writers queue on the busy
timeout instead of failing half-way, and readers (WAL) never block.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils

from newscrawl.archive import schema, versions
from newscrawl.archive.errors import (
    ArchiveError,
    ArchiveNotFoundError,
    NotAnArchiveError,
    StorageError,
    translate,
)
from newscrawl.hashing import content_hash
from newscrawl.isotime import utc_now
from newscrawl.items import ARTICLE_FIELDS, DICT_FIELDS, LIST_FIELDS

#: Default archive location, relative to the working directory (overridden by NEWSCRAWL_DB).
DEFAULT_DB_PATH = os.path.join("archive", "news.db")
#: Columns a caller may set on an article row (everything but the surrogate key).
WRITABLE_COLUMNS = tuple(c for c in schema.ALL_ARTICLE_COLUMNS if c != "id")
#: JSON-encoded columns of the articles table.
JSON_COLUMNS = (*LIST_FIELDS, *DICT_FIELDS)


def default_db_path() -> str:
    """The archive path used when none is given: ``$NEWSCRAWL_DB`` or ``archive/news.db``."""
    return os.environ.get("NEWSCRAWL_DB") or DEFAULT_DB_PATH


def default_busy_timeout_ms() -> int:
    """How long a write waits for another writer's lock: ``$NEWSCRAWL_BUSY_TIMEOUT`` ms, or 30 s."""
    try:
        return max(0, int(os.environ.get("NEWSCRAWL_BUSY_TIMEOUT", "30000")))
    except ValueError:
        return 30_000


def article_to_row(article: Mapping[str, Any], now: str | None = None) -> dict[str, Any]:
    """An article mapping as an `articles` row: JSON for lists/dicts, derived counts and hashes."""
    unknown = set(article) - set(ARTICLE_FIELDS) - set(WRITABLE_COLUMNS)
    if unknown:
        raise ValueError(f"unknown article fields: {', '.join(sorted(unknown))}")
    if not article.get("url"):
        raise ValueError("an article needs a url")
    row: dict[str, Any] = {c: article.get(c) for c in WRITABLE_COLUMNS}
    for name in LIST_FIELDS:
        row[name] = json.dumps(list(article.get(name) or []), ensure_ascii=False)
    for name in DICT_FIELDS:
        row[name] = json.dumps(dict(article.get(name) or {}), ensure_ascii=False, sort_keys=True)
    text = row.get("text") or ""
    if row.get("word_count") is None:
        row["word_count"] = len(text.split())
    if not row.get("content_hash"):
        row["content_hash"] = content_hash(row.get("title"), text)
    stamp = now or utc_now()
    row["first_seen"] = row.get("first_seen") or stamp
    row["last_seen"] = row.get("last_seen") or stamp
    return row


def row_to_article(row: Mapping[str, Any]) -> dict[str, Any]:
    """An `articles` row as a plain dict with JSON columns decoded."""
    out = dict(row)
    for name in JSON_COLUMNS:
        if name in out and isinstance(out[name], str):
            with suppress(ValueError):
                out[name] = json.loads(out[name])
    return out


@dataclass
class UpsertResult:
    """What an upsert did to each URL: new rows, changed rows, unchanged re-fetches."""

    new: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def status_of(self, url: str) -> str | None:
        """``"new"``, ``"updated"``, ``"unchanged"`` or None for a URL of this batch."""
        for name in ("new", "updated", "unchanged"):
            if url in getattr(self, name):
                return name
        return None


def _connect(path: str, readonly: bool, busy_timeout_ms: int) -> sqlite3.Connection:
    if readonly:
        uri = Path(path).resolve().as_uri() + "?mode=ro"
        conn = sqlite3.connect(
            uri,
            uri=True,
            isolation_level=None,
            timeout=busy_timeout_ms / 1000,
            check_same_thread=False,
        )
    else:
        conn = sqlite3.connect(
            path, isolation_level=None, timeout=busy_timeout_ms / 1000, check_same_thread=False
        )
    conn.row_factory = sqlite3.Row
    return conn


class Archive:
    """A newscrawl archive file: articles (with FTS5), runs, and the crawl's own tables."""

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self.conn = conn
        self.path = path
        self.db = sqlite_utils.Database(conn)

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str] | None = None,
        *,
        create: bool = True,
        readonly: bool = False,
        busy_timeout_ms: int | None = None,
    ) -> Archive:
        """Open (and when allowed, create or migrate) the archive at `path`.

        Raises `ArchiveNotFoundError`, `NotAnArchiveError` or `StorageError` with a message that
        names the path and the problem.
        """
        db_path = os.fspath(path) if path is not None else default_db_path()
        if busy_timeout_ms is None:
            busy_timeout_ms = default_busy_timeout_ms()
        exists = os.path.exists(db_path)
        if os.path.isdir(db_path):
            raise StorageError(f"cannot open archive {db_path}: it is a folder, not a file")
        if not exists and (readonly or not create):
            raise ArchiveNotFoundError(
                f"no archive at {db_path} (run a crawl first, or check --db)"
            )
        if not exists:
            parent = os.path.dirname(os.path.abspath(db_path))
            try:
                os.makedirs(parent, exist_ok=True)
            except OSError as exc:
                raise StorageError(
                    f"cannot create folder for archive {db_path}: {exc.strerror}"
                ) from exc
            if not os.access(parent, os.W_OK):
                raise StorageError(
                    f"cannot create archive {db_path}: folder {parent} is not writable"
                )
        try:
            conn = _connect(db_path, readonly, busy_timeout_ms)
        except sqlite3.Error as exc:
            raise translate(exc, db_path) from exc
        try:
            schema.configure(conn, busy_timeout_ms=busy_timeout_ms)
            archive = cls(conn, db_path)
            archive._check_and_migrate(create=create and not readonly)
        except sqlite3.Error as exc:
            conn.close()
            raise translate(exc, db_path) from exc
        except BaseException:
            conn.close()
            raise
        return archive

    def _check_and_migrate(self, create: bool) -> None:
        empty = schema.is_empty(self.conn)
        if not empty and schema.application_id(self.conn) != schema.APPLICATION_ID:
            raise NotAnArchiveError(f"{self.path} is a SQLite database but not a newscrawl archive")
        version = schema.schema_version(self.conn)
        if version > schema.SCHEMA_VERSION:
            raise ArchiveError(
                f"archive {self.path} has schema version {version}, newer than this newscrawl "
                f"understands ({schema.SCHEMA_VERSION}); upgrade newscrawl"
            )
        if version < schema.SCHEMA_VERSION:
            if not create:
                if empty:
                    raise NotAnArchiveError(
                        f"{self.path} is an empty file, not a newscrawl archive"
                    )
                raise ArchiveError(
                    f"archive {self.path} needs a schema upgrade; open it once without --read-only"
                )
            schema.migrate(self.db)

    def close(self) -> None:
        """Close the connection (checkpointing WAL when this is the last connection)."""
        self.conn.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (``BEGIN IMMEDIATE``): all of it lands or none of it does."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise translate(exc, self.path) from exc
        try:
            yield self.conn
        except sqlite3.Error as exc:
            self._rollback()
            raise translate(exc, self.path) from exc
        except BaseException:
            self._rollback()
            raise
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            raise translate(exc, self.path) from exc

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: every query inside sees the same consistent state of the file."""
        self.conn.execute("BEGIN")
        try:
            # The snapshot is taken at the first read, so take it now.
            self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            yield self.conn
        finally:
            if self.conn.in_transaction:
                self.conn.execute("COMMIT")

    def _rollback(self) -> None:
        if self.conn.in_transaction:
            with suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")

    # -- articles -----------------------------------------------------------------------------

    def upsert_articles(
        self,
        articles: Iterable[Mapping[str, Any]],
        now: str | None = None,
        also: Callable[[sqlite3.Connection, UpsertResult], None] | None = None,
    ) -> UpsertResult:
        """Insert or update articles by URL in one transaction (a real upsert, FTS kept in sync).

        A new article or a change of any versioned field adds a row to `article_versions` (the
        article's ``version_reason`` says why: crawl, recheck or reextract). A re-fetch with no
        change only moves `last_seen` and the HTTP validators; `first_seen` never changes.
        `also` runs inside the same transaction (the crawl marks its frontier there).
        """
        stamp = now or utc_now()
        batch = [(article_to_row(a, stamp), a.get("version_reason") or "crawl") for a in articles]
        result = UpsertResult()
        if not batch:
            return result
        columns = list(WRITABLE_COLUMNS)
        updatable = [c for c in columns if c not in ("url", "first_seen")]
        sql = (
            f"INSERT INTO articles ({', '.join(columns)}) "
            f"VALUES ({', '.join(':' + c for c in columns)}) "
            f"ON CONFLICT(url) DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in updatable)
        )
        with self.transaction() as conn:
            for row, reason in batch:
                existing = conn.execute(
                    "SELECT * FROM articles WHERE url = ?", (row["url"],)
                ).fetchone()
                if existing is None:
                    row["version"] = 1
                    conn.execute(sql, row)
                    versions.insert_version(conn, row, 1, reason, [], None)
                    result.new.append(row["url"])
                    continue
                old = dict(existing)
                changed = versions.changed_fields(old, row)
                if not changed:
                    conn.execute(
                        "UPDATE articles SET last_seen = ?, etag = coalesce(?, etag), "
                        "last_modified = coalesce(?, last_modified), next_check = ? WHERE url = ?",
                        (
                            row["last_seen"],
                            row.get("etag"),
                            row.get("last_modified"),
                            row.get("next_check"),
                            row["url"],
                        ),
                    )
                    result.unchanged.append(row["url"])
                    continue
                row["version"] = int(old.get("version") or 1) + 1
                conn.execute(sql, row)
                versions.insert_version(
                    conn, row, row["version"], reason, changed, versions.unified_diff(old, row)
                )
                result.updated.append(row["url"])
            if also is not None:
                also(conn, result)
        return result

    def touch_article(self, url: str, next_check: str | None) -> None:
        """Record that an article was re-checked and found unchanged (HTTP 304)."""
        with self.transaction() as conn:
            conn.execute(
                "UPDATE articles SET last_seen = ?, next_check = ? WHERE url = ?",
                (utc_now(), next_check, url),
            )

    def get_article(self, url: str) -> dict[str, Any] | None:
        """The archived article with this canonical URL, JSON fields decoded, or None."""
        row = self.conn.execute("SELECT * FROM articles WHERE url = ?", (url,)).fetchone()
        return row_to_article(row) if row is not None else None

    def find_by_hash(self, digest: str) -> tuple[str, str | None] | None:
        """(URL, duplicate_of) of the first archived article with this content hash, if any."""
        row = self.conn.execute(
            "SELECT url, duplicate_of FROM articles WHERE content_hash = ? ORDER BY id LIMIT 1",
            (digest,),
        ).fetchone()
        return (str(row[0]), row[1]) if row is not None else None

    def count_articles(self) -> int:
        """How many articles the archive holds."""
        return int(self.conn.execute("SELECT count(*) FROM articles").fetchone()[0])

    # -- runs -----------------------------------------------------------------------------------

    def start_run(self, command: str, sources: Iterable[str] = ()) -> int:
        """Record the start of a crawl run and return its id."""
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO runs (started, status, command, sources, pid) VALUES (?, ?, ?, ?, ?)",
                (utc_now(), "running", command, json.dumps(list(sources)), os.getpid()),
            )
            return int(cur.lastrowid or 0)

    def finish_run(
        self,
        run_id: int,
        status: str,
        counters: Mapping[str, Any] | None = None,
        summary: Mapping[str, Any] | None = None,
        error: str | None = None,
    ) -> None:
        """Record how a run ended, with its counters and per-source summary."""
        counters = dict(counters or {})
        values = {
            "ended": utc_now(),
            "status": status,
            "pages_fetched": int(counters.get("pages_fetched", 0)),
            "articles_new": int(counters.get("articles_new", 0)),
            "articles_updated": int(counters.get("articles_updated", 0)),
            "articles_unchanged": int(counters.get("articles_unchanged", 0)),
            "duplicates": int(counters.get("duplicates", 0)),
            "failed": int(counters.get("failed", 0)),
            "counters": json.dumps(counters, sort_keys=True, default=str),
            "summary": json.dumps(dict(summary or {}), sort_keys=True, default=str),
            "error": error,
            "id": run_id,
        }
        with self.transaction() as conn:
            conn.execute(
                "UPDATE runs SET ended = :ended, status = :status, pages_fetched = :pages_fetched, "
                "articles_new = :articles_new, articles_updated = :articles_updated, "
                "articles_unchanged = :articles_unchanged, duplicates = :duplicates, "
                "failed = :failed, counters = :counters, summary = :summary, error = :error "
                "WHERE id = :id",
                values,
            )

    def list_runs(self, limit: int = 20) -> list[dict[str, Any]]:
        """The most recent runs, newest first."""
        rows = self.conn.execute(
            "SELECT * FROM runs ORDER BY id DESC LIMIT ?", (int(limit),)
        ).fetchall()
        return [dict(r) for r in rows]
