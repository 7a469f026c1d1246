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


def test_an_html_page_is_parsed_once_for_its_links_and_its_article(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    body = (
        "<html><head><title>Parade returns</title></head><body><article><h1>Parade returns</h1>"
        + "<p>The parade went down the main street again this year, with bands.</p>" * 8
        + '<a href="/world/story-2">Another story</a></article></body></html>'
    ).encode()
    url = SITE + "world/story-1"
    response = HtmlResponse(
        url, body=body, headers={"Content-Type": "text/html"}, request=Request(url)
    )
    discovered: list[Any] = []
    spider = _spider()
    spider.crawler = SimpleNamespace(stats=StatsCollector(SimpleNamespace(settings=Settings())))  # type: ignore[assignment]
    spider.session = SimpleNamespace(  # type: ignore[assignment]
        frontier=SimpleNamespace(discover=discovered.extend, state_of=lambda url: None)
    )
    parses: list[str] = []
    parse_html = extract_article_module.parse_html

    def counting(html: str) -> Any:
        parses.append(html)
        return parse_html(html)

    monkeypatch.setattr(extract_article_module, "parse_html", counting)
    monkeypatch.setattr(links_module, "_parse", lambda html: pytest.fail("links parsed again"))
    source = Source(name="news", start_urls=[SITE])
    items = list(spider._handle_html(response, source, "article", 0, None))
    assert len(parses) == 1
    assert [d.url for d in discovered] == [SITE + "world/story-2"]
    assert [item.title for item in items] == ["Parade returns"]
