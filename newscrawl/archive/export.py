"""Exports of the archive: JSON Lines, CSV, Parquet and SQLite snapshots, each with a manifest.

Every export reads inside one read transaction, so a crawl writing at the same time never makes
it inconsistent. Beside the output goes ``<output>.manifest.json``: row count, SHA-256 of the file,
schema version, filters and creation time.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from newscrawl import __version__
from newscrawl.archive import schema
from newscrawl.archive.errors import ArchiveError, StorageError
from newscrawl.archive.search import Filters, build_fts_query
from newscrawl.archive.store import JSON_COLUMNS, Archive, row_to_article
from newscrawl.archive.warc import Capture, copy_records, warc_folder
from newscrawl.isotime import utc_now

FORMATS = ("jsonl", "csv", "parquet", "sqlite", "warc")
#: Columns exported, in order (the surrogate id is internal and left out).
EXPORT_COLUMNS = tuple(c for c in schema.ALL_ARTICLE_COLUMNS if c != "id")


@dataclass
class ExportResult:
    """What an export wrote."""

    output: str
    manifest_path: str
    rows: int
    manifest: dict[str, Any]


def _selection(filters: Filters, query: str | None) -> tuple[str, list[Any]]:
    where, params = filters.to_sql("articles")
    if query:
        fts = build_fts_query(query)
        if fts is None:
            return "0", []
        where += " AND articles.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)"
        params.append(fts)
    return where, params


def _rows(conn: sqlite3.Connection, where: str, params: list[Any]) -> Iterator[dict[str, Any]]:
    cols = ", ".join(f"articles.{c}" for c in EXPORT_COLUMNS)
    cursor = conn.execute(f"SELECT {cols} FROM articles WHERE {where} ORDER BY articles.id", params)
    for row in cursor:
        yield dict(row)


def sha256_file(path: str) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _write_jsonl(rows: Iterator[dict[str, Any]], path: str) -> int:
    count = 0
    with open(path, "w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row_to_article(row), ensure_ascii=False) + "\n")
            count += 1
    return count


def _write_csv(rows: Iterator[dict[str, Any]], path: str) -> int:
    count = 0
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(EXPORT_COLUMNS))
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def _write_parquet(rows: Iterator[dict[str, Any]], path: str) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ArchiveError(
            "Parquet export needs pyarrow: pip install 'newscrawl[parquet]'"
        ) from None
    types = {int: pa.int64(), str: pa.string()}
    fields = []
    for name in EXPORT_COLUMNS:
        if name in ("authors", "tags"):
            fields.append(pa.field(name, pa.list_(pa.string())))
        else:
            fields.append(pa.field(name, types[schema.ALL_ARTICLE_COLUMNS[name]]))
    arrow_schema = pa.schema(fields)
    count = 0
    with pq.ParquetWriter(path, arrow_schema) as writer:
        batch: list[dict[str, Any]] = []
        for row in rows:
            for name in ("authors", "tags"):
                row[name] = json.loads(row[name] or "[]")
            batch.append(row)
            if len(batch) >= 5000:
                writer.write_table(pa.Table.from_pylist(batch, schema=arrow_schema))
                count += len(batch)
                batch = []
        if batch or count == 0:
            writer.write_table(pa.Table.from_pylist(batch, schema=arrow_schema))
            count += len(batch)
    return count


def _write_warc(archive: Archive, rows: Iterator[dict[str, Any]], path: str) -> int:
    """The raw captures behind the articles, copied record by record into one WARC file."""
    captures = [
        Capture(row["warc_file"], int(row["warc_offset"]), int(row["warc_length"]))
        for row in rows
        if row.get("warc_file") and row.get("warc_length")
    ]
    return copy_records(warc_folder(archive.path), captures, path)


def _write_sqlite(archive: Archive, where: str, params: list[Any], path: str) -> int:
    """A consistent SQLite copy: the whole file with VACUUM INTO, or a filtered new archive."""
    conn = archive.conn
    if where == "1":
        conn.execute("VACUUM INTO ?", (path,))
        snap = sqlite3.connect(path)
        try:
            return int(snap.execute("SELECT count(*) FROM articles").fetchone()[0])
        finally:
            snap.close()
    target = Archive.open(path, create=True)
    target.close()
    conn.execute("ATTACH DATABASE ? AS snap", (path,))
    try:
        cols = ", ".join(EXPORT_COLUMNS)
        conn.execute("BEGIN")
        try:
            cur = conn.execute(
                f"INSERT INTO snap.articles ({cols}) SELECT {cols} FROM main.articles "
                f"WHERE {where} ORDER BY main.articles.id",
                params,
            )
            count = cur.rowcount
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    finally:
        conn.execute("DETACH DATABASE snap")
    return int(count)


def export(
    archive: Archive,
    fmt: str,
    output: str,
    *,
    filters: Filters | None = None,
    query: str | None = None,
) -> ExportResult:
    """Write the (filtered) articles to `output` in `fmt` and a manifest beside it.

    The file is written under a temporary name and moved into place, so a failed export never
    leaves a half-written file under the requested name.
    """
    if fmt not in FORMATS:
        raise ArchiveError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
    filters = filters or Filters()
    where, params = _selection(filters, query)
    folder = os.path.dirname(os.path.abspath(output))
    if not os.path.isdir(folder):
        raise StorageError(f"cannot write {output}: folder {folder} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=".newscrawl-export-", dir=folder)
    os.close(fd)
    try:
        if fmt == "sqlite":
            os.unlink(tmp)
            count = _write_sqlite(archive, where, params, tmp)
        elif fmt == "warc":
            with archive.snapshot() as conn:
                count = _write_warc(archive, _rows(conn, where, params), tmp)
        else:
            writer = {"jsonl": _write_jsonl, "csv": _write_csv, "parquet": _write_parquet}[fmt]
            with archive.snapshot() as conn:
                count = writer(_rows(conn, where, params), tmp)
        os.replace(tmp, output)
    except OSError as exc:
        raise StorageError(f"cannot write {output}: {exc.strerror or exc}") from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    manifest = {
        "format": fmt,
        "files": [
            {
                "path": os.path.basename(output),
                "sha256": sha256_file(output),
                "bytes": os.path.getsize(output),
            }
        ],
        "rows": count,
        "schema_version": schema.SCHEMA_VERSION,
        "filters": filters.as_dict(),
        "query": query,
        "created_at": utc_now(),
        "source_archive": os.path.abspath(archive.path),
        "newscrawl_version": __version__,
        "json_columns": list(JSON_COLUMNS),
    }
    manifest_path = output + ".manifest.json"
    with open(manifest_path, "w", encoding="utf-8") as handle:
        json.dump(manifest, handle, indent=2, ensure_ascii=False)
        handle.write("\n")
    return ExportResult(output, manifest_path, count, manifest)
