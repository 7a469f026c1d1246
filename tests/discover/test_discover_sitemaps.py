"""Tests for newscrawl.discover.sitemaps: urlset, index, Google News, hostile files, robots.txt."""

from __future__ import annotations

import gzip
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from newscrawl.discover import sitemaps
from newscrawl.discover.sitemaps import (
    MAX_SITEMAP_BYTES,
    MAX_SITEMAP_ENTRIES,
    parse_sitemap,
    sitemaps_from_robots,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "discover"
SITEMAP_URL = "https://news.example.com/sitemap.xml"


def _parse(name: str) -> sitemaps.Sitemap:
    return parse_sitemap((FIXTURES / name).read_bytes(), SITEMAP_URL)


def _gzip_bomb(uncompressed: int, head: bytes = b"", filler: bytes = b" ") -> bytes:
    """Gzip `head` followed by `uncompressed` bytes of `filler`, streamed (never held in memory)."""
    deflater = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    out = [deflater.compress(head)]
    block = filler * (1024 * 1024)
    for _ in range(uncompressed // len(block)):
        out.append(deflater.compress(block))
    out.append(deflater.flush())
    return b"".join(out)


# --- urlset ---


def test_urlset_kind_and_locs_in_order() -> None:
    result = _parse("urlset.xml")
    assert result.kind == "urlset"
    assert [e.loc for e in result.entries] == [
        "https://news.example.com/2025/09/02/cabinet-approves-budget",
        "https://news.example.com/2025/09/01/storm-hits-coast?a=1&b=2",
        "https://news.example.com/2025/08/31/relative-loc",
    ]


def test_urlset_lastmod_normalised_and_raw_kept() -> None:
    entry = _parse("urlset.xml").entries[0]
    assert entry.lastmod == "2025-09-02T08:30:00Z"
    assert entry.lastmod_raw == "2025-09-02T10:30:00+02:00"


def test_urlset_date_only_lastmod_is_midnight_utc() -> None:
    assert _parse("urlset.xml").entries[1].lastmod == "2025-09-01T00:00:00Z"


def test_urlset_unparseable_lastmod_keeps_raw_only() -> None:
    entry = _parse("urlset.xml").entries[2]
    assert entry.lastmod is None and entry.lastmod_raw == "not a date"


def test_urlset_image_and_video_extensions_do_not_leak_into_entries() -> None:
    result = _parse("urlset.xml")
    assert all("img/" not in e.loc and ".mp4" not in e.loc for e in result.entries)
    assert all(e.news == {} for e in result.entries)


def test_urlset_has_no_child_sitemaps() -> None:
    assert _parse("urlset.xml").sitemaps == []


# --- sitemap index ---


def test_sitemapindex_lists_child_sitemaps() -> None:
    result = _parse("sitemapindex.xml")
    assert result.kind == "sitemapindex"
    assert result.sitemaps == [
        "https://news.example.com/sitemaps/news.xml",
        "https://news.example.com/sitemaps/2025-08.xml.gz",
    ]


def test_sitemapindex_entries_carry_lastmod() -> None:
    assert _parse("sitemapindex.xml").entries[0].lastmod == "2025-09-02T08:00:00Z"


# --- Google News ---


def test_news_sitemap_fields() -> None:
    news = _parse("news_sitemap.xml").entries[0].news
    assert news == {
        "publication_date": "2025-09-02T08:30:00Z",
        "publication_date_raw": "2025-09-02T10:30:00+02:00",
        "title": "Cabinet approves new budget",
        "language": "en",
        "keywords": ["budget", "cabinet", "politics"],
        "publication_name": "Example News",
        "genres": ["PressRelease", "Blog"],
    }


def test_news_sitemap_missing_keywords_are_an_empty_list() -> None:
    news = _parse("news_sitemap.xml").entries[1].news
    assert news["keywords"] == [] and news["genres"] == []


def test_news_sitemap_without_namespace_declarations_still_parses() -> None:
    result = _parse("no_namespace_news.xml")
    assert result.entries[0].news["title"] == "Sans espace de noms"
    assert result.entries[0].news["language"] == "fr"


def test_wrong_namespace_uri_is_tolerated() -> None:
    locs = [e.loc for e in _parse("no_namespace_news.xml").entries]
    assert "https://news.example.com/wrong-namespace-story" in locs


# --- compression and caps ---


def test_gzipped_sitemap_is_parsed() -> None:
    body = gzip.compress((FIXTURES / "news_sitemap.xml").read_bytes())
    result = parse_sitemap(body, "https://news.example.com/news.xml.gz")
    assert [e.news["title"] for e in result.entries] == [
        "Cabinet approves new budget",
        "Storm hits coast",
    ]


def test_gzip_bomb_stops_at_the_size_cap() -> None:
    head = b'<?xml version="1.0"?><urlset><url><loc>https://e.com/kept</loc></url>'
    bomb = _gzip_bomb(200 * 1024 * 1024, head)  # 200 MB of whitespace after one entry
    assert len(bomb) < 1024 * 1024
    start = time.monotonic()
    result = parse_sitemap(bomb, "https://e.com/bomb.xml.gz")
    assert time.monotonic() - start < 10
    assert result.truncated
    assert [e.loc for e in result.entries] == ["https://e.com/kept"]


def test_gzip_bomb_decompression_never_exceeds_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sitemaps, "MAX_SITEMAP_BYTES", 1024 * 1024)
    fed: list[int] = []
    real_chunks = sitemaps._chunks

    def counting_chunks(body: bytes) -> Iterator[bytes]:
        for chunk in real_chunks(body):
            fed.append(len(chunk))
            yield chunk

    monkeypatch.setattr(sitemaps, "_chunks", counting_chunks)
    result = parse_sitemap(_gzip_bomb(64 * 1024 * 1024, b"<urlset>"), "https://e.com/b.gz")
    assert result.truncated
    assert sum(fed) <= 1024 * 1024 + 1


def test_entry_cap_of_the_sitemap_protocol() -> None:
    rows = b"".join(b"<url><loc>https://e.com/%d</loc></url>" % i for i in range(50_010))
    result = parse_sitemap(b"<urlset>" + rows + b"</urlset>", SITEMAP_URL)
    assert len(result.entries) == MAX_SITEMAP_ENTRIES
    assert result.truncated


def test_uncompressed_body_beyond_cap_is_truncated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sitemaps, "MAX_SITEMAP_BYTES", 200)
    body = b"<urlset><url><loc>https://e.com/a</loc></url>" + b" " * 1000 + b"</urlset>"
    result = parse_sitemap(body, SITEMAP_URL)
    assert result.truncated and [e.loc for e in result.entries] == ["https://e.com/a"]


def test_constants_match_the_protocol() -> None:
    assert MAX_SITEMAP_BYTES == 50 * 1024 * 1024 and MAX_SITEMAP_ENTRIES == 50_000


# --- hostile and broken XML ---


def test_billion_laughs_is_not_expanded() -> None:
    start = time.monotonic()
    result = _parse("billion_laughs.xml")
    assert time.monotonic() - start < 2
    assert all(
        "lollol" not in e.loc and "lollol" not in (e.lastmod_raw or "") for e in result.entries
    )


def test_xxe_does_not_read_local_files() -> None:
    result = _parse("xxe.xml")
    assert [e.loc for e in result.entries] == ["https://news.example.com/leak?d="]
    assert "root:" not in repr(result)
    assert result.entries[0].lastmod_raw is None


def test_malformed_xml_keeps_entries_before_the_damage() -> None:
    locs = [e.loc for e in _parse("malformed_sitemap.xml").entries]
    assert locs[:2] == ["https://news.example.com/first", "https://news.example.com/second"]


def test_non_http_and_missing_locs_are_dropped() -> None:
    locs = [e.loc for e in _parse("urlset.xml").entries]
    assert not any(loc.startswith("ftp:") for loc in locs) and len(locs) == 3


@pytest.mark.parametrize(
    "body", [b"", b"   ", b"\x00\x01\x02", b"<html><body>x</body></html>", b"\x1f\x8bnot-gzip"]
)
def test_junk_is_kind_other_without_entries(body: bytes) -> None:
    result = parse_sitemap(body, SITEMAP_URL)
    assert result.kind == "other" and result.entries == []


def test_a_feed_is_not_a_sitemap() -> None:
    assert _parse("rss2.xml").kind == "other"


def test_text_sitemap_lists_urls() -> None:
    body = b"https://e.com/a\n\nhttps://e.com/b\r\nnot a url\n"
    result = parse_sitemap(body, "https://e.com/sitemap.txt")
    assert result.kind == "urlset"
    assert [e.loc for e in result.entries] == ["https://e.com/a", "https://e.com/b"]


# --- robots.txt ---


def test_sitemaps_from_robots() -> None:
    robots = (FIXTURES / "robots.txt").read_text()
    assert sitemaps_from_robots(robots, "https://news.example.com/robots.txt") == [
        "https://news.example.com/sitemap_index.xml",
        "https://news.example.com/sitemaps/news.xml",
    ]


def test_sitemaps_from_robots_without_sitemap_lines() -> None:
    assert sitemaps_from_robots("User-agent: *\nDisallow: /\n", "https://e.com/robots.txt") == []


def test_sitemaps_from_robots_keeps_url_with_hash_but_no_space() -> None:
    robots = "Sitemap: https://e.com/sitemap.xml#part\n"
    assert sitemaps_from_robots(robots, "https://e.com/") == ["https://e.com/sitemap.xml#part"]
