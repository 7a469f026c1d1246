"""Extract an article's body text: paragraphs and subheadings, without page furniture."""

from __future__ import annotations

import copy
import html
import re
from collections import Counter

import trafilatura
from lxml import etree

from newscrawl.extract.document import clean_space

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
    r"|continue reading.*|skip to (?:main )?content|back to top|copy link|print|email)\W*$",
    re.IGNORECASE,
)


def count_words(text: str | None) -> int:
    """Count the words of a text: whitespace-separated tokens holding a letter or digit, and each
    CJK character (those scripts do not separate words with spaces)."""
    total = 0
    for tok in (text or "").split():
        cjk = len(_CJK.findall(tok))
        if cjk:
            total += cjk + len(_WORD.findall(_CJK.sub(" ", tok)))
        elif _WORD.search(tok):
            total += 1
    return total


def _loose(text: str) -> str:
    """Lower-case alphanumerics only, for comparing a paragraph with the title."""
    return re.sub(r"\W+", "", text.casefold())


def tidy_body(text: str, title: str | None = None) -> str:
    """Drop a leading repeat of the headline and short furniture lines (share, subscribe...)."""
    paras = [p for p in text.split("\n\n") if p and not _FURNITURE_LINE.match(p)]
    if paras and title and _loose(paras[0]) == _loose(title):
        paras = paras[1:]
    return "\n\n".join(paras)


def _paragraphs(text: str) -> str:
    """Normalise extracted text to paragraphs joined by one blank line."""
    lines = [clean_space(line) for line in text.splitlines()]
    return "\n\n".join(line for line in lines if line)


def prune_furniture(tree: etree._Element) -> None:
    """Remove caption, share, newsletter and related-links blocks, unless a match is so large that
    it must be a wrapper holding the article itself."""
    body_len = len(" ".join(tree.xpath("//body//text()"))) or 1
    for xpath in PRUNE_XPATH:
        for node in tree.xpath(xpath):
            parent = node.getparent()
            if parent is None:
                continue
            size = len(" ".join(node.xpath(".//text()")))
            if size < 2000 and size < body_len * 0.25:
                if node.tail and node.tail.strip():
                    prev = node.getprevious()
                    if prev is not None:
                        prev.tail = (prev.tail or "") + node.tail
                    else:
                        parent.text = (parent.text or "") + node.tail
                parent.remove(node)


def trafilatura_text(
    tree: etree._Element,
    url: str | None,
    precision: bool = False,
    recall: bool = False,
    comments: bool = False,
) -> str:
    """Run trafilatura on a pruned copy of the tree; return paragraphs joined by blank lines."""
    work = copy.deepcopy(tree)
    prune_furniture(work)
    result = trafilatura.extract(
        work,
        url=url,
        include_comments=comments,
        include_tables=True,
        include_images=False,
        include_links=False,
        favor_precision=precision,
        favor_recall=recall,
        deduplicate=False,
        with_metadata=False,
    )
    return _paragraphs(result or "")


#: The precise extraction is kept when it retains at least this share of the recall-oriented one.
PRECISE_SHARE = 0.8


def extract_body(tree: etree._Element, url: str | None) -> str:
    """Extract the body twice (favouring recall, then precision) and keep the precise text unless
    it lost a sizeable part of the body; that drops more furniture without truncating articles."""
    full = trafilatura_text(tree, url, recall=True)
    precise = trafilatura_text(tree, url, precision=True)
    if precise and count_words(precise) >= PRECISE_SHARE * count_words(full):
        return precise
    return full


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
