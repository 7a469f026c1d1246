"""The validate and clean pipelines on single items (a real Scrapy crawler for settings/stats)."""

from __future__ import annotations

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from newscrawl.items import Article
from newscrawl.pipelines.clean import CleanPipeline, clean_text
from newscrawl.pipelines.validate import ValidatePipeline

BODY = " ".join(["The council voted on the harbour plan after a long debate."] * 5)


@pytest.fixture
def crawler():  # type: ignore[no-untyped-def]
    crawler = get_crawler(settings_dict={"NEWSCRAWL_MIN_WORDS": 30})
    crawler.stats.open_spider()
    return crawler


def test_validate_drops_non_articles_with_a_counted_reason(crawler) -> None:  # type: ignore[no-untyped-def]
    pipeline = ValidatePipeline.from_crawler(crawler)
    with pytest.raises(DropItem, match="not_article"):
        pipeline.process_item(
            Article(url="https://x.example/", title="Home", text=BODY, page_type="section")
        )
    assert crawler.stats.get_value("newscrawl/dropped/not_article") == 1


def test_validate_drops_empty_extractions(crawler) -> None:  # type: ignore[no-untyped-def]
    pipeline = ValidatePipeline.from_crawler(crawler)
    with pytest.raises(DropItem, match="empty: only 3 words"):
        pipeline.process_item(Article(url="https://x.example/a", title="T", text="Too short here"))


def test_validate_keeps_a_paywalled_teaser(crawler) -> None:  # type: ignore[no-untyped-def]
    pipeline = ValidatePipeline.from_crawler(crawler)
    item = Article(
        url="https://x.example/a", title="T", text="Subscribers only.", access="paywalled"
    )
    assert pipeline.process_item(item) is item


def test_clean_drops_future_and_backwards_dates(crawler) -> None:  # type: ignore[no-untyped-def]
    pipeline = CleanPipeline.from_crawler(crawler)
    item = Article(
        url="https://x.example/a",
        title="T",
        text=BODY,
        published="2999-01-01T00:00:00Z",
        modified="2025-01-01T00:00:00Z",
    )
    pipeline.process_item(item)
    assert item.published is None
    item = Article(
        url="https://x.example/b",
        title="T",
        text=BODY,
        published="2025-02-01T00:00:00Z",
        modified="2025-01-01T00:00:00Z",
    )
    pipeline.process_item(item)
    assert (item.published, item.modified) == ("2025-02-01T00:00:00Z", None)


def test_clean_normalises_text_and_lists(crawler) -> None:  # type: ignore[no-untyped-def]
    pipeline = CleanPipeline.from_crawler(crawler)
    item = Article(
        url="https://x.example/a",
        title="  Cafe\u0301  news ",
        text=BODY,
        authors=["Jane Doe", "jane doe", " Tom  Baker "],
        language="EN_gb",
    )
    pipeline.process_item(item)
    assert item.title == "Café news"
    assert item.authors == ["Jane Doe", "Tom Baker"]
    assert item.language == "en-gb"


def test_clean_text_keeps_paragraphs() -> None:
    assert clean_text("One  two\u00a0three.\r\n\r\n\r\n\tFour.\x07") == "One two three.\n\nFour."


def test_validate_trusts_the_word_count_extraction_made(crawler) -> None:  # type: ignore[no-untyped-def]
    pipeline = ValidatePipeline.from_crawler(crawler)
    item = Article(url="https://x.example/a", title="T", text="Too short here", word_count=3)
    with pytest.raises(DropItem, match="empty: only 3 words"):
        pipeline.process_item(item)


def test_clean_recounts_words_only_when_cleaning_changes_the_text(crawler) -> None:  # type: ignore[no-untyped-def]
    pipeline = CleanPipeline.from_crawler(crawler)
    tidy = Article(url="https://x.example/a", title="T", text="One two three.", word_count=3)
    assert pipeline.process_item(tidy).word_count == 3
    messy = Article(
        url="https://x.example/b",
        title="T",
        text="One\x00 two\u00a0\u00a0three.\r\n\r\n\r\nfour",
        word_count=99,
    )
    cleaned = pipeline.process_item(messy)
    assert cleaned.text == "One two three.\n\nfour"
    assert cleaned.word_count == 4
    uncounted = Article(url="https://x.example/c", title="T", text="One two three.")
    assert pipeline.process_item(uncounted).word_count == 3
