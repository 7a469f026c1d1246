"""The items that flow from extraction through the pipelines into the archive.

`Article` is the one contract between extraction, pipelines and the archive: every field here is a
column of the archive's `articles` table (lists and dicts are stored as JSON).

Conventions:
- dates (`published`, `modified`, `first_seen`, `last_seen`) are ISO-8601 strings in UTC with a
  trailing ``Z`` (``2025-09-02T08:30:00Z``); the string found on the page is kept in the ``*_raw``
  field, untouched;
- `url` is the canonical URL (see `newscrawl.urls.canonicalize`), `fetched_url` the URL that was
  actually downloaded;
- `provenance` maps a field name to where its value came from, e.g. ``{"title": "json-ld",
  "published": "meta:article:published_time"}``;
- `access` is ``"free"``, ``"paywalled"`` (a teaser or subscriber-only page) or ``None`` (unknown).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

#: Fields that hold lists of strings (stored as JSON arrays).
LIST_FIELDS = ("authors", "tags")
#: Fields that hold dicts (stored as JSON objects).
DICT_FIELDS = ("provenance", "news")
#: Fields that travel with an item through the pipelines but are not archived.
TRANSIENT_FIELDS = ("page_type", "requested_url", "version_reason")


@dataclass
class Article:
    """One news article as extracted from a page, ready to be cleaned, deduplicated and archived."""

    url: str
    fetched_url: str | None = None
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    published_raw: str | None = None
    modified: str | None = None
    modified_raw: str | None = None
    language: str | None = None
    source: str | None = None
    site_name: str | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    description: str | None = None
    image: str | None = None
    text: str | None = None
    word_count: int | None = None
    content_hash: str | None = None
    access: str | None = None
    duplicate_of: str | None = None
    provenance: dict[str, str] = field(default_factory=dict)
    #: Fields read from a Google News sitemap entry or feed entry that pointed at this page.
    news: dict[str, Any] = field(default_factory=dict)
    first_seen: str | None = None
    last_seen: str | None = None
    #: The raw capture of the page: WARC file name (in the archive's warc/ folder), offset, length.
    warc_file: str | None = None
    warc_offset: int | None = None
    warc_length: int | None = None
    #: Version of the extractor that produced the fields (`newscrawl.extract.EXTRACTOR_VERSION`).
    extractor_version: str | None = None
    #: HTTP validators of the page, for conditional re-checks.
    etag: str | None = None
    last_modified: str | None = None
    #: When the re-check policy wants the page fetched again (None: never).
    next_check: str | None = None
    #: Version number of the archived row (managed by the archive).
    version: int | None = None
    #: Transient (not archived): why this item may make a new version (crawl, recheck, reextract).
    version_reason: str | None = None
    #: Transient (not archived): what extraction says the page is ("article", "section", ...).
    page_type: str | None = None
    #: Transient (not archived): the frontier URL that was requested (before redirects).
    requested_url: str | None = None


ARTICLE_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Article))
