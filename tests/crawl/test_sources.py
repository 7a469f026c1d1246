"""Sources files and command-line URLs."""

from __future__ import annotations

from pathlib import Path

import pytest

from newscrawl.sources import SourcesError, load_sources, parse_sources, sources_from_urls

GOOD = """
[[sources]]
name = "gazette"
start_urls = ["https://gazette.example/", "https://gazette.example/feed.xml"]
deny = ["/live/"]
max_pages = 50
language = "en"
every = "30m"

[sources.settings]
DOWNLOAD_DELAY = 1.5

[[sources]]
name = "tribune"
start_urls = "https://www.tribune.example/sitemap.xml"
allow = ["/news/"]
"""


def test_sources_file_is_read_with_options() -> None:
    gazette, tribune = parse_sources(GOOD)
    assert gazette.name == "gazette"
    assert gazette.start_urls == ["https://gazette.example/", "https://gazette.example/feed.xml"]
    assert (gazette.max_pages, gazette.language, gazette.every) == (50, "en", "30m")
    assert gazette.settings == {"DOWNLOAD_DELAY": 1.5}
    assert tribune.start_urls == ["https://www.tribune.example/sitemap.xml"]


def test_allow_and_deny_patterns_filter_urls() -> None:
    gazette, tribune = parse_sources(GOOD)
    assert gazette.allows("https://gazette.example/news/a")
    assert not gazette.allows("https://gazette.example/live/a")
    assert tribune.allows("https://www.tribune.example/news/a")
    assert not tribune.allows("https://www.tribune.example/sport/a")


def test_domain_covers_subdomains_but_not_other_sites() -> None:
    [source] = sources_from_urls(["https://www.tribune.example/"])
    assert source.in_domain("https://tribune.example/a")
    assert source.in_domain("https://m.tribune.example/a")
    assert not source.in_domain("https://gazette.example/a")


def test_ports_make_different_sites() -> None:
    [source] = sources_from_urls(["http://127.0.0.1:8001/"])
    assert source.in_domain("http://127.0.0.1:8001/x")
    assert not source.in_domain("http://127.0.0.1:8002/x")


def test_urls_are_grouped_into_one_source_per_host() -> None:
    sources = sources_from_urls(
        ["https://a.example/", "https://a.example/feed", "https://www.b.example/"]
    )
    assert [(s.name, len(s.start_urls)) for s in sources] == [("a.example", 2), ("b.example", 1)]


@pytest.mark.parametrize("url", ["ftp://x.example/", "not a url", "/relative/path", ""])
def test_invalid_url_is_refused_clearly(url: str) -> None:
    with pytest.raises(SourcesError, match="invalid URL"):
        sources_from_urls([url])


def test_toml_syntax_error_names_line_and_column() -> None:
    with pytest.raises(SourcesError, match=r"sources.toml: invalid TOML: .*line 4, column 5"):
        parse_sources('[[sources]]\nname = "a"\nstart_urls = [\n"x" "y"]\n', "sources.toml")


def test_missing_name_names_the_source_and_line() -> None:
    text = (
        '[[sources]]\nname = "a"\nstart_urls = ["https://a.example/"]\n\n'
        '[[sources]]\nstart_urls = ["https://b.example/"]\n'
    )
    with pytest.raises(SourcesError, match=r"s.toml, line 5: source #2: `name` is required"):
        parse_sources(text, "s.toml")


def test_unknown_key_is_refused() -> None:
    with pytest.raises(SourcesError, match="unknown key.*max_page"):
        parse_sources(
            '[[sources]]\nname = "a"\nstart_urls = ["https://a.example/"]\nmax_page = 3\n'
        )


def test_bad_pattern_is_refused() -> None:
    with pytest.raises(SourcesError, match="bad `deny` pattern"):
        parse_sources(
            '[[sources]]\nname = "a"\nstart_urls = ["https://a.example/"]\ndeny = ["("]\n'
        )


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SourcesError, match="does not exist"):
        load_sources(str(tmp_path / "nope.toml"))


def test_credentials_in_a_start_url_are_dropped_without_being_repeated(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from newscrawl.sources import check_url

    with caplog.at_level("WARNING"):
        url = check_url("https://alice:s3cret@news.example/world/")
    assert url == "https://news.example/world/"
    assert "HTTPAUTH_USER" in caplog.text and "s3cret" not in caplog.text
