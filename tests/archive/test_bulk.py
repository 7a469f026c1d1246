"""Bulk loading: fast inserts with the FTS triggers off, an index in sync, safe when interrupted."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newscrawl.archive import Archive, ArchiveError, search
from newscrawl.archive import bulk as bulk_module
from newscrawl.archive.bulk import bulk_load, fts_triggers
from newscrawl.archive.fts import check
from newscrawl.archive.versions import list_versions


def _articles(count: int, start: int = 0) -> list[dict[str, Any]]:
    return [
        {
            "url": f"https://bulk.example/news/{i}",
            "title": f"Story number {i} about the harbour",
            "authors": [f"Writer {i % 7}"],
            "published": f"2025-09-{1 + i % 28:02d}T06:00:00Z",
            "language": "en",
            "source": "bulk",
            "text": f"Body of story {i}. " + ("ferry " if i % 10 == 0 else "tram ") * 40,
        }
        for i in range(start, start + count)
    ]


def test_bulk_load_keeps_the_index_in_sync_and_searchable(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "news.db") as archive:
        triggers = fts_triggers(archive.conn)
        result = bulk_load(archive, _articles(250), batch=60)
        assert (result.read, result.inserted, result.skipped, result.batches) == (250, 250, 0, 5)
        assert archive.count_articles() == 250
        assert check(archive.conn).ok
        assert fts_triggers(archive.conn) == triggers
        assert len(search(archive.conn, "ferry", limit=100).hits) == 25
        [version] = list_versions(archive.conn, "https://bulk.example/news/3")
        assert (version["version"], version["reason"], version["title"]) == (
            1,
            "import",
            "Story number 3 about the harbour",
        )
        # The restored triggers keep the index in step with ordinary writes afterwards.
        archive.upsert_articles([{**_articles(1, 3)[0], "title": "Zeppelin over the harbour"}])
        assert check(archive.conn).ok
        assert len(search(archive.conn, "zeppelin").hits) == 1


def test_bulk_load_skips_urls_already_archived(
    archive: Archive, sample_articles: list[dict[str, Any]]
) -> None:
    rows = [*sample_articles, *_articles(5), _articles(1)[0]]
    result = bulk_load(archive, rows)
    assert (result.read, result.inserted, result.skipped) == (9, 5, 4)
    assert archive.count_articles() == 8
    assert check(archive.conn).ok


def test_an_interrupted_bulk_load_restores_the_triggers(tmp_path: Path) -> None:
    def rows() -> Iterator[dict[str, Any]]:
        yield from _articles(100)
        raise KeyboardInterrupt

    with Archive.open(tmp_path / "news.db") as archive:
        triggers = fts_triggers(archive.conn)
        with pytest.raises(KeyboardInterrupt):
            bulk_load(archive, rows(), batch=40)
        # The two whole batches landed, the unfinished one did not.
        assert archive.count_articles() == 80
        assert fts_triggers(archive.conn) == triggers
        assert check(archive.conn).ok


def test_a_failing_batch_rolls_back_with_its_triggers(tmp_path: Path) -> None:
    bad = _articles(3)
    bad[1]["url"] = None
    with Archive.open(tmp_path / "news.db") as archive:
        triggers = fts_triggers(archive.conn)
        with pytest.raises(ValueError):
            bulk_load(archive, bad)
        assert archive.count_articles() == 0
        assert fts_triggers(archive.conn) == triggers
        assert len(triggers) == 3


def test_a_failure_inside_a_batch_rolls_back_the_batch_and_its_dropped_triggers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Archive.open(tmp_path / "news.db") as archive:
        triggers = fts_triggers(archive.conn)
        bulk_load(archive, _articles(10))
        # The index insert fails after the triggers were dropped and the rows inserted.
        monkeypatch.setattr(bulk_module, "FTS_COLUMNS", ("title", "no_such_column"))
        with pytest.raises(ArchiveError):
            bulk_load(archive, _articles(10, start=10))
        assert archive.count_articles() == 10
        assert fts_triggers(archive.conn) == triggers
        assert check(archive.conn).ok
