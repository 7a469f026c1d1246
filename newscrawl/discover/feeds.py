"""Parse RSS, RDF and Atom feeds into `FeedEntry` records with feedparser.

feedparser is always handed bytes, so it never fetches anything itself (given a ``str`` it would
treat it as a URL or a file name). Hostile or broken input yields ``[]``, never an exception.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from lxml import html as lxml_html

from newscrawl.discover.dates import struct_to_iso, to_utc_iso
from newscrawl.discover.decompress import gunzip_capped, is_gzip

#: Bodies (after decompression) larger than this are not parsed at all.
MAX_FEED_BYTES = 20 * 1024 * 1024
#: At most this many entries are returned from one feed.
MAX_FEED_ENTRIES = 10_000
#: Summaries are cut to this many characters.
MAX_SUMMARY_CHARS = 5_000

_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class FeedEntry:
    """One item of a feed: the article URL it points at plus what the feed says about it."""

    url: str
    title: str | None = None
    #: Publication date, UTC ISO-8601 with trailing ``Z``.
    published: str | None = None
    #: The publication date exactly as written in the feed.
    published_raw: str | None = None
    authors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    #: Plain-text summary (HTML removed, whitespace collapsed).
    summary: str | None = None
    #: Language of the whole feed (``<language>`` or ``xml:lang``), as written.
    language: str | None = None
    #: Last-update date (Atom ``<updated>``), UTC ISO Z, and as written.
    updated: str | None = None
    updated_raw: str | None = None


def _clean(value: Any) -> str | None:
    """Collapse whitespace in a string value; None for empty or non-string values."""
    if not isinstance(value, str):
        return None
    text = _SPACES.sub(" ", value).strip()
    return text or None


def _html_to_text(value: Any) -> str | None:
    """Turn an HTML fragment (as feedparser gives summaries) into collapsed plain text."""
    text = _clean(value)
    if text is None:
        return None
    if "<" in text or "&" in text:
        # lxml raises several types on junk; the raw text is good enough then
        with contextlib.suppress(Exception):
            text = lxml_html.fragment_fromstring(text, create_parent="div").text_content()
        text = _SPACES.sub(" ", text).strip()
    return text[:MAX_SUMMARY_CHARS] or None


def _absolute_http(link: Any, base: str) -> str | None:
    """Resolve `link` against `base`; return it without fragment if it is http(s), else None."""
    if not isinstance(link, str) or not link.strip():
        return None
    try:
        parts = urlsplit(urljoin(base, link.strip()))
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return urlunsplit((parts.scheme.lower(), parts.netloc, parts.path or "/", parts.query, ""))


def _entry_url(entry: Any, base: str) -> str | None:
    """Find the article URL of an entry: its link, an alternate link, or a permalink guid."""
    candidates = [entry.get("link")]
    for link in entry.get("links") or []:
        if isinstance(link, dict) and link.get("rel", "alternate") == "alternate":
            candidates.append(link.get("href"))
    guid = entry.get("id")
    if entry.get("guidislink") or (isinstance(guid, str) and guid.startswith(("http:", "https:"))):
        candidates.append(guid)
    for candidate in candidates:
        url = _absolute_http(candidate, base)
        if url is not None:
            return url
    return None


def _unique(values: list[str | None]) -> list[str]:
    """Drop empty values and duplicates (case-insensitively), keeping the first spelling."""
    seen: set[str] = set()
    out: list[str] = []
    for value in values:
        if value and value.lower() not in seen:
            seen.add(value.lower())
            out.append(value)
    return out


#: RSS ``<author>`` as its spec writes it, "news@example.com (Jane Doe)", and the mail form
#: "Jane Doe <news@example.com>".
_MAIL_THEN_NAME = re.compile(r"\S+@\S+\s*\((?P<name>[^()]+)\)")
_NAME_THEN_MAIL = re.compile(r"(?P<name>[^<>]+?)\s*<\S+@\S+>")
_MAIL = re.compile(r"\S+@\S+")


def _rss_author(raw: Any) -> str | None:
    """The name in an RSS ``<author>`` value; None for a bare e-mail address (no name)."""
    text = _clean(raw)
    if not text:
        return None
    for form in (_MAIL_THEN_NAME, _NAME_THEN_MAIL):
        match = form.fullmatch(text)
        if match:
            return _clean(match["name"])
    return None if _MAIL.fullmatch(text) else text


def _authors(entry: Any) -> list[str]:
    """List an entry's author names (Atom ``<author>``, RSS ``<author>``/``dc:creator``).

    An RSS value holding an e-mail address is read here: feedparser's own split cuts
    addresses under long top-level domains ("news@tt.example" gives the name "ple").
    """
    raw = entry.get("author")
    details = [a for a in entry.get("authors") or [] if isinstance(a, dict)]
    if isinstance(raw, str) and "@" in raw and len(details) <= 1:
        return _unique([_rss_author(raw)])
    names: list[str | None] = [_clean(author.get("name")) for author in details]
    if not any(names):
        names = [_rss_author(raw)]
    return _unique(names)


def _tags(entry: Any) -> list[str]:
    """List an entry's categories/tags by their term (or label)."""
    terms: list[str | None] = []
    for tag in entry.get("tags") or []:
        if isinstance(tag, dict):
            terms.append(_clean(tag.get("term")) or _clean(tag.get("label")))
    return _unique(terms)


def _date(entry: Any, key: str) -> tuple[str | None, str | None]:
    """Return (UTC ISO Z, raw) for the date `key` (``published``/``updated``) of an entry."""
    # dict.get: FeedParserDict would answer "updated" with "published" (and warn)
    raw = dict.get(entry, key)
    raw = raw.strip() if isinstance(raw, str) and raw.strip() else None
    iso = struct_to_iso(dict.get(entry, f"{key}_parsed")) or to_utc_iso(raw)
    return iso, raw


def _to_entry(entry: Any, base: str, language: str | None, is_atom: bool) -> FeedEntry | None:
    """Build a FeedEntry from a feedparser entry; None if it has no usable URL.

    In RSS/RDF feeds ``dc:date`` (which feedparser files under "updated") is the publication date
    when there is no ``pubDate``; in Atom, ``<updated>`` is only a modification date.
    """
    url = _entry_url(entry, base)
    if url is None:
        return None
    published, published_raw = _date(entry, "published")
    if published_raw is None:
        published, published_raw = _date(entry, "created")
    updated, updated_raw = _date(entry, "updated")
    if published_raw is None and not is_atom:
        published, published_raw = updated, updated_raw
    return FeedEntry(
        url=url,
        title=_html_to_text(entry.get("title")),
        published=published,
        published_raw=published_raw,
        authors=_authors(entry),
        tags=_tags(entry),
        summary=_html_to_text(entry.get("summary")),
        language=language,
        updated=updated,
        updated_raw=updated_raw,
    )


@dataclass(frozen=True)
class Feed:
    """A feed's entries, and what was wrong with it (None when nothing was): "too_large",
    "xml_entities" (declared entities, never expanded: the entries are still read) or
    "unreadable" (not a feed feedparser can read)."""

    entries: list[FeedEntry]
    problem: str | None = None


def parse_feed(body: bytes, url: str) -> list[FeedEntry]:
    """Parse an RSS/RDF/Atom body (maybe gzipped) into entries with absolute URLs; [] on junk.

    Relative links are resolved against ``xml:base`` and then `url`. Entries without an http(s)
    link are skipped.
    """
    return read_feed(body, url).entries


def read_feed(body: bytes, url: str) -> Feed:
    """`parse_feed`, telling also what was wrong with a feed, for a crawl to count and log."""
    if not isinstance(body, (bytes, bytearray)) or not body:
        return Feed([], "unreadable")
    data = bytes(body)
    if is_gzip(data):
        data, cut = gunzip_capped(data, MAX_FEED_BYTES)
        if cut:
            return Feed([], "too_large")
    if len(data) > MAX_FEED_BYTES:
        return Feed([], "too_large")
    # Billion laughs / XXE: feedparser's parsers neither expand nor load entities.
    problem = "xml_entities" if b"<!ENTITY" in data[:65536] else None
    # Imported here: a crawl process that reads no feed never loads it (~20 ms of start-up).
    import feedparser

    try:
        parsed = feedparser.parse(
            data,
            response_headers={"content-location": url, "content-type": "application/xml"},
            sanitize_html=True,
            resolve_relative_uris=True,
        )
        feed = parsed.get("feed") or {}
        language = _clean(feed.get("language"))
        is_atom = str(parsed.get("version") or "").startswith("atom")
        entries: list[FeedEntry] = []
        for raw_entry in (parsed.get("entries") or [])[:MAX_FEED_ENTRIES]:
            entry = _to_entry(raw_entry, url, language, is_atom)
            if entry is not None:
                entries.append(entry)
        if not entries and (parsed.get("bozo") or not parsed.get("version")):
            return Feed([], problem or "unreadable")
        return Feed(entries, problem)
    except Exception:  # feedparser on hostile input: never let it take the crawl down
        return Feed([], problem or "unreadable")
