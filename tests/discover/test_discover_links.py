"""Tests for newscrawl.discover.links: links, feed links and next pages in HTML."""

from __future__ import annotations

from pathlib import Path

import pytest

from newscrawl.discover.links import find_feed_links, find_links, find_next_page

FIXTURES = Path(__file__).parent.parent / "fixtures" / "discover"
PAGE_URL = "https://news.example.com/politics/index.html"


@pytest.fixture(scope="module")
def page() -> str:
    return (FIXTURES / "page.html").read_text(encoding="utf-8")


def test_find_links_absolute_deduplicated_in_order(page: str) -> None:
    assert find_links(page, PAGE_URL) == [
        "https://news.example.com/",
        "https://news.example.com/politics/2025/09/02/cabinet-approves-budget",
        "https://other.example.org/story",
        "https://news.example.com/2025/09/01/storm-hits-coast",
        "https://news.example.com/maps/region",
    ]


def test_find_links_skips_mailto_javascript_tel_and_fragment_only(page: str) -> None:
    links = find_links(page, PAGE_URL)
    assert not any(link.startswith(("mailto:", "javascript:", "tel:")) for link in links)
    assert all("#" not in link for link in links)


def test_find_links_respects_base_href() -> None:
    html = '<html><head><base href="/sub/dir/"></head><body><a href="story">s</a></body></html>'
    assert find_links(html, "https://e.com/page") == ["https://e.com/sub/dir/story"]


def test_find_links_without_base_uses_page_url() -> None:
    assert find_links('<a href="../up">u</a>', "https://e.com/a/b/c") == ["https://e.com/a/up"]


def test_find_links_ignores_non_http_base_href() -> None:
    html = '<base href="javascript:evil()"><a href="/x">x</a>'
    assert find_links(html, "https://e.com/") == ["https://e.com/x"]


def test_find_links_on_empty_or_junk_html() -> None:
    assert find_links("", "https://e.com/") == []
    assert find_links("\x00\x01 no markup", "https://e.com/") == []


def test_find_links_handles_xml_encoding_declaration() -> None:
    html = '<?xml version="1.0" encoding="utf-8"?><html><body><a href="/x">x</a></body></html>'
    assert find_links(html, "https://e.com/") == ["https://e.com/x"]


def test_find_feed_links_rss_and_atom_deduplicated(page: str) -> None:
    assert find_feed_links(page, PAGE_URL) == [
        "https://news.example.com/feed/",
        "https://news.example.com/politics/atom.xml",
    ]


def test_find_feed_links_ignores_stylesheets_and_hreflang_alternates(page: str) -> None:
    feeds = find_feed_links(page, PAGE_URL)
    assert not any(f.endswith(".css") or "example.de" in f for f in feeds)


def test_find_feed_links_accepts_rel_with_several_tokens_and_charset() -> None:
    html = '<link rel="Alternate feed" type="application/atom+xml; charset=utf-8" href="/a.xml">'
    assert find_feed_links(html, "https://e.com/") == ["https://e.com/a.xml"]


def test_find_next_page_prefers_link_rel_next(page: str) -> None:
    assert find_next_page(page, PAGE_URL) == "https://news.example.com/politics/?page=2"


def test_find_next_page_anchor_rel_next() -> None:
    html = '<a href="/news/">News</a><a rel="next nofollow" href="/news/?page=3">3</a>'
    assert find_next_page(html, "https://e.com/news/?page=2") == "https://e.com/news/?page=3"


@pytest.mark.parametrize(
    "text", ["Next", "Next »", "next page →", "Older posts", "« Older Entries", "Suivant"]
)
def test_find_next_page_by_anchor_text(text: str) -> None:
    html = f'<a href="/">Home</a><a href="/archive/2">{text}</a>'
    assert find_next_page(html, "https://e.com/archive/") == "https://e.com/archive/2"


def test_find_next_page_by_aria_label_on_icon_link() -> None:
    html = '<a href="/list?o=20" aria-label="Next page"><svg></svg></a>'
    assert find_next_page(html, "https://e.com/list") == "https://e.com/list?o=20"


def test_find_next_page_by_wordpress_class() -> None:
    html = '<a class="next page-numbers" href="/page/2/">2</a>'
    assert find_next_page(html, "https://e.com/") == "https://e.com/page/2/"


def test_find_next_page_by_query_page_number() -> None:
    html = '<a href="/news?page=2">2</a><a href="/news?page=4">4</a><a href="/news?page=3">3</a>'
    assert find_next_page(html, "https://e.com/news?page=2") == "https://e.com/news?page=3"


def test_find_next_page_first_page_links_to_page_two() -> None:
    html = '<a href="/news?page=1">1</a><a href="/news?page=2">2</a>'
    assert find_next_page(html, "https://e.com/news") == "https://e.com/news?page=2"


def test_find_next_page_by_page_path_segment() -> None:
    html = '<a href="/tag/x/page/2/">2</a><a href="/tag/x/page/3/">3</a>'
    assert find_next_page(html, "https://e.com/tag/x/page/2/") == "https://e.com/tag/x/page/3/"


def test_find_next_page_ignores_page_numbers_of_another_listing() -> None:
    html = '<a href="/other?page=2">2</a>'
    assert find_next_page(html, "https://e.com/news") is None


def test_find_next_page_ignores_link_to_itself() -> None:
    html = '<a href="/news" rel="next">Next</a>'
    assert find_next_page(html, "https://e.com/news") is None


def test_find_next_page_none_without_pagination() -> None:
    assert find_next_page('<a href="/a">A story</a>', "https://e.com/") is None
