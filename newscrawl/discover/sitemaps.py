"""Parse XML sitemaps (urlset, sitemap index, Google News extension) and robots.txt sitemap lines.

Scrapy's own sitemap parser drops the nested ``news:*`` values, so this one streams the XML with
lxml's pull parser, configured to be safe on hostile files: no entity expansion (billion laughs),
no DTD or external entity loading (XXE), no network, no huge-tree mode. Gzipped bodies are
inflated in pieces up to `MAX_SITEMAP_BYTES` (a gzip bomb stops there) and at most
`MAX_SITEMAP_ENTRIES` entries are read, as the sitemap protocol allows. Element names are matched
by local name, so missing or wrong namespace URIs are tolerated; image/video extensions are
ignored.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree

from newscrawl.discover.dates import to_utc_iso
from newscrawl.discover.decompress import is_gzip, iter_gunzip

#: Decompressed bytes read from one sitemap at most (the protocol's limit is 50 MB).
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
#: Entries (URLs or child sitemaps) read from one sitemap at most (the protocol's limit).
MAX_SITEMAP_ENTRIES = 50_000
#: Bytes handed to the XML parser per feed() call.
FEED_CHUNK = 64 * 1024
#: Longest ``<loc>`` accepted; the protocol says 2,048 characters.
MAX_LOC_CHARS = 4096

_SPACES = re.compile(r"\s+")


@dataclass
class SitemapEntry:
    """One ``<url>`` of a urlset (or ``<sitemap>`` of an index): where it is and when it changed.

    ``news`` holds the Google News extension (empty if absent), with the keys
    ``publication_date`` (UTC ISO Z), ``publication_date_raw``, ``title``, ``language``,
    ``keywords`` (list), ``publication_name`` and ``genres`` (list).
    """

    loc: str
    lastmod: str | None = None
    lastmod_raw: str | None = None
    news: dict[str, Any] = field(default_factory=dict)


@dataclass
class Sitemap:
    """A parsed sitemap: ``kind`` is ``"urlset"``, ``"sitemapindex"`` or ``"other"`` (not one).

    For a urlset, `entries` holds the URLs; for an index, `sitemaps` holds the child sitemap URLs
    and `entries` the same with their lastmod. `truncated` says a size or entry cap was hit.
    """

    kind: str
    entries: list[SitemapEntry] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    truncated: bool = False


def _local(tag: Any) -> str:
    """Local name of an element tag, ignoring ``{namespace}`` and undeclared ``prefix:``."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()


def _text_parts(element: Any) -> Iterator[str]:
    """Text nodes under an element, skipping unexpanded entity references (``&xxe;``)."""
    if element.text and not isinstance(element, etree._Entity):
        yield element.text
    for child in element:
        if isinstance(child.tag, str):
            yield from _text_parts(child)
        if child.tail:
            yield child.tail


def _text(element: Any) -> str | None:
    """Whitespace-collapsed text of an element; unexpanded entity references are left out."""
    if element is None:
        return None
    text = _SPACES.sub(" ", "".join(_text_parts(element))).strip()
    return text or None


def _child(element: Any, name: str) -> Any:
    """First child element whose local name is `name`, or None."""
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


def _split_list(value: str | None) -> list[str]:
    """Split a comma-separated list (news keywords, genres), dropping blanks."""
    if not value:
        return []
    return [item.strip() for item in value.split(",") if item.strip()]


def _news(url_element: Any) -> dict[str, Any]:
    """Read the Google News ``<news:news>`` block of a ``<url>`` element ({} if none)."""
    block = _child(url_element, "news")
    if block is None:
        return {}
    publication = _child(block, "publication")
    raw_date = _text(_child(block, "publication_date"))
    return {
        "publication_date": to_utc_iso(raw_date),
        "publication_date_raw": raw_date,
        "title": _text(_child(block, "title")),
        "language": _text(_child(publication, "language")) if publication is not None else None,
        "keywords": _split_list(_text(_child(block, "keywords"))),
        "publication_name": _text(_child(publication, "name")) if publication is not None else None,
        "genres": _split_list(_text(_child(block, "genres"))),
    }


def _absolute_loc(loc: str | None, base: str) -> str | None:
    """Resolve a ``<loc>`` against the sitemap URL; None unless it is an http(s) URL."""
    if not loc or len(loc) > MAX_LOC_CHARS:
        return None
    try:
        absolute = urljoin(base, loc.strip())
        parts = urlsplit(absolute)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return absolute


def _entry(element: Any, base: str, with_news: bool) -> SitemapEntry | None:
    """Build a SitemapEntry from a ``<url>``/``<sitemap>`` element; None without a usable loc."""
    loc = _absolute_loc(_text(_child(element, "loc")), base)
    if loc is None:
        return None
    raw = _text(_child(element, "lastmod"))
    return SitemapEntry(
        loc=loc,
        lastmod=to_utc_iso(raw),
        lastmod_raw=raw,
        news=_news(element) if with_news else {},
    )


def _chunks(body: bytes) -> Iterator[bytes]:
    """Yield the (gunzipped, capped) body in pieces of `FEED_CHUNK` bytes."""
    if is_gzip(body):
        yield from iter_gunzip(body, MAX_SITEMAP_BYTES + 1)
        return
    for start in range(0, min(len(body), MAX_SITEMAP_BYTES + 1), FEED_CHUNK):
        yield body[start : min(start + FEED_CHUNK, MAX_SITEMAP_BYTES + 1)]


def _safe_parser() -> etree.XMLPullParser:
    """An lxml pull parser that expands no entities, loads no DTD and touches no network."""
    return etree.XMLPullParser(
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        recover=True,
        remove_comments=True,
        remove_pis=True,
    )


def _parse_xml(chunks: Iterable[bytes], base: str) -> Sitemap:
    """Stream-parse sitemap XML, stopping at the size and entry caps."""
    parser = _safe_parser()
    result = Sitemap(kind="other")
    size = 0
    depth = 0

    def drain() -> bool:
        """Handle queued parser events; return False once parsing should stop."""
        nonlocal depth
        for event, element in parser.read_events():
            name = _local(element.tag)
            if event == "start":
                depth += 1
                if depth == 1:
                    result.kind = {"urlset": "urlset", "sitemapindex": "sitemapindex"}.get(
                        name, "other"
                    )
                    if result.kind == "other":
                        return False
                continue
            depth -= 1
            if depth != 1 or name not in ("url", "sitemap"):
                continue
            entry = _entry(element, base, with_news=result.kind == "urlset")
            element.clear(keep_tail=False)
            if entry is None:
                continue
            if len(result.entries) >= MAX_SITEMAP_ENTRIES:
                result.truncated = True
                return False
            result.entries.append(entry)
            if result.kind == "sitemapindex":
                result.sitemaps.append(entry.loc)
        return True

    try:
        for chunk in chunks:
            size += len(chunk)
            if size > MAX_SITEMAP_BYTES:
                chunk = chunk[: len(chunk) - (size - MAX_SITEMAP_BYTES)]
                result.truncated = True
            parser.feed(chunk)
            if not drain() or result.truncated:
                return result
        parser.close()
    except (etree.LxmlError, ValueError, UnicodeError):
        pass  # keep the entries read before the damage
    with contextlib.suppress(etree.LxmlError, ValueError, UnicodeError):
        drain()
    return result


def _parse_text(chunks: Iterable[bytes], base: str) -> Sitemap:
    """Parse a text sitemap: one absolute URL per line (UTF-8)."""
    data = b"".join(chunks)
    result = Sitemap(kind="urlset", truncated=len(data) > MAX_SITEMAP_BYTES)
    for line in data[:MAX_SITEMAP_BYTES].decode("utf-8", errors="replace").splitlines():
        loc = line.strip()
        if not loc.lower().startswith(("http://", "https://")):
            continue
        if len(result.entries) >= MAX_SITEMAP_ENTRIES:
            result.truncated = True
            break
        absolute = _absolute_loc(loc, base)
        if absolute is not None:
            result.entries.append(SitemapEntry(loc=absolute))
    return result


def parse_sitemap(body: bytes, url: str) -> Sitemap:
    """Parse a sitemap body (XML or text, maybe gzipped) fetched from `url`; never raises.

    Relative ``<loc>`` values are resolved against `url`; non-http(s) ones are dropped.
    """
    if isinstance(body, str):
        body = body.encode("utf-8")
    if not isinstance(body, (bytes, bytearray)) or not body:
        return Sitemap(kind="other")
    data = bytes(body)
    chunks = iter(_chunks(data))
    first = b""
    for piece in chunks:  # find the first non-blank bytes to tell XML from text
        first += piece
        if first.lstrip(b"\xef\xbb\xbf \t\r\n") or len(first) > FEED_CHUNK:
            break
    head = first.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        return Sitemap(kind="other")

    def replay() -> Iterator[bytes]:
        """The pieces already read followed by the rest."""
        yield first
        yield from chunks

    if head.startswith(b"<") or head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _parse_xml(replay(), url)
    if head.lower().startswith((b"http://", b"https://")):
        return _parse_text(replay(), url)
    return Sitemap(kind="other")


_SITEMAP_LINE = re.compile(r"^\s*site-?map\s*:\s*(\S+)", re.IGNORECASE)
#: A robots.txt comment: ``#`` at the start of a line or after whitespace (not a URL fragment).
_COMMENT = re.compile(r"(^|\s)#.*$")


def sitemaps_from_robots(robots_txt: str, base_url: str) -> list[str]:
    """List the ``Sitemap:`` URLs of a robots.txt, made absolute against `base_url`, de-duplicated.

    Only http(s) URLs are kept; comments are ignored.
    """
    if isinstance(robots_txt, bytes):
        robots_txt = robots_txt.decode("utf-8", errors="replace")
    if not isinstance(robots_txt, str):
        return []
    found: list[str] = []
    for line in robots_txt.splitlines():
        match = _SITEMAP_LINE.match(_COMMENT.sub("", line))
        if match is None:
            continue
        absolute = _absolute_loc(match.group(1), base_url)
        if absolute is not None and absolute not in found:
            found.append(absolute)
    return found
