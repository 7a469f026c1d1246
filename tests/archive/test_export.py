"""Exports: every format, filters, manifests, consistent snapshots."""

from __future__ import annotations

import csv
import hashlib
import json
import sqlite3
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from newscrawl.archive import Archive, Filters, schema
from newscrawl.archive.export import export


def test_jsonl_export_has_one_article_per_line(archive: Archive, tmp_path: Path) -> None:
    out = tmp_path / "news.jsonl"
    result = export(archive, "jsonl", str(out))
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert result.rows == 3
    assert [a["source"] for a in lines] == ["gazette", "tribune", "courrier"]
    assert lines[0]["authors"] == ["Jane Doe", "Min-jun Park"]


def test_manifest_records_rows_hash_schema_and_filters(archive: Archive, tmp_path: Path) -> None:
    out = tmp_path / "news.csv"
    export(archive, "csv", str(out), filters=Filters(source="tribune"))
    manifest = json.loads((tmp_path / "news.csv.manifest.json").read_text())
    assert manifest["rows"] == 1
    assert manifest["files"][0]["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert manifest["schema_version"] == schema.SCHEMA_VERSION
    assert manifest["filters"] == {"source": "tribune"}
    assert manifest["created_at"].endswith("Z")


def test_csv_export_round_trips_fields(archive: Archive, tmp_path: Path) -> None:
    out = tmp_path / "news.csv"
    export(archive, "csv", str(out), query="défilé")
    [row] = list(csv.DictReader(out.open(encoding="utf-8")))
    assert row["title"] == "Défilé militaire à Pékin : les invités de Xi"
    assert json.loads(row["authors"]) == ["Claire Dubois"]


def test_parquet_export_has_list_columns(archive: Archive, tmp_path: Path) -> None:
    out = tmp_path / "news.parquet"
    export(archive, "parquet", str(out), filters=Filters(language="en"))
    table = pq.read_table(out)
    assert table.num_rows == 2
    assert table.column("authors").to_pylist()[0] == ["Jane Doe", "Min-jun Park"]


def test_sqlite_snapshot_of_everything_is_an_archive(archive: Archive, tmp_path: Path) -> None:
    out = tmp_path / "snap.db"
    result = export(archive, "sqlite", str(out))
    assert result.rows == 3
    with Archive.open(out, create=False) as snap:
        assert snap.count_articles() == 3


def test_filtered_sqlite_snapshot_is_searchable(archive: Archive, tmp_path: Path) -> None:
    out = tmp_path / "snap.db"
    export(archive, "sqlite", str(out), filters=Filters(source="gazette"))
    conn = sqlite3.connect(out)
    assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
    assert (
        conn.execute(
            "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'missile'"
        ).fetchone()[0]
        == 1
    )


def test_export_during_a_write_transaction_sees_committed_rows_only(
    archive_path: Path, tmp_path: Path
) -> None:
    writer = Archive.open(archive_path)
    reader = Archive.open(archive_path)
    try:
        writer.conn.execute("BEGIN IMMEDIATE")
        writer.conn.execute(
            "INSERT INTO articles (url, title) VALUES ('https://x.example/n', 'new')"
        )
        result = export(reader, "jsonl", str(tmp_path / "out.jsonl"))
        writer.conn.execute("COMMIT")
    finally:
        writer.close()
        reader.close()
    assert result.rows == 3


def test_unknown_format_is_refused(archive: Archive, tmp_path: Path) -> None:
    with pytest.raises(Exception, match="unknown export format"):
        export(archive, "xml", str(tmp_path / "x.xml"))
