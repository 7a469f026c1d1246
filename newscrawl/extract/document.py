"""Parse decoded HTML into an lxml tree once, and read text from its nodes."""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_SPACE = re.compile(r"\s+")


def parse_html(text: str) -> lxml.html.HtmlElement:
    """Parse an HTML string into a document tree (an empty <html> for an empty page)."""
    text = _XML_DECL.sub("", text, count=1).replace("\x00", "")
    if not text.strip():
        return lxml.html.fromstring("<html><body></body></html>")
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, encoding=None)
    try:
        doc = lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError):
        doc = lxml.html.fromstring("<html><body></body></html>")
    return doc


def clean_space(text: str | None) -> str:
    """Collapse runs of whitespace (including non-breaking spaces) into single spaces."""
    return _SPACE.sub(" ", (text or "").replace("\xa0", " ")).strip()


def node_text(node: etree._Element) -> str:
    """Return the visible text of a node with whitespace collapsed."""
    try:
        parts = node.itertext()
    except (AttributeError, ValueError):
        return ""
    return clean_space(" ".join(parts))
