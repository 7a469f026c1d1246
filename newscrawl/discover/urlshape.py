"""Guess what a URL points at from its shape alone (one signal; page content is judged elsewhere).

`classify_url` returns one of `URL_CLASSES`. Rules are checked from the most to the least
specific: assets, feeds, search, site pages ("about"), authors, tags, video, galleries, listings
(pagination, sections), then article shapes (date paths, numeric ids, long slugs).
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl, unquote, urlsplit

#: Every value `classify_url` can return.
URL_CLASSES: tuple[str, ...] = (
    "article",
    "section",
    "tag",
    "author",
    "video",
    "gallery",
    "about",
    "feed",
    "asset",
    "search",
    "other",
)

ASSET_EXTENSIONS: frozenset[str] = frozenset(
    {
        "jpg", "jpeg", "png", "gif", "webp", "avif", "svg", "ico", "bmp", "tif", "tiff",
        "css", "js", "mjs", "map", "json", "woff", "woff2", "ttf", "otf", "eot",
        "pdf", "zip", "gz", "tgz", "rar", "7z", "doc", "docx", "xls", "xlsx", "ppt", "pptx",
        "mp3", "mp4", "m4a", "m4v", "mov", "webm", "ogg", "wav", "avi", "mkv", "m3u8", "exe", "dmg",
    }
)  # fmt: skip
FEED_EXTENSIONS: frozenset[str] = frozenset({"rss", "atom", "rdf"})
FEED_SEGMENTS: frozenset[str] = frozenset({"feed", "feeds", "rss", "atom", "rss2", "rss.xml"})
SEARCH_SEGMENTS: frozenset[str] = frozenset({"search", "suche", "recherche", "buscar", "cerca"})
SEARCH_PARAMS: frozenset[str] = frozenset({"q", "s", "query", "search", "keyword", "keywords"})
ABOUT_SEGMENTS: frozenset[str] = frozenset(
    {
        "about", "about-us", "aboutus", "contact", "contact-us", "contactus", "privacy",
        "privacy-policy", "privacy-notice", "cookies", "cookie-policy", "terms", "terms-of-use",
        "terms-of-service", "terms-and-conditions", "tos", "legal", "imprint", "impressum",
        "login", "log-in", "signin", "sign-in", "logout", "register", "signup", "sign-up",
        "subscribe", "subscription", "subscriptions", "newsletter", "newsletters", "account",
        "my-account", "profile", "careers", "jobs", "advertise", "advertising", "faq", "faqs",
        "help", "accessibility", "sitemap", "site-map", "corrections", "ethics", "masthead",
    }
)  # fmt: skip
AUTHOR_SEGMENTS: frozenset[str] = frozenset(
    {
        "author", "authors", "by", "profiles", "people", "staff", "journalist", "journalists",
        "reporter", "reporters", "contributor", "contributors", "writer", "writers",
        "columnist", "columnists", "autor", "auteur",
    }
)  # fmt: skip
TAG_SEGMENTS: frozenset[str] = frozenset(
    {
        "tag", "tags", "topic", "topics", "subject", "subjects", "keyword", "keywords",
        "label", "labels", "hashtag", "theme", "themes", "thema", "themen", "schlagwort",
    }
)  # fmt: skip
VIDEO_SEGMENTS: frozenset[str] = frozenset(
    {"video", "videos", "watch", "live-video", "clip", "clips"}
)
GALLERY_SEGMENTS: frozenset[str] = frozenset(
    {
        "gallery", "galleries", "photos", "photo", "pictures", "in-pictures", "slideshow",
        "slideshows", "photo-gallery", "photogallery", "fotos", "bildergalerie", "picture-gallery",
    }
)  # fmt: skip
SECTION_SEGMENTS: frozenset[str] = frozenset({"section", "sections", "category", "categories"})
ARTICLE_SEGMENTS: frozenset[str] = frozenset(
    {"article", "articles", "story", "stories", "a", "post", "posts", "news-story", "artikel"}
)
INDEX_DOCUMENTS: frozenset[str] = frozenset(
    {"index.html", "index.htm", "index.shtml", "index.php", "default.aspx"}
)
#: Query parameters whose numeric value identifies one article (``?p=123``, ``?id=123``).
ARTICLE_ID_PARAMS: frozenset[str] = frozenset({"p", "id", "story_id", "article_id", "storyid"})

_YEAR = r"(?:19[9][0-9]|20[0-9]{2})"
_DATE_PATH = re.compile(
    rf"/{_YEAR}/(?:0?[1-9]|1[0-2]|[a-z]{{3}})(?:/(?:0?[1-9]|[12][0-9]|3[01]))?/[^/]+",
    re.IGNORECASE,
)
_COMPACT_DATE = re.compile(rf"/{_YEAR}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])/[^/]+")
_DASHED_DATE = re.compile(rf"/{_YEAR}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])(?:/|-)[^/]+")
_TRAILING_ID = re.compile(r"(?:^|[-_.])\d{5,}(?:\.[a-z]{2,5})?$")
_LONG_ID = re.compile(r"\d{6,}")
_PAGE = re.compile(r"^(?:page|p|seite|pagina)$", re.IGNORECASE)
_PAGE_ARTICLE_EXT = re.compile(r"\.(?:s?html?|php|aspx?|cms|ece)$", re.IGNORECASE)


def _segments(path: str) -> list[str]:
    """Non-empty, lowercased, percent-decoded path segments."""
    return [unquote(seg).lower() for seg in path.split("/") if seg]


def _extension(segment: str) -> str:
    """The extension of a path segment (``"jpg"`` for ``photo.jpg``), or ``""``."""
    stem, dot, ext = segment.rpartition(".")
    return ext if dot and stem and ext.isalnum() else ""


def _slug_words(segment: str) -> int:
    """How many words a slug has (``cabinet-approves-new-budget`` -> 4)."""
    stem = _PAGE_ARTICLE_EXT.sub("", segment)
    return len([w for w in re.split(r"[-_+]", stem) if w])


def _is_article_slug(segment: str) -> bool:
    """Tell whether a last path segment looks like one article: a long slug or a long id."""
    if segment in INDEX_DOCUMENTS:
        return False
    if _TRAILING_ID.search(segment) or _LONG_ID.search(segment):
        return True
    return _slug_words(segment) >= 4


def _looks_like_article(path: str, segments: list[str], query: str) -> bool:
    """Article URL shapes: date paths, numeric ids, article/story prefixes, long slugs."""
    if _DATE_PATH.search(path) or _COMPACT_DATE.search(path) or _DASHED_DATE.search(path):
        return True
    for name, value in parse_qsl(query):
        if name.lower() in ARTICLE_ID_PARAMS and value.isdigit():
            return True
    if not segments:
        return False
    last = segments[-1]
    if len(segments) >= 2 and segments[-2] in ARTICLE_SEGMENTS and last not in INDEX_DOCUMENTS:
        return True
    if any(seg in ARTICLE_SEGMENTS for seg in segments[:-1]) and _slug_words(last) >= 2:
        return True
    if _PAGE_ARTICLE_EXT.search(last) and _slug_words(last) >= 2:
        return True
    return _is_article_slug(last)


def _has_before_last(segments: list[str], names: frozenset[str]) -> bool:
    """Tell whether a segment other than the last is one of `names` (``/tag/<name>``)."""
    return any(seg in names for seg in segments[:-1])


def classify_url(url: str) -> str:
    """Classify a URL by shape as one of `URL_CLASSES` (``"article"``, ``"section"``, ...)."""
    # A crawl classifies the same navigation links on every page: remember recent answers.
    return _classify_cached(url) if type(url) is str else _classify(url)


def _classify(url: str) -> str:
    try:
        parts = urlsplit(url.strip())
    except (ValueError, AttributeError):
        return "other"
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return "other"
    path = parts.path or "/"
    segments = _segments(path)
    last = segments[-1] if segments else ""
    ext = _extension(last)
    params = {k.lower(): v for k, v in parse_qsl(parts.query, keep_blank_values=True)}

    if ext in ASSET_EXTENSIONS:
        return "asset"
    if (
        ext in FEED_EXTENSIONS
        or any(seg in FEED_SEGMENTS for seg in segments)
        or params.get("feed", "").startswith(("rss", "atom"))
        or params.get("format", "").lower() in ("rss", "atom")
        or (ext == "xml" and re.search(r"rss|feed|atom", last))
    ):
        return "feed"
    if any(seg in SEARCH_SEGMENTS for seg in segments) or (
        len(segments) <= 1 and any(p in SEARCH_PARAMS for p in params)
    ):
        return "search"
    last_stem = _PAGE_ARTICLE_EXT.sub("", last)
    if segments and (segments[0] in ABOUT_SEGMENTS or last_stem in ABOUT_SEGMENTS):
        return "about"
    if _has_before_last(segments, AUTHOR_SEGMENTS) or last in AUTHOR_SEGMENTS:
        return "author"
    if _has_before_last(segments, TAG_SEGMENTS) or last in TAG_SEGMENTS:
        return "tag"
    if any(seg in VIDEO_SEGMENTS for seg in segments):
        return "video"
    if any(seg in GALLERY_SEGMENTS for seg in segments):
        return "gallery"
    if len(segments) >= 2 and _PAGE.match(segments[-2]) and last.isdigit():
        return "section"
    if _looks_like_article(path, segments, parts.query):
        return "article"
    if not segments or last in INDEX_DOCUMENTS or any(s in SECTION_SEGMENTS for s in segments):
        return "section"
    if len(segments) <= 3 and all(_slug_words(seg) <= 3 for seg in segments):
        return "section"
    return "other"


#: `classify_url` answers kept (a few hundred bytes each; a bounded, flat amount of memory).
CLASSIFY_CACHE_SIZE = 4096
_classify_cached = lru_cache(maxsize=CLASSIFY_CACHE_SIZE)(_classify)
