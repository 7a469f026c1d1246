"""Re-extraction keeps what the crawl knew beside the page: the feed entry's date and byline,
and the source's language, for a page that gives none of them itself."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from routes_site import Routes, serve_routes

from newscrawl.cli.main import cli

pytestmark = pytest.mark.e2e

FAST = ["-s", "AUTOTHROTTLE_ENABLED=false", "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0"]
BODY = " ".join(["Ferry crews rehearsed the new winter timetable on the harbour on Monday."] * 8)
FEED = """<?xml version="1.0"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>Gazette</title><link>{host}/</link><description>News</description>
<item><title>Ferry crews rehearse the winter timetable</title><link>{host}/news/ferry</link>
<pubDate>Mon, 06 May 2024 09:30:00 GMT</pubDate><dc:creator>Bo Reporter</dc:creator></item>
</channel></rss>"""
PAGE = (
    "<html><head><title>Ferry crews rehearse the winter timetable</title>"
    '<meta property="og:type" content="article"></head><body><article>'
    f"<h1>Ferry crews rehearse the winter timetable</h1><p>{BODY}</p></article></body></html>"
)
FIELDS = "title, authors, published, language, provenance"


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict]]:
    folder = tmp_path_factory.mktemp("reextract")
    db = folder / "news.db"
    routes = Routes(
        {"/feed.xml": ("application/rss+xml", FEED), "/news/ferry": ("text/html", PAGE)}
    )
    with serve_routes(routes) as site:
        sources = folder / "sources.toml"
        sources.write_text(
            f'[[sources]]\nname = "gazette"\nstart_urls = ["{site.url("/feed.xml")}"]\n'
            'language = "fr"\n'
        )
        result = CliRunner().invoke(
            cli, ["crawl", "--sources", str(sources), "--db", str(db), "--processes", "1", *FAST]
        )
        assert result.exit_code == 0, result.output
    yield db, _row(db)


def _row(db: Path) -> dict:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return dict(conn.execute(f"SELECT {FIELDS}, version FROM articles").fetchone())
    finally:
        conn.close()


def test_crawl_takes_date_byline_and_language_from_the_context(crawled: tuple[Path, dict]) -> None:
    _, row = crawled
    assert row["published"] == "2024-05-06T09:30:00Z"
    assert json.loads(row["authors"]) == ["Bo Reporter"]
    assert row["language"] == "fr"
    assert json.loads(row["provenance"])["authors"] == "feed"


def test_reextract_keeps_what_the_page_does_not_give(crawled: tuple[Path, dict]) -> None:
    db, before = crawled
    result = CliRunner().invoke(cli, ["reextract", "--db", str(db)])
    assert result.exit_code == 0, result.output
    after = _row(db)
    assert after == before
    assert after["version"] == 1
