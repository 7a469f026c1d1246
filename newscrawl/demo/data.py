"""The demo site's content: publishers and articles read from the TOML files under ``site/``."""

from __future__ import annotations

import hashlib
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

#: Publisher files, in the order the publishers are served.
PUBLISHER_FILES = ("harbor.toml", "valley.toml", "lac.toml", "nord.toml")

#: Route names (first path segment) used when a publisher file does not set its own.
DEFAULT_ROUTES = {
    "section": "section",
    "tag": "tag",
    "author": "author",
    "about": "about",
    "page": "page",
    "video": "video",
}

#: Publication date given to an extra article that does not set one.
DEFAULT_EXTRA_PUBLISHED = "2025-09-02T12:00:00+00:00"


def slugify(text: str, max_length: int = 80) -> str:
    """Turn a title or name into an ASCII URL slug (``"Élodie Favre"`` -> ``"elodie-favre"``)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:max_length].strip("-")
    if not slug:
        slug = "x" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]
    return slug


def to_utc_z(value: str) -> str:
    """Convert an ISO-8601 datetime with offset to UTC with a trailing ``Z``."""
    dt = parse_datetime(value)
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_datetime(value: str) -> datetime:
    """Parse an ISO-8601 datetime that must carry a timezone offset."""
    dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if dt.tzinfo is None:
        raise ValueError(f"datetime without timezone offset: {value!r}")
    return dt


@dataclass
class Block:
    """One block of an article body: a paragraph (``"p"``) or a subheading (``"h2"``)."""

    kind: str
    text: str


@dataclass
class Video:
    """A video page: a non-article resource."""

    slug: str
    title: str
    description: str
    duration: str
    published: str


@dataclass
class DemoArticle:
    """One article of the demo site, as written in the data files (or given at load time)."""

    publisher: str
    slug: str
    title: str
    authors: list[str]
    published: str
    section: str
    tags: list[str]
    description: str
    blocks: list[Block]
    caption: str = ""
    modified: str | None = None
    language: str | None = None
    encoding: str | None = None
    amp: bool = False
    old_path: str | None = None
    syndicate_to: str | None = None
    private: bool = False
    extra: bool = False

    @property
    def id(self) -> str:
        """A stable numeric id derived from the slug (used by some URL patterns)."""
        return str(
            int(hashlib.sha1(self.slug.encode("utf-8")).hexdigest()[:8], 16) % 900000 + 100000
        )

    @property
    def paragraphs(self) -> list[str]:
        """The body paragraphs, without subheadings."""
        return [b.text for b in self.blocks if b.kind == "p"]

    @property
    def headings(self) -> list[str]:
        """The subheadings of the body."""
        return [b.text for b in self.blocks if b.kind == "h2"]

    @property
    def published_dt(self) -> datetime:
        """The publication datetime (with its original offset)."""
        return parse_datetime(self.published)

    @property
    def modified_dt(self) -> datetime | None:
        """The modification datetime, if the article was updated."""
        return parse_datetime(self.modified) if self.modified else None

    @property
    def last_changed(self) -> datetime:
        """The modification datetime, or the publication datetime when never modified."""
        return self.modified_dt or self.published_dt

    def word_count(self) -> int:
        """Count the words of the body (paragraphs and subheadings)."""
        return sum(len(b.text.split()) for b in self.blocks)


@dataclass
class Publisher:
    """One publisher: its own origin, template style, feed and articles."""

    key: str
    name: str
    language: str
    locale: str
    style: str
    article_path: str
    tagline: str
    about: str
    feed: str | None = None
    sitemap: bool = False
    encoding: str | None = None
    page_size: int = 5
    routes: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_ROUTES))
    videos: list[Video] = field(default_factory=list)
    articles: list[DemoArticle] = field(default_factory=list)
    private: list[DemoArticle] = field(default_factory=list)

    def route(self, name: str) -> str:
        """The first path segment of a kind of listing page (``section``, ``tag``, ...)."""
        return self.routes.get(name, DEFAULT_ROUTES[name])


def parse_body(text: str | list[str]) -> list[Block]:
    """Split a body into blocks: blank-line separated paragraphs, ``## `` lines are subheadings."""
    if isinstance(text, list):
        chunks = [c.strip() for c in text]
    else:
        chunks = [c.strip() for c in re.split(r"\n\s*\n", text.strip())]
    blocks = []
    for chunk in chunks:
        if not chunk:
            continue
        if chunk.startswith("## "):
            blocks.append(Block("h2", chunk[3:].strip()))
        else:
            blocks.append(Block("p", " ".join(chunk.split())))
    return blocks


def looks_like_heading(line: str) -> bool:
    """Guess whether a line of a plain-text body is a subheading (short, no final punctuation)."""
    stripped = line.strip()
    return 0 < len(stripped.split()) <= 12 and not stripped.endswith(
        (".", "!", "?", ":", ";", ",", '"', "”", "»", "…")
    )


def parse_plain_text(text: str) -> list[Block]:
    """Split a plain-text body (one paragraph per line) into blocks, guessing subheadings."""
    blocks = []
    for line in text.splitlines():
        stripped = " ".join(line.split())
        if not stripped:
            continue
        if stripped.startswith("## "):
            blocks.append(Block("h2", stripped[3:]))
        elif blocks and looks_like_heading(stripped):
            blocks.append(Block("h2", stripped))
        else:
            blocks.append(Block("p", stripped))
    return blocks


def _article_from_mapping(publisher: str, raw: dict[str, Any], *, extra: bool) -> DemoArticle:
    title = str(raw["title"]).strip()
    body = raw.get("body", raw.get("text", ""))
    if extra and isinstance(body, str) and "## " not in body and "\n\n" not in body.strip():
        blocks = parse_plain_text(body)
    else:
        blocks = parse_body(body)
    if not blocks:
        raise ValueError(f"article {title!r} has no body text")
    return DemoArticle(
        publisher=publisher,
        slug=str(raw.get("slug") or slugify(title)),
        title=title,
        authors=[str(a) for a in raw.get("authors", [])],
        published=str(raw.get("published", DEFAULT_EXTRA_PUBLISHED)),
        modified=raw.get("modified"),
        section=str(raw.get("section", "News")),
        tags=[str(t) for t in raw.get("tags", [])],
        description=str(raw.get("description") or blocks[0].text[:200]),
        caption=str(raw.get("caption", "")),
        blocks=blocks,
        language=raw.get("language"),
        encoding=raw.get("encoding"),
        amp=bool(raw.get("amp", False)),
        old_path=raw.get("old_path"),
        syndicate_to=raw.get("syndicate_to"),
        private=bool(raw.get("private", False)),
        extra=extra,
    )


def load_publisher(path_or_text: str | Path) -> Publisher:
    """Read one publisher file (a path, or the TOML text itself)."""
    if isinstance(path_or_text, Path):
        data = tomllib.loads(path_or_text.read_text(encoding="utf-8"))
    else:
        data = tomllib.loads(path_or_text)
    meta = data["publisher"]
    key = str(meta["key"])
    routes = dict(DEFAULT_ROUTES)
    routes.update(meta.get("routes", {}))
    publisher = Publisher(
        key=key,
        name=meta["name"],
        language=meta["language"],
        locale=meta.get("locale", meta["language"]),
        style=meta["style"],
        article_path=meta["article_path"],
        tagline=meta.get("tagline", ""),
        about=" ".join(str(meta.get("about", "")).split()),
        feed=meta.get("feed"),
        sitemap=bool(meta.get("sitemap", False)),
        encoding=meta.get("encoding"),
        page_size=int(meta.get("page_size", 5)),
        routes=routes,
        videos=[Video(**v) for v in data.get("videos", [])],
    )
    publisher.articles = [
        _article_from_mapping(key, raw, extra=False) for raw in data.get("articles", [])
    ]
    publisher.private = [
        _article_from_mapping(key, {**raw, "private": True}, extra=False)
        for raw in data.get("private", [])
    ]
    return publisher


def load_publishers() -> list[Publisher]:
    """Read every bundled publisher file from the package data."""
    base = resources.files("newscrawl.demo").joinpath("site")
    return [
        load_publisher(base.joinpath(name).read_text(encoding="utf-8")) for name in PUBLISHER_FILES
    ]


def extra_article(raw: dict[str, Any], default_publisher: str = "harbor") -> DemoArticle:
    """Build an article from a test-supplied dict (title, text, publisher, authors, ...)."""
    publisher = str(raw.get("publisher", default_publisher))
    return _article_from_mapping(publisher, raw, extra=True)


def seed_article(path: str | Path, publisher: str = "harbor", **overrides: Any) -> dict[str, Any]:
    """Read a seed text file (first line title, rest body) into an extra-article dict."""
    text = Path(path).read_text(encoding="utf-8")
    first, _, rest = text.strip().partition("\n")
    article: dict[str, Any] = {"title": first.strip(), "text": rest, "publisher": publisher}
    article.update(overrides)
    return article
