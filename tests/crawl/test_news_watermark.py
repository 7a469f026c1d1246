"""A news sitemap read again: entries the last run saw are skipped, late-listed ones are not.

The watermark of a Google News sitemap is the start of the last completed run that read it.
An entry published before it is skipped only when the frontier already holds its URL; one that
was listed after that run (or backdated) has never been fetched and must still be archived.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from newscrawl.cli.main import cli

pytestmark = pytest.mark.e2e

FAST = ["-s", "AUTOTHROTTLE_ENABLED=false", "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0"]
BODY = " ".join(["The harbour commission met on Tuesday to discuss the ferry timetable."] * 8)


class NewsSite(BaseHTTPRequestHandler):
    """A news sitemap listing `entries` (path, publication time) and their article pages."""

    entries: list[tuple[str, str]] = []
    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802
        NewsSite.requests.append(self.path)
        host = f"http://{self.headers['Host']}"
        if self.path == "/news-sitemap.xml":
            items = "".join(
                f"<url><loc>{host}{path}</loc><news:news><news:publication>"
                "<news:name>Harbor</news:name><news:language>en</news:language>"
                f"</news:publication><news:publication_date>{when}</news:publication_date>"
                f"<news:title>Story {path}</news:title></news:news></url>"
                for path, when in NewsSite.entries
            )
            body = (
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
                'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
                f"{items}</urlset>"
            )
            self._send(200, "application/xml", body)
        elif any(self.path == path for path, _ in NewsSite.entries):
            self._send(
                200,
                "text/html; charset=utf-8",
                f'<html lang="en"><head><title>Story {self.path}</title>'
                '<meta property="og:type" content="article"></head><body><article>'
                f"<h1>Story {self.path}</h1><p>{BODY} {self.path}</p></article></body></html>",
            )
        else:
            self._send(404, "text/plain", "not found")

    def _send(self, status: int, kind: str, body: str) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        """Quiet: the test reads `requests`."""


@pytest.fixture()
def news_site() -> Iterator[str]:
    NewsSite.entries, NewsSite.requests = [], []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), NewsSite)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/news-sitemap.xml"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _crawl(sitemap: str, db: Path) -> str:
    result = CliRunner().invoke(cli, ["crawl", sitemap, "--db", str(db), "--processes", "1", *FAST])
    assert result.exit_code == 0, result.output
    return result.output


def test_late_listed_entry_older_than_the_watermark_is_archived(
    news_site: str, tmp_path: Path
) -> None:
    db = tmp_path / "news.db"
    now = datetime.now(timezone.utc)
    NewsSite.entries = [("/news/first", _iso(now - timedelta(hours=2)))]
    _crawl(news_site, db)
    # Listed only now, but published an hour ago: before run 1 started.
    NewsSite.entries += [
        ("/news/late", _iso(now - timedelta(hours=1))),
        ("/news/fresh", _iso(datetime.now(timezone.utc) + timedelta(seconds=5))),
    ]
    NewsSite.requests.clear()
    _crawl(news_site, db)
    assert "/news/late" in NewsSite.requests
    assert "/news/fresh" in NewsSite.requests
    assert "/news/first" not in NewsSite.requests
    conn = sqlite3.connect(db)
    try:
        urls = {row[0] for row in conn.execute("SELECT url FROM articles")}
    finally:
        conn.close()
    assert {url.rsplit("/", 1)[1] for url in urls} == {"first", "late", "fresh"}
