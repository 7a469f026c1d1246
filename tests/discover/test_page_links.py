"""`page_links` (one parse for links, feeds and the next page) against the single finders."""

from __future__ import annotations

from pathlib import Path

import pytest

from newscrawl.discover import links as links_module
from newscrawl.discover.links import (
    PageLinks,
    find_feed_links,
    find_links,
    find_next_page,
    page_links,
)
from newscrawl.extract import parse_page

FIXTURES = Path(__file__).parent.parent / "fixtures" / "discover"
PAGE_URL = "https://news.example.com/politics/index.html"

PAGES = [
    ('<base href="/sub/"><link rel="next" href="p2"><a href="a">a</a><area href="/m">', PAGE_URL),
    ('<a href="/news?page=2">2</a><a href="/news?page=2">2</a><a href="/news?page=3">3</a>',
     "https://e.com/news?page=2"),
    ('<a href=" http://e.com/x#f ">x</a><a href="HTTP://E.com">y</a><a href="mailto:a@b">m</a>',
     "https://e.com/"),
    ('<a class="next page-numbers" href="/page/2/">2</a>', "https://e.com/"),
    ('<link rel="alternate" type="application/rss+xml" href="/feed/"><a href="/">h</a>',
     "https://e.com/section/"),
    ("", "https://e.com/"),
    ("\x00\x01 no markup", "https://e.com/"),
]  # fmt: skip


@pytest.fixture(scope="module")
def fixture_page() -> str:
    return (FIXTURES / "page.html").read_text(encoding="utf-8")


def _single(html: str, url: str) -> PageLinks:
    # Fresh copies of the text, so that nothing is reused between the finders.
    return PageLinks(
        find_links("".join(html), url),
        find_next_page("".join(html), url),
        find_feed_links("".join(html), url),
    )


@pytest.mark.parametrize(("html", "url"), PAGES)
def test_page_links_gives_what_the_single_finders_give(html: str, url: str) -> None:
    assert page_links(html, url) == _single(html, url)


def test_page_links_on_the_fixture_page(fixture_page: str) -> None:
    found = page_links(fixture_page, PAGE_URL)
    assert found == _single(fixture_page, PAGE_URL)
    assert found.next_page == "https://news.example.com/politics/?page=2"
    assert page_links(fixture_page, PAGE_URL, feeds=False).feeds == []


def test_finders_reuse_the_parse_only_for_the_same_page_and_url(
    fixture_page: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    parses: list[str] = []
    parse = links_module._parse

    def counting(html: str) -> object:
        parses.append(html)
        return parse(html)

    monkeypatch.setattr(links_module, "_parse", counting)
    html = "".join(fixture_page)
    find_links(html, PAGE_URL)
    find_feed_links(html, PAGE_URL)
    find_next_page(html, PAGE_URL)
    assert len(parses) == 1
    # Another page object, or the same under another base URL, is parsed again.
    assert find_links("".join(fixture_page), PAGE_URL) == find_links(html, PAGE_URL)
    find_links(html, "https://other.example/x/")
    assert len(parses) == 4


def test_a_parsed_tree_gives_what_its_html_gives(fixture_page: str) -> None:
    tree = parse_page(fixture_page)
    assert page_links(tree, PAGE_URL) == page_links(fixture_page, PAGE_URL)
    assert find_links(tree, PAGE_URL) == find_links(fixture_page, PAGE_URL)
    assert find_next_page(tree, PAGE_URL) == "https://news.example.com/politics/?page=2"


def test_a_parsed_tree_is_not_parsed_again(
    fixture_page: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree = parse_page(fixture_page)
    monkeypatch.setattr(links_module, "_parse", lambda html: pytest.fail("parsed again"))
    find_links(tree, PAGE_URL)
    find_feed_links(tree, PAGE_URL)
    assert find_next_page(tree, PAGE_URL) is not None


def test_equal_text_under_another_base_url_resolves_against_that_url() -> None:
    html = '<a href="story">s</a>'
    assert find_links(html, "https://a.example/x/") == ["https://a.example/x/story"]
    assert find_links(html, "https://b.example/y/") == ["https://b.example/y/story"]


def test_hrefs_resolved_through_the_origin_cache_resolve_as_against_the_page() -> None:
    """The cross-page cache only takes hrefs whose resolution ignores the base URL's path."""
    import random

    rng = random.Random(4)
    pieces = [
        "/",
        "//",
        "http://",
        "HTTPS://",
        "a",
        "..",
        ".",
        "?q=1",
        "#f",
        ";p",
        "\t",
        " ",
        "e.com",
    ]
    bases = [
        "https://e.com/a/b/c.html?x=1",
        "https://e.com/",
        "http://e.com:8080/deep/path/",
        "https://E.com/a;p?q#f",
    ]
    hrefs = ["/x", "/", "/?q", "/../a", "//other.org/p", "//", "///p", "http://", "http:x"]
    hrefs += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 5))) for _ in range(3000)]
    for href in hrefs:
        for base in bases:
            page = links_module._Page(links_module._parse("<p>x</p>"), base)
            assert page.resolve(href) == links_module._absolute(href, base), (href, base)


@pytest.mark.parametrize(
    "anchor",
    ["<a href='/2'>Next</a>", "<a href='/2'>Ne<b>xt</b></a>", "<a href='/2'><!-- c -->Next</a>",
     "<a href='/2'><i></i>Next »</a>", "<a href='/2' aria-label='Next'></a>"],
)  # fmt: skip
def test_anchor_text_with_or_without_child_nodes(anchor: str) -> None:
    assert find_next_page(f"<html><body>{anchor}</body></html>", "https://e.com/") == (
        "https://e.com/2"
    )


def _next_page_in_three_passes(html: str, url: str) -> str | None:
    """find_next_page as first written: anchor text, then class, then page number, one pass
    each (rel=next links are not generated here)."""
    page = links_module._Page(links_module._parse(html), url)
    current = links_module._absolute(url, url)

    def usable(href: str | None) -> str | None:
        found = links_module._absolute(href or "", page.base)
        return found if found is not None and found != current else None

    for anchor in page.anchors:
        text = links_module._anchor_text(anchor)
        if text in links_module.NEXT_TEXTS and (found := usable(anchor.get("href"))):
            return found
    for anchor in page.anchors:
        classes = (anchor.get("class") or "").lower().split()
        is_next = any(c == "next" or c.endswith(("-next", "_next", "__next")) for c in classes)
        if is_next and (found := usable(anchor.get("href"))):
            return found
    if current is None:
        return None
    number = links_module._page_number(current)[1] + 1
    for anchor in page.anchors:
        found = usable(anchor.get("href"))
        if found is not None and links_module._is_page(found, current, number):
            return found
    return None


def test_next_page_signals_keep_their_order_of_precedence() -> None:
    import random

    rng = random.Random(6)
    hrefs = [
        "/news?page=2",
        "/news?page=3",
        "/news/page/2/",
        "/other?page=2",
        "/x",
        "#",
        "",
        "/news",
    ]
    texts = ["Next", "next »", "Older posts", "2", "3", "Home", "", "<i></i>"]
    classes = ["", "next", "page-numbers", "pager__next", "Next-link", "btn_next"]
    for _ in range(3000):
        anchors = [
            f'<a href="{rng.choice(hrefs)}" class="{rng.choice(classes)}">{rng.choice(texts)}</a>'
            for _ in range(rng.randint(0, 6))
        ]
        html = "<html><body>" + "".join(anchors) + "</body></html>"
        for url in ("https://e.com/news", "https://e.com/news?page=2"):
            assert find_next_page(html, url) == _next_page_in_three_passes(html, url), html
