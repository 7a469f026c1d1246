"""Read what a reader sees near the headline: <h1>, <time> elements, bylines and date lines."""

from __future__ import annotations

import re

from lxml import etree

from newscrawl.extract.document import clean_space, node_text

_UPPER_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LOWER = f"translate(concat(@class, ' ', @id), '{_UPPER_LETTERS}', '{_UPPER_LETTERS.lower()}')"
_BYLINE_CLASS = (
    "//*[not(self::html or self::body or self::article or self::main or self::meta or self::script"
    " or self::img or self::section)]"
    f"[contains({_LOWER}, 'byline') or contains({_LOWER}, 'author')"
    " or @rel='author' or contains(@href, '/author/') or contains(@href, '/authors/')"
    " or @itemprop='author' or @data-testid='byline']"
    f"[not(contains({_LOWER}, 'bio') or contains({_LOWER}, 'avatar') or contains({_LOWER}, 'image')"
    f" or contains({_LOWER}, 'photo') or contains({_LOWER}, 'desc') or contains({_LOWER}, 'img')"
    f" or contains({_LOWER}, 'social') or contains({_LOWER}, 'follow'))]"
)
_LABEL = re.compile(r"^(?:written by|words by|authored by|by|author|authors|posted by)\s*:?$", re.I)
_BY_TEXT = re.compile(
    r"^\s*(?:written\s+|reported\s+|posted\s+|story\s+)?by\s*:?\s+(\S.{1,120})$", re.IGNORECASE
)
_DATE_CLASS = (
    "//*[not(self::html or self::body or self::article or self::main or self::script)]"
    "[contains(translate(@class, 'DATEPUBLISHED', 'datepublished'), 'publish')"
    " or contains(translate(@class, 'DATE', 'date'), 'date')"
    " or contains(translate(@class, 'TIMESTAMP', 'timestamp'), 'timestamp')]"
)
_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
#: A date written out in text: "May 3, 2024", "3 May 2024", "2024-05-03", 2024年5月3日...
DATE_IN_TEXT = re.compile(
    rf"\b(?:{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS},?\s+\d{{4}}"
    r"|\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?"
    r"|\d{1,2}[/.]\d{1,2}[/.]\d{4})"
    r"(?:,?\s+(?:at\s+)?\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s+[A-Z]{2,4})?)?"
    r"|\d{4}年\d{1,2}月\d{1,2}日(?:\s*\d{1,2}[:時]\d{2})?",
    re.IGNORECASE,
)


def _main_scope(tree: etree._Element) -> etree._Element:
    """Return the article/main element when the page has exactly one, else the whole tree."""
    for xpath in ("//article", "//main", "//*[@role='main']"):
        found = tree.xpath(xpath)
        if len(found) == 1:
            return found[0]
    return tree


def first_h1(tree: etree._Element) -> str | None:
    """Return the text of the page's main <h1> (inside the article if there is one)."""
    scope = _main_scope(tree)
    for node in scope.xpath(".//h1") or tree.xpath("//h1"):
        text = node_text(node)
        if text:
            return text
    return None


def time_dates(tree: etree._Element) -> list[tuple[str, str]]:
    """Return (raw, kind) for <time> elements: kind is "published", "modified" or "time"."""
    out: list[tuple[str, str]] = []
    scope = _main_scope(tree)
    nodes = scope.xpath(".//time") or tree.xpath("//time")
    for node in nodes:
        raw = node.get("datetime") or node_text(node)
        if not raw:
            continue
        hints = " ".join(
            (
                node.get("class", ""),
                node.get("itemprop", ""),
                node.getparent().get("class", "") if node.getparent() is not None else "",
                "pubdate" if node.get("pubdate") is not None else "",
            )
        ).lower()
        if "modif" in hints or "updat" in hints:
            kind = "modified"
        elif "pub" in hints or "posted" in hints or "creat" in hints:
            kind = "published"
        else:
            kind = "time"
        out.append((clean_space(raw), kind))
    return out


def _byline_texts(tree: etree._Element) -> list[str]:
    """Return short texts of byline-like elements, most specific first."""
    texts: list[str] = []
    scope = _main_scope(tree)
    for node in scope.xpath("." + _BYLINE_CLASS) or tree.xpath(_BYLINE_CLASS):
        text = node_text(node)
        if text and len(text) <= 100 and text not in texts:
            texts.append(text)
    return texts


def _labelled_names(scope: etree._Element) -> list[str]:
    """Return texts that follow a "Written by" / "Author" label in the next element."""
    found: list[str] = []
    for node in scope.xpath(".//*[self::p or self::span or self::div or self::dt or self::strong]"):
        if len(node) or not _LABEL.match(node_text(node)):
            continue
        nxt = node.getnext()
        if nxt is not None and len(node_text(nxt)) <= 80:
            found.append(node_text(nxt))
        elif node.tail and node.tail.strip():
            found.append(node.tail.strip())
    return found[:2]


def byline_authors(tree: etree._Element) -> list[str]:
    """Return raw author strings from visible bylines ("By Jane Doe and John Smith")."""
    found: list[str] = []
    for text in _byline_texts(tree):
        match = _BY_TEXT.match(text)
        found.append(match.group(1) if match else text)
        if len(found) >= 3:
            break
    scope = _main_scope(tree)
    found += _labelled_names(scope)
    if found:
        return found
    for node in scope.xpath(".//p | .//span | .//div[not(*)] | .//address | .//strong | .//em"):
        text = node_text(node)
        if len(text) > 120:
            continue
        match = _BY_TEXT.match(text)
        if match:
            return [DATE_IN_TEXT.split(match.group(1))[0]]
    return []


def visible_dates(tree: etree._Element) -> list[str]:
    """Return dates written in date-like elements and byline lines, in page order."""
    found: list[str] = []
    scope = _main_scope(tree)
    for node in scope.xpath("." + _DATE_CLASS) or tree.xpath(_DATE_CLASS):
        text = node_text(node)
        if len(text) <= 120:
            found.extend(m.group(0) for m in DATE_IN_TEXT.finditer(text))
        if len(found) >= 3:
            break
    return found
