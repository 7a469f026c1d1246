"""RSS `<author>` values: the name kept from the spec's and the mail forms, bare addresses
dropped."""

from __future__ import annotations

from newscrawl.discover.feeds import read_feed

URL = "https://news.example.com/feed.xml"
ITEM = "<item><title>Ferry</title><link>https://news.example.com/ferry</link></item>"
RSS = f'<?xml version="1.0"?><rss version="2.0"><channel><title>N</title>{ITEM}</channel></rss>'


def _author_of(value: str) -> list[str]:
    item = ITEM.replace("</item>", f"<author>{value}</author></item>")
    return read_feed(RSS.replace(ITEM, item).encode(), URL).entries[0].authors


def test_rss_author_with_an_address_under_a_long_domain_keeps_the_name() -> None:
    assert _author_of("news@tt.example (Bo Reporter)") == ["Bo Reporter"]


def test_rss_author_in_mail_form_keeps_the_name() -> None:
    assert _author_of("Bo Reporter &lt;bo@news.media&gt;") == ["Bo Reporter"]


def test_rss_author_that_is_only_an_address_is_no_name() -> None:
    assert _author_of("bo@news.example") == []
