"""Parse decoded HTML into an lxml tree once, and read text from its nodes."""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)


def _html_class_lookup() -> etree.CustomElementClassLookup | etree.ElementNamespaceClassLookup:
    """Return a lookup giving elements the classes lxml.html gives them (`HtmlElement`,
    `FormElement` for <form>...) without calling Python for every element object lxml creates,
    as `lxml.html.HtmlElementClassLookup` does (a tenth of the extraction's time). Should a
    future lxml drop the table of per-tag classes read here, lxml.html's own lookup is used."""
    per_tag = getattr(lxml.html.HtmlElementClassLookup, "_default_element_classes", None)
    if not isinstance(per_tag, dict):
        return lxml.html.HtmlElementClassLookup()
    lookup = etree.ElementNamespaceClassLookup(
        etree.ElementDefaultClassLookup(
            element=lxml.html.HtmlElement,
            comment=lxml.html.HtmlComment,
            pi=lxml.html.HtmlProcessingInstruction,
            entity=lxml.html.HtmlEntity,
        )
    )
    classes = lookup.get_namespace(None)
    for tag, cls in per_tag.items():
        classes[tag] = cls
    return lookup


_CLASS_LOOKUP = _html_class_lookup()


def parse_html(text: str) -> lxml.html.HtmlElement:
    """Parse an HTML string into a document tree (an empty <html> for an empty page)."""
    text = _XML_DECL.sub("", text, count=1).replace("\x00", "")
    if not text.strip():
        return lxml.html.fromstring("<html><body></body></html>")
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, encoding=None)
    parser.set_element_class_lookup(_CLASS_LOOKUP)
    try:
        doc = lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError):
        doc = lxml.html.fromstring("<html><body></body></html>")
    if doc.getnext() is not None or len(doc) > 2:
        _move_trailing_content_into_body(doc)
    return doc


def _move_trailing_content_into_body(doc: lxml.html.HtmlElement) -> None:
    """Put what follows ``</body>`` or ``</html>`` into the body, as browsers do.

    libxml2 leaves it as siblings of ``<body>``, or in a second root element after the document's
    ``<html>``, where extractors that read the body (trafilatura) never look; some sites print
    the whole article after an early ``</html>``.
    """
    body = doc.find("body")
    if body is None:
        return
    strays = [c for c in doc[doc.index(body) + 1 :] if isinstance(c.tag, str) and c.tag != "head"]
    after = doc.getnext()
    while after is not None:
        following = after.getnext()
        if after.tag == "html":
            strays += [c for c in after if isinstance(c.tag, str) and c.tag != "head"]
        elif isinstance(after.tag, str):
            strays.append(after)
        after = following
    for stray in strays:
        if stray.tag == "body":
            body.extend(list(stray))
        else:
            body.append(stray)  # moves it, with its tail


def first_descendant(node: etree._Element, tag: str) -> etree._Element | None:
    """Return the first descendant of a node with the tag, like ``node.find(".//" + tag)``,
    for elements that come early (<body>, <title>): walked in Python, since lxml's search
    looks ahead through the whole tree for the next match."""
    for child in node.iterdescendants():
        if child.tag == tag:
            return child
    return None


def clean_space(text: str | None) -> str:
    """Collapse runs of whitespace (including non-breaking spaces) into single spaces."""
    # str.split() splits at the characters the regex \s matches; faster than a substitution.
    return " ".join((text or "").split())


def node_text(node: etree._Element) -> str:
    """Return the visible text of a node with whitespace collapsed."""
    try:
        parts = node.itertext()
    except (AttributeError, ValueError):
        return ""
    return clean_space(" ".join(parts))


#: Elements that start a new line when rendered; the text on either side is not one word.
BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "td",
        "th",
        "tr",
        "ul",
    ]
)


def inline_text(node: etree._Element, skip: object = None) -> str:
    """Return the text of a node as a browser lays it out.

    Inline elements (``<span>``, ``<a>``) join their neighbours without a space
    ("Plan<span>n</span>ing" is one word) unless a lower-case letter would run into a capital;
    block elements and ``<br>`` are separated by one. `skip(element) -> bool` drops descendants
    (their tails are kept).
    """
    parts: list[str] = []

    def walk(elem: etree._Element) -> None:
        if elem.text:
            parts.append(elem.text)
        for child in elem:
            if isinstance(child.tag, str) and not (callable(skip) and skip(child)):
                edge = " " if child.tag in BLOCK_TAGS else "\x00"
                parts.append(edge)
                walk(child)
                parts.append(edge)
            if child.tail:
                parts.append(child.tail)

    try:
        walk(node)
    except (AttributeError, ValueError):
        return ""
    # An inline element styled as a block ("Headline<span class=block>Subtitle</span>") shows
    # as a lower-case letter or digit running into a capital: those get a space.
    return clean_space(_INLINE_EDGE.sub(" ", "".join(parts)).replace("\x00", ""))


_INLINE_EDGE = re.compile(r"(?<=[a-z0-9])\x00+(?=[A-Z])")


def place_streamed_content(tree: etree._Element) -> None:
    """Move content streamed out of order into its place (React's streaming server rendering:
    ``<div hidden id="S:1">`` at the end of the body replaces ``<template id="B:1">`` or
    ``<template id="P:1">`` when a script runs, which an extractor never does)."""
    for chunk in tree.xpath("//div[@hidden][starts-with(@id, 'S:')]"):
        number = chunk.get("id", "")[2:]
        targets = tree.xpath("//template[@id=$b or @id=$p]", b=f"B:{number}", p=f"P:{number}")
        if not targets or chunk.getparent() is None:
            continue
        target = targets[0]
        parent = target.getparent()
        if parent is None:
            continue
        index = parent.index(target)
        if chunk.text and chunk.text.strip():
            target.tail = chunk.text + (target.tail or "")
        for offset, child in enumerate(list(chunk)):
            parent.insert(index + 1 + offset, child)
        chunk.getparent().remove(chunk)
