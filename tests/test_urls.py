"""Tests for newscrawl.urls: canonical URLs, AMP mapping, variant keys, registered domains."""

from __future__ import annotations

import socket
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newscrawl import urls
from newscrawl.urls import (
    TRACKING_PARAMS,
    amp_to_canonical,
    canonicalize,
    is_amp,
    is_http_url,
    registered_domain,
    variant_key,
)

# --- canonicalize ---


def test_canonicalize_sorts_query_and_drops_fragment() -> None:
    assert canonicalize("https://example.com/a?b=2&a=1#top") == "https://example.com/a?a=1&b=2"


def test_canonicalize_removes_utm_parameters_of_any_kind_and_case() -> None:
    url = "https://example.com/story?id=7&utm_source=x&utm_medium=y&UTM_Campaign=z&utm_foo=1"
    assert canonicalize(url) == "https://example.com/story?id=7"


@pytest.mark.parametrize("param", sorted(TRACKING_PARAMS))
def test_canonicalize_removes_each_tracking_parameter(param: str) -> None:
    assert canonicalize(f"https://example.com/story?{param}=abc&id=7") == (
        "https://example.com/story?id=7"
    )


def test_canonicalize_keeps_search_and_share_like_parameters() -> None:
    assert canonicalize("https://example.com/?s=budget&share=1") == (
        "https://example.com/?s=budget&share=1"
    )


def test_canonicalize_drops_query_left_empty_by_tracking_removal() -> None:
    assert canonicalize("https://example.com/story?fbclid=abc&utm_source=x") == (
        "https://example.com/story"
    )


def test_canonicalize_lowercases_scheme_and_host_but_not_path() -> None:
    assert canonicalize("HTTPS://News.Example.COM/World/Story") == (
        "https://news.example.com/World/Story"
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("http://example.com:443/a", "http://example.com:443/a"),
    ],
)
def test_canonicalize_drops_only_the_default_port(url: str, expected: str) -> None:
    assert canonicalize(url) == expected


def test_canonicalize_keeps_http_and_https_distinct() -> None:
    assert canonicalize("http://example.com/a") != canonicalize("https://example.com/a")


def test_canonicalize_drops_empty_query_and_adds_root_path() -> None:
    assert canonicalize("https://example.com?") == "https://example.com/"


def test_canonicalize_resolves_dot_segments_and_normalises_escapes() -> None:
    assert canonicalize("https://example.com/a/../b/%7euser") == "https://example.com/b/~user"


def test_canonicalize_strips_surrounding_whitespace() -> None:
    assert canonicalize("  https://example.com/a \n") == "https://example.com/a"


def test_canonicalize_extra_tracking_params_are_removed_too() -> None:
    url = "https://example.com/a?src=home&id=1"
    assert canonicalize(url, extra_tracking_params=["SRC"]) == "https://example.com/a?id=1"


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/file",
        "mailto:editor@example.com",
        "javascript:alert(1)",
        "/relative/path",
        "example.com/no-scheme",
        "http://",
        "http:///path-only",
        "http://exa mple.com/",
        "http://[::1/broken-ipv6",
        "http://example.com:99999/",
        "http://example.com:port/",
        "",
    ],
)
def test_canonicalize_rejects_non_http_or_malformed_urls(url: str) -> None:
    with pytest.raises(ValueError, match=r"URL"):
        canonicalize(url)


def test_canonicalize_error_message_names_the_scheme() -> None:
    with pytest.raises(ValueError, match="not an http\\(s\\) URL.*'ftp'"):
        canonicalize("ftp://example.com/")


def test_is_http_url_accepts_http_and_https() -> None:
    assert is_http_url("http://example.com/") and is_http_url("HTTPS://example.com")


def test_is_http_url_rejects_other_schemes_and_garbage() -> None:
    assert not any(is_http_url(u) for u in ["ftp://x.com", "x.com", "http://", "//x.com/a"])


# --- hypothesis properties ---

_label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
_host = st.lists(_label, min_size=1, max_size=3).map(lambda labels: ".".join([*labels, "com"]))
_segment = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="/?#"),
    max_size=12,
)
_param = st.sampled_from(["id", "page", "q", "utm_source", "fbclid", "a b", "ä", "x%20y", "gclid"])
_value = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="&#="),
    max_size=8,
)


@st.composite
def http_urls(draw: st.DrawFn) -> str:
    """Build http(s) URLs with odd hosts, ports, paths, queries and fragments."""
    scheme = draw(st.sampled_from(["http", "https", "HTTP", "Https"]))
    host = draw(_host)
    if draw(st.booleans()):
        host = host.upper()
    port = draw(st.one_of(st.none(), st.sampled_from([80, 443, 8080])))
    path = "/".join(draw(st.lists(_segment, max_size=4)))
    pairs = draw(st.lists(st.tuples(_param, _value), max_size=4))
    query = "&".join(f"{k}={v}" for k, v in pairs)
    fragment = draw(st.one_of(st.none(), _segment))
    url = f"{scheme}://{host}" + (f":{port}" if port else "") + "/" + path
    if query:
        url += "?" + query
    if fragment is not None:
        url += "#" + fragment
    return url


@settings(max_examples=150, deadline=None)
@given(http_urls())
def test_canonicalize_is_idempotent(url: str) -> None:
    once = canonicalize(url)
    assert canonicalize(once) == once


@settings(max_examples=150, deadline=None)
@given(http_urls())
def test_canonicalize_never_raises_on_accepted_urls_and_strips_tracking(url: str) -> None:
    assert is_http_url(url)
    canon = canonicalize(url)
    names = {name.lower() for name, _ in parse_qsl(urlsplit(canon).query, keep_blank_values=True)}
    assert not names & {"utm_source", "fbclid", "gclid"}
    assert urlsplit(canon).fragment == ""


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=40), st.text(max_size=40).map(lambda t: "http://" + t)))
def test_canonicalize_raises_value_error_exactly_when_is_http_url_is_false(text: str) -> None:
    try:
        result = canonicalize(text)
    except ValueError:
        assert not is_http_url(text)
    else:
        assert is_http_url(text)
        assert result.startswith(("http://", "https://"))


# --- AMP ---


@pytest.mark.parametrize(
    ("amp", "canonical"),
    [
        ("https://example.com/2025/09/02/story/amp/", "https://example.com/2025/09/02/story/"),
        ("https://example.com/2025/09/02/story/amp", "https://example.com/2025/09/02/story"),
        ("https://example.com/amp/2025/09/02/story", "https://example.com/2025/09/02/story"),
        (
            "https://www.bbc.co.uk/news/world-12345678.amp",
            "https://www.bbc.co.uk/news/world-12345678",
        ),
        ("https://example.com/news/story.amp.html", "https://example.com/news/story.html"),
        ("https://example.com/news/story?amp=1&id=3", "https://example.com/news/story?id=3"),
        ("https://example.com/news/story?amp", "https://example.com/news/story"),
        ("https://example.com/news/story/?outputType=amp", "https://example.com/news/story/"),
        ("https://amp.example.com/news/story", "https://example.com/news/story"),
        (
            "https://www.google.com/amp/s/www.example.com/news/story",
            "https://www.example.com/news/story",
        ),
        (
            "https://www-example-com.cdn.ampproject.org/c/s/www.example.com/news/story.amp.html",
            "https://www.example.com/news/story.html",
        ),
    ],
)
def test_amp_to_canonical_maps_common_amp_shapes(amp: str, canonical: str) -> None:
    assert amp_to_canonical(amp) == canonical


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/news/story",
        "https://example.com/amplifiers/best-of-2025",
        "https://example.com/2025/09/ampere-law",
        "https://example.com/news/camp",
        "https://example.com/?ample=1",
        "not a url",
    ],
)
def test_amp_to_canonical_returns_none_for_non_amp_urls(url: str) -> None:
    assert amp_to_canonical(url) is None


def test_amp_to_canonical_also_canonicalizes() -> None:
    assert amp_to_canonical("https://Example.com/story/amp?utm_source=x#a") == (
        "https://example.com/story"
    )


def test_is_amp_matches_amp_to_canonical() -> None:
    assert is_amp("https://example.com/story/amp/") and not is_amp("https://example.com/story/")


# --- variant_key ---


def test_variant_key_is_equal_for_the_variants_of_one_story() -> None:
    variants = [
        "https://www.example.com/news/story",
        "http://example.com/news/story/",
        "https://m.example.com/news/story?utm_source=twitter#comments",
        "https://mobile.example.com/news/story",
        "https://amp.example.com/news/story/amp/",
        "https://www.example.com/news/story?amp=1",
        "https://www.example.com/news/story/print",
        "https://www.example.com/news/story?print=1",
        "https://www.example.com/news/story?view=print",
        "https://www.example.com/news/story?output=print",
        "https://www.example.com/news/story/index.html",
    ]
    assert {variant_key(u) for u in variants} == {"example.com/news/story"}


def test_variant_key_keeps_parameters_that_select_content() -> None:
    assert variant_key("https://example.com/story?id=1") != variant_key(
        "https://example.com/story?id=2"
    )


def test_variant_key_differs_between_stories_and_sites() -> None:
    assert variant_key("https://example.com/a") != variant_key("https://example.com/b")
    assert variant_key("https://example.com/a") != variant_key("https://example.org/a")


def test_variant_key_keeps_two_labels_of_a_www_host() -> None:
    assert variant_key("https://www.com/") == "www.com"


def test_variant_key_of_home_page_is_the_bare_host() -> None:
    assert variant_key("https://www.example.com/") == "example.com"


def test_variant_key_rejects_non_http_urls() -> None:
    with pytest.raises(ValueError):
        variant_key("ftp://example.com/")


# --- registered_domain ---


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://news.bbc.co.uk/news/world", "bbc.co.uk"),
        ("https://www.theguardian.com/world", "theguardian.com"),
        ("https://a.b.c.example.com.au/x", "example.com.au"),
        ("edition.cnn.com", "cnn.com"),
        ("http://127.0.0.1:8000/x", "127.0.0.1"),
        ("http://localhost/x", "localhost"),
    ],
)
def test_registered_domain(url: str, expected: str) -> None:
    assert registered_domain(url) == expected


def test_registered_domain_never_touches_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    urls._tld_extractor.cache_clear()
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    try:
        assert registered_domain("https://www.example.co.uk/") == "example.co.uk"
    finally:
        urls._tld_extractor.cache_clear()


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("news.bbc.co.uk", "bbc.co.uk"),
        ("www.example.com", "example.com"),
        ("example.com", "example.com"),
        ("a.b.example.org.au", "example.org.au"),
    ],
)
def test_heuristic_registered_domain_without_tldextract(host: str, expected: str) -> None:
    assert urls._heuristic_registered_domain(host) == expected


def test_canonical_urls_never_carry_credentials() -> None:
    assert canonicalize("https://alice:pw@News.example:443/a?utm_source=x") == (
        "https://news.example/a"
    )
