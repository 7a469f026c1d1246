"""The ground-truth audit (bench/ground_truth.py): how a page gives a day, and title groups."""

from __future__ import annotations

from datetime import date
from types import ModuleType
from typing import Any

from bench_scripts import load_bench_script


def audit() -> ModuleType:
    return load_bench_script("ground_truth")


def page(pid: str, html: str, title: str | None = None, day: str | None = None) -> Any:
    return audit().Page(pid, "https://news.example/story", html.encode(), "", title, None, day)


def test_day_written_in_english_words_is_found() -> None:
    html = "<p>Posted on March 4th, 2024 by Ann</p>"
    assert audit().day_tier(html, date(2024, 3, 4)) == "written"


def test_day_written_with_a_foreign_month_is_found() -> None:
    assert audit().day_tier("<span>04-ago-2021 5:11</span>", date(2021, 8, 4)) == "written"


def test_day_written_year_first_with_dots_is_found() -> None:
    assert audit().day_tier("<time>2025.12.17</time>", date(2025, 12, 17)) == "written"


def test_numeric_day_is_read_both_ways_round() -> None:
    assert audit().day_tier("<p>05/03/2024</p>", date(2024, 3, 5)) == "written"
    assert audit().day_tier("<p>05/03/2024</p>", date(2024, 5, 3)) == "written"


def test_day_only_in_utc_is_told_apart() -> None:
    html = '<meta content="2025-05-14T21:30:00-04:00">'
    assert audit().day_tier(html, date(2025, 5, 15)) == "utc"


def test_day_only_as_a_unix_timestamp_is_told_apart() -> None:
    html = '<img src="/files/photo.jpg?v=1598815384">'  # 2020-08-30 19:23 UTC
    assert audit().day_tier(html, date(2020, 8, 30)) == "epoch"


def test_day_missing_from_the_page_is_nowhere() -> None:
    html = "<p>Updated November 19, 2021</p>"
    assert audit().day_tier(html, date(2021, 1, 28)) == "nowhere"


def test_date_audit_bounds_the_accuracy() -> None:
    pages = [
        page("1", "<p>May 2, 2024</p>", day="2024-05-02"),
        page("2", "<p>no date here</p>", day="2024-05-02"),
        page("3", "<p>May 2, 2024</p>", day="2003-11"),
        page("4", "<p>May 2, 2024</p>"),
    ]
    result = audit().audit_dates(pages)
    assert result.pages == 3
    assert result.tiers["written"] == ["1"]
    assert result.tiers["nowhere"] == ["2"]
    assert result.not_a_day == ["3"]
    assert round(result.ceiling("written"), 3) == 0.333


def test_title_audit_counts_straightened_quotes() -> None:
    html = "<html><head><title>Why It\u2019s Late</title></head><body><h1>Why It\u2019s Late</h1>"
    straight = page("1", html, title="Why It's Late")
    kept = page("2", html, title="Why It\u2019s Late")
    result = audit().audit_titles([straight, kept])
    assert result.quotes == {"straight": ["1"], "curly": ["2"]}
    assert result.in_no_source == []


def test_title_audit_tells_which_of_h1_and_metadata_the_truth_takes() -> None:
    html = (
        '<html><head><meta property="og:title" content="Best Budget Laptops of 2026">'
        "<title>Best Budget Laptops of 2026</title></head>"
        "<body><h1>The laptops we liked best this year</h1>"
    )
    pages = [
        page("1", html, title="The laptops we liked best this year"),
        page("2", html, title="Best Budget Laptops of 2026"),
        page("3", html, title="Something else entirely"),
    ]
    result = audit().audit_titles(pages)
    assert result.h1_or_metadata == {"h1": ["1"], "metadata": ["2"], "neither": ["3"]}
    assert result.in_no_source == ["3"]
