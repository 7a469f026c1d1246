"""Classify a page as an article or a non-article (section front, tag, author, video, gallery)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml import etree

from newscrawl.extract.metadata import ARTICLE_TYPES, PageMeta, ld_type_names
from newscrawl.extract.visible import document_elements

PAGE_TYPES = ("article", "section", "tag", "author", "video", "gallery", "other")

_URL_HINTS = (
    (re.compile(r"/(?:tags?|topics?|keywords?|themen|schlagwort)/", re.I), "tag"),
    (
        re.compile(r"/(?:authors?|people|profiles?|staff|writers?|autor|auteur)/[^/]+/?$", re.I),
        "author",
    ),
    (re.compile(r"/(?:category|categories|section|sections)/", re.I), "section"),
)
_LD_TYPE_MAP = {
    "collectionpage": "section",
    "itemlist": "section",
    "searchresultspage": "section",
    "profilepage": "author",
    "person": "author",
    "videoobject": "video",
    "imagegallery": "gallery",
    "mediagallery": "gallery",
}


def _teaser_count(tree: etree._Element) -> int:
    """Count article teasers: <article> elements and headings that are links (h2-h4 holding an
    <a href>; found by tag in C, cheaper than an XPath testing every element's name)."""
    articles = int(_ARTICLES(tree))
    linked_headings = sum(
        1
        for top in document_elements(tree)
        for heading in top.iter("h2", "h3", "h4")
        if heading.find(".//a[@href]") is not None
    )
    return max(articles, linked_headings)


_ARTICLES = etree.XPath("count(//article)")


_FRONT_PAGE = re.compile(r"^/?(?:index\.\w+)?$|/(?:page|seite|pagina)/\d+/?$", re.I)


def _is_front_page(url: str) -> bool:
    """True for a site's front page or one of its numbered listing pages (/, /page/2)."""
    return _FRONT_PAGE.search(urlsplit(url).path) is not None


def _kind_from_url(url: str) -> str | None:
    """Guess a non-article kind from the URL path (/tag/x, /author/x, /category/x)."""
    path = urlsplit(url).path
    for pattern, kind in _URL_HINTS:
        if pattern.search(path):
            return kind
    return None


def _listing(text_words: int, teasers: int, min_teasers: int) -> bool:
    """Tell whether a page's text is no more than its teasers' (a headline and a summary each
    of about 40 words, beyond a little furniture)."""
    return teasers >= min_teasers and text_words < 250 + 40 * teasers


def classify_page(
    tree: etree._Element, meta: PageMeta, url: str, text_words: int, has_byline: bool = False
) -> str:
    """Return the page type from og:type, JSON-LD @type, the URL and the page structure.

    `has_byline` tells that the page names authors or a publication date outside the URL, which
    together with running text marks an article even without structured data.
    """
    og_type = (meta.first_meta("og:type") or ("", ""))[0].lower()
    has_article_ld = meta.article_ld is not None and bool(
        set(ld_type_names(meta.article_ld)) & (ARTICLE_TYPES - {"creativework", "blog"})
    )
    if meta.microdata_type and meta.microdata_type not in ("creativework", "blog"):
        has_article_ld = True
    teasers: int | None = None
    if has_article_ld or og_type == "article":
        if text_words >= 80:
            return "article"
        teasers = _teaser_count(tree)
        if teasers < 6:
            return "article"
    # In document order (a set's order would vary from run to run).
    ld_types = [t for node in meta.jsonld for t in ld_type_names(node)]
    if "webpage" in ld_types:
        # A Person beside a plain WebPage is who wrote it (a profile page is a ProfilePage).
        ld_types = [t for t in ld_types if t != "person"]
    ld_kinds = [_LD_TYPE_MAP[t] for t in ld_types if t in _LD_TYPE_MAP]
    url_kind = _kind_from_url(url)
    if teasers is None:
        teasers = _teaser_count(tree)
    # A front page or a listing page: declared a website, or at a front-page URL, with teasers.
    # Many sites declare every page a website: there, the teasers must also outweigh the text
    # (an article keeps running text well beyond its related-story cards).
    if not has_article_ld and (
        (og_type == "website" and (text_words < 150 or _listing(text_words, teasers, 3)))
        or (_is_front_page(url) and teasers >= 3)
    ):
        return "section"
    if og_type.startswith("video"):
        return "video"
    if og_type == "profile":
        return "author"
    if "section" in ld_kinds and url_kind == "tag":
        return "tag"
    if ld_kinds and not has_article_ld:
        kind = ld_kinds[0]
        if kind == "section" and url_kind in ("tag", "author"):
            return url_kind
        return kind
    if url_kind and (teasers >= 5 or text_words < 150):
        return url_kind
    if _listing(text_words, teasers, 8):
        return "section"
    if og_type == "article" or has_article_ld or text_words >= 150:
        return "article"
    if has_byline and text_words >= 60 and teasers < 5:
        return "article"
    if teasers >= 5:
        return "section"
    return "other"
