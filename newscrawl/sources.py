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

import bisect
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


# -- Where things are written in a sources file --------------------------------------------------
# tomllib gives values without positions: a small scanner of the (already parsed, so valid) text
# finds where each key, value and array item is written, so that an error can name its line and
# column. It never decides anything about the data; when it cannot follow the text it gives up
# and errors name the source's table line instead.

#: A 1-based (line, column), counted in characters as tomllib counts them.
Position = tuple[int, int]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
#: A number, date, time or boolean: up to what ends a value.
_BARE_VALUE = re.compile(r"[^,\]}#\r\n]+")


@dataclass
class _Node:
    """Where a TOML value or table is written, where its key is, and the same for its parts."""

    pos: Position
    key: Position | None = None
    table: dict[str, _Node] = field(default_factory=dict)
    items: list[_Node] = field(default_factory=list)


class _ScanError(Exception):
    """The scanner cannot follow the text here."""


class _EndOfText(_ScanError):
    """The text ends inside a string, array or inline table (`_Scanner.open` says which)."""


class _Scanner:
    """Positions of the keys, values and array items of a TOML document (`_Scanner.scan`)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        #: The strings, arrays and inline tables being read: (kind, offset of their opening).
        self.open: list[tuple[str, int]] = []

    def position(self, offset: int) -> Position:
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def _peek(self) -> str:
        if self.i >= len(self.text):
            raise _EndOfText("end of text")
        return self.text[self.i]

    def _skip_blank(self, newlines: bool) -> None:
        """Skip spaces and tabs, comments, and (with `newlines`) line breaks."""
        text = self.text
        while self.i < len(text):
            char = text[self.i]
            if char in " \t" or (newlines and char in "\r\n"):
                self.i += 1
            elif char == "#":
                end = text.find("\n", self.i)
                self.i = len(text) if end < 0 else end
            else:
                return

    def _skip_line(self) -> None:
        end = self.text.find("\n", self.i)
        self.i = len(self.text) if end < 0 else end + 1

    def _string(self) -> None:
        """Skip a string of any of the four kinds, from its opening quote."""
        text, quote = self.text, self._peek()
        self.open.append(("string", self.i))
        basic = quote == '"'
        multi = text.startswith(quote * 3, self.i)
        self.i += 3 if multi else 1
        while True:
            char = self._peek()
            if basic and char == "\\":
                self.i += 2
            elif char == quote and (not multi or text.startswith(quote * 3, self.i)):
                run = 1
                if multi:  # up to two quotes of the content may precede the closing three
                    while run < 5 and text.startswith(quote, self.i + run):
                        run += 1
                self.i += run
                break
            elif char == "\n" and not multi:
                raise _ScanError("line break in a string")
            else:
                self.i += 1
        self.open.pop()

    def _key(self) -> list[tuple[str, Position]]:
        """A dotted key: each part and where it is written."""
        parts = []
        while True:
            self._skip_blank(newlines=False)
            start = self.i
            char = self._peek()
            if char in "\"'":
                self._string()
                raw = self.text[start : self.i]
                name = tomllib.loads(f"k = {raw}")["k"]
            else:
                match = _BARE_KEY.match(self.text, self.i)
                if not match:
                    raise _ScanError(f"no key at offset {self.i}")
                name = match.group()
                self.i = match.end()
            parts.append((name, self.position(start)))
            self._skip_blank(newlines=False)
            if self.i < len(self.text) and self.text[self.i] == ".":
                self.i += 1
                continue
            return parts

    def _key_value(self, table: _Node) -> None:
        """Read ``key = value`` into `table`."""
        key = self._key()
        if self._peek() != "=":
            raise _ScanError(f"no '=' at offset {self.i}")
        self.i += 1
        self._skip_blank(newlines=False)
        self._assign(table, key, self._value())

    def _assign(self, table: _Node, key: list[tuple[str, Position]], value: _Node) -> None:
        for name, where in key[:-1]:
            table = table.table.setdefault(name, _Node(where, where))
        name, where = key[-1]
        value.key = where
        table.table.setdefault(name, value)

    def _value(self) -> _Node:
        start = self.i
        node = _Node(self.position(start))
        char = self._peek()
        if char in "\"'":
            self._string()
        elif char in "[{":
            self.open.append(("array" if char == "[" else "inline table", start))
            closing = "]" if char == "[" else "}"
            self.i += 1
            while True:
                self._skip_blank(newlines=True)
                if self._peek() == closing:
                    self.i += 1
                    break
                if closing == "]":
                    node.items.append(self._value())
                else:
                    self._key_value(node)
                self._skip_blank(newlines=True)
                if self._peek() == ",":
                    self.i += 1
                elif self._peek() != closing:
                    raise _ScanError(f"no ',' at offset {self.i}")
            self.open.pop()
        else:
            match = _BARE_VALUE.match(self.text, self.i)
            if not match:
                raise _ScanError(f"no value at offset {self.i}")
            self.i = match.end()
        return node

    def _header(self, root: _Node) -> _Node:
        """Read a ``[table]`` or ``[[array.of.tables]]`` header; the table it opens."""
        start = self.i
        where = self.position(start)
        array = self.text.startswith("[[", self.i)
        self.i += 2 if array else 1
        key = self._key()
        if not self.text.startswith("]]" if array else "]", self.i):
            raise _ScanError(f"no closing bracket at offset {self.i}")
        self._skip_line()
        table = root
        for name, _ in key[:-1]:
            table = table.table.setdefault(name, _Node(where, where))
            if table.items:  # within an array of tables: its latest table
                table = table.items[-1]
        name = key[-1][0]
        if not array:
            return table.table.setdefault(name, _Node(where, where))
        tables = table.table.setdefault(name, _Node(where, where))
        tables.items.append(_Node(where, where))
        return tables.items[-1]

    def scan(self) -> _Node:
        """The whole document's positions (`_ScanError` when the scanner cannot follow it)."""
        root = current = _Node((1, 1))
        text = self.text
        while True:
            self._skip_blank(newlines=True)
            if self.i >= len(text):
                return root
            before = self.i
            if text[self.i] == "[":
                current = self._header(root)
            else:
                self._key_value(current)
                self._skip_line()
            if self.i <= before:  # pragma: no cover - a scanner bug; never loop for ever
                raise _ScanError("no progress")


def _positions(text: str) -> _Node | None:
    """Where the keys and values of a (valid) sources file are written, if the scanner can tell."""
    try:
        return _Scanner(text).scan()
    except Exception:  # the positions only improve messages: never fail because of them
        logger.debug("Could not locate the keys of the sources file", exc_info=True)
        return None


def _unclosed_at(text: str) -> str:
    """Where a TOML text that ends too early goes wrong: the opening of the string, array or
    inline table it ends in, else its end."""
    scanner = _Scanner(text)
    try:
        scanner.scan()
    except _EndOfText:
        if scanner.open:
            kind, offset = scanner.open[-1]
            line, column = scanner.position(offset)
            return f"at line {line}, column {column}: this {kind} is never closed"
    except Exception:  # any other trouble: name the end of the file
        logger.debug("Could not scan the sources file", exc_info=True)
    line, column = scanner.position(len(text))
    return f"at line {line}, column {column}: the end of the file"


def _toml_error(exc: Exception, text: str) -> str:
    """The TOML parser's message, with a line and column also when it says "end of document"."""
    message = str(exc)
    if message.endswith("(at end of document)"):
        message = message.removesuffix("(at end of document)") + f"({_unclosed_at(text)})"
    return message


class _Problem(ValueError):
    """Why a source's table cannot be used, and which key (and item of its array) is at fault."""

    def __init__(self, message: str, key: str | None = None, item: int | None = None) -> None:
        super().__init__(message)
        self.key = key
        self.item = item


def _where(node: _Node | None, data: Any, key: str | None, item: int | None) -> Position | None:
    """Where `key` (or its array's `item`) of a table is written, when known."""
    if node is None or key is None or key not in node.table:
        return None
    value = node.table[key]
    found = data.get(key) if isinstance(data, dict) else None
    # An item's position only when the scanner saw the same array tomllib read.
    if item is not None and isinstance(found, list) and len(value.items) == len(found):
        return value.items[item].pos
    return value.key


def _strings(table: dict[str, Any], key: str) -> list[str]:
    """A string or list of strings, as a list (`_Problem` naming the first bad item)."""
    value = table.get(key, [])
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        raise _Problem(f"`{key}` must be a list of strings", key)
    for index, item in enumerate(value):
        if not isinstance(item, str):
            raise _Problem(f"`{key}` must be a list of strings", key, index)
    return value


def _source_from_table(table: dict[str, Any]) -> Source:
    """The source a ``[[sources]]`` table describes, or `_Problem`."""
    unknown = set(table) - KNOWN_KEYS
    if unknown:
        first = next(k for k in table if k in unknown)  # in the order of the file
        raise _Problem(f"unknown key(s) {', '.join(sorted(unknown))}", first)
    name = table.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _Problem("`name` is required and must be a string", "name")
    starts = table.get("start_urls")
    if isinstance(starts, str):
        starts = [starts]
    if not isinstance(starts, list) or not starts:
        raise _Problem("`start_urls` must be a non-empty list of URLs", "start_urls")
    checked = []
    for index, url in enumerate(starts):
        try:
            checked.append(check_url(url))
        except SourcesError as exc:
            raise _Problem(str(exc), "start_urls", index) from None
    options: dict[str, Any] = {}
    for key in ("allow", "deny", "allow_domains"):
        value = _strings(table, key)
        if key != "allow_domains":
            for index, pattern in enumerate(value):
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise _Problem(f"bad `{key}` pattern {pattern!r}: {exc}", key, index) from None
        options[key] = value
    for key in ("max_pages", "max_depth"):
        if key in table:
            value = table[key]
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise _Problem(f"`{key}` must be a whole number >= 0", key)
            options[key] = value
    for key in ("language", "every", "cron"):
        if key in table:
            if not isinstance(table[key], str):
                raise _Problem(f"`{key}` must be a string", key)
            options[key] = table[key]
    for key in ("discover_sitemaps", "discover_feeds"):
        if key in table:
            if not isinstance(table[key], bool):
                raise _Problem(f"`{key}` must be true or false", key)
            options[key] = table[key]
    if "settings" in table:
        if not isinstance(table["settings"], dict):
            raise _Problem("`settings` must be a table", "settings")
        options["settings"] = dict(table["settings"])
    return Source(name=name.strip(), start_urls=checked, **options)


def parse_sources(text: str, path: str = "<sources>") -> list[Source]:
    """Sources from the text of a TOML sources file; errors name the file, line and column.

    An error in a source names the line and column of the key at fault (or of the item of its
    array), else the line of the source's ``[[sources]]`` table.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(f"{path}: invalid TOML: {_toml_error(exc, text)}") from None
    positions = _positions(text)
    tables = data.get("sources")
    unknown = set(data) - {"sources"}
    if unknown:
        first = next(k for k in data if k in unknown)
        at = _where(positions, data, first, None)
        where = f"{path}, line {at[0]}, column {at[1]}" if at else path
        raise SourcesError(
            f"{where}: unknown top-level key(s) {', '.join(sorted(unknown))}; "
            "put each source in a [[sources]] table"
        )
    if not isinstance(tables, list) or not tables:
        raise SourcesError(f"{path}: no [[sources]] tables found")
    listed = positions.table.get("sources") if positions else None
    if listed is not None and len(listed.items) != len(tables):
        listed = None  # the scanner did not see the tables tomllib read: no positions
    sources = []
    seen: dict[str, int] = {}
    for index, table in enumerate(tables):
        node = listed.items[index] if listed is not None else None
        label = f"source #{index + 1}"
        if isinstance(table, dict) and isinstance(table.get("name"), str):
            label += f" ({table['name']!r})"
        try:
            if not isinstance(table, dict):
                raise _Problem("must be a table")
            source = _source_from_table(table)
            if source.name in seen:
                raise _Problem(
                    f"duplicate source name {source.name!r} (source #{seen[source.name] + 1} "
                    "has it too)",
                    "name",
                )
        except _Problem as problem:
            at = _where(node, table, problem.key, problem.item)
            if at:
                where = f"{path}, line {at[0]}, column {at[1]}"
            else:
                where = f"{path}, line {node.pos[0] if node else _line_of(text, index)}"
            raise SourcesError(f"{where}: {label}: {problem}") from None
        seen[source.name] = index
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
