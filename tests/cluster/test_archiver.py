"""The archive-worker draining articles from a real Redis into a real SQLite archive."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from newscrawl.cluster import Keys, serializer
from newscrawl.cluster.archiver import ArchiverLocked, ArchiveWorker
from newscrawl.cluster.items import encode_item
from newscrawl.items import Article
from newscrawl.runner import crawl_settings

BODY = "\n\n".join(
    f"Paragraph {i}: the harbour council debated the ferry terminal plan for a long evening."
    for i in range(6)
)


def _articles(n: int) -> list[Article]:
    return [
        Article(
            url=f"https://x.example/2025/09/0{i + 1}/story-{i}",
            title=f"Story number {i} about the ferry terminal",
            text=f"Story {i} is unique. " + BODY.replace("harbour", f"harbour{i}"),
            source="x",
            published="2025-09-01T08:00:00Z",
        )
        for i in range(n)
    ]


def _worker(server: Any, keys: Keys, db: Path, **options: Any) -> ArchiveWorker:
    settings = crawl_settings({"NEWSCRAWL_RECHECK_SCHEDULE": ""})
    worker = ArchiveWorker(server, keys, str(db), settings, **options)
    worker.acquire(wait_s=1)
    worker.open()
    return worker


def _drain(server: Any, keys: Keys, db: Path, **options: Any) -> ArchiveWorker:
    worker = _worker(server, keys, db, **options)
    try:
        worker.run(until_idle=0.1, poll_s=0.05)
    finally:
        worker.close("completed")
        worker.release()
    return worker


def _rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_pushed_articles_are_archived_and_the_queue_emptied(
    server: Any, keys: Keys, tmp_path: Path
) -> None:
    db = tmp_path / "news.db"
    for article in _articles(3):
        server.rpush(keys.items, encode_item(article))
    _drain(server, keys, db, batch_size=2)
    assert sorted(r[0] for r in _rows(db, "SELECT url FROM articles")) == sorted(
        a.url for a in _articles(3)
    )
    assert (server.llen(keys.items), server.llen(keys.items_taken)) == (0, 0)
    runs = _rows(db, "SELECT command, status, articles_new FROM runs")
    assert runs == [("archive-worker", "completed", 3)]


def test_a_batch_left_taken_by_a_killed_worker_is_archived_once(
    server: Any, keys: Keys, tmp_path: Path
) -> None:
    db = tmp_path / "news.db"
    articles = _articles(2)
    for article in articles:
        server.rpush(keys.items, encode_item(article))
    _drain(server, keys, db)
    # Killed after its commit but before forgetting the batch: the batch is still "taken".
    for article in articles:
        server.rpush(keys.items_taken, encode_item(article))
    server.rpush(keys.items, encode_item(_articles(3)[2]))
    worker = _drain(server, keys, db)
    assert _rows(db, "SELECT count(*), count(DISTINCT url) FROM articles") == [(3, 3)]
    assert _rows(db, "SELECT count(*) FROM article_versions") == [(3,)]
    counters, _ = worker.counters()
    assert (counters["articles_unchanged"], counters["articles_new"]) == (2, 1)


def test_duplicates_and_non_articles_are_dropped_with_a_reason(
    server: Any, keys: Keys, tmp_path: Path
) -> None:
    db = tmp_path / "news.db"
    original = _articles(1)[0]
    copy = Article(**{**original.__dict__, "url": "https://x.example/copy-of-story"})
    section = Article(url="https://x.example/world", title="World", text=BODY, page_type="section")
    for item in (original, copy, section):
        server.rpush(keys.items, encode_item(item))
    server.rpush(keys.items, b"{not json")
    worker = _drain(server, keys, db)
    counters, _ = worker.counters()
    assert counters["dropped_by_reason"] == {"duplicate_content": 1, "not_article": 1}
    assert counters["failed_by_reason"] == {"bad_item": 1}
    assert _rows(db, "SELECT url FROM articles") == [(original.url,)]


def test_only_one_archive_worker_drains_a_cluster(server: Any, keys: Keys, tmp_path: Path) -> None:
    first = _worker(server, keys, tmp_path / "news.db", lock_ttl=0.5)
    second = ArchiveWorker(server, keys, str(tmp_path / "other.db"), crawl_settings(), lock_ttl=0.5)
    with pytest.raises(ArchiverLocked, match="another archive-worker"):
        second.acquire(wait_s=0.1)
    # Killed (it stops refreshing): its lock expires and another one may take over.
    second.acquire(wait_s=2)
    with pytest.raises(ArchiverLocked, match="lost its lock"):
        first.refresh()
    first.close("failed")
    second.release()


def test_articles_due_for_a_recheck_are_queued_with_their_validators(
    server: Any, keys: Keys, tmp_path: Path
) -> None:
    db = tmp_path / "news.db"
    article = _articles(1)[0]
    server.rpush(keys.items, encode_item(article))
    _drain(server, keys, db)
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(
            "UPDATE articles SET next_check = ?, etag = ? WHERE url = ?",
            ("2025-01-01T00:00:00Z", '"v1"', article.url),
        )
    conn.close()
    worker = _worker(server, keys, db)
    try:
        assert worker.push_rechecks() == 1
        assert worker.push_rechecks() == 0  # moved on: not queued twice
    finally:
        worker.close("completed")
        worker.release()
    (raw,) = server.zrange(keys.requests, 0, -1)
    request = serializer.loads(raw)
    assert request["url"] == article.url and request["dont_filter"] is True
    assert request["meta"]["nc_hints"] == {"recheck": 1, "etag": '"v1"'}
    assert json.loads(json.dumps(request["meta"]["nc_recheck"])) is True
