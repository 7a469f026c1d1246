"""Links in HTML pages: all links, feed links, the next page of a listing.

Each page is parsed once and each distinct href resolved once, however many of the finders are
asked about it: `page_links` returns all three; `find_links`, `find_feed_links` and
`find_next_page` reuse the last parsed page when given the same ``html`` object again.

The URL-shape classifier lives in `newscrawl.discover.urlshape` and is re-exported here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, TypeAlias
from urllib.parse import parse_qsl, urljoin, urlsplit, urlunsplit

from lxml import etree
from lxml import html as lxml_html

from newscrawl.discover.urlshape import classify_url

__all__ = [
    "PageLinks",
    "classify_url",
    "find_feed_links",
    "find_links",
    "find_next_page",
    "page_links",
]

#: At most this many links are returned from one page.
MAX_LINKS = 10_000
#: Link types announcing a feed in ``<link rel="alternate" type=...>``.
FEED_TYPES: frozenset[str] = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json"}
)
#: Anchor texts (lowercase, arrows stripped) that point at the next/older page of a listing.
NEXT_TEXTS: frozenset[str] = frozenset(
    {
        "next",
        "next page",
        "next posts",
        "older",
        "older posts",
        "older entries",
        "older articles",
        "older stories",
        "more stories",
        "more articles",
        "load more",
        "show more",
        "suivant",
        "page suivante",
        "weiter",
        "nächste seite",
        "siguiente",
        "successivo",
        "volgende",
    }
)
#: Query parameters that hold a listing's page number.
PAGE_PARAMS: tuple[str, ...] = ("page", "p", "pg", "paged", "pagenum", "page_num")

#: Marks an href not resolved yet (None is a resolved answer: not a crawlable URL).
_UNRESOLVED = object()
_SKIP_SCHEMES = ("mailto:", "javascript:", "tel:", "sms:", "data:", "about:", "ftp:", "file:")
_HTML_SPACE = "\t\n\f\r "
_ARROWS = re.compile(r"[\s»›→>«‹←<…|·\-]+")
_PAGE_SEGMENT = re.compile(r"/page/(\d{1,5})/?$", re.IGNORECASE)


def _parse(html: str | bytes) -> Any:
    """Parse an HTML document leniently; None if there is nothing to parse."""
    if isinstance(html, bytes):
        html = html.decode("utf-8", errors="replace")
    if not isinstance(html, str) or not html.strip():
        return None
    try:
        return lxml_html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        try:  # e.g. a str with an XML encoding declaration
            return lxml_html.document_fromstring(html.encode("utf-8"))
        except (etree.ParserError, ValueError):
            return None


def _absolute(href: str, base: str, keep_fragment: bool = False) -> str | None:
    """Resolve `href`; return an http(s) URL without fragment, or None for anything else."""
    href = href.strip(_HTML_SPACE)
    if not href or href.startswith("#") or href.lower().startswith(_SKIP_SCHEMES):
        return None
    try:
        parts = urlsplit(urljoin(base, href))
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    fragment = parts.fragment if keep_fragment else ""
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc, parts.path or "/", parts.query, fragment)
    )


#: `_absolute` results kept for hrefs that resolve alike on every page of a site (bounded).
ORIGIN_CACHE_SIZE = 8192


def _origin_relative(href: str) -> bool:
    """True when resolving `href` depends on the base URL's scheme and host only, not on its
    path or query: root-relative (``/a/b``) and absolute http(s) hrefs with a host."""
    if "\t" in href or "\r" in href or "\n" in href:
        return False  # urlsplit deletes these, which can change the href's form
    if href[:1] == "/":
        return href[1:2] != "/"  # "//host/..." is scheme-relative; "//" alone takes the base path
    head = href[:8].lower()
    if head.startswith("http://"):
        rest = href[7:]
    elif head.startswith("https://"):
        rest = href[8:]
    else:
        return False
    return rest[:1] not in ("", "/", "?", "#")


@lru_cache(maxsize=ORIGIN_CACHE_SIZE)
def _absolute_on_origin(href: str, scheme: str, netloc: str) -> str | None:
    """`_absolute` of an `_origin_relative` href against any page of ``scheme://netloc``: a
    crawl resolves the same navigation links on every page of a site."""
    return _absolute(href, f"{scheme}://{netloc}/")


def _unique(urls: list[str | None], limit: int = MAX_LINKS) -> list[str]:
    """Drop Nones and duplicates, keeping document order, up to `limit`."""
    seen: set[str] = set()
    out: list[str] = []
    for url in urls:
        if url is not None and url not in seen:
            seen.add(url)
            out.append(url)
            if len(out) >= limit:
                break
    return out


class _Page:
    """One parsed page: its link elements (one pass over the tree) and a cache of resolved hrefs,
    shared by the link, feed and next-page finders."""

    def __init__(self, doc: Any, base_url: str) -> None:
        self.base_url = base_url
        #: ``<a>``/``<area>`` with an href, ``<a>`` with an href, ``<link>`` with an href, and
        #: ``<link>``/``<a>`` with an href, each in document order.
        self.hyperlinks: list[Any] = []
        self.anchors: list[Any] = []
        self.link_tags: list[Any] = []
        self.rel_candidates: list[Any] = []
        base_href: str | None = None
        for element in doc.iter("a", "area", "link", "base"):
            href = element.get("href")
            if href is None:
                continue
            tag = element.tag
            if tag == "a":
                self.hyperlinks.append(element)
                self.anchors.append(element)
                self.rel_candidates.append(element)
            elif tag == "area":
                self.hyperlinks.append(element)
            elif tag == "link":
                self.link_tags.append(element)
                self.rel_candidates.append(element)
            elif base_href is None:
                base_href = href
        self.base = base_url
        if base_href is not None:
            resolved = _absolute(str(base_href), base_url, keep_fragment=True)
            if resolved is not None:
                self.base = resolved
        self._resolved: dict[str, str | None] = {}
        try:
            base = urlsplit(self.base)
            self._origin: tuple[str, str] | None = (base.scheme, base.netloc)
        except ValueError:
            self._origin = None

    def resolve(self, href: str) -> str | None:
        """`_absolute` of an href against the page's base, computed once per distinct href."""
        known = self._resolved.get(href, _UNRESOLVED)
        if known is not _UNRESOLVED:
            return known  # type: ignore[return-value]
        stripped = href.strip(_HTML_SPACE)
        if self._origin is not None and _origin_relative(stripped):
            url = _absolute_on_origin(stripped, *self._origin)
        else:
            url = _absolute(href, self.base)
        self._resolved[href] = url
        return url

    def links(self) -> list[str]:
        return _unique([self.resolve(str(e.get("href"))) for e in self.hyperlinks])

    def feeds(self) -> list[str]:
        found: list[str | None] = []
        for link in self.link_tags:
            mime = (link.get("type") or "").split(";", 1)[0].strip().lower()
            if "alternate" in _rel_tokens(link) and mime in FEED_TYPES:
                found.append(self.resolve(link.get("href") or ""))
        return _unique(found)

    def next_page(self) -> str | None:
        current = _absolute(self.base_url, self.base_url)

        def usable(href: str | None) -> str | None:
            url = self.resolve(href or "")
            return url if url is not None and url != current else None

        for element in self.rel_candidates:
            if "next" in _rel_tokens(element) and (url := usable(element.get("href"))):
                return url
        # One pass for the three anchor signals: a "Next"/"Older" text wins at once; else the
        # first anchor with a next class, else the first link to page N+1 of this listing.
        by_class: str | None = None
        by_number: str | None = None
        number = None if current is None else _page_number(current)[1] + 1
        checked: set[str] = set()
        for anchor in self.anchors:
            href = anchor.get("href")
            if _anchor_text(anchor) in NEXT_TEXTS and (url := usable(href)):
                return url
            if by_class is None and _is_next_class(anchor.get("class")):
                by_class = usable(href)
            if by_number is None and current is not None and number is not None:
                url = usable(href)
                if url is None or url in checked:
                    continue
                checked.add(url)
                # Page N+1 has a query parameter or a /page/N segment: skip the parsing otherwise.
                if ("?" in url or "/page/" in url.lower()) and _is_page(url, current, number):
                    by_number = url
        return by_class or by_number


@dataclass
class PageLinks:
    """What one HTML page links to (see `page_links`)."""

    #: As `find_links`.
    links: list[str] = field(default_factory=list)
    #: As `find_next_page`.
    next_page: str | None = None
    #: As `find_feed_links` (empty unless asked for).
    feeds: list[str] = field(default_factory=list)


#: What the finders take: the page's HTML, or its document tree parsed already (an lxml
#: element, such as `newscrawl.extract.parse_page` returns), which is used as it is.
Html: TypeAlias = "str | bytes | etree._Element"


#: The last page parsed, as (html, base_url, page): the crawl asks `find_links`,
#: `find_feed_links` and `find_next_page` about the same page (the same object) in a row.
_last: tuple[Html, str, _Page | None] | None = None


def _page(html: Html, base_url: str) -> _Page | None:
    """The parsed page (None if unparseable), reused when asked again about the same object."""
    global _last
    last = _last
    if last is not None and last[0] is html and last[1] == base_url:
        return last[2]
    doc = html if isinstance(html, etree._Element) else _parse(html)
    page = None if doc is None else _Page(doc, base_url)
    _last = (html, base_url, page) if not isinstance(html, bytes) else None
    return page


def page_links(html: Html, base_url: str, *, feeds: bool = True) -> PageLinks:
    """`find_links`, `find_next_page` and (with `feeds`) `find_feed_links` of one page at once,
    parsing it once and resolving each distinct href once."""
    page = _page(html, base_url)
    if page is None:
        return PageLinks()
    return PageLinks(page.links(), page.next_page(), page.feeds() if feeds else [])


def find_links(html: Html, base_url: str) -> list[str]:
    """List the absolute http(s) targets of ``<a>``/``<area>`` links, de-duplicated, in order.

    Fragments are dropped; fragment-only, mailto:, javascript: and similar links are skipped;
    ``<base href>`` is respected.
    """
    page = _page(html, base_url)
    return [] if page is None else page.links()


def _rel_tokens(element: Any) -> set[str]:
    """The space-separated, lowercased tokens of an element's ``rel`` attribute."""
    return set((element.get("rel") or "").lower().split())


def find_feed_links(html: Html, base_url: str) -> list[str]:
    """List feeds announced by ``<link rel="alternate" type="application/rss+xml|atom+xml">``."""
    page = _page(html, base_url)
    return [] if page is None else page.feeds()


def _is_next_class(classes: str | None) -> bool:
    """Tell whether a class attribute names a "next" link (``next``, ``pager-next``, ...)."""
    return bool(classes) and any(
        c == "next" or c.endswith(("-next", "_next", "__next"))
        for c in str(classes).lower().split()
    )


def _anchor_text(anchor: Any) -> str:
    """Normalised text of an anchor (its text, else aria-label/title): lowercase, no arrows."""
    # An anchor without child nodes (the usual case) has its .text as its whole text.
    text = (anchor.text if not len(anchor) else anchor.text_content()) or ""
    text = text or anchor.get("aria-label") or anchor.get("title") or ""
    return _normal_text(text)


@lru_cache(maxsize=4096)
def _normal_text(text: str) -> str:
    """An anchor text lowercased, arrows and spaces collapsed (a site repeats its menu texts on
    every page: remembered)."""
    return _ARROWS.sub(" ", text).strip().lower()


def _page_number(url: str) -> tuple[str | None, int]:
    """The page-number parameter of a listing URL and its value (1 if absent)."""
    parts = urlsplit(url)
    for name, value in parse_qsl(parts.query):
        if name.lower() in PAGE_PARAMS and value.isdigit():
            return name, int(value)
    match = _PAGE_SEGMENT.search(parts.path)
    if match:
        return "/page/", int(match.group(1))
    return None, 1


def _is_page(url: str, current: str, number: int) -> bool:
    """Tell whether `url` is page `number` of the same listing as `current`."""
    cand, cur = urlsplit(url), urlsplit(current)
    if cand.netloc.lower() != cur.netloc.lower():
        return False
    params = {k.lower(): v for k, v in parse_qsl(cand.query)}
    if any(params.get(name) == str(number) for name in PAGE_PARAMS):
        return cand.path.rstrip("/") == cur.path.rstrip("/")
    match = _PAGE_SEGMENT.search(cand.path)
    if match and int(match.group(1)) == number:
        stem = _PAGE_SEGMENT.sub("", cur.path).rstrip("/")
        return cand.path[: match.start()].rstrip("/") == stem
    return False


def find_next_page(html: Html, base_url: str) -> str | None:
    """Find the next (older) page of a listing: rel=next, a "Next"/"Older" anchor, or page N+1."""
    page = _page(html, base_url)
    return None if page is None else page.next_page()
