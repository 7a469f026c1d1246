"""Tell what a downloaded document is (feed, sitemap, HTML, robots.txt) by sniffing its body.

The body decides; the Content-Type header and the URL are only used when the body is ambiguous
(empty, or plain text), because servers mislabel feeds and sitemaps all the time.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from newscrawl.discover.decompress import gunzip_capped, is_gzip

FEED = "feed"
SITEMAP = "sitemap"
SITEMAPINDEX = "sitemapindex"
HTML = "html"
ROBOTS = "robots"
OTHER = "other"
#: Every value `detect_kind` can return. RSS, RDF and Atom are all ``"feed"``.
KINDS: tuple[str, ...] = (FEED, SITEMAP, SITEMAPINDEX, HTML, ROBOTS, OTHER)

#: How many (decompressed) bytes of the body are looked at.
SNIFF_BYTES = 64 * 1024

_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_PROLOG = re.compile(
    r"""\A(?:\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]|\[.*?\])*>)*""",
    re.DOTALL | re.IGNORECASE,
)
_ROOT = re.compile(r"<([A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?)")
_HTML_DOCTYPE = re.compile(r"<!DOCTYPE\s+html", re.IGNORECASE)
_HTML_TAGS = frozenset(
    {"html", "head", "body", "meta", "title", "div", "p", "a", "script", "link", "style", "span"}
)
_ROOT_KINDS = {
    "rss": FEED,
    "rdf": FEED,
    "feed": FEED,
    "channel": FEED,
    "urlset": SITEMAP,
    "sitemapindex": SITEMAPINDEX,
}
_ROBOTS_LINE = re.compile(
    r"^\s*(user-agent|disallow|allow|sitemap|crawl-delay|host|noindex)\s*:", re.IGNORECASE
)
_URL_LINE = re.compile(r"^https?://\S+$", re.IGNORECASE)
_CONTENT_TYPES = {
    "application/rss+xml": FEED,
    "application/atom+xml": FEED,
    "application/rdf+xml": FEED,
    "text/html": HTML,
    "application/xhtml+xml": HTML,
}


def _decode_head(body: bytes) -> str:
    """Return the first `SNIFF_BYTES` of the body as text, gunzipped and without a BOM."""
    head = body[: SNIFF_BYTES * 4] if not is_gzip(body) else gunzip_capped(body, SNIFF_BYTES)[0]
    head = head[:SNIFF_BYTES]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return head.decode("utf-16", errors="replace").lstrip("\ufeff")
        except UnicodeError:  # pragma: no cover - errors="replace" does not raise
            return ""
    for bom in _BOMS:
        if head.startswith(bom):
            head = head[len(bom) :]
    return head.decode("utf-8", errors="replace")


def _markup_kind(text: str) -> str | None:
    """Classify markup by its root element; None if `text` does not start like markup."""
    match = _PROLOG.match(text)
    prolog = match.group(0) if match else ""
    if _HTML_DOCTYPE.search(prolog):
        return HTML
    rest = text[len(prolog) :]
    root = _ROOT.match(rest)
    if root is None:
        return None
    name = root.group(1).rsplit(":", 1)[-1].lower()
    if name in _ROOT_KINDS:
        return _ROOT_KINDS[name]
    if name in _HTML_TAGS:
        return HTML
    return OTHER


def _text_kind(text: str, path: str) -> str | None:
    """Classify plain text: robots.txt directives, or a text sitemap (one URL per line)."""
    lines = [ln.strip() for ln in text.splitlines()]
    lines = [ln for ln in lines if ln and not ln.startswith("#")]
    if path.endswith("/robots.txt") and (not lines or any(_ROBOTS_LINE.match(ln) for ln in lines)):
        return ROBOTS
    if lines and _ROBOTS_LINE.match(lines[0]):
        return ROBOTS
    sample = lines[:50]
    if sample and all(_URL_LINE.match(ln) for ln in sample):
        return SITEMAP
    return None


def _hint_kind(content_type: str | None, path: str) -> str:
    """Fall back on the Content-Type header, then the URL, when the body says nothing."""
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    if mime in _CONTENT_TYPES:
        return _CONTENT_TYPES[mime]
    if path.endswith("/robots.txt"):
        return ROBOTS
    if path.endswith((".html", ".htm")):
        return HTML
    return OTHER


def detect_kind(body: bytes, content_type: str | None, url: str) -> str:
    """Return one of `KINDS` for a downloaded document, by sniffing the (maybe gzipped) body.

    ``"feed"`` covers RSS, RDF and Atom; ``"sitemap"`` is a ``<urlset>`` (or a text sitemap),
    ``"sitemapindex"`` a sitemap index.
    """
    path = urlsplit(url).path.lower() if isinstance(url, str) else ""
    if not isinstance(body, (bytes, bytearray)):
        return _hint_kind(content_type, path)
    text = _decode_head(bytes(body))
    stripped = text.lstrip()
    if stripped.startswith("<"):
        kind = _markup_kind(stripped)
        if kind is not None:
            return kind
    elif stripped:
        kind = _text_kind(stripped, path)
        if kind is not None:
            return kind
        if "<html" in stripped[:2048].lower():
            return HTML
    return _hint_kind(content_type, path)
