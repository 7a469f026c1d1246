"""Other tools read the archive unchanged: sqlite-utils search and Datasette's ?_search=."""

from __future__ import annotations

import asyncio
from pathlib import Path

import sqlite_utils
from datasette.app import Datasette


def test_sqlite_utils_search_finds_an_article(archive_path: Path) -> None:
    db = sqlite_utils.Database(archive_path)
    rows = list(db["articles"].search("armoured"))
    assert [r["source"] for r in rows] == ["gazette"]


def test_datasette_search_finds_an_article(archive_path: Path) -> None:
    async def fetch() -> dict:
        ds = Datasette([str(archive_path)])
        response = await ds.client.get("/news/articles.json?_search=harbour&_shape=array")
        assert response.status_code == 200
        return response.json()

    rows = asyncio.run(fetch())
    assert [r["url"] for r in rows] == ["https://tribune.example/news/harbour-bridge-reopens"]
