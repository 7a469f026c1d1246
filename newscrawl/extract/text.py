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
PRUNE_XPATH = [
    "//figcaption",
    "//*[self::div or self::p or self::span][contains(concat(' ', normalize-space(@class), ' '), ' caption ')]",
    "//*[contains(@class, 'newsletter') and not(self::body) and not(self::article) and not(self::main)]",
    "//*[contains(@class, 'share-') or contains(@class, 'social-share') or contains(@class, 'sharing')]",
    "//*[contains(@class, 'related') and not(self::body) and not(self::article) and not(self::main)]",
    "//*[@role='complementary' or @aria-label='Related']",
]


def count_words(text: str | None) -> int:
    """Count the words of a text (whitespace-separated tokens holding a letter or digit)."""
    return sum(1 for tok in (text or "").split() if _WORD.search(tok))


def _paragraphs(text: str) -> str:
    """Normalise extracted text to paragraphs joined by one blank line."""
    lines = [clean_space(line) for line in text.splitlines()]
    return "\n\n".join(line for line in lines if line)


def trafilatura_text(tree: etree._Element, url: str | None, precision: bool = False) -> str:
    """Run trafilatura on a copy of the tree and return its paragraphs joined by blank lines."""
    result = trafilatura.extract(
        copy.deepcopy(tree),
        url=url,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        favor_precision=precision,
        deduplicate=False,
        prune_xpath=PRUNE_XPATH,
        with_metadata=False,
    )
    return _paragraphs(result or "")


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
    if ld_words >= ex_words * 0.9 and overlap(extracted, body) >= 0.8 and "\n" in body:
        return body, "json-ld"
    return extracted, "trafilatura"
