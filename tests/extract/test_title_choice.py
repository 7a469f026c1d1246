"""Choosing and cleaning the headline: section and source tails, outvoted or cut JSON-LD headlines,
several <h1>, headline case, straight quotes, dash labels."""

from __future__ import annotations

import json

from newscrawl.extract import extract_article
from newscrawl.extract.document import parse_html
from newscrawl.extract.title import (
    choose_title,
    clean_title,
    site_domain_names,
    unescape_entities,
)
from newscrawl.extract.visible import subheading_texts

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


def test_h1_set_as_headline_and_subtitle_takes_the_metadata_separator() -> None:
    title = "What Tutoring Is and Is Not - Choosing a good tutor"
    html = _page(
        f'<meta property="og:title" content="{title}">',
        '<h1><span class="entry-title-primary">What Tutoring Is and Is Not</span>'
        ' <span class="entry-subtitle">Choosing a good tutor</span></h1>',
    )
    assert extract_article(html, URL)["title"] == title


def test_metadata_title_set_as_a_sub_heading_beats_a_hero_h1() -> None:
    title = "How To Get Toddlers To Sleep In Their Own Bed"
    html = _page(
        f'<meta property="og:title" content="{title}">',
        f"<h1>Toddler Sleep Training</h1><h3>Sign up for tips</h3><h2>{title}</h2>",
    )
    assert extract_article(html, URL)["title"] == title


def test_sub_heading_picks_the_metadata_title_it_repeats() -> None:
    shown = "How Google Cloud is shaping the enterprise AI inference moment"
    chosen = choose_title(
        [
            ("How Google Cloud runs AI inference at production scale", "opengraph"),
            (shown, "meta:twitter:title"),
        ],
        ["A message from our co-founder"],
        subheadings=lambda: [shown],
    )
    assert chosen == (shown, "meta:twitter:title")


def test_sub_headings_are_not_read_when_an_h1_is_a_metadata_title() -> None:
    def subheadings() -> list[str]:
        raise AssertionError("sub-headings read although the h1 is a metadata title")

    title = "Tidal turbines begin powering homes"
    chosen = choose_title([(title, "opengraph")], [title], subheadings=subheadings)
    assert chosen == (title, "opengraph")


def test_sub_heading_unlike_any_metadata_title_leaves_the_h1() -> None:
    chosen = choose_title(
        [("Tidal turbines power homes", "opengraph")],
        ["Tidal turbines begin powering homes"],
        subheadings=lambda: ["Related stories"],
    )
    assert chosen == ("Tidal turbines begin powering homes", "h1")


def test_subheading_texts_reads_the_first_h2_and_h3_in_order() -> None:
    tree = parse_html(
        "<html><body><h1>Guides</h1><h3>Kicker</h3><main><h2>The <em>real</em> headline"
        "<time>May 3</time></h2>" + "".join(f"<h2>Part {n}</h2>" for n in range(20)) + "</main>"
        "</body></html>"
    )
    assert subheading_texts(tree, limit=4) == ["Kicker", "The real headline", "Part 0", "Part 1"]
