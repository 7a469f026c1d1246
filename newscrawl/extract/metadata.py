"""Read structured metadata from a page: JSON-LD (incl. @graph), microdata, OpenGraph and <meta>.

Everything here is gathered raw into `PageMeta`; choosing between sources (the order of trust)
happens in `newscrawl.extract.fields`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from newscrawl.extract.document import clean_space, first_descendant, node_text
from newscrawl.extract.visible import document_elements

#: schema.org types that mark a page's main entity as a news/article item.
ARTICLE_TYPES = frozenset(
    t.lower()
    for t in (
        "Article",
        "NewsArticle",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BackgroundNewsArticle",
        "ReviewNewsArticle",
        "AskPublicNewsArticle",
        "BlogPosting",
        "LiveBlogPosting",
        "SocialMediaPosting",
        "TechArticle",
        "ScholarlyArticle",
        "Report",
        "SatiricalArticle",
        "AdvertiserContentArticle",
        "MedicalScholarlyArticle",
        "Review",
        "Recipe",
        "HowTo",
        "DiscussionForumPosting",
        "CreativeWork",
        "Blog",
    )
)
_WEAK_ARTICLE_TYPES = frozenset({"creativework", "blog", "review", "recipe", "howto"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_TRAILING_COMMA = re.compile(r",\s*([}\]])")


@dataclass
class PageMeta:
    """Raw metadata of one page, grouped by source."""

    jsonld: list[dict[str, Any]] = field(default_factory=list)
    article_ld: dict[str, Any] | None = None
    microdata: dict[str, list[Any]] = field(default_factory=dict)
    microdata_type: str | None = None
    meta: dict[str, list[str]] = field(default_factory=dict)
    canonical: str | None = None
    html_lang: str | None = None
    title_tag: str | None = None

    def first_meta(self, *keys: str) -> tuple[str, str] | None:
        """Return (value, key) of the first non-empty <meta> among keys (lower-case names)."""
        for key in keys:
            for value in self.meta.get(key, []):
                if value.strip():
                    return clean_space(value), key
        return None

    def resolve(self, value: Any) -> Any:
        """Replace a bare JSON-LD reference ``{"@id": ...}`` (or a list of them) by its node."""
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if isinstance(value, dict) and set(value) <= {"@id", "@type"} and "@id" in value:
            for node in self.jsonld:
                if node.get("@id") == value["@id"] and node is not value:
                    return node
        return value

    def ld_types(self) -> set[str]:
        """Return the lower-case @type names of every JSON-LD node."""
        return {t for node in self.jsonld for t in ld_type_names(node)}


def ld_type_names(node: dict[str, Any]) -> list[str]:
    """Return the lower-case @type names of a JSON-LD node (schema.org prefixes removed)."""
    raw = node.get("@type", [])
    types = raw if isinstance(raw, list) else [raw]
    return [str(t).rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower() for t in types if t]


def _load_json(text: str) -> Any:
    """Parse JSON-LD leniently (control characters, trailing commas, HTML comments)."""
    text = text.strip()
    if text.startswith("<!--"):
        text = text[4:]
    if text.endswith("-->"):
        text = text[:-3]
    text = text.strip().rstrip(";")
    try:
        return json.loads(text, strict=False)
    except ValueError:
        pass
    try:
        return json.loads(_TRAILING_COMMA.sub(r"\1", _CONTROL.sub(" ", text)), strict=False)
    except ValueError:
        return None


def _flatten(data: Any, out: list[dict[str, Any]], depth: int = 0) -> None:
    """Collect every typed node of a JSON-LD document, descending into @graph and lists."""
    if depth > 6:
        return
    if isinstance(data, list):
        for item in data:
            _flatten(item, out, depth + 1)
    elif isinstance(data, dict):
        if "@type" in data:
            out.append(data)
        graph = data.get("@graph")
        if graph is not None:
            _flatten(graph, out, depth + 1)
        main = data.get("mainEntity")
        if isinstance(main, dict) and "@type" in main:
            _flatten(main, out, depth + 1)


def read_jsonld(tree: etree._Element) -> list[dict[str, Any]]:
    """Return all typed JSON-LD nodes of the page, in document order."""
    return _jsonld_nodes(_tagged(tree)["script"])


def _jsonld_nodes(scripts: list[etree._Element]) -> list[dict[str, Any]]:
    """Return the typed JSON-LD nodes of the ld+json scripts among `scripts`, in order."""
    nodes: list[dict[str, Any]] = []
    for script in scripts:
        if "ld+json" in (script.get("type") or "").translate(_LDJSON_LOWER):
            data = _load_json(script.text or "")
            if data is not None:
                _flatten(data, nodes)
    return nodes


#: The case-insensitive test of script types XPath wrote ``translate(@type, "LDJSON", ...)``.
_LDJSON_LOWER = str.maketrans("LDJSON", "ldjson")


def _tagged(tree: etree._Element) -> dict[str, list[etree._Element]]:
    """Return the page's <script>, <link> and <meta> elements in document order, by tag, from
    one walk of the document: the scripts and links of the whole document (as ``//script``
    finds them), the <meta> elements of `tree` (as ``tree.iter("meta")`` does)."""
    found: dict[str, list[etree._Element]] = {"script": [], "link": [], "meta": []}
    tops = document_elements(tree)
    for top in tops:
        for node in top.iter("script", "link", "meta"):
            if node.tag != "meta" or top is tree:
                found[node.tag].append(node)
    if not any(top is tree for top in tops):
        found["meta"] = list(tree.iter("meta"))
    return found


def _norm(text: Any) -> str:
    """Lower-case alphanumerics only, for loose headline comparison."""
    return re.sub(r"\W+", "", str(text).casefold()) if text else ""


def pick_article_node(
    nodes: list[dict[str, Any]], page_title: str | None = None
) -> dict[str, Any] | None:
    """Pick the JSON-LD node describing the page's article (strong types, richest, headline
    matching the page title; the first one on ties)."""
    title_n = _norm(page_title)
    best: dict[str, Any] | None = None
    best_score = -1
    for node in nodes:
        types = set(ld_type_names(node))
        if not types & ARTICLE_TYPES:
            continue
        score = 10 if types - _WEAK_ARTICLE_TYPES else 0
        score += sum(
            1 for key in ("headline", "datePublished", "author", "articleBody") if key in node
        )
        headline_n = _norm(node.get("headline") or node.get("name"))
        if title_n and headline_n and (headline_n in title_n or title_n in headline_n):
            score += 4
        if score > best_score:
            best, best_score = node, score
    return best


def _microdata_value(node: etree._Element) -> Any:
    """Return the value of one itemprop element, as the microdata spec reads it."""
    if node.get("itemscope") is not None:
        return {"@type": node.get("itemtype", ""), **_microdata_props(node)}
    for attr in ("content", "datetime"):
        if node.get(attr):
            return node.get(attr)
    tag = node.tag if isinstance(node.tag, str) else ""
    if tag in ("a", "link", "area"):
        return node.get("href") or node_text(node)
    if tag in ("img", "audio", "video", "source", "embed", "iframe"):
        return node.get("src") or ""
    if tag == "meta":
        return node.get("content") or ""
    return node_text(node)


def _microdata_props(scope: etree._Element) -> dict[str, list[Any]]:
    """Return the itemprops that belong directly to one itemscope."""
    props: dict[str, list[Any]] = {}
    stack = list(scope)
    while stack:
        node = stack.pop(0)
        if not isinstance(node.tag, str):
            continue
        names = (node.get("itemprop") or "").split()
        for name in names:
            props.setdefault(name, []).append(_microdata_value(node))
        if node.get("itemscope") is None:
            stack[0:0] = list(node)
    return props


#: `//*[@itemscope][@itemtype]`: listing the itemscope attributes is cheaper than testing every
#: element.
_ITEMSCOPES = etree.XPath("//@itemscope/parent::*[@itemtype]")


def read_microdata(tree: etree._Element) -> tuple[str | None, dict[str, list[Any]]]:
    """Return the type and properties of the page's main article itemscope, if any.

    Of several article itemscopes only one holding a headline (<h1>) is the page's: the others
    are teasers of other articles, and without such a one the page has none.
    """
    scopes: list[tuple[str, etree._Element]] = []
    for scope in _ITEMSCOPES(tree):
        itemtype = scope.get("itemtype", "").rstrip("/").rsplit("/", 1)[-1].lower()
        if itemtype in ARTICLE_TYPES:
            scopes.append((itemtype, scope))
    if len(scopes) > 1:
        scopes = [
            (itemtype, scope) for itemtype, scope in scopes if scope.find(".//h1") is not None
        ]
    if scopes:
        return scopes[0][0], _microdata_props(scopes[0][1])
    return None, {}


def read_meta(tree: etree._Element) -> dict[str, list[str]]:
    """Return <meta> contents keyed by lower-case name/property/itemprop/http-equiv."""
    return _meta_contents(tree.iter("meta"))


def _meta_contents(nodes: Iterable[etree._Element]) -> dict[str, list[str]]:
    """Return the contents of <meta> elements as `read_meta` does."""
    meta: dict[str, list[str]] = {}
    for node in nodes:
        content = node.get("content")
        if content is None:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = node.get(attr)
            if key:
                meta.setdefault(key.strip().lower(), []).append(content)
    return meta


def _canonical(links: list[etree._Element]) -> str:
    """Return the href of the first <link rel="canonical"> that has one, or "" (as
    ``string(//link[contains(concat(" ", normalize-space(@rel), " "), " canonical ")]/@href)``)."""
    for link in links:
        rel = _XML_SPACE.sub(" ", link.get("rel") or "").strip(" \t\r\n")
        href = link.get("href")
        if href is not None and " canonical " in f" {rel} ":
            return href
    return ""


#: The whitespace XPath's normalize-space() collapses.
_XML_SPACE = re.compile(r"[ \t\r\n]+")


def read_page_meta(tree: etree._Element) -> PageMeta:
    """Gather all raw metadata of a parsed page."""
    tagged = _tagged(tree)
    nodes = _jsonld_nodes(tagged["script"])
    md_type, md_props = read_microdata(tree)
    canonical = _canonical(tagged["link"])
    root = tree.getroottree().getroot()
    lang = (
        root.get("lang")
        or root.get("xml:lang")
        or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    )
    title = first_descendant(tree, "title")
    title_text = node_text(title) if title is not None else None
    return PageMeta(
        jsonld=nodes,
        article_ld=pick_article_node(nodes, title_text),
        microdata=md_props,
        microdata_type=md_type,
        meta=_meta_contents(tagged["meta"]),
        canonical=clean_space(str(canonical)) or None,
        html_lang=clean_space(lang) or None,
        title_tag=title_text,
    )
