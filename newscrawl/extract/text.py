"""Extract an article's body text: paragraphs and subheadings, without page furniture."""

from __future__ import annotations

import copy
import html
import re
from collections import Counter

from lxml import etree
from trafilatura.core import bare_extraction
from trafilatura.settings import Extractor
from trafilatura.xml import xmltotxt

from newscrawl.extract.document import clean_space
from newscrawl.extract.visible import DATE_IN_TEXT

_WORD = re.compile(r"\w+")
#: Page furniture removed before trafilatura sees the tree (captions, share/newsletter boxes...).
_NOT_WRAPPER = "not(self::body or self::article or self::main)"
PRUNE_XPATH = [
    "//figcaption",
    "//*[self::div or self::p or self::span]"
    "[contains(concat(' ', normalize-space(@class), ' '), ' caption ')]",
    f"//*[contains(@class, 'newsletter') and {_NOT_WRAPPER}]",
    "//*[contains(@class, 'share-') or contains(@class, 'social-share')"
    " or contains(@class, 'sharing')]",
    f"//*[contains(@class, 'related') and {_NOT_WRAPPER}]",
    "//*[@role='complementary' or @aria-label='Related']",
]


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
#: Short lines that are calls to action or labels, never article prose.
_FURNITURE_LINE = re.compile(
    r"^(?:advertisement|advertising|sponsored(?: content)?"
    r"|share(?: this)?(?: article| story| post)?|share on \w+|subscribe(?: now| today)?"
    r"|sign up(?: now)?|read more|related(?: articles| stories| posts| content)?"
    r"|click here to .*|follow us on .*|(?:please )?subscribe to (?:continue|keep) reading.*"
    r"|continue reading.*|skip to (?:main )?content|back to top|copy link|print|email"
    r"|(?:you|you'll|you may|you might) (?:may )?also (?:like|enjoy)|more from .{1,40}|read also"
    r"|(?:see|read) also:.*|recommended(?: for you| stories| articles)?|most (?:popular|read)"
    r"|trending(?: now| stories)?|related coverage|more stories|up next|watch:.{0,80})\W*$",
    re.IGNORECASE,
)
#: A byline or date line that trafilatura keeps at the top or bottom of the text.
_BYLINE_LINE = re.compile(
    r"^(?:(?:written|reported|posted|published|story)\s+)?by\s*:?\s+\S.{0,80}$", re.IGNORECASE
)
#: An all-capitals call to action ("GET THE APP BY CLICKING HERE").
_SHOUTED_PROMO = re.compile(
    r"\b(?:CLICK|SUBSCRIBE|SIGN UP|DOWNLOAD|NEWSLETTER|GET THE|FOLLOW US|WATCH|READ MORE)\b"
)


_WORDISH_TOKEN = re.compile(r"[^\s]*\w[^\s]*")


def count_words(text: str | None) -> int:
    """Count the words of a text: whitespace-separated tokens holding a letter or digit, and each
    CJK character (those scripts do not separate words with spaces)."""
    if not text:
        return 0
    if not _CJK.search(text):
        return len(_WORDISH_TOKEN.findall(text))
    total = 0
    for tok in text.split():
        cjk = len(_CJK.findall(tok))
        if cjk:
            total += cjk + len(_WORD.findall(_CJK.sub(" ", tok)))
        elif _WORD.search(tok):
            total += 1
    return total


def _loose(text: str) -> str:
    """Lower-case alphanumerics only, for comparing a paragraph with the title."""
    return re.sub(r"\W+", "", text.casefold())


def _is_furniture(para: str) -> bool:
    """Tell whether a paragraph is a label, a call to action or a byline line."""
    if _FURNITURE_LINE.match(para):
        return True
    words = para.split()
    if len(words) <= 12 and _BYLINE_LINE.match(para) and not para.rstrip().endswith("."):
        return True
    return len(words) <= 14 and para.isupper() and bool(_SHOUTED_PROMO.search(para))


def _is_dateline(para: str) -> bool:
    """Tell whether a paragraph only dates the article or gives its reading time ("Written on
    12 December 2025", "Dec 18, 2025 · 10 min read", "Updated: 2025-03-04 10:00")."""
    if len(para) > 80:
        return False
    rest = DATE_IN_TEXT.sub(" ", para, count=2)
    if rest == para and not _READ_TIME.search(para):
        return False
    return not _READ_TIME.sub(" ", _DATE_LABEL.sub(" ", rest)).strip(" \t-–—|·•⋅,.:;/()")


_READ_TIME = re.compile(r"\b\d+(?:\s*[-–]\s*\d+)?\s*(?:min(?:ute)?s?|mins?)(?:\s+read)?\b", re.I)
_DATE_LABEL = re.compile(
    r"\b(?:published|updated|last\s+updated|posted|written|modified|on|at|date|read)\b", re.I
)


def tidy_body(text: str, title: str | None = None) -> str:
    """Drop repeats of the headline near the top, short furniture lines (share, subscribe,
    bylines) and date or reading-time lines among the first and last three paragraphs."""
    paras = [p for p in text.split("\n\n") if p and not _is_furniture(p)]
    last = len(paras) - 3
    paras = [p for i, p in enumerate(paras) if not ((i < 3 or i >= last) and _is_dateline(p))]
    if title:
        head = _loose(title)
        paras = [p for i, p in enumerate(paras) if i >= 3 or _loose(p) != head]
    return "\n\n".join(paras)


def _paragraphs(text: str) -> str:
    """Normalise extracted text to paragraphs joined by one blank line."""
    lines = [clean_space(line) for line in text.splitlines()]
    return "\n\n".join(line for line in lines if line)


_FURNITURE_CLASS = re.compile(r"caption|newsletter|share-|social-share|sharing|related")
_WRAPPERS = frozenset({"body", "article", "main"})
#: A superset of the elements `PRUNE_XPATH` matches, found in one pass (sorted by
#: `_furniture_kind`).
_FURNITURE_CANDIDATES = (
    "//figcaption | //*[contains(@class, 'caption') or contains(@class, 'newsletter')"
    " or contains(@class, 'shar') or contains(@class, 'related')"
    " or @role='complementary' or @aria-label='Related']"
)


def _furniture_kind(node: etree._Element) -> int:
    """Return which `PRUNE_XPATH` expression matches the element (its index), or -1."""
    tag = node.tag
    if tag == "figcaption":
        return 0
    cls = node.get("class")
    if cls and _FURNITURE_CLASS.search(cls):
        if tag in ("div", "p", "span") and "caption" in cls.split():
            return 1
        if "newsletter" in cls and tag not in _WRAPPERS:
            return 2
        if "share-" in cls or "social-share" in cls or "sharing" in cls:
            return 3
        if "related" in cls and tag not in _WRAPPERS:
            return 4
    if node.get("role") == "complementary" or node.get("aria-label") == "Related":
        return 5
    return -1


def prune_furniture(tree: etree._Element) -> None:
    """Remove caption, share, newsletter and related-links blocks (`PRUNE_XPATH`), unless a
    match is so large that it must be a wrapper holding the article itself.

    One walk over the tree finds the matches of every expression; they are then removed
    expression by expression, as if each were evaluated after the previous removals.
    """
    found: list[list[etree._Element]] = [[] for _ in PRUNE_XPATH]
    for node in tree.xpath(_FURNITURE_CANDIDATES):
        kind = _furniture_kind(node)
        if kind >= 0:
            found[kind].append(node)
    if not any(found):
        return
    root = tree.getroottree().getroot()
    body = tree.find(".//body")
    body_len = (_joined_len(body) if body is not None else 0) or 1
    for nodes in found:
        for node in nodes:
            parent = node.getparent()
            if parent is None or not _attached(node, root):
                continue
            size = _joined_len(node)
            if size < 2000 and size < body_len * 0.25:
                if node.tail and node.tail.strip():
                    prev = node.getprevious()
                    if prev is not None:
                        prev.tail = (prev.tail or "") + node.tail
                    else:
                        parent.text = (parent.text or "") + node.tail
                parent.remove(node)


def _joined_len(node: etree._Element) -> int:
    """Return ``len(" ".join(node.xpath(".//text()")))`` without building strings in Python."""
    count = int(node.xpath("count(.//text())"))
    return int(node.xpath("string-length(.)")) + count - 1 if count else 0


def _attached(node: etree._Element, root: etree._Element) -> bool:
    """Tell whether a node is still in the document (not inside a removed block)."""
    for ancestor in node.iterancestors():
        if ancestor.getparent() is None:
            return ancestor == root
    return node == root


def _extractor(mode: str) -> Extractor:
    """Return (and cache) trafilatura's options for one focus: "recall", "balanced", "precision"."""
    options = _EXTRACTORS.get(mode)
    if options is None:
        options = Extractor(
            output_format="python",
            fast=False,
            precision=mode == "precision",
            recall=mode == "recall",
            comments=False,
            formatting=False,
            links=False,
            images=False,
            tables=True,
            dedup=False,
            with_metadata=False,
        )
        _EXTRACTORS[mode] = options
    return options


_EXTRACTORS: dict[str, Extractor] = {}
#: Elements of trafilatura's output that end an article only as furniture (related headlines).
_TRAILING_FURNITURE = frozenset({"head"})


def trafilatura_text(tree: etree._Element, url: str | None, mode: str = "recall") -> str:
    """Run trafilatura once on the (already pruned) tree and return paragraphs joined by blank
    lines; trailing headings and link lists after the last paragraph are dropped.

    The tree is not modified (trafilatura works on its own copy).
    """
    try:
        doc = bare_extraction(tree, url=url, options=_extractor(mode))
    except Exception:  # noqa: BLE001 - a broken page must not break extraction
        return ""
    body = getattr(doc, "body", None) if doc is not None else None
    if body is None:
        return ""
    while len(body) > 1 and body[-1].tag in _TRAILING_FURNITURE:
        body.remove(body[-1])
    return _paragraphs(xmltotxt(body, False) or "")


#: Below this many words the recall pass may have picked a fragment; a balanced pass is tried too.
SHORT_BODY_WORDS = 250
#: The same when the recall pass kept less than this share of the words in the page's <p>
#: elements: it settled on one block (an intro, a sidebar) of a long article.
SHORT_BODY_SHARE = 0.2


def extract_body(tree: etree._Element, url: str | None) -> str:
    """Extract the body with one trafilatura pass favouring recall on a pruned copy of the tree.

    Furniture is removed by `prune_furniture` before and `tidy_body` after, which keeps the
    precision of a second, precision-oriented pass at half the cost. Only when the text is short
    (the recall pass may have settled on a fragment: under `SHORT_BODY_WORDS`, or under
    `SHORT_BODY_SHARE` of the words in the page's paragraphs) is a balanced pass run as well,
    and the longer text kept.
    """
    if not tree.xpath("boolean(normalize-space(//body))"):
        return ""  # nothing to extract (an empty page or a frameset): skip trafilatura
    work = copy.deepcopy(tree)
    prune_furniture(work)
    text = trafilatura_text(work, url)
    words = count_words(text)
    if words < SHORT_BODY_WORDS or words < SHORT_BODY_SHARE * _paragraph_words(work):
        other = trafilatura_text(work, url, mode="balanced")
        if count_words(other) > words:
            return other
    return text


def _paragraph_words(tree: etree._Element) -> int:
    """Count the words in the page's <p> elements (an upper bound of a plausible body)."""
    return count_words(" ".join(tree.xpath("//body//p//text()")))


def _shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    """Return the multiset of n-word shingles of a text."""
    toks = _WORD.findall(text.casefold())
    return Counter(tuple(toks[i : i + n]) for i in range(max(len(toks) - n + 1, 0)))


def overlap(a: str, b: str) -> float:
    """Return the share of a's shingles that also occur in b."""
    sa, sb = _shingles(a), _shingles(b)
    total = sum(sa.values())
    return sum((sa & sb).values()) / total if total else 0.0


def clean_ld_body(body: str) -> str:
    """Turn a JSON-LD articleBody (sometimes HTML-escaped or with markup) into paragraphs."""
    body = html.unescape(body)
    if "<" in body and ">" in body:
        body = re.sub(r"<br\s*/?>|</p>|</h\d>|</li>", "\n", body, flags=re.IGNORECASE)
        body = re.sub(r"<[^>]+>", " ", body)
    return _paragraphs(body)


def choose_body(extracted: str, ld_body: str | None) -> tuple[str, str]:
    """Pick between trafilatura's text and a JSON-LD articleBody; returns (text, source).

    The articleBody wins when it is at least as long and agrees with the extracted text (most of
    the extracted text is in it), since it is the publisher's own copy of the body, free of
    furniture. A truncated or unrelated articleBody (teasers, other articles) is ignored.
    """
    if not ld_body:
        return extracted, "trafilatura"
    body = clean_ld_body(ld_body)
    ld_words, ex_words = count_words(body), count_words(extracted)
    if ld_words < 30:
        return extracted, "trafilatura"
    if not extracted:
        return body, "json-ld"
    ex_in_ld, ld_in_ex = overlap(extracted, body), overlap(body, extracted)
    paragraphed = "\n" in body
    # The extraction missed much of the body the publisher declares.
    if ld_words >= ex_words * 1.5 and ex_in_ld >= 0.4:
        return body, "json-ld"
    # Same body, the publisher's copy being the cleaner (or the fuller) one.
    if paragraphed and ld_words >= ex_words * 0.8 and ld_in_ex >= 0.95:
        return body, "json-ld"
    if paragraphed and ld_words >= ex_words * 0.9 and ex_in_ld >= 0.8:
        return body, "json-ld"
    return extracted, "trafilatura"
