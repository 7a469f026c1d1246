"""The news spider's handling of found URLs and its requests (no crawl, no network)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.settings import Settings
from scrapy.statscollectors import StatsCollector

from newscrawl.discover import links as links_module
from newscrawl.extract import article as extract_article_module
from newscrawl.sources import Source
from newscrawl.spiders.news import NewsSpider
from newscrawl.urls import canonicalize

SITE = "https://news.example.com/"
FOUND = [
    "https://news.example.com/world/story-1?utm_source=x",
    "https://NEWS.example.com:443/world/story-1",
    "https://other.example.org/world/story-2",
    "https://news.example.com/private/page",
    "mailto:desk@news.example.com",
    "https://news.example.com:99999/bad-port",
]


def _spider() -> NewsSpider:
    return NewsSpider(start_urls=SITE)


def _uncached(url: str, source: Source) -> str | None:
    try:
        canonical = canonicalize(url)
    except ValueError:
        return None
    return canonical if source.in_domain(canonical) and source.allows(canonical) else None


def test_accepted_urls_are_the_canonical_ones_of_the_source_asked_about() -> None:
    spider = _spider()
    open_source = Source(name="news", start_urls=[SITE])
    strict = Source(name="news", start_urls=[SITE], deny=["/private/"])
    for _ in range(2):  # the second round answers from the cache
        for url in FOUND:
            assert spider._accepted_url(url, open_source) == _uncached(url, open_source)
            assert spider._accepted_url(url, strict) == _uncached(url, strict)
    assert spider._accepted_url(FOUND[3], open_source) is not None
    assert spider._accepted_url(FOUND[3], strict) is None


def test_every_request_carries_the_same_callback_object() -> None:
    spider = _spider()
    spider.session = SimpleNamespace()  # type: ignore[assignment]
    first = spider._request(SITE + "a", "news", "article", 1, frontier=False)
    second = spider._request(SITE + "b", "news", "article", 1, frontier=False)
    assert first.callback is second.callback
    assert first.callback == spider.parse


def _handle(
    body: bytes, kind: str, url: str = SITE + "world/story-1"
) -> tuple[list[Any], list[Any]]:
    """Run the spider's handling of one HTML page; return (what it discovered, its items)."""
    response = HtmlResponse(
        url, body=body, headers={"Content-Type": "text/html"}, request=Request(url)
    )
    discovered: list[Any] = []
    spider = _spider()
    spider.crawler = SimpleNamespace(stats=StatsCollector(SimpleNamespace(settings=Settings())))  # type: ignore[assignment]
    spider.session = SimpleNamespace(  # type: ignore[assignment]
        frontier=SimpleNamespace(discover=discovered.extend, state_of=lambda url: None)
    )
    source = Source(name="news", start_urls=[SITE])
    items = list(spider._handle_html(response, source, kind, 0, None))
    return discovered, items


STORY = (
    "<html><head><title>Parade returns</title></head><body><article><h1>Parade returns</h1>"
    + "<p>The parade went down the main street again this year, with bands.</p>" * 8
    + '<a class="next" href="/world/2025/09/30/bands-return-to-main-street">Next</a>'
    + "</article></body></html>"
).encode()


def test_an_html_page_is_parsed_once_for_its_links_and_its_article(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parses: list[str] = []
    parse_html = extract_article_module.parse_html

    def counting(html: str) -> Any:
        parses.append(html)
        return parse_html(html)

    monkeypatch.setattr(extract_article_module, "parse_html", counting)
    monkeypatch.setattr(links_module, "_parse", lambda html: pytest.fail("links parsed again"))
    discovered, items = _handle(STORY, "article")
    assert len(parses) == 1
    assert [d.url for d in discovered] == [SITE + "world/2025/09/30/bands-return-to-main-street"]
    assert [item.title for item in items] == ["Parade returns"]


def test_an_articles_next_link_is_another_story_not_the_next_page_of_a_listing() -> None:
    discovered, _ = _handle(STORY, "article")
    assert [(d.url, d.kind, d.depth) for d in discovered] == [
        (SITE + "world/2025/09/30/bands-return-to-main-street", "article", 1)
    ]


def test_a_listings_next_link_is_its_next_page() -> None:
    listing = b'<html><body><a class="next" href="/world/?page=2">Next</a></body></html>'
    discovered, _ = _handle(listing, "hub", url=SITE + "world/")
    assert (SITE + "world/?page=2", "hub", 0) in [(d.url, d.kind, d.depth) for d in discovered]
