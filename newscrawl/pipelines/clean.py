"""Cleaning: Unicode NFC, tidy whitespace, sane dates, tidy lists."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta, timezone
from typing import Any

from itemadapter import ItemAdapter

from newscrawl.extract.text import count_words

_INLINE_SPACE = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str) -> str:
    """NFC, no control characters, single spaces, paragraphs separated by one blank line."""
    text = _CONTROL.sub("", unicodedata.normalize("NFC", text.replace("\r\n", "\n")))
    lines = [_INLINE_SPACE.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def clean_line(text: str) -> str:
    """A one-line field: NFC and all whitespace collapsed to single spaces."""
    return " ".join(_CONTROL.sub("", unicodedata.normalize("NFC", text)).split())


def _parse(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class CleanPipeline:
    """Normalise text fields and drop impossible dates (future, modified before published)."""

    def __init__(self, crawler: Any, future_tolerance: float) -> None:
        self.crawler = crawler
        self.future_tolerance = timedelta(seconds=future_tolerance)

    @classmethod
    def from_crawler(cls, crawler: Any) -> CleanPipeline:
        return cls(crawler, crawler.settings.getfloat("NEWSCRAWL_FUTURE_TOLERANCE", 86400))

    def process_item(self, item: Any, spider: Any = None) -> Any:
        adapter = ItemAdapter(item)
        for name in ("title", "description", "section", "site_name"):
            if adapter.get(name):
                adapter[name] = clean_line(adapter[name]) or None
        if adapter.get("text"):
            adapter["text"] = clean_text(adapter["text"])
            adapter["word_count"] = count_words(adapter["text"])
        for name in ("authors", "tags"):
            seen: set[str] = set()
            values = []
            for value in adapter.get(name) or []:
                value = clean_line(str(value))
                if value and value.casefold() not in seen:
                    seen.add(value.casefold())
                    values.append(value)
            adapter[name] = values
        if adapter.get("language"):
            adapter["language"] = adapter["language"].strip().replace("_", "-").lower() or None
        self._check_dates(adapter)
        return item

    def _check_dates(self, adapter: ItemAdapter) -> None:
        latest = datetime.now(timezone.utc) + self.future_tolerance
        published = _parse(adapter["published"]) if adapter.get("published") else None
        if adapter.get("published") and (published is None or published > latest):
            self.crawler.stats.inc_value("newscrawl/cleaned/bad_published")
            adapter["published"] = None
            published = None
        if adapter.get("modified"):
            modified = _parse(adapter["modified"])
            if modified is None or modified > latest or (published and modified < published):
                self.crawler.stats.inc_value("newscrawl/cleaned/bad_modified")
                adapter["modified"] = None
