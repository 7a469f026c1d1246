"""Read what a reader sees near the headline: <h1>, <time> elements, bylines and date lines."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple, cast

from lxml import etree

from newscrawl.extract.document import clean_space, inline_text, node_text
from newscrawl.extract.months import FOREIGN_DATE_TEXT

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
    f" or contains({_LOWER}, 'social') or contains({_LOWER}, 'follow')"
    f" or contains({_LOWER}, 'categor'))]"
)
_LABEL = re.compile(
    r"^(?:written by|words by|authored by|article by|by|author(?:\(s\)|s)?|posted by|contributors?)"
    r"\s*:?$",
    re.I,
)
_BY_TEXT = re.compile(
    r"^\s*(?:written\s+|reported\s+|posted\s+|story\s+)?by\s*:?\s+(\S.{1,120})$", re.IGNORECASE
)
#: "This post was written by Jane Doe, ..." inside a longer byline sentence.
_BY_INSIDE = re.compile(
    r"\b(?:written|reported|posted|authored)\s+by\s*:?\s+(\S.{1,120})$", re.IGNORECASE
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
#: A date written out in text: "May 3, 2024", "3 May 2024", "2024-05-03", "3. Mai 2024",
#: 2024年5月3日, 2024년 5월 3일...
DATE_IN_TEXT = re.compile(
    rf"\b(?:{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS},?\s+\d{{4}}"
    r"|\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?"
    r"|\d{1,2}[/.]\d{1,2}[/.]\d{4}|(?<![\d.])(?:19|20)\d{2}[/.]\d{1,2}[/.]\d{1,2}(?!\.?\d))"
    r"(?:,?\s+(?:at\s+)?\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s+[A-Z]{2,4})?)?"
    r"|\d{4}\s*[年년]\s*\d{1,2}\s*[月월]\s*\d{1,2}\s*[日일]"
    r"(?:\s*(?:[上下]午|午[前後]|오[전후])?\s*\d{1,2}[:時시]\s*\d{2})?"
    rf"|\b{FOREIGN_DATE_TEXT}(?:,?\s+(?:à\s+|um\s+|a\s+las\s+|alle\s+|às\s+)?\d{{1,2}}[:.h]\d{{2}})?",
    re.IGNORECASE,
)


#: The last tree `main_element` looked at and its answer: the page's extraction asks about the
#: same tree many times, and each answer costs up to three searches of the whole document.
_LAST_SCOPE: list[Any] = [None, None]


def main_element(tree: etree._Element) -> etree._Element | None:
    """Return the page's only <article>, else its only <main>, else its only element with
    role="main" (None when it has none of them)."""
    last, found = _LAST_SCOPE
    if last is tree and (found is None or found is tree or found.getparent() is not None):
        return cast("etree._Element | None", found)
    found = None
    for search in _MAIN_SEARCHES:
        nodes = search(tree)
        if len(nodes) == 1:
            found = nodes[0]
            break
    _LAST_SCOPE[:] = [tree, found]
    return found


#: `//*[@role='main']` tests every element's attribute; listing the role attributes is cheaper.
_MAIN_SEARCHES = [
    etree.XPath("//article"),
    etree.XPath("//main"),
    etree.XPath("//@role[.='main']/.."),
]


def forget_tree() -> None:
    """Drop the answers cached for the last tree (call it after changing the tree)."""
    _LAST_SCOPE[:] = [None, None]


def _main_scope(tree: etree._Element) -> etree._Element:
    """Return the article/main element when the page has exactly one, else the whole tree."""
    found = main_element(tree)
    return tree if found is None else found


_NOT_HEADLINE_CLASS = re.compile(r"date|time|byline|author|posted|comment|count", re.IGNORECASE)


def _not_headline(node: etree._Element) -> bool:
    """Tell whether an element inside an <h1> is furniture rather than headline words: a
    <time>, a nested heading or block (a byline line the template put inside the <h1>), or an
    element classed as a date, byline or comment count."""
    if node.tag in ("time", "h2", "h3", "h4", "h5", "h6", "div", "p", "ul", "script", "style"):
        return True
    return bool(_NOT_HEADLINE_CLASS.search(f"{node.get('class', '')} {node.get('id', '')}"))


def first_h1(tree: etree._Element) -> str | None:
    """Return the text of the page's main <h1> (inside the article if there is one), as laid
    out (no space inside words split by inline markup), without datelines or bylines nested in
    it."""
    scope = _main_scope(tree)
    for node in scope.xpath(".//h1") or tree.xpath("//h1"):
        text = inline_text(node, _not_headline) or inline_text(node)
        if text:
            return text
    return None


def h1_texts(tree: etree._Element, limit: int = 6) -> list[str]:
    """Return the texts of the page's <h1> elements: those of the article first (as
    `first_h1` reads them), then the others, at most `limit`."""
    scope = _main_scope(tree)
    nodes = scope.xpath(".//h1")
    if scope is not tree:
        nodes += [node for node in tree.xpath("//h1") if node not in nodes]
    out: list[str] = []
    for node in nodes:
        text = inline_text(node, _not_headline) or inline_text(node)
        if text and text not in out:
            out.append(text)
            if len(out) >= limit:
                break
    return out


def subheading_texts(tree: etree._Element, limit: int = 10) -> list[str]:
    """Return the texts of the page's first <h2> and <h3> elements, in document order: a page
    whose <h1> is a hero or section label sets its headline in one of them, near the top."""
    out: list[str] = []
    for node in tree.iter("h2", "h3"):
        text = inline_text(node, _not_headline) or inline_text(node)
        if text:
            out.append(text)
            if len(out) >= limit:
                break
    return out


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


_NOT_BYLINE_TAGS = frozenset(
    {"html", "body", "article", "main", "meta", "script", "img", "section"}
)
_NOT_BYLINE_CLASS = re.compile("bio|avatar|image|photo|desc|img|social|follow|comment|categor")


def _is_byline(node: etree._Element) -> bool:
    """Tell whether an element is byline-like (what `_BYLINE_CLASS` selects, in one pass)."""
    if node.tag in _NOT_BYLINE_TAGS or not isinstance(node.tag, str):
        return False
    hints = f"{node.get('class') or ''} {node.get('id') or ''}".translate(_ASCII_LOWER)
    href = node.get("href") or ""
    if not (
        "byline" in hints
        or "author" in hints
        or node.get("rel") == "author"
        or "/author/" in href
        or "/authors/" in href
        or node.get("itemprop") == "author"
        or node.get("data-testid") == "byline"
    ):
        return False
    if _NOT_BYLINE_CLASS.search(hints):
        return False
    for depth, anc in enumerate(node.iterancestors()):
        if depth >= 8:
            break
        if "comment" in f"{anc.get('class') or ''} {anc.get('id') or ''}".lower():
            return False
    return True


_ASCII_LOWER = str.maketrans(_UPPER_LETTERS, _UPPER_LETTERS.lower())


def _matching(
    tree: etree._Element,
    prefilter: Callable[[etree._Element], bool],
    test: Callable[[etree._Element], bool],
) -> list[etree._Element]:
    """Return the elements passing `prefilter` and `test` inside the article (or in the whole
    page when the article has none), in document order.

    One Python walk: an XPath predicate with many ``contains`` tests costs more (each test
    copies the attribute's value in libxml2).
    """
    scope = _main_scope(tree)
    nodes = [
        node for node in scope.iterdescendants(etree.Element) if prefilter(node) and test(node)
    ]
    if not nodes:
        tops = document_elements(tree)
        if scope is not tree or len(tops) > 1:
            nodes = [
                node
                for top in tops
                for node in top.iter(etree.Element)
                if prefilter(node) and test(node)
            ]
    return nodes


def _byline_prefilter(node: etree._Element) -> bool:
    """Tell whether an element may be a byline: class or id holding "ine" or "hor" in lower or
    upper case ("byline", "AUTHOR"), a rel, href, itemprop or data-testid naming an author."""
    cls = node.get("class") or ""
    ident = node.get("id") or ""
    return (
        "ine" in cls
        or "INE" in cls
        or "hor" in cls
        or "HOR" in cls
        or "ine" in ident
        or "INE" in ident
        or "hor" in ident
        or "HOR" in ident
        or node.get("rel") == "author"
        or "/author" in (node.get("href") or "")
        or node.get("itemprop") == "author"
        or node.get("data-testid") == "byline"
    )


def _date_prefilter(node: etree._Element) -> bool:
    """Tell whether an element may be classed as a date: its class holds "ate", "ish" or "amp"
    in lower or upper case ("date", "PUBLISHED", "timestamp")."""
    cls = node.get("class")
    return bool(cls) and (
        "ate" in cls or "ATE" in cls or "ish" in cls or "ISH" in cls or "amp" in cls or "AMP" in cls
    )


#: The date prefilter under its former name (it was an XPath predicate).
_DATE_PREFILTER = _date_prefilter


def _byline_nodes(tree: etree._Element) -> list[etree._Element]:
    """Return the byline-like elements (`_BYLINE_CLASS`), in the article if it has some."""
    return _matching(tree, _byline_prefilter, _is_byline)


_NOT_DATE_TAGS = frozenset({"html", "body", "article", "main", "script"})
_DATE_HINT = re.compile("publish|date|timestamp")


def _is_date_node(node: etree._Element) -> bool:
    """Tell whether an element is classed as a date (what `_DATE_CLASS` selects)."""
    if node.tag in _NOT_DATE_TAGS or not isinstance(node.tag, str):
        return False
    cls = node.get("class")
    return bool(cls) and bool(_DATE_HINT.search(cls.translate(_ASCII_LOWER)))


def document_elements(tree: etree._Element) -> list[etree._Element]:
    """Return the top-level elements of the tree's document (a broken page may have two
    <html> elements side by side; XPath's ``//`` searches both)."""
    root = tree.getroottree().getroot()
    before = list(root.itersiblings(preceding=True))[::-1]
    return [e for e in [*before, root, *root.itersiblings()] if isinstance(e.tag, str)]


def _byline_texts(tree: etree._Element) -> list[str]:
    """Return short texts of byline-like elements, most specific first."""
    texts: list[str] = []
    for node in _byline_nodes(tree):
        text = node_text(node)
        if len(text) > 100:
            text = _box_name(node)  # an author box: the name heads a biography
        if text and len(text) <= 100 and text not in texts:
            texts.append(text)
    return texts


def _box_name(node: etree._Element) -> str:
    """Return the name opening an author box (its first line of text, before the biography),
    or "" when the box opens with something longer than a name."""
    for piece in node.itertext():
        text = clean_space(piece)
        if not text or _BOX_LABEL.search(text):
            continue  # "About the author", "Author Spotlight": the box's label
        return text if len(text) <= 40 and len(text.split()) <= 5 else ""
    return ""


_BOX_LABEL = re.compile(r"\b(?:author|about|meet|written)\b", re.IGNORECASE)


def _prefer_inner(texts: list[str]) -> list[str]:
    """Replace a byline whose text is a later one's followed by more words ("Liz Kenny Former
    McKinsey Consultant", then "Liz Kenny" in an inner element) by that shorter one: the inner
    element holds the name, the outer one adds a job title."""
    out = list(texts)
    for index, text in enumerate(texts):
        for inner in texts[index + 1 : index + 4]:
            if (
                " " in inner
                and len(inner) < len(out[index])
                and text.startswith(inner + " ")
                and not _NEXT_NAME.match(text[len(inner) :])
            ):
                out[index] = inner  # the shortest: the name without role nor date
    return out


#: How a list of names goes on after its first name ("... and John Smith", "... & Bo Chen").
_NEXT_NAME = re.compile(r"^\s*(?:and|&|with|und|et|y)\s", re.IGNORECASE)


#: Elements that may hold a `_LABEL` when they have no child elements.
_LABEL_TAGS = ("p", "span", "div", "dt", "strong", "h2", "h3", "h4", "h5", "h6")


def _labelled_names(scope: etree._Element) -> list[str]:
    """Return texts that follow a "Written by" / "Author" label in the next element (the
    first two)."""
    found: list[str] = []
    for node in scope.iterdescendants(*_LABEL_TAGS):
        # A childless element: its text is its .text (a label is short).
        if len(node.text or "") > 60 or (len(node) and _has_child_element(node)):
            continue
        if not _LABEL.match(clean_space(node.text)):
            continue
        nxt = node.getnext()
        if nxt is not None and nxt.tag in ("ul", "ol"):
            # A list of authors: one name an item.
            found.append(", ".join(t for li in nxt.iter("li") if (t := node_text(li))))
        elif nxt is not None and len(node_text(nxt)) <= 80:
            found.append(node_text(nxt))
        elif node.tail and node.tail.strip():
            found.append(node.tail.strip())
        if len(found) == 2:
            break
    return found


def _has_child_element(node: etree._Element) -> bool:
    """Tell whether a node has an element among its children (comments do not count)."""
    return next(node.iterchildren(etree.Element), None) is not None


#: How a text matching `_BY_TEXT` starts.
_BY_START = re.compile(r"^\s*(?:(?:written|reported|posted|story)\s+)?by\b", re.IGNORECASE)
#: A sentence crediting the author at the top of a post ("This post was written by ...").
_POST_BY = re.compile(
    r"^\s*(?:this|the)\s+(?:blog\s+)?(?:post|article|story|piece)\s+(?:was\s+)?"
    r"(?:written|authored|contributed)\s+by\s+",
    re.IGNORECASE,
)
#: Where the name ends in such a sentence: a comma, a full stop after a word, a parenthesis.
_NAME_END = re.compile(r"\s*(?:,|;|\(|(?<=[a-z]{2})\.(?:\s|$))")


def _text_start(node: etree._Element, size: int = 30) -> str:
    """Return the first characters of a node's text (pieces joined as `node_text` joins them)."""
    parts: list[str] = []
    length = 0
    for piece in node.itertext():
        parts.append(piece)
        length += len(piece.strip())
        if length >= size:
            break
    return clean_space(" ".join(parts))


def byline_authors(tree: etree._Element) -> list[str]:
    """Return raw author strings from visible bylines ("By Jane Doe and John Smith")."""
    found: list[str] = []
    for text in _byline_texts(tree):
        match = _BY_TEXT.match(text) or _BY_INSIDE.search(text)
        found.append(match.group(1) if match else text)
        if len(found) >= 6:
            break
    found = _prefer_inner(found)[:3]
    found += _labelled_names(_main_scope(tree))
    return found or written_by_authors(tree)


def written_by_authors(tree: etree._Element, limit: int = 1) -> list[str]:
    """Return the names of the first `limit` "By ..." / "Written by ..." lines of the page, or
    of sentences crediting the post's author ("This post was written by Jane Doe, ..."), read
    whatever their markup: bylines without byline classes. "By ..." labels of menus ("By Use
    Case" over links) and "by 2032, ..." in prose are skipped."""
    found: list[str] = []
    # `.//p | .//span | .//div[not(*)] | ...`, found by tag in C.
    for node in _main_scope(tree).iterdescendants(*_BY_LINE_TAGS):
        if len(found) >= limit:
            break
        if node.tag == "div" and len(node) and _has_child_element(node):
            continue
        start = _text_start(node, 40)
        sentence = _POST_BY.match(start)
        if sentence:
            # "This post was written by Jane Doe, MD, gastroenterologist, ...": the name only.
            name = _NAME_END.split(_text_start(node, 120)[sentence.end() :], maxsplit=1)[0]
            if name.strip():
                found.append(name.strip())
            continue
        if not _BY_START.match(start):
            continue  # cheap test of the first characters before reading the whole text
        text = node_text(node)
        if len(text) > 120:
            continue
        match = _BY_TEXT.match(text)
        if match and _PROSE.match(match.group(1)):
            continue  # "By batching, we can ...": a sentence, not a byline
        if match and (node.tag not in _HEADINGS or _WRITTEN_BY.match(text)) and not _in_menu(node):
            # A heading "By Category" names a menu; "Written by Jane Doe" heads an author box.
            found.append(DATE_IN_TEXT.split(match.group(1))[0])
    return found


_MENU_CLASS = re.compile("menu|dropdown", re.IGNORECASE)


def _in_menu(node: etree._Element, depth: int = 8) -> bool:
    """Tell whether an element sits in a <nav> or an element classed as a menu or drop-down
    (its "By Industry" / "By Use Case" labels group links; they credit no one)."""
    for index, anc in enumerate(node.iterancestors()):
        if index >= depth or anc.tag in ("body", "article", "main"):
            break
        if anc.tag == "nav" or _MENU_CLASS.search(anc.get("class") or ""):
            return True
    return False


#: The elements `byline_authors` reads "By ..." lines from (<div>s only without child elements).
_BY_LINE_TAGS = ("p", "span", "div", "address", "strong", "em", "h3", "h4", "h5")


def _after(node: etree._Element) -> Iterator[etree._Element]:
    """Yield the elements that follow `node` in document order, its descendants first."""
    yield from node.iterdescendants()
    for cur in (node, *node.iterancestors()):
        for sibling in cur.itersiblings():
            yield from sibling.iter()


def _before(node: etree._Element) -> Iterator[etree._Element]:
    """Yield the elements that precede `node` in document order, nearest first (its
    ancestors excluded)."""
    for cur in (node, *node.iterancestors()):
        for sibling in cur.itersiblings(preceding=True):
            yield from reversed(list(sibling.iter()))


#: Elements whose text a reader never sees (buttons and menus do show theirs: bylines use them).
_NO_TEXT = frozenset({"script", "style", "noscript", "template", "svg"})


class HeadlineBylines(NamedTuple):
    """What a reader sees next to the main headline: raw author strings of its bylines
    (nearest first), the text around it, and names written on a date line under it without
    byline markup ("2025-12-17 · Trond Teigen")."""

    bylines: list[str]
    text: str
    dateline: list[str]


def headline_bylines(
    tree: etree._Element, before: int = 300, after: int = 500, dateline_limit: int = 200
) -> HeadlineBylines:
    """Return the bylines next to the main headline: byline-like elements, labelled names and
    "By ..." lines within `after` characters of text after the <h1> (or `before` characters
    before it), nearest first, and that stretch of text. Teasers, comments and author boxes lie
    further away."""
    scope = _main_scope(tree)
    heads = scope.xpath(".//h1") or tree.xpath("//h1")
    if not heads:
        return HeadlineBylines([], "", [])
    found: list[tuple[int, str]] = []
    after_pieces: list[str] = []
    before_chunks: list[list[str]] = []  # one an element, nearest first
    dated: list[str] = []
    for walk, limit in ((_after(heads[0]), after), (_before(heads[0]), before)):
        seen, walk_after = 0, limit == after
        for node in walk:
            if not isinstance(node.tag, str):
                continue
            if _is_byline(node):
                text = node_text(node)
                if text and len(text) <= 100:
                    match = _BY_TEXT.match(text) or _BY_INSIDE.search(text)
                    found.append((seen, match.group(1) if match else text))
            elif (
                not len(node)
                and len(node.text or "") <= 60
                and _LABEL.match(clean_space(node.text))
            ):
                nxt = node.getnext()
                if nxt is not None and len(node_text(nxt)) <= 80:
                    found.append((seen, node_text(nxt)))
            elif node.tag in _BY_TAGS and _BY_START.match(node.text or ""):
                match = _BY_TEXT.match(node_text(node))  # "By: Jane Doe" in a plain <p>
                if match and not _PROSE.match(match.group(1)):
                    found.append((seen, DATE_IN_TEXT.split(match.group(1))[0]))
            if not dated and node.tag in _LINE_TAGS and walk_after and seen <= dateline_limit:
                dated = _dateline_names(node)
            own = [
                piece
                for piece in (None if node.tag in _NO_TEXT else node.text, node.tail)
                if piece and piece.strip()
            ]
            if walk_after:
                after_pieces += own
            else:
                before_chunks.append(own)
            seen += sum(len(piece.strip()) for piece in own)
            if seen > limit:
                break
    texts = [text for _, text in sorted(found, key=lambda item: item[0])]
    # The text before the headline read back in page order, then the text after it.
    pieces = [piece for chunk in reversed(before_chunks) for piece in chunk] + after_pieces
    return HeadlineBylines(texts, clean_space(" ".join(pieces)), dated)


_LINE_TAGS = frozenset({"p", "div", "span", "li", "small", "header"})
#: Separators of the parts of a date line ("Dec 26, 2025 • Mahua Das").
_LINE_SEPARATORS = re.compile(r"\s*[·•|]\s*")
#: A category after the name on a date line ("Mahua Das in Project Management").
_IN_CATEGORY = re.compile(r"\s+in\s+\S.*$")


def _dateline_names(node: etree._Element, size: int = 120) -> list[str]:
    """Return the parts of a short date line that are not its date ("2025-12-17 · Trond
    Teigen" -> ["Trond Teigen"]), or [] when the element holds no such line."""
    text = _text_start(node, size + 10)
    if len(text) > size or not _LINE_SEPARATORS.search(text) or not DATE_IN_TEXT.search(text):
        return []
    parts = [_IN_CATEGORY.sub("", p) for p in _LINE_SEPARATORS.split(text)]
    return [p for p in parts if p and not DATE_IN_TEXT.search(p)]


_HEADINGS = frozenset({"h3", "h4", "h5"})
#: What follows "By" in a sentence rather than a byline: a number ("by 2032, reflecting ...",
#: "by 40% this year"), or a word in lower case, then a comma or more words ("By batching, we
#: can ...", "by using the new API").
_PROSE = re.compile(r"^(?:\d[\d.,%]*(?:\s|,|$)|[a-z][\w'’-]*(?:,|\s+[a-z]+\s+[a-z]+))")
_BY_TAGS = frozenset({"p", "span", "div", "address", "strong", "em", "li"})
_WRITTEN_BY = re.compile(r"^\s*(?:written|posted|authored|reported)\s+by\b", re.IGNORECASE)


def footer_text(tree: etree._Element, size: int = 300) -> str:
    """Return the first characters of the page's last <footer> (a copyright line)."""
    footers = tree.xpath("//footer")
    return _text_start(footers[-1], size) if footers else ""


def visible_dates(tree: etree._Element) -> list[str]:
    """Return dates written in date-like elements and byline lines, in page order."""
    found: list[str] = []
    for node in _matching(tree, _DATE_PREFILTER, _is_date_node):
        text = node_text(node)
        if len(text) <= 120:
            found.extend(m.group(0) for m in DATE_IN_TEXT.finditer(text))
        if len(found) >= 3:
            break
    return found


def text_dates(
    tree: etree._Element, from_headline: bool = False, max_chars: int = 3000, max_dates: int = 3
) -> list[str]:
    """Return dates written in the page's visible text in document order, at most `max_dates`
    within the first `max_chars` characters (from the main <h1> on when `from_headline`)."""
    body = tree.find("body")
    if body is None:
        return []
    start = None
    if from_headline:
        scope = _main_scope(tree)
        heads = scope.xpath(".//h1") or tree.xpath("//h1")
        if not heads:
            return []
        start = heads[0]
    found: list[str] = []
    seen = 0
    started = start is None
    skipped: set[etree._Element] = set()
    for node in body.iter():
        if not isinstance(node.tag, str):
            continue
        if node is start:
            started = True
        parent = node.getparent()
        hidden = node.tag in _INVISIBLE or (parent is not None and parent in skipped)
        if hidden:
            skipped.add(node)
        texts = ([] if hidden else [node.text]) + (
            [node.tail] if parent is not None and parent not in skipped else []
        )
        if not started:
            continue
        for text in texts:
            if not text or not text.strip():
                continue
            seen += len(text)
            found.extend(m.group(0) for m in DATE_IN_TEXT.finditer(text))
        if seen > max_chars or len(found) >= max_dates:
            break
    return found[:max_dates]


_INVISIBLE = frozenset({"script", "style", "noscript", "template", "svg", "select", "button"})
