"""The article page object: runs extraction on a fetched page and decides the article's URL.

The URL an article is archived under is its canonical URL: the page's ``rel=canonical`` when it
points to the same site, the canonical page of an AMP URL, else the URL that was fetched (after
redirects), always put through `newscrawl.urls.canonicalize`. A canonical link to another site is
never adopted as the URL (a page must not overwrite another site's article); it is recorded as
`duplicate_of` instead, which is what a syndicated copy is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml.html import HtmlElement

from newscrawl.extract import EXTRACTOR_VERSION, extract_article
from newscrawl.items import Article
from newscrawl.urls import amp_to_canonical, canonicalize, site_key


@dataclass
class FetchedPage:
    """What the downloader got for one URL: enough to extract an article from, offline."""

    url: str
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)
    requested_url: str | None = None
    source: str | None = None
    default_language: str | None = None
    #: Fields that discovery learned about this URL (news sitemap, feed entry).
    hints: Mapping[str, Any] = field(default_factory=dict)
    #: Where the raw response was captured: (WARC file, offset, length).
    capture: tuple[str, int, int] | None = None
    #: Why this fetch may make a new version: "crawl", "recheck" or "reextract".
    reason: str = "crawl"


def _same_site(a: str, b: str) -> bool:
    key = site_key(a)
    return bool(key) and key == site_key(b)


def article_url(fetched_url: str, canonical: str | None) -> tuple[str, str | None]:
    """(URL to archive under, URL of the original when the page names another site's page)."""
    own = canonicalize(fetched_url)
    own = canonicalize(amp_to_canonical(own) or own)
    if canonical:
        try:
            target = canonicalize(canonical)
        except ValueError:
            return own, None
        if _same_site(target, own):
            return target, None
        return own, target
    return own, None


def article_from_page(page: FetchedPage, tree: HtmlElement | None = None) -> Article:
    """Extract the article from a fetched page; `page_type` says whether it is one.

    `tree` is the page's `parse_page` tree when the caller has parsed it already.
    """
    fields = extract_article(page.body, page.url, page.headers, tree=tree)
    url, original = article_url(page.url, fields.get("canonical_url"))
    provenance = dict(fields.get("provenance") or {})
    hints = page.hints or {}
    news = dict(hints.get("news") or {})
    title = fields.get("title") or news.get("title") or hints.get("title")
    if title and not fields.get("title"):
        provenance["title"] = "news-sitemap" if news.get("title") else "feed"
    published, published_raw = fields.get("published"), fields.get("published_raw")
    if not published:
        hinted = news.get("publication_date") or hints.get("published")
        if hinted:
            published = hinted
            published_raw = news.get("publication_date_raw") or hints.get("published_raw")
            provenance["published"] = "news-sitemap" if news.get("publication_date") else "feed"
    language = fields.get("language") or news.get("language") or page.default_language
    if language and not fields.get("language"):
        provenance["language"] = "news-sitemap" if news.get("language") else "source"
    authors = list(fields.get("authors") or []) or list(hints.get("authors") or [])
    if authors and not fields.get("authors"):
        provenance["authors"] = "feed"
    tags = list(fields.get("tags") or []) or list(news.get("keywords") or [])
    return Article(
        url=url,
        fetched_url=page.url,
        title=title,
        authors=authors,
        published=published,
        published_raw=published_raw,
        modified=fields.get("modified"),
        modified_raw=fields.get("modified_raw"),
        language=language,
        source=page.source,
        site_name=fields.get("site_name"),
        section=fields.get("section"),
        tags=tags,
        description=fields.get("description"),
        image=fields.get("image"),
        text=fields.get("text"),
        word_count=fields.get("word_count"),
        access=fields.get("access"),
        duplicate_of=original,
        provenance=provenance,
        news=news,
        page_type=fields.get("page_type") or "article",
        requested_url=page.requested_url or page.url,
        warc_file=page.capture[0] if page.capture else None,
        warc_offset=page.capture[1] if page.capture else None,
        warc_length=page.capture[2] if page.capture else None,
        extractor_version=EXTRACTOR_VERSION,
        etag=_header(page.headers, "etag"),
        last_modified=_header(page.headers, "last-modified"),
        version_reason=page.reason,
    )


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None
