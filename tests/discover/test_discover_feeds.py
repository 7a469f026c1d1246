"""Tests for newscrawl.discover.feeds.parse_feed."""

from __future__ import annotations

import dataclasses
import gzip
import time
from pathlib import Path

import pytest

from newscrawl.discover.feeds import FeedEntry, parse_feed

FIXTURES = Path(__file__).parent.parent / "fixtures" / "discover"
FEED_URL = "https://news.example.com/feeds/main.xml"


def _entries(name: str, url: str = FEED_URL) -> list[FeedEntry]:
    return parse_feed((FIXTURES / name).read_bytes(), url)


def test_rss_entries_in_order_with_links() -> None:
    assert [e.url for e in _entries("rss2.xml")] == [
        "https://news.example.com/2025/09/02/cabinet-approves-budget?utm_source=rss",
        "https://news.example.com/2025/09/01/storm-hits-coast",
    ]


def test_rss_entry_without_http_link_is_skipped() -> None:
    titles = [e.title for e in _entries("rss2.xml")]
    assert "An item without any link" not in titles and "A mailto item" not in titles


def test_rss_pubdate_is_converted_to_utc_z_and_raw_kept() -> None:
    entry = _entries("rss2.xml")[0]
    assert entry.published == "2025-09-02T08:30:00Z"
    assert entry.published_raw == "Tue, 02 Sep 2025 10:30:00 +0200"


def test_rss_has_no_updated_date_copied_from_published() -> None:
    assert _entries("rss2.xml")[0].updated is None


def test_rss_title_html_is_reduced_to_text() -> None:
    assert _entries("rss2.xml")[0].title == "Cabinet approves new budget"


def test_rss_summary_is_plain_text_without_script() -> None:
    assert _entries("rss2.xml")[0].summary == "The cabinet approved the budget."


def test_rss_author_and_deduplicated_tags() -> None:
    entry = _entries("rss2.xml")[0]
    assert entry.authors == ["Jane Doe"]
    assert entry.tags == ["Politics", "Budget"]


def test_rss_feed_language_is_on_every_entry() -> None:
    assert {e.language for e in _entries("rss2.xml")} == {"en-us"}


def test_rss_permalink_guid_is_used_when_link_missing() -> None:
    assert _entries("rss2.xml")[1].url == "https://news.example.com/2025/09/01/storm-hits-coast"


def test_atom_entry_fields() -> None:
    entry = _entries("atom.xml")[0]
    assert entry.url == "https://beispiel.example.de/politik/haushalt-2025-100.html"
    assert entry.title == "Regierung beschließt Haushalt"
    assert entry.published == "2025-09-02T08:30:00Z"
    assert entry.updated == "2025-09-02T09:00:00Z"
    assert entry.authors == ["Max Muster", "Erika Beispiel"]
    assert entry.tags == ["Politik"]
    assert entry.language == "de"


def test_atom_updated_is_not_taken_as_published() -> None:
    entry = _entries("atom.xml")[1]
    assert entry.published is None and entry.updated == "2025-09-01T07:00:00Z"


def test_rdf_dc_date_counts_as_published() -> None:
    body = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://e.com/"><title>R</title><link>https://e.com/</link></channel>
  <item rdf:about="https://e.com/story-1"><title>S</title><link>https://e.com/story-1</link>
    <dc:date>2025-09-02T10:00:00+02:00</dc:date></item>
</rdf:RDF>"""
    entry = parse_feed(body, "https://e.com/rdf")[0]
    assert entry.published == "2025-09-02T08:00:00Z"


def test_relative_links_resolve_against_feed_url() -> None:
    assert [e.url for e in _entries("relative_links.xml")] == [
        "https://news.example.com/2025/09/02/relative-story",
        "https://news.example.com/feeds/stories/other-story.html",
        "https://cdn.example.org/2025/09/02/cdn-story",
    ]


def test_xml_base_takes_precedence_for_relative_links() -> None:
    body = b"""<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://base.example.net/news/">
      <entry><title>T</title><link href="story-1"/><id>1</id></entry></feed>"""
    assert parse_feed(body, FEED_URL)[0].url == "https://base.example.net/news/story-1"


def test_gzipped_feed_is_parsed() -> None:
    body = gzip.compress((FIXTURES / "rss2.xml").read_bytes())
    assert len(parse_feed(body, FEED_URL)) == 2


def test_malformed_feed_keeps_what_it_can() -> None:
    assert _entries("malformed_feed.xml")[0].url == "https://news.example.com/still-here"


def test_xxe_feed_does_not_read_local_files() -> None:
    entries = _entries("xxe_feed.xml")
    text = " ".join(f"{e.title} {e.summary}" for e in entries)
    assert "root:" not in text
    assert entries[0].url == "https://news.example.com/xxe-story"


def test_billion_laughs_feed_is_not_expanded() -> None:
    body = (FIXTURES / "billion_laughs.xml").read_bytes()
    body = body.replace(b'urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"', b"rss")
    body = body.replace(b"</urlset>", b"</rss>").replace(b"<url>", b"<item><title>&lol9;</title>")
    body = body.replace(b"</url>", b"</item>")
    start = time.monotonic()
    entries = parse_feed(body, FEED_URL)
    assert time.monotonic() - start < 2
    assert all("lollollol" not in (e.title or "") for e in entries)


@pytest.mark.parametrize(
    "body",
    [b"", b"not xml at all", b"<html><body>a page</body></html>", b"\x00\xff\xfe" * 100, b"<rss"],
)
def test_junk_gives_no_entries(body: bytes) -> None:
    assert parse_feed(body, FEED_URL) == []


def test_str_body_is_refused_not_fetched() -> None:
    # a str would make feedparser fetch it as a URL or open it as a file
    assert parse_feed("https://127.0.0.1:9/feed.xml", FEED_URL) == []  # type: ignore[arg-type]


def test_gzip_bomb_feed_gives_no_entries_quickly() -> None:
    start = time.monotonic()
    assert parse_feed(gzip.compress(b"<rss>" + b" " * (30 * 1024 * 1024)), FEED_URL) == []
    assert time.monotonic() - start < 5


def test_feed_entry_is_frozen() -> None:
    entry = FeedEntry(url="https://e.com/a")
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.url = "https://e.com/b"  # type: ignore[misc]


def test_the_crawl_spider_loads_feedparser_only_to_read_a_feed() -> None:
    import subprocess
    import sys

    code = "import sys, newscrawl.spiders.news; print('feedparser' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
