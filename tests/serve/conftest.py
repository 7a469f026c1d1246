"""Fixtures for the web UI tests: an archive with a body-only match, a duplicate and versions."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newscrawl.archive import Archive

GAZETTE_URL = "https://gazette.example/2025/09/02/kim-inspects-missiles"
GAZETTE_TITLE = "Kim Jong Un inspects missile drill before Beijing parade"
COUNCIL_URL = "https://tribune.example/news/council-budget"

EXTRA_ARTICLES: list[dict[str, Any]] = [
    {
        "url": COUNCIL_URL,
        "title": "Council approves budget for the coming year",
        "authors": ["Tom Baker"],
        "published": "2025-09-05T08:00:00Z",
        "language": "en",
        "source": "tribune",
        "section": "Local",
        "description": "Spending on schools rises.",
        "text": "The council approved next year's budget on Thursday.\n\n"
        "The parade route through the old town will be closed for the autumn fair.",
    },
    {
        "url": "https://mirror.example/agency/kim-drill-copy",
        "title": "Agency copy: leader inspects drill",
        "authors": ["Agency"],
        "published": "2025-09-02T07:00:00Z",
        "language": "en",
        "source": "mirror",
        "section": "World",
        "text": "North Korean leader Kim Jong Un inspected a missile drill.\n\n"
        "He then boarded his armoured train to Beijing for the military parade.",
        "duplicate_of": GAZETTE_URL,
    },
]


@pytest.fixture
def web_archive_path(archive_path: Path) -> Path:
    """The sample archive plus a body-only match for "parade" (newest) and a duplicate."""
    with Archive.open(archive_path) as archive:
        archive.upsert_articles(EXTRA_ARTICLES, now="2025-09-06T00:00:00Z")
    return archive_path


@pytest.fixture
def versions_archive_path(web_archive_path: Path) -> Path:
    """The web archive with an ``article_versions`` table holding one silent edit."""
    conn = sqlite3.connect(web_archive_path)
    with conn:
        conn.execute(
            "CREATE TABLE article_versions (id INTEGER PRIMARY KEY, url TEXT, title TEXT, "
            "text TEXT, content_hash TEXT, modified TEXT, captured TEXT)"
        )
        conn.execute(
            "INSERT INTO article_versions (url, title, text, content_hash, modified, captured) "
            "VALUES (?, 'Old title', 'Old text', 'old-hash', NULL, '2025-09-03T00:00:00Z')",
            [GAZETTE_URL],
        )
    conn.close()
    return web_archive_path


class Client:
    """Synchronous access to a Datasette's in-process client for tests."""

    def __init__(self, ds: Any) -> None:
        self.ds = ds

    def get(self, path: str) -> Any:
        """GET `path` in-process and return the response."""
        return asyncio.run(self.ds.client.get(path))


@pytest.fixture
def web(web_archive_path: Path) -> Iterator[Client]:
    """The configured Datasette on the web archive."""
    from newscrawl.serve.app import create_datasette

    ds = create_datasette(web_archive_path)
    yield Client(ds)
    for db in ds.databases.values():
        db.close()
