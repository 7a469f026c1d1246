"""Exports of the archive: JSON Lines, CSV, Parquet, WARC and SQLite snapshots, with a manifest.

Every export reads inside one read transaction, so a crawl writing at the same time never makes
it inconsistent. Beside the output goes ``<output>.manifest.json``: row count, SHA-256 of the file,
schema version, filters and creation time. An export never writes onto the archive (or its
``-wal``/``-shm``/``-journal`` files, or its WARC folder), never leaves a half-written file or
manifest, and fails with one `StorageError` naming the output when the disk refuses
(`newscrawl.archive.outfiles`). `export_stream` writes JSON Lines or CSV to a stream instead.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, replace
from typing import Any, BinaryIO

from newscrawl import __version__
from newscrawl.archive import outfiles, schema
from newscrawl.archive.errors import ArchiveError, StorageError, translate
from newscrawl.archive.search import Filters, build_fts_query, clean_text
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


class _Utf8Sink:
    """A text sink writing UTF-8 bytes to a binary stream in large pieces (for `export_stream`)."""

    def __init__(self, stream: BinaryIO, size: int = 1 << 16) -> None:
        self.stream = stream
        self.size = size
        self.parts: list[str] = []
        self.pending = 0

    def write(self, text: str) -> int:
        self.parts.append(text)
        self.pending += len(text)
        if self.pending >= self.size:
            self.flush()
        return len(text)

    def flush(self) -> None:
        if self.parts:
            self.stream.write("".join(self.parts).encode("utf-8"))
            self.parts = []
            self.pending = 0
        self.stream.flush()


def _jsonl_to(rows: Iterator[dict[str, Any]], out: Any) -> int:
    count = 0
    for row in rows:
        out.write(json.dumps(row_to_article(row), ensure_ascii=False) + "\n")
        count += 1
    return count


def _csv_to(rows: Iterator[dict[str, Any]], out: Any) -> int:
    count = 0
    writer = csv.DictWriter(out, fieldnames=list(EXPORT_COLUMNS))
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
        count += 1
    return count


def _write_jsonl(rows: Iterator[dict[str, Any]], path: str) -> int:
    with open(path, "w", encoding="utf-8") as out:
        return _jsonl_to(rows, out)


def _write_csv(rows: Iterator[dict[str, Any]], path: str) -> int:
    with open(path, "w", encoding="utf-8", newline="") as out:
        return _csv_to(rows, out)


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
    # An open file (created beforehand with the right mode) rather than a path for pyarrow.
    with open(path, "wb") as out, pq.ParquetWriter(out, arrow_schema) as writer:
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


#: Words of SQLite errors about the archive being read (not the snapshot being written).
_ARCHIVE_PROBLEMS = ("locked", "busy", "not a database", "malformed", "vtable", "decode")


def _snapshot_error(exc: sqlite3.Error, archive: Archive, output: str) -> ArchiveError:
    """A SQLite error of a snapshot export: the archive's (locked, damaged) or the output's."""
    lowered = str(exc).lower()
    if any(word in lowered for word in _ARCHIVE_PROBLEMS):
        return translate(exc, archive.path)
    if outfiles.sqlite_reason(exc) == "disk I/O error" and outfiles.disk_full(output):
        # SQLite says I/O error, not full, when the disk fills up as it grows its shared memory
        # file (-shm), or when a write fails with an errno other than ENOSPC.
        return StorageError(f"cannot write {outfiles.shown(output)}: the disk is full")
    return outfiles.write_error(output, exc)


def _first_sqlite_error(exc: BaseException | None) -> sqlite3.Error | None:
    """The SQLite error that started it all: a failed ROLLBACK after SQLite had already rolled
    back (as it does on a full disk) hides the real error in its context."""
    if not isinstance(exc, sqlite3.Error):
        return None
    while "no transaction is active" in str(exc) and isinstance(exc.__context__, sqlite3.Error):
        exc = exc.__context__
    return exc


def _count_rows(path: str) -> int:
    # Closing the only connection also checkpoints any write-ahead log into the file itself.
    snap = sqlite3.connect(path)
    try:
        return int(snap.execute("SELECT count(*) FROM articles").fetchone()[0])
    finally:
        snap.close()


def _write_sqlite(archive: Archive, where: str, params: list[Any], path: str, output: str) -> int:
    """A consistent SQLite copy: the whole file with VACUUM INTO, or a filtered new archive.

    `path` is an empty file to fill; errors name `output`, the file the user asked for.
    """
    conn = archive.conn
    try:
        if where == "1":
            conn.execute("VACUUM INTO ?", (path,))
            return _count_rows(path)
        try:
            Archive.open(path, create=True).close()
        except ArchiveError as exc:
            cause = _first_sqlite_error(exc.__cause__)
            if cause is not None:
                raise _snapshot_error(cause, archive, output) from cause
            raise StorageError(f"cannot write {outfiles.shown(output)}: {exc}") from exc
        conn.execute("ATTACH DATABASE ? AS snap", (path,))
        try:
            cols = ", ".join(EXPORT_COLUMNS)
            conn.execute("BEGIN")
            try:
                conn.execute(
                    f"INSERT INTO snap.articles ({cols}) SELECT {cols} FROM main.articles "
                    f"WHERE {where} ORDER BY main.articles.id",
                    params,
                )
                conn.execute("COMMIT")
            except BaseException:
                # SQLite may already have rolled back (a full disk does): roll back only what is
                # still open, and let the original error through.
                if conn.in_transaction:
                    with suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                raise
        finally:
            with suppress(sqlite3.Error):
                conn.execute("DETACH DATABASE snap")
        return _count_rows(path)
    except sqlite3.Error as exc:
        raise _snapshot_error(exc, archive, output) from exc


def _clean_filters(filters: Filters) -> Filters:
    """The filters with NUL and lone surrogates (undecodable command-line bytes) replaced."""
    values = {
        name: clean_text(value) if isinstance(value, str) else value
        for name, value in vars(filters).items()
    }
    return replace(filters, **values)


def _write_data(
    archive: Archive, fmt: str, where: str, params: list[Any], path: str, output: str
) -> int:
    if fmt == "sqlite":
        return _write_sqlite(archive, where, params, path, output)
    try:
        with archive.snapshot() as conn:
            if fmt == "warc":
                return _write_warc(archive, _rows(conn, where, params), path)
            writer = {"jsonl": _write_jsonl, "csv": _write_csv, "parquet": _write_parquet}[fmt]
            return writer(_rows(conn, where, params), path)
    except sqlite3.Error as exc:
        # Only the archive is read through SQLite here.
        raise translate(exc, archive.path) from exc


def export(
    archive: Archive,
    fmt: str,
    output: str | os.PathLike[str],
    *,
    filters: Filters | None = None,
    query: str | None = None,
) -> ExportResult:
    """Write the (filtered) articles to `output` in `fmt` and a manifest beside it.

    Both files are written in a private folder beside `output` and moved into place once
    complete, so a failed export never leaves a half-written file (or manifest) under the
    requested names, and an earlier export there stays as it was. New files get the mode
    `open()` would give them; a replaced file keeps its mode.

    Raises `ArchiveError` for an output that is the archive itself (or one of its files) or
    whose name is not valid UTF-8, and `StorageError` naming `output` when the disk refuses.
    """
    if fmt not in FORMATS:
        raise ArchiveError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
    output = os.fspath(output)
    manifest_path = output + ".manifest.json"
    outfiles.check_name(output)
    for path in (output, manifest_path):
        outfiles.guard_output(path, archive.path)
    filters = _clean_filters(filters or Filters())
    query = clean_text(query) if query is not None else None
    where, params = _selection(filters, query)
    shown = outfiles.shown(output)
    folder = os.path.dirname(output) or os.curdir
    if not os.path.exists(folder):
        raise StorageError(f"cannot write {shown}: folder {folder} does not exist")
    if not os.path.isdir(folder):
        raise StorageError(f"cannot write {shown}: {folder} is a file, not a folder")
    if os.path.isdir(output):
        raise StorageError(f"cannot write {shown}: it is a folder")
    target = output
    try:
        with outfiles.staging(output) as work:
            staged = os.path.join(work, os.path.basename(output))
            staged_manifest = os.path.join(work, os.path.basename(manifest_path))
            outfiles.create_like(staged, output)
            count = _write_data(archive, fmt, where, params, staged, output)
            manifest = {
                "format": fmt,
                "files": [
                    {
                        "path": os.path.basename(output),
                        "sha256": sha256_file(staged),
                        "bytes": os.path.getsize(staged),
                    }
                ],
                "rows": count,
                "schema_version": schema.SCHEMA_VERSION,
                "filters": filters.as_dict(),
                "query": query,
                "created_at": utc_now(),
                "source_archive": outfiles.shown(os.path.abspath(archive.path)),
                "newscrawl_version": __version__,
                "json_columns": list(JSON_COLUMNS),
            }
            target = manifest_path
            outfiles.create_like(staged_manifest, manifest_path)
            with open(staged_manifest, "w", encoding="utf-8") as handle:
                json.dump(manifest, handle, indent=2, ensure_ascii=False)
                handle.write("\n")
            target = output
            os.replace(staged, output)
            target = manifest_path
            os.replace(staged_manifest, manifest_path)
    except OSError as exc:
        if exc.filename and not _ours(str(exc.filename), output):
            # A file read along the way (a WARC capture file), not one being written.
            raise StorageError(
                f"cannot read {outfiles.shown(str(exc.filename))}: {outfiles.os_reason(exc)}"
            ) from exc
        raise outfiles.write_error(target, exc) from exc
    return ExportResult(output, manifest_path, count, manifest)


def _ours(filename: str, output: str) -> bool:
    """Tell whether an OSError's file is one the export writes (staged or final)."""
    folder = os.path.dirname(os.path.abspath(output))
    name = os.path.abspath(filename)
    return os.path.dirname(name) == folder or os.path.basename(os.path.dirname(name)).startswith(
        outfiles.STAGING_PREFIX
    )


#: Formats `export_stream` can write: text, one row after another.
STREAM_FORMATS = ("jsonl", "csv")


def export_stream(
    archive: Archive,
    fmt: str,
    stream: BinaryIO,
    *,
    filters: Filters | None = None,
    query: str | None = None,
    name: str | None = None,
) -> int:
    """Write the (filtered) articles as JSON Lines or CSV, in UTF-8, to a binary stream.

    For standard output (``sys.stdout.buffer``) and pipes: no manifest, and nothing to move into
    place, so what was written before a failure stays written. Returns the number of rows.
    `name` (default: the stream's own name) is how errors refer to the stream. A
    `BrokenPipeError` (the reader went away) is raised as is, for the caller to end quietly.
    """
    if fmt not in STREAM_FORMATS:
        raise ArchiveError(
            f"{fmt} exports need a file; only {' and '.join(STREAM_FORMATS)} can go to a stream"
        )
    label = name or str(getattr(stream, "name", "the output stream"))
    with suppress(AttributeError, OSError, ValueError):
        outfiles.guard_stat(os.fstat(stream.fileno()), outfiles.shown(label), archive.path)
    filters = _clean_filters(filters or Filters())
    query = clean_text(query) if query is not None else None
    where, params = _selection(filters, query)
    sink = _Utf8Sink(stream)
    writer = {"jsonl": _jsonl_to, "csv": _csv_to}[fmt]
    try:
        with archive.snapshot() as conn:
            count = writer(_rows(conn, where, params), sink)
        sink.flush()
    except sqlite3.Error as exc:
        raise translate(exc, archive.path) from exc
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise outfiles.write_error(label, exc) from exc
    return count
