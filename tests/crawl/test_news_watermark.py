"""A news sitemap read again: entries the last run saw are skipped, late-listed ones are not.

The watermark of a Google News sitemap is the start of the last completed run that read it.
An entry published before it is skipped only when the frontier already holds its URL; one that
was listed after that run (or backdated) has never been fetched and must still be archived.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from routes_site import Routes, serve_routes

from newscrawl.cli.main import cli

pytestmark = pytest.mark.e2e

FAST = ["-s", "AUTOTHROTTLE_ENABLED=false", "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0"]
BODY = " ".join(["The harbour commission met on Tuesday to discuss the ferry timetable."] * 8)


def _sitemap(entries: list[tuple[str, str]]) -> tuple[str, str]:
    items = "".join(
        f"<url><loc>{{host}}{path}</loc><news:news><news:publication>"
        "<news:name>Harbor</news:name><news:language>en</news:language>"
        f"</news:publication><news:publication_date>{when}</news:publication_date>"
        f"<news:title>Story {path}</news:title></news:news></url>"
        for path, when in entries
    )
    return "application/xml", (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        f"{items}</urlset>"
    )


def _story(path: str) -> tuple[str, str]:
    return "text/html; charset=utf-8", (
        f'<html lang="en"><head><title>Story {path}</title>'
        '<meta property="og:type" content="article"></head><body><article>'
        f"<h1>Story {path}</h1><p>{BODY} {path}</p></article></body></html>"
    )


def _publish(site: Routes, entries: list[tuple[str, str]]) -> None:
    site.pages["/news-sitemap.xml"] = _sitemap(entries)
    for path, _ in entries:
        site.pages[path] = _story(path)


@pytest.fixture()
def news_site() -> Iterator[Routes]:
    with serve_routes(Routes()) as site:
        yield site


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _crawl(sitemap: str, db: Path) -> str:
    result = CliRunner().invoke(cli, ["crawl", sitemap, "--db", str(db), "--processes", "1", *FAST])
    assert result.exit_code == 0, result.output
    return result.output


def test_late_listed_entry_older_than_the_watermark_is_archived(
    news_site: Routes, tmp_path: Path
) -> None:
    db = tmp_path / "news.db"
    sitemap = news_site.url("/news-sitemap.xml")
    now = datetime.now(timezone.utc)
    entries = [("/news/first", _iso(now - timedelta(hours=2)))]
    _publish(news_site, entries)
    _crawl(sitemap, db)
    # Listed only now, but published an hour ago: before run 1 started.
    entries += [
        ("/news/late", _iso(now - timedelta(hours=1))),
        ("/news/fresh", _iso(datetime.now(timezone.utc) + timedelta(seconds=5))),
    ]
    _publish(news_site, entries)
    news_site.requests.clear()
    _crawl(sitemap, db)
    assert "/news/late" in news_site.requests
    assert "/news/fresh" in news_site.requests
    assert "/news/first" not in news_site.requests
    conn = sqlite3.connect(db)
    try:
        urls = {row[0] for row in conn.execute("SELECT url FROM articles")}
    finally:
        conn.close()
    assert {url.rsplit("/", 1)[1] for url in urls} == {"first", "late", "fresh"}
