"""`read_feed` says what was wrong with a feed, for the crawl to count and log."""

from __future__ import annotations

import gzip

from newscrawl.discover.feeds import MAX_FEED_BYTES, read_feed

URL = "https://news.example.com/feed.xml"
ITEM = "<item><title>Ferry</title><link>https://news.example.com/ferry</link></item>"
RSS = f'<?xml version="1.0"?><rss version="2.0"><channel><title>N</title>{ITEM}</channel></rss>'


def test_a_good_feed_has_no_problem() -> None:
    feed = read_feed(RSS.encode(), URL)
    assert [e.url for e in feed.entries] == ["https://news.example.com/ferry"]
    assert feed.problem is None


def test_an_empty_feed_is_no_problem() -> None:
    empty = '<?xml version="1.0"?><rss version="2.0"><channel><title>N</title></channel></rss>'
    assert read_feed(empty.encode(), URL).problem is None


def test_junk_is_unreadable() -> None:
    feed = read_feed(b"<html><body>Service temporarily unavailable</body></html>", URL)
    assert feed.entries == [] and feed.problem == "unreadable"


def test_declared_entities_are_told_and_the_entries_still_read() -> None:
    laughs = RSS.replace(
        '<?xml version="1.0"?>',
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>',
    )
    feed = read_feed(laughs.encode(), URL)
    assert feed.problem == "xml_entities"
    assert [e.url for e in feed.entries] == ["https://news.example.com/ferry"]


def test_a_gzip_bomb_is_too_large() -> None:
    bomb = gzip.compress(b" " * (MAX_FEED_BYTES + 1))
    assert read_feed(bomb, URL).problem == "too_large"
