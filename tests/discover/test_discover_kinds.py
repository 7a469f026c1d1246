"""Tests for newscrawl.discover.kinds.detect_kind: sniff the body, not the URL."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from newscrawl.discover.kinds import KINDS, detect_kind

FIXTURES = Path(__file__).parent.parent / "fixtures" / "discover"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("rss2.xml", "feed"),
        ("atom.xml", "feed"),
        ("urlset.xml", "sitemap"),
        ("news_sitemap.xml", "sitemap"),
        ("sitemapindex.xml", "sitemapindex"),
        ("page.html", "html"),
        ("robots.txt", "robots"),
    ],
)
def test_detect_kind_of_fixtures(name: str, kind: str) -> None:
    body = (FIXTURES / name).read_bytes()
    assert detect_kind(body, None, "https://example.com/download") == kind


def test_detect_kind_trusts_the_body_over_a_misleading_url_and_content_type() -> None:
    body = (FIXTURES / "rss2.xml").read_bytes()
    assert detect_kind(body, "text/html", "https://example.com/sitemap.xml") == "feed"


def test_detect_kind_sniffs_gzipped_sitemap() -> None:
    body = gzip.compress((FIXTURES / "urlset.xml").read_bytes())
    assert detect_kind(body, "application/octet-stream", "https://example.com/s.xml.gz") == (
        "sitemap"
    )


def test_detect_kind_sniffs_gzipped_sitemap_index_without_gz_url() -> None:
    body = gzip.compress((FIXTURES / "sitemapindex.xml").read_bytes())
    assert detect_kind(body, None, "https://example.com/sitemap") == "sitemapindex"


def test_detect_kind_rdf_feed() -> None:
    body = (
        b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>'
    )
    assert detect_kind(body, None, "https://example.com/x") == "feed"


def test_detect_kind_skips_bom_comments_stylesheet_and_doctype() -> None:
    body = (
        b"\xef\xbb\xbf\n<?xml version='1.0'?>\n<?xml-stylesheet href='s.xsl'?>\n"
        b"<!-- <rss> in a comment -->\n<!DOCTYPE urlset [<!ENTITY a 'b'>]>\n<urlset/>"
    )
    assert detect_kind(body, None, "https://example.com/x") == "sitemap"


def test_detect_kind_html_without_doctype() -> None:
    assert detect_kind(b"  <html><body>hi</body></html>", None, "https://e.com/") == "html"


def test_detect_kind_html_fragment_starting_with_div() -> None:
    assert detect_kind(b"<div>partial</div>", None, "https://e.com/") == "html"


def test_detect_kind_xhtml_with_xml_declaration() -> None:
    body = b'<?xml version="1.0"?><!DOCTYPE html><html xmlns="http://www.w3.org/1999/xhtml"/>'
    assert detect_kind(body, None, "https://e.com/") == "html"


def test_detect_kind_utf16_feed() -> None:
    body = '<?xml version="1.0" encoding="utf-16"?><rss version="2.0"/>'.encode("utf-16")
    assert detect_kind(body, None, "https://e.com/") == "feed"


def test_detect_kind_robots_by_directives_regardless_of_url() -> None:
    assert detect_kind(b"User-agent: *\nDisallow: /", "text/plain", "https://e.com/x") == "robots"


def test_detect_kind_empty_robots_txt_by_url() -> None:
    assert detect_kind(b"", "text/plain", "https://e.com/robots.txt") == "robots"


def test_detect_kind_text_sitemap() -> None:
    body = b"https://e.com/a\nhttps://e.com/b\n"
    assert detect_kind(body, "text/plain", "https://e.com/sitemap.txt") == "sitemap"


def test_detect_kind_unknown_xml_root_is_other() -> None:
    assert detect_kind(b"<svg xmlns='http://www.w3.org/2000/svg'/>", None, "https://e.com/") == (
        "other"
    )


def test_detect_kind_binary_is_other() -> None:
    assert detect_kind(b"\x89PNG\r\n\x1a\n\x00\x00", "image/png", "https://e.com/a.png") == "other"


def test_detect_kind_falls_back_on_content_type_for_empty_body() -> None:
    assert detect_kind(b"", "text/html; charset=utf-8", "https://e.com/") == "html"


def test_detect_kind_corrupt_gzip_is_other() -> None:
    assert detect_kind(b"\x1f\x8b\x08garbage", None, "https://e.com/s.xml.gz") == "other"


def test_detect_kind_only_returns_known_kinds() -> None:
    samples = [b"", b"{}", b"<", b"<!--", b"\x1f\x8b", b"plain words"]
    assert {detect_kind(s, None, "https://e.com/") for s in samples} <= set(KINDS)
