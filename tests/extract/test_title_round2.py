"""Title rules of round 2: section tails, outvoted or cut JSON-LD headlines, several <h1>."""

from __future__ import annotations

import json

from newscrawl.extract import extract_article
from newscrawl.extract.title import (
    choose_title,
    clean_title,
    site_domain_names,
    unescape_entities,
)

URL = "https://www.example-news.com/2025/01/02/story"


def _page(head: str = "", body: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}<p>Some text of the story.</p></body></html>"


def _ld(**fields: str) -> str:
    data = json.dumps({"@type": "Article", **fields})
    return f'<script type="application/ld+json">{data}</script>'


def test_short_section_after_a_pipe_is_dropped() -> None:
    html = _page(
        '<meta property="og:site_name" content="BSS">'
        '<meta property="og:title" content="Homestead gardening makes villages self-reliant'
        ' | District">'
    )
    assert extract_article(html, URL)["title"] == "Homestead gardening makes villages self-reliant"


def test_section_and_site_after_pipes_are_dropped_without_known_site_name() -> None:
    title = "How to help toddlers sleep through the night | Patient Education | UC Davis Health"
    html = _page(f"<title>{title}</title>", f"<h1>{title}</h1>")
    assert extract_article(html, URL)["title"] == "How to help toddlers sleep through the night"


def test_long_subtitle_after_a_pipe_is_kept() -> None:
    title = "Top 10 Cameras of 2025 | The Best Mirrorless Cameras on the Market"
    assert choose_title([(title, "opengraph")], []) == (title, "opengraph")


def test_h1_repeated_by_another_metadata_title_outvotes_the_json_ld_headline() -> None:
    html = _page(
        _ld(headline="Sample menus")
        + '<meta property="og:title" content="7 days of healthy meals on a budget">',
        "<h1>7 days of healthy meals on a budget</h1>",
    )
    assert extract_article(html, URL)["title"] == "7 days of healthy meals on a budget"


def test_json_ld_headline_cut_short_is_completed_from_og_title() -> None:
    full = (
        "Fix It Friday: Struggling With How To Arrange Your Living Room? We Help 4 Readers"
        " Find Solutions (Including One Universal Trick)"
    )
    cut = full[:100].rsplit(" ", 1)[0]
    html = _page(
        _ld(headline=cut)
        + f'<meta property="og:title" content="{full} - Emily Henderson">'
        + '<meta property="og:site_name" content="Emily Henderson">'
    )
    assert extract_article(html, URL)["title"] == full


def test_of_several_h1_the_one_the_metadata_repeats_is_the_headline() -> None:
    html = _page(
        _ld(headline="A Complete Guide to All the Types of Furniture Styles"),
        "<h1>A Complete Guide to All the Types of Furniture Styles</h1>"
        "<article><h1>A Guide to the Popular Types of Furniture Styles</h1>"
        "<p>Body of the article.</p></article>",
    )
    assert (
        extract_article(html, URL)["title"]
        == "A Complete Guide to All the Types of Furniture Styles"
    )


def test_h1_ending_with_a_colon_is_a_label_not_the_headline() -> None:
    html = _page(
        "<title>The Fold-and-Cut Problem (Erik Demaine)</title>",
        "<h1><a href='/'>Erik Demaine</a>'s Folding and Unfolding:</h1>"
        "<h1>The Fold-and-Cut Problem</h1>",
    )
    assert extract_article(html, URL)["title"] == "The Fold-and-Cut Problem"


def test_site_name_after_the_h1_headline_is_dropped() -> None:
    html = _page(
        _ld(headline="Critics’ Choice: Best UK Art Exhibitions 2025 – Artlyst")
        + '<meta property="og:site_name" content="Artlyst">',
        "<h1>Critics’ Choice: Best UK Art Exhibitions 2025 – Artlyst</h1>",
    )
    assert extract_article(html, URL)["title"] == "Critics’ Choice: Best UK Art Exhibitions 2025"


def test_h1_that_is_the_domain_is_not_the_headline() -> None:
    html = _page("<title>davidbau.com Vibe Coding</title>", "<h1>davidbau.com</h1>")
    assert extract_article(html, "https://davidbau.com/archives/vibe.html")["title"] == (
        "Vibe Coding"
    )


def test_entities_escaped_twice_are_decoded() -> None:
    assert unescape_entities("Python, SQL &#x26; AI") == "Python, SQL & AI"
    assert unescape_entities("And finally&#8230; trouble") == "And finally… trouble"
    assert unescape_entities("Fish & Chips; R&D") == "Fish & Chips; R&D"


def test_one_word_kicker_before_the_metadata_title_is_dropped() -> None:
    headline = "Best Social Media Advertising Agencies in the U.S. in 2025"
    html = _page(f'<meta property="og:title" content="{headline}">', f"<h1>Blog: {headline}</h1>")
    assert extract_article(html, URL)["title"] == headline


def test_h1_with_characters_lost_to_encoding_yields_to_the_metadata_title() -> None:
    html = _page(
        '<meta property="og:title" content="Event Planning: Beginner\'s Guide">',
        "<h1>Event Planning? Beginner? Guide</h1>",
    )
    assert extract_article(html, URL)["title"] == "Event Planning: Beginner's Guide"


def test_question_in_the_h1_is_kept() -> None:
    html = _page(
        '<meta property="og:title" content="Why Is the Sky Blue? A Short Answer">',
        "<h1>Why Is the Sky Blue? A Short Answer</h1>",
    )
    assert extract_article(html, URL)["title"] == "Why Is the Sky Blue? A Short Answer"


def test_domain_written_before_the_headline_is_dropped() -> None:
    domains = site_domain_names("https://davidbau.com/archives/vibe.html")
    assert clean_title("davidbau.com Vibe Coding", [], None, domains) == "Vibe Coding"


def test_headline_after_a_leading_section_label_is_kept() -> None:
    title = "The Daily Podcast Show | Why Trump Won"
    assert choose_title([(title, "opengraph")], []) == (title, "opengraph")


def test_full_width_question_mark_in_a_latin_headline_is_written_as_ascii() -> None:
    assert unescape_entities("How Does Robot Vacuum Mapping Work？") == (
        "How Does Robot Vacuum Mapping Work?"
    )
    assert unescape_entities("日本語のタイトル？") == "日本語のタイトル？"
