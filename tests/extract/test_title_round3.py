"""Title rules of round 3: headline case, source tails, straight quotes, dash labels."""

from __future__ import annotations

import json

from newscrawl.extract import extract_article

URL = "https://www.example-news.com/2025/01/02/story"


def _page(head: str = "", body: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}<p>Some text of the story.</p></body></html>"


def _ld(**fields: str) -> str:
    data = json.dumps({"@type": "Article", **fields})
    return f'<script type="application/ld+json">{data}</script>'


def test_metadata_title_case_wins_over_sentence_case_h1() -> None:
    html = _page(
        _ld(headline="How Much Should I Pay For Cleaning in San Diego?"),
        "<h1>How much should I pay for cleaning in San Diego?</h1>",
    )
    assert extract_article(html, URL)["title"] == "How Much Should I Pay For Cleaning in San Diego?"


def test_later_metadata_title_case_replaces_sentence_case_h1() -> None:
    html = _page(
        '<meta property="og:title" content="How to install solar panels in 2025">'
        "<title>How to Install Solar Panels in 2026</title>",
        "<h1>How to install solar panels in 2026</h1>",
    )
    assert extract_article(html, URL)["title"] == "How to Install Solar Panels in 2026"


def test_h1_in_title_case_is_kept_over_sentence_case_metadata() -> None:
    html = _page(
        '<meta property="og:title" content="The best film of 2025, according to Rotten Tomatoes">',
        "<h1>The Best Film of 2025, According to Rotten Tomatoes</h1>",
    )
    assert (
        extract_article(html, URL)["title"] == "The Best Film of 2025, According to Rotten Tomatoes"
    )


def test_source_domain_after_h1_headline_is_dropped() -> None:
    html = _page(
        '<meta property="og:title" content="Computer Science Grads Find Fewer Jobs - Slashdot">',
        "<h1>Computer Science Grads Find Fewer Jobs (latimes.com)</h1>",
    )
    assert extract_article(html, URL)["title"] == "Computer Science Grads Find Fewer Jobs"


def test_straight_quotes_of_metadata_replace_curly_quotes_of_h1() -> None:
    html = _page(
        '<meta property="og:title" content="America\'s Most Underrated Food City">',
        "<h1>America\u2019s Most Underrated Food City</h1>",
    )
    assert extract_article(html, URL)["title"] == "America's Most Underrated Food City"


def test_curly_quotes_kept_when_metadata_also_has_them() -> None:
    html = _page(
        _ld(headline="Budget Traveler\u2019s Guide To Travel Insurance")
        + '<meta property="og:title" content="Budget Traveler\'s Guide To Travel Insurance">',
        "<h1>Budget Traveler\u2019s Guide To Travel Insurance</h1>",
    )
    assert extract_article(html, URL)["title"] == "Budget Traveler\u2019s Guide To Travel Insurance"


def test_curly_quotes_kept_without_straight_variant() -> None:
    html = _page(
        '<meta property="og:title" content="Here\u2019s how to keep healthy phone habits">',
        "<h1>Here\u2019s how to keep healthy phone habits</h1>",
    )
    assert extract_article(html, URL)["title"] == "Here\u2019s how to keep healthy phone habits"


def test_short_label_after_dash_is_dropped() -> None:
    html = _page(
        '<meta property="og:title" content="Gym Workouts for Beginners \u2014 Strength Training">',
        "<h1>Gym Workouts for Beginners \u2014 Strength Training</h1>",
    )
    assert extract_article(html, URL)["title"] == "Gym Workouts for Beginners"


def test_exclamation_after_dash_is_kept() -> None:
    html = _page(
        '<meta property="og:title" content="Best Bread Machines \u2013 My Favorites!">',
        "<h1>Best Bread Machines \u2013 My Favorites!</h1>",
    )
    assert extract_article(html, URL)["title"] == "Best Bread Machines \u2013 My Favorites!"


def test_longer_tail_after_dash_is_kept() -> None:
    title = "How to replace brake pads \u2013 From an ASE-Certified Mechanic"
    html = _page(f'<meta property="og:title" content="{title}">', f"<h1>{title}</h1>")
    assert extract_article(html, URL)["title"] == title


def test_straight_quoted_words_of_metadata_replace_curly_quotes_of_h1() -> None:
    html = _page(
        '<meta property="og:title" content="First Trip to Japan: A Visitor\'s Guide">',
        "<h1>What to Expect on a First Trip to Japan- A Visitor\u2019s Guide</h1>",
    )
    assert (
        extract_article(html, URL)["title"]
        == "What to Expect on a First Trip to Japan- A Visitor's Guide"
    )


def test_score_after_dash_is_kept() -> None:
    title = "Match report: Arsenal 2 - 1 Chelsea"
    html = _page(f'<meta property="og:title" content="{title}">', f"<h1>{title}</h1>")
    assert extract_article(html, URL)["title"] == title


def test_metadata_title_adding_a_year_to_the_h1_wins() -> None:
    html = _page(
        '<meta property="og:title" content="Best Travel Insurance for Seniors in 2025">',
        "<h1>Best Travel Insurance for Seniors</h1>",
    )
    assert extract_article(html, URL)["title"] == "Best Travel Insurance for Seniors in 2025"


def test_metadata_title_adding_a_count_to_the_h1_wins() -> None:
    html = _page(
        _ld(headline="Recent Trends in Photography")
        + '<meta property="og:title" content="8 Recent Trends in Photography">',
        "<h1>Recent Trends in Photography</h1>",
    )
    assert extract_article(html, URL)["title"] == "8 Recent Trends in Photography"


def test_h1_with_other_year_than_metadata_is_kept() -> None:
    html = _page(
        '<meta property="og:title" content="7 Mental Health Trends to Watch in 2024">',
        "<h1>7 Mental Health Trends to Watch in 2025</h1>",
    )
    assert extract_article(html, URL)["title"] == "7 Mental Health Trends to Watch in 2025"
