"""Cleaning: Unicode NFC, tidy whitespace, sane dates, tidy lists."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import MutableMapping
from datetime import datetime, timedelta, timezone
from typing import Any

from itemadapter import ItemAdapter

from newscrawl.extract.text import count_words
from newscrawl.isotime import parse_iso

_INLINE_SPACE = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: The inline spaces other than " " (`_INLINE_SPACE` leaves a text without them and without
#: double spaces as it is).
_ODD_SPACE = re.compile(r"[\t\u00a0\u2000-\u200b\u202f\u205f\u3000]")


def clean_text(text: str) -> str:
    """NFC, no control characters, single spaces, paragraphs separated by one blank line."""
    text = _CONTROL.sub("", unicodedata.normalize("NFC", text.replace("\r\n", "\n")))
    # Substitutions only where they change something (an extracted text is mostly clean), and
    # over the whole text: inline spaces never span a newline.
    if "  " in text or _ODD_SPACE.search(text):
        text = _INLINE_SPACE.sub(" ", text)
    text = "\n".join([line.strip() for line in text.split("\n")])
    if "\n\n\n" in text:
        text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


def clean_line(text: str) -> str:
    """A one-line field: NFC and all whitespace collapsed to single spaces."""
    return " ".join(_CONTROL.sub("", unicodedata.normalize("NFC", text)).split())


def clean_article(fields: MutableMapping[str, Any], future_tolerance: timedelta) -> list[str]:
    """Clean an article's fields in place; returns the names of dates dropped as impossible.

    The crawl's clean pipeline and `newscrawl reextract` share this, so both archive alike.
    """
    for name in ("title", "description", "section", "site_name"):
        if fields.get(name):
            fields[name] = clean_line(fields[name]) or None
    if fields.get("text"):
        text = clean_text(fields["text"])
        # Cleaning rarely changes an extracted text: keep its word count then (counting is ~5% of
        # a crawl's CPU).
        if text != fields["text"] or fields.get("word_count") is None:
            fields["word_count"] = count_words(text)
        fields["text"] = text
    for name in ("authors", "tags"):
        seen: set[str] = set()
        values = []
        for value in fields.get(name) or []:
            value = clean_line(str(value))
            if value and value.casefold() not in seen:
                seen.add(value.casefold())
                values.append(value)
        fields[name] = values
    if fields.get("language"):
        fields["language"] = fields["language"].strip().replace("_", "-").lower() or None
    dropped = []
    latest = datetime.now(timezone.utc) + future_tolerance
    published = parse_iso(fields["published"]) if fields.get("published") else None
    if fields.get("published") and (published is None or published > latest):
        dropped.append("published")
        fields["published"] = None
        published = None
    if fields.get("modified"):
        modified = parse_iso(fields["modified"])
        if modified is None or modified > latest or (published and modified < published):
            dropped.append("modified")
            fields["modified"] = None
    return dropped


class CleanPipeline:
    """Normalise text fields and drop impossible dates (future, modified before published)."""

    def __init__(self, crawler: Any, future_tolerance: float) -> None:
        self.crawler = crawler
        self.future_tolerance = timedelta(seconds=future_tolerance)

    @classmethod
    def from_crawler(cls, crawler: Any) -> CleanPipeline:
        return cls(crawler, crawler.settings.getfloat("NEWSCRAWL_FUTURE_TOLERANCE", 86400))

    def process_item(self, item: Any, spider: Any = None) -> Any:
        for name in clean_article(ItemAdapter(item), self.future_tolerance):
            self.crawler.stats.inc_value(f"newscrawl/cleaned/bad_{name}")
        return item
