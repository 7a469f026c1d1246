"""Sources: which sites to crawl and how, from command-line URLs or a TOML sources file.

A sources file has one ``[[sources]]`` table per source::

    [[sources]]
    name = "gazette"
    start_urls = ["https://gazette.example/", "https://gazette.example/feed.xml"]
    allow = ["/news/"]          # regular expressions a URL must match (any of them)
    deny = ["/live/", "\\?page="]  # regular expressions that exclude a URL
    max_pages = 500             # pages fetched per run, all kinds together
    max_depth = 2               # link hops from a start page
    language = "en"             # used when a page does not say
    every = "30m"               # or cron = "*/30 * * * *" (for `newscrawl schedule`)
    [sources.settings]          # Scrapy settings for this source's crawls
    DOWNLOAD_DELAY = 1.0
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from newscrawl.urls import canonicalize, is_http_url, site_key

logger = logging.getLogger(__name__)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

KNOWN_KEYS = {
    "name",
    "start_urls",
    "allow",
    "deny",
    "allow_domains",
    "max_pages",
    "max_depth",
    "language",
    "settings",
    "every",
    "cron",
    "discover_sitemaps",
    "discover_feeds",
}


class SourcesError(ValueError):
    """A sources file or URL that cannot be used; the message says where and why."""


@dataclass
class Source:
    """One site (or feed, or sitemap) to crawl, with its options."""

    name: str
    start_urls: list[str]
    allow: list[str] = field(default_factory=list)
    deny: list[str] = field(default_factory=list)
    allow_domains: list[str] = field(default_factory=list)
    max_pages: int | None = None
    max_depth: int = 2
    language: str | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    every: str | None = None
    cron: str | None = None
    discover_sitemaps: bool = True
    discover_feeds: bool = True

    def __post_init__(self) -> None:
        self._allow = [re.compile(p) for p in self.allow]
        self._deny = [re.compile(p) for p in self.deny]
        self._sites = {site_key(u) for u in self.start_urls}
        self._domains = {d.lower().lstrip(".") for d in self.allow_domains}

    def allows(self, url: str) -> bool:
        """True when `url` matches the source's allow/deny patterns."""
        if self._allow and not any(p.search(url) for p in self._allow):
            return False
        return not any(p.search(url) for p in self._deny)

    def in_domain(self, url: str) -> bool:
        """True when `url` is on the site of a start URL (same registered domain and port),
        or on one of `allow_domains` (or their subdomains)."""
        if site_key(url) in self._sites:
            return True
        host = (urlsplit(url).hostname or "").lower()
        return any(host == d or host.endswith("." + d) for d in self._domains)

    def to_dict(self) -> dict[str, Any]:
        """The source as plain data (for passing to a crawl process)."""
        return {
            "name": self.name,
            "start_urls": self.start_urls,
            "allow": self.allow,
            "deny": self.deny,
            "allow_domains": self.allow_domains,
            "max_pages": self.max_pages,
            "max_depth": self.max_depth,
            "language": self.language,
            "settings": self.settings,
            "every": self.every,
            "cron": self.cron,
            "discover_sitemaps": self.discover_sitemaps,
            "discover_feeds": self.discover_feeds,
        }


def without_userinfo(url: str) -> str:
    """The URL without a ``user:password@`` part (never sent, stored or logged)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def check_url(url: str) -> str:
    """A start URL, canonicalised, or `SourcesError` saying why it cannot be crawled.

    Credentials in a URL are dropped with a warning that does not repeat them: a crawler must
    not store or log them (HTTPAUTH_USER / HTTPAUTH_PASS send them to their own host only).
    """
    if not isinstance(url, str) or not is_http_url(url.strip()):
        raise SourcesError(f"invalid URL {url!r}: give an absolute http:// or https:// URL")
    bare = without_userinfo(url.strip())
    if bare != url.strip():
        logger.warning(
            "Dropped the user name and password from the start URL %s: set HTTPAUTH_USER and "
            "HTTPAUTH_PASS (with HTTPAUTH_DOMAIN) to send credentials",
            bare,
        )
    try:
        return canonicalize(bare)
    except ValueError as exc:
        raise SourcesError(f"invalid URL {bare!r}: {exc}") from None


def name_for_url(url: str) -> str:
    """A source name for a bare URL: its host without ``www.``."""
    parts = urlsplit(url)
    host = (parts.hostname or "source").lower()
    host = host[4:] if host.startswith("www.") else host
    return f"{host}:{parts.port}" if parts.port else host


def sources_from_urls(urls: Iterable[str], **options: Any) -> list[Source]:
    """One source per host for URLs given on the command line."""
    by_name: dict[str, list[str]] = {}
    for url in urls:
        checked = check_url(url)
        by_name.setdefault(name_for_url(checked), []).append(checked)
    return [Source(name=name, start_urls=starts, **options) for name, starts in by_name.items()]


def _line_of(text: str, index: int) -> int:
    """The 1-based line of the `index`-th ``[[sources]]`` table in the file."""
    positions = [m.start() for m in re.finditer(r"^[ \t]*\[\[[ \t]*sources[ \t]*\]\]", text, re.M)]
    if index < len(positions):
        return text.count("\n", 0, positions[index]) + 1
    return 1


def _source_from_table(table: dict[str, Any], where: str) -> Source:
    unknown = set(table) - KNOWN_KEYS
    if unknown:
        raise SourcesError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    name = table.get("name")
    if not isinstance(name, str) or not name.strip():
        raise SourcesError(f"{where}: `name` is required and must be a string")
    starts = table.get("start_urls")
    if isinstance(starts, str):
        starts = [starts]
    if not isinstance(starts, list) or not starts:
        raise SourcesError(f"{where}: `start_urls` must be a non-empty list of URLs")
    try:
        checked = [check_url(u) for u in starts]
    except SourcesError as exc:
        raise SourcesError(f"{where}: {exc}") from None
    options: dict[str, Any] = {}
    for key in ("allow", "deny", "allow_domains"):
        value = table.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise SourcesError(f"{where}: `{key}` must be a list of strings")
        if key != "allow_domains":
            for pattern in value:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise SourcesError(f"{where}: bad `{key}` pattern {pattern!r}: {exc}") from None
        options[key] = value
    for key in ("max_pages", "max_depth"):
        if key in table:
            value = table[key]
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise SourcesError(f"{where}: `{key}` must be a whole number >= 0")
            options[key] = value
    for key in ("language", "every", "cron"):
        if key in table:
            if not isinstance(table[key], str):
                raise SourcesError(f"{where}: `{key}` must be a string")
            options[key] = table[key]
    for key in ("discover_sitemaps", "discover_feeds"):
        if key in table:
            if not isinstance(table[key], bool):
                raise SourcesError(f"{where}: `{key}` must be true or false")
            options[key] = table[key]
    if "settings" in table:
        if not isinstance(table["settings"], dict):
            raise SourcesError(f"{where}: `settings` must be a table")
        options["settings"] = dict(table["settings"])
    return Source(name=name.strip(), start_urls=checked, **options)


def parse_sources(text: str, path: str = "<sources>") -> list[Source]:
    """Sources from the text of a TOML sources file; errors name the file, line and column."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(f"{path}: invalid TOML: {exc}") from None
    tables = data.get("sources")
    unknown = set(data) - {"sources"}
    if unknown:
        raise SourcesError(
            f"{path}: unknown top-level key(s) {', '.join(sorted(unknown))}; "
            "put each source in a [[sources]] table"
        )
    if not isinstance(tables, list) or not tables:
        raise SourcesError(f"{path}: no [[sources]] tables found")
    sources = []
    seen: set[str] = set()
    for index, table in enumerate(tables):
        where = f"{path}, line {_line_of(text, index)}: source #{index + 1}"
        if isinstance(table, dict) and isinstance(table.get("name"), str):
            where += f" ({table['name']!r})"
        if not isinstance(table, dict):
            raise SourcesError(f"{where}: must be a table")
        source = _source_from_table(table, where)
        if source.name in seen:
            raise SourcesError(f"{where}: duplicate source name {source.name!r}")
        seen.add(source.name)
        sources.append(source)
    return sources


def load_sources(path: str) -> list[Source]:
    """Sources from a TOML file on disk."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        raise SourcesError(f"sources file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourcesError(f"cannot read sources file {path}: {exc}") from None
    return parse_sources(text, path)


def source_from_dict(data: dict[str, Any]) -> Source:
    """A source rebuilt from `Source.to_dict` output."""
    return Source(**data)
