"""The crawl-time caches of URL functions answer exactly as the uncached functions."""

from __future__ import annotations

import pytest

from newscrawl import urls
from newscrawl.discover import urlshape
from newscrawl.urls import canonicalize, registered_domain, site_key

URLS = [
    "https://Example.com:443/a?utm_source=x&b=2&a=1#frag",
    "http://example.com/section/",
    "https://news.bbc.co.uk/world?fbclid=1",
    "http://127.0.0.1:8080/x",
]


@pytest.mark.parametrize("url", URLS)
def test_cached_canonicalize_equals_uncached(url: str) -> None:
    expected = urls._canonicalize(url, frozenset())
    assert canonicalize(url) == expected
    assert canonicalize(url) == expected  # from the cache


def test_extra_tracking_params_bypass_the_cache() -> None:
    url = "https://example.com/a?sessionid=1&b=2"
    assert canonicalize(url) == "https://example.com/a?b=2&sessionid=1"
    assert canonicalize(url, extra_tracking_params=["SessionID"]) == "https://example.com/a?b=2"
    assert canonicalize(url) == "https://example.com/a?b=2&sessionid=1"


def test_invalid_urls_still_raise_every_time() -> None:
    for _ in range(2):
        with pytest.raises(ValueError):
            canonicalize("ftp://example.com/")


def test_cached_classify_equals_uncached() -> None:
    for url in [*URLS, "https://e.com/tag/x", "https://e.com/feed/", "not a url"]:
        assert urlshape.classify_url(url) == urlshape._classify(url)
        assert urlshape.classify_url(url) == urlshape._classify(url)


def test_registered_domain_and_site_key_are_stable() -> None:
    assert registered_domain("https://news.bbc.co.uk/x") == "bbc.co.uk"
    assert registered_domain("news.bbc.co.uk") == "bbc.co.uk"
    assert site_key("https://a.example.com:8443/x") == "example.com:8443"
    assert site_key("http://127.0.0.1:8080/") == "127.0.0.1:8080"
