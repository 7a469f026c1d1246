"""The archive store: creation, refusal of foreign files, upserts, runs."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from newscrawl.archive import Archive, ArchiveNotFoundError, NotAnArchiveError, StorageError, schema
from newscrawl.archive.fts import check


def test_new_archive_is_created_with_wal_and_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "news.db"
    with Archive.open(path) as archive:
        assert archive.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert schema.schema_version(archive.conn) == schema.SCHEMA_VERSION
        assert archive.db["articles"].detect_fts() == "articles_fts"


def test_missing_archive_is_refused_when_not_creating(tmp_path: Path) -> None:
    with pytest.raises(ArchiveNotFoundError, match="no archive at"):
        Archive.open(tmp_path / "absent.db", create=False)


def test_text_file_is_not_an_archive(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("just some notes, not SQLite\n" * 200)
    with pytest.raises(NotAnArchiveError, match="not a newscrawl archive"):
        Archive.open(path)


def test_other_sqlite_database_is_not_an_archive(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(NotAnArchiveError, match="not a newscrawl archive"):
        Archive.open(path)


def test_folder_path_is_a_storage_error(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="is a folder"):
        Archive.open(tmp_path)


def test_upsert_counts_new_updated_unchanged(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "a.db") as archive:
        first = archive.upsert_articles(
            [{"url": "https://x.example/a", "title": "A", "text": "one"}]
        )
        again = archive.upsert_articles(
            [{"url": "https://x.example/a", "title": "A", "text": "one"}]
        )
        changed = archive.upsert_articles(
            [{"url": "https://x.example/a", "title": "A", "text": "two"}]
        )
    assert first.new == ["https://x.example/a"]
    assert again.unchanged == ["https://x.example/a"]
    assert changed.updated == ["https://x.example/a"]


def test_upsert_keeps_first_seen_and_moves_last_seen(tmp_path: Path) -> None:
    url = "https://x.example/a"
    with Archive.open(tmp_path / "a.db") as archive:
        archive.upsert_articles([{"url": url, "text": "one"}], now="2025-01-01T00:00:00Z")
        archive.upsert_articles([{"url": url, "text": "two"}], now="2025-02-01T00:00:00Z")
        row = archive.get_article(url)
    assert row is not None
    assert row["first_seen"] == "2025-01-01T00:00:00Z"
    assert row["last_seen"] == "2025-02-01T00:00:00Z"
    assert row["text"] == "two"


def test_changed_article_leaves_fts_in_sync_and_old_words_gone(archive: Archive) -> None:
    url = "https://tribune.example/news/harbour-bridge-reopens"
    archive.upsert_articles([{"url": url, "title": "Ferry service resumes", "text": "Boats sail."}])
    assert check(archive.conn).ok
    hits = archive.conn.execute(
        "SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'bridge'"
    ).fetchall()
    assert hits == []
    assert (
        archive.conn.execute(
            "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'ferry'"
        ).fetchone()[0]
        == 1
    )


def test_lists_are_stored_as_json_and_read_back(archive: Archive) -> None:
    row = archive.get_article("https://gazette.example/2025/09/02/kim-inspects-missiles")
    assert row is not None
    assert row["authors"] == ["Jane Doe", "Min-jun Park"]
    assert row["tags"] == ["North Korea", "China"]
    assert row["word_count"] == 22
    assert len(row["content_hash"]) == 64


def test_failed_batch_leaves_no_partial_rows(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "a.db") as archive:
        with pytest.raises(ValueError, match="needs a url"):
            archive.upsert_articles([{"url": "https://x.example/ok", "text": "x"}, {"text": "y"}])
        assert archive.count_articles() == 0


def test_runs_are_recorded_with_counters(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "a.db") as archive:
        run_id = archive.start_run("crawl https://x.example/", ["x"])
        archive.finish_run(run_id, "completed", {"pages_fetched": 5, "articles_new": 3})
        [run] = archive.list_runs()
    assert run["status"] == "completed"
    assert run["pages_fetched"] == 5
    assert run["articles_new"] == 3
    assert run["ended"] is not None
