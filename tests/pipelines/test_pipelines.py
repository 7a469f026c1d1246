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


def _clean_text_line_by_line(text: str) -> str:
    """clean_text as it was first written: one substitution and strip per line."""
    import re
    import unicodedata

    space = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n"))
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text)
    lines = [space.sub(" ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def test_clean_text_equals_the_line_by_line_cleaning() -> None:
    import random

    rng = random.Random(2)
    pieces = [
        "a",
        "bc",
        " ",
        "  ",
        "\n",
        "\n\n\n",
        "\r\n",
        "\r",
        "\t",
        "\u00a0",
        "\u2003",
        "\u200b",
        "\u3000",
        "\x85",
        "\u2028",
        "\x0b",
        "\x1f",
        "\x00",
        "\u202f",
        "\u1680",
        "e\u0301",
    ]
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        assert clean_text(text) == _clean_text_line_by_line(text), repr(text)


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
