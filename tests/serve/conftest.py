"""Fixtures for the web UI tests: an archive with a body-only match, a duplicate and versions."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from serve_data import EXTRA_ARTICLES, GAZETTE_EDITED, Client

from newscrawl.archive import Archive


@pytest.fixture
def web_archive_path(archive_path: Path) -> Path:
    """The sample archive plus a body-only match for "parade" (newest) and a duplicate."""
    with Archive.open(archive_path) as archive:
        archive.upsert_articles(EXTRA_ARTICLES, now="2025-09-06T00:00:00Z")
    return archive_path


@pytest.fixture
def versions_archive_path(web_archive_path: Path) -> Path:
    """The web archive where the gazette article was silently edited (no new modified date)."""
    with Archive.open(web_archive_path) as archive:
        archive.upsert_articles([GAZETTE_EDITED], now="2025-09-07T00:00:00Z")
    return web_archive_path


@pytest.fixture
def old_archive_path(web_archive_path: Path) -> Path:
    """The web archive as an older schema without ``article_versions`` would have it."""
    conn = sqlite3.connect(web_archive_path)
    with conn:
        conn.execute("DROP TABLE article_versions")
        conn.execute("PRAGMA user_version = 2")
    conn.close()
    return web_archive_path


@pytest.fixture
def web(web_archive_path: Path) -> Iterator[Client]:
    """The configured Datasette on the web archive."""
    from newscrawl.serve.app import create_datasette

    ds = create_datasette(web_archive_path)
    yield Client(ds)
    for db in ds.databases.values():
        db.close()
