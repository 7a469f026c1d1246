"""The news spider's handling of found URLs and its requests (no crawl, no network)."""

from __future__ import annotations

from types import SimpleNamespace

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
