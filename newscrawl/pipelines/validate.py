"""Validation: only real articles with a body go on; everything else is dropped with a reason."""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter

from newscrawl.extract.text import count_words
from newscrawl.pipelines.outcomes import count, drop


class ValidatePipeline:
    """Drop non-article pages and empty extractions (too few words, no title)."""

    def __init__(self, crawler: Any, min_words: int) -> None:
        self.crawler = crawler
        self.min_words = min_words

    @classmethod
    def from_crawler(cls, crawler: Any) -> ValidatePipeline:
        return cls(crawler, crawler.settings.getint("NEWSCRAWL_MIN_WORDS", 30))

    def process_item(self, item: Any, spider: Any = None) -> Any:
        adapter = ItemAdapter(item)
        page_type = adapter.get("page_type") or "article"
        if page_type != "article":
            count(self.crawler, "non_articles", adapter.get("source"))
            raise drop(self.crawler, item, "not_article", f"a {page_type} page", kind="hub")
        if not (adapter.get("title") or "").strip():
            raise drop(self.crawler, item, "no_title", "no title found")
        words = adapter.get("word_count")
        if words is None:  # extraction counts them; items from elsewhere may not
            words = count_words(adapter.get("text"))
        if words < self.min_words and adapter.get("access") != "paywalled":
            raise drop(self.crawler, item, "empty", f"only {words} words of body text")
        return item
