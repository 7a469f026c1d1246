"""Candidate values for each field, listed in the order of trust.

Order of trust for every field: JSON-LD > microdata > OpenGraph / <meta> > <time> > visible
byline/date text > URL. Each function returns ``(value, source)`` pairs in that order; the caller
takes the first usable one and cross-checks it against the others.
"""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import urljoin

from newscrawl.extract.document import clean_space
from newscrawl.extract.metadata import PageMeta, ld_type_names

Candidate = tuple[Any, str]

#: The order of trust, by source family (used in docs and tests).
TRUST_ORDER = ("json-ld", "microdata", "opengraph", "meta", "time", "byline", "url")

PUBLISHED_META = (
    "article:published_time",
    "og:published_time",
    "og:article:published_time",
    "datepublished",
    "publishdate",
    "publish-date",
    "pubdate",
    "publish_date",
    "published_date",
    "published-date",
    "published",
    "published_time",
    "publisheddate",
    "date_published",
    "date-published",
    "publication_date",
    "publication-date",
    "pub_date",
    "pub-date",
    "article:published",
    "article.published",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.created",
    "dc.date.created",
    "date",
    "cxenseparse:recs:publishtime",
    "article_date_original",
    "originalpublicationdate",
    "citation_publication_date",
    "citation_date",
    "displaydate",
    "release_date",
    "created",
    "og:updated_time",
)
MODIFIED_META = (
    "article:modified_time",
    "og:modified_time",
    "og:article:modified_time",
    "datemodified",
    "lastmod",
    "last-modified",
    "dcterms.modified",
    "dc.date.modified",
    "article.updated",
    "article:modified",
    "modified_time",
    "date_modified",
    "date-modified",
    "last_updated",
    "last-updated",
    "og:updated_time",
    "updated_time",
)
AUTHOR_META = (
    "author",
    "article:author",
    "og:article:author",
    "parsely-author",
    "sailthru.author",
    "dc.creator",
    "dcterms.creator",
    "byl",
    "citation_author",
    "twitter:creator",
)


def _ld(meta: PageMeta, key: str) -> Any:
    """Return a property of the article JSON-LD node, or None."""
    return meta.resolve(meta.article_ld.get(key)) if meta.article_ld else None


def _other_ld_nodes(meta: PageMeta) -> list[dict[str, Any]]:
    """Return the page-level JSON-LD nodes (WebPage and kin) other than the article node."""
    page_types = {"webpage", "itempage", "aboutpage", "faqpage", "medicalwebpage", "qapage"}
    return [
        node
        for node in meta.jsonld
        if node is not meta.article_ld and page_types & set(ld_type_names(node))
    ]


def _md(meta: PageMeta, key: str) -> Any:
    """Return the first microdata value of a property, or None."""
    values = meta.microdata.get(key)
    return values[0] if values else None


def _str(value: Any) -> str | None:
    """Return a cleaned string from a JSON-LD value (first item of lists, name/url of objects)."""
    if isinstance(value, list):
        value = next((v for v in value if v), None)
    if isinstance(value, dict):
        value = value.get("name") or value.get("url") or value.get("@id")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    return clean_space(html.unescape(value)) or None if isinstance(value, str) else None


def _meta_source(key: str) -> str:
    """Return the provenance name of a <meta> key."""
    if key.startswith("og:"):
        return "opengraph"
    return f"meta:{key}"


def _add(out: list[Candidate], value: Any, source: str) -> None:
    """Append a candidate when it has a value."""
    text = _str(value)
    if text:
        out.append((text, source))


def title_candidates(meta: PageMeta) -> list[Candidate]:
    """Title sources in order of trust."""
    out: list[Candidate] = []
    _add(out, _ld(meta, "headline"), "json-ld")
    _add(out, _ld(meta, "name"), "json-ld")
    _add(out, _md(meta, "headline"), "microdata")
    _add(out, _md(meta, "name"), "microdata")
    for key in ("og:title", "twitter:title", "title", "dc.title", "headline", "parsely-title"):
        hit = meta.first_meta(key)
        if hit:
            out.append((hit[0], _meta_source(key)))
    if meta.title_tag:
        out.append((meta.title_tag, "title"))
    return out


def site_name_candidates(meta: PageMeta) -> list[Candidate]:
    """Site-name sources in order of trust."""
    out: list[Candidate] = []
    publisher = _ld(meta, "publisher")
    _add(out, publisher.get("name") if isinstance(publisher, dict) else None, "json-ld")
    for node in meta.jsonld:
        types = node.get("@type")
        if types in ("WebSite", "Organization", "NewsMediaOrganization"):
            _add(out, node.get("name"), "json-ld")
    md_pub = _md(meta, "publisher")
    if isinstance(md_pub, dict):
        _add(out, md_pub.get("name"), "microdata")
    for key in ("og:site_name", "application-name", "apple-mobile-web-app-title", "publisher"):
        hit = meta.first_meta(key)
        if hit:
            out.append((hit[0], _meta_source(key)))
    return out


def author_candidates(meta: PageMeta) -> list[tuple[list[Any], str]]:
    """Raw author values in order of trust (JSON-LD objects keep their @type for org checks)."""
    out: list[tuple[list[Any], str]] = []
    for key in ("author", "creator"):
        value = _ld(meta, key)
        if value:
            out.append((value if isinstance(value, list) else [value], "json-ld"))
            break
    if meta.microdata.get("author"):
        out.append((meta.microdata["author"], "microdata"))
    for key in AUTHOR_META:
        values = [v for v in meta.meta.get(key, []) if v.strip()]
        if key == "twitter:creator":
            # A handle ("@shopwithselect" or bare "shopwithselect") names an account, not a
            # person; a display name has a space.
            values = [v for v in values if " " in v.strip()]
        if values:
            out.append((values, _meta_source(key)))
    # Twitter card labels (Yoast and kin): twitter:label1 "Written by", twitter:data1 the name.
    for index in range(1, 5):
        label = meta.meta.get(f"twitter:label{index}", [""])[0].strip().casefold()
        data = [v for v in meta.meta.get(f"twitter:data{index}", [])[:1] if v.strip()]
        if data and label in ("written by", "author", "authors", "by"):
            out.append((data, "meta:twitter:data"))
    return out


def published_candidates(meta: PageMeta) -> list[Candidate]:
    """Published-date sources in order of trust (structured data only; <time> etc. come later)."""
    out: list[Candidate] = []
    for key in ("datePublished", "dateCreated", "uploadDate"):
        _add(out, _ld(meta, key), "json-ld")
    for node in _other_ld_nodes(meta):
        _add(out, node.get("datePublished"), "json-ld")
    _add(out, _md(meta, "datePublished"), "microdata")
    for key in PUBLISHED_META:
        if key == "og:updated_time":
            continue
        hit = meta.first_meta(key)
        if hit:
            out.append((hit[0], _meta_source(key)))
    return out


def modified_candidates(meta: PageMeta) -> list[Candidate]:
    """Modified-date sources in order of trust."""
    out: list[Candidate] = []
    _add(out, _ld(meta, "dateModified"), "json-ld")
    for node in _other_ld_nodes(meta):
        _add(out, node.get("dateModified"), "json-ld")
    _add(out, _md(meta, "dateModified"), "microdata")
    for key in MODIFIED_META:
        hit = meta.first_meta(key)
        if hit:
            out.append((hit[0], _meta_source(key)))
    return out


def description_candidates(meta: PageMeta) -> list[Candidate]:
    """Description sources in order of trust."""
    out: list[Candidate] = []
    _add(out, _ld(meta, "description"), "json-ld")
    _add(out, _md(meta, "description"), "microdata")
    for key in ("og:description", "description", "twitter:description", "dc.description"):
        hit = meta.first_meta(key)
        if hit:
            out.append((hit[0], _meta_source(key)))
    return out


def section_candidates(meta: PageMeta) -> list[Candidate]:
    """Section sources in order of trust."""
    out: list[Candidate] = []
    _add(out, _ld(meta, "articleSection"), "json-ld")
    _add(out, _md(meta, "articleSection"), "microdata")
    for key in ("article:section", "section", "parsely-section", "og:article:section", "category"):
        hit = meta.first_meta(key)
        if hit:
            out.append((hit[0], _meta_source(key)))
    return out


def image_candidates(meta: PageMeta, base_url: str) -> list[Candidate]:
    """Lead-image sources in order of trust, as absolute URLs."""
    out: list[Candidate] = []
    image = _ld(meta, "image") or _ld(meta, "thumbnailUrl")
    _add(out, image, "json-ld")
    _add(out, _md(meta, "image"), "microdata")
    for key in (
        "og:image",
        "og:image:url",
        "og:image:secure_url",
        "twitter:image",
        "twitter:image:src",
    ):
        hit = meta.first_meta(key)
        if hit:
            out.append((hit[0], _meta_source(key)))
    return [(urljoin(base_url, value), src) for value, src in out]


def canonical_candidates(meta: PageMeta, base_url: str) -> list[Candidate]:
    """Canonical-URL sources in order of trust, as absolute URLs."""
    out: list[Candidate] = []
    if meta.canonical:
        out.append((meta.canonical, "link:canonical"))
    main = _ld(meta, "mainEntityOfPage")
    main_id = main.get("@id") if isinstance(main, dict) else main
    if isinstance(main_id, str) and main_id.startswith("http"):
        out.append((main_id, "json-ld"))
    _add(out, _ld(meta, "url"), "json-ld")
    hit = meta.first_meta("og:url")
    if hit:
        out.append((hit[0], "opengraph"))
    return [(urljoin(base_url, value), src) for value, src in out if not value.startswith("#")]


def language_candidates(meta: PageMeta, header_lang: str | None) -> list[Candidate]:
    """Language sources in order of trust."""
    out: list[Candidate] = []
    _add(out, _ld(meta, "inLanguage"), "json-ld")
    _add(out, _md(meta, "inLanguage"), "microdata")
    if meta.html_lang:
        out.append((meta.html_lang, "html:lang"))
    for key in ("og:locale", "content-language", "language", "dc.language"):
        hit = meta.first_meta(key)
        if hit:
            out.append((hit[0], _meta_source(key)))
    if header_lang:
        out.append((header_lang, "http:content-language"))
    return out


def tag_candidates(meta: PageMeta) -> list[tuple[list[str], str]]:
    """Tag lists in order of trust (keywords split on commas)."""
    out: list[tuple[list[str], str]] = []
    keywords = _ld(meta, "keywords")
    if isinstance(keywords, str):
        keywords = keywords.split(",")
    if isinstance(keywords, list):
        tags = [clean_space(k) for k in keywords if isinstance(k, str) and clean_space(k)]
        if tags:
            out.append((tags, "json-ld"))
    md_keywords = meta.microdata.get("keywords")
    if md_keywords:
        out.append(
            (
                [clean_space(k) for v in md_keywords if isinstance(v, str) for k in v.split(",")],
                "microdata",
            )
        )
    for key in ("article:tag", "news_keywords", "keywords", "parsely-tags"):
        values = meta.meta.get(key, [])
        if key == "article:tag":
            tags = [clean_space(v) for v in values]
        else:
            tags = [clean_space(k) for v in values[:1] for k in v.split(",")]
        tags = [t for t in tags if t]
        if tags:
            out.append((tags, _meta_source(key)))
    return out
