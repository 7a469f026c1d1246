"""Rules of extractor version 3: titles, authors, dates, body and decoding, each on a small page
or string written for the test (tests/fixtures/extract/)."""

from __future__ import annotations

import copy
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from newscrawl.extract import extract_article, text
from newscrawl.extract.authors import clean_authors
from newscrawl.extract.dates import date_from_url, day_first, is_ambiguous_numeric, normalize_date
from newscrawl.extract.document import inline_text, parse_html
from newscrawl.extract.encoding import decode_html, repair_mojibake
from newscrawl.extract.text import PRUNE_XPATH, prune_furniture, tidy_body
from newscrawl.extract.title import metadata_title_wins, site_domain_names, strip_site_name
from newscrawl.extract.visible import (
    _BYLINE_CLASS,
    _DATE_CLASS,
    _DATE_PREFILTER,
    _byline_nodes,
    _is_date_node,
    _matching,
    byline_authors,
    first_h1,
    text_dates,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "extract"
NOW = datetime(2026, 1, 15, tzinfo=timezone.utc)


def _extract(name: str, url: str) -> dict[str, Any]:
    return extract_article((FIXTURES / f"{name}.html").read_bytes(), url, now=NOW)


# --- titles --------------------------------------------------------------------------------


def test_inline_markup_inside_a_word_adds_no_space() -> None:
    tree = parse_html("<h1>Cut your planning <span class='drop'>C</span>ycle in half</h1>")
    assert first_h1(tree) == "Cut your planning Cycle in half"


def test_inline_element_styled_as_a_block_keeps_its_space() -> None:
    h1 = "<h1>The Best Notion Alternatives<span class='block'>Top Note-taking Tools</span></h1>"
    assert first_h1(parse_html(h1)) == "The Best Notion Alternatives Top Note-taking Tools"
    assert inline_text(parse_html("<p>one<br>two</p>").xpath("//p")[0]) == "one two"


def test_dateline_and_byline_nested_in_h1_are_not_headline() -> None:
    page = _extract("site_name_title", "https://www.mowtopia.example/blog/which-mower")
    assert page["title"] == "Which mower suits which lawn size?"


def test_title_candidate_that_is_only_the_site_name_is_skipped() -> None:
    # og:title is "Mowtopia" (the site's name): the <title> and the h1 give the headline.
    page = _extract("site_name_title", "https://www.mowtopia.example/blog/which-mower")
    assert page["title"] == "Which mower suits which lawn size?"
    assert page["provenance"]["title"] != "opengraph"


def test_tail_spelling_the_domain_is_a_site_name() -> None:
    domains = site_domain_names("https://developers.slashdot.org/story/25/12/19/x")
    assert strip_site_name("Grads find fewer jobs - Slashdot", [], domains) == (
        "Grads find fewer jobs"
    )
    domains = site_domain_names("https://thefocus.ai/reports/coding-agent")
    assert strip_site_name("Weekend Coding Agent | TheFocus.AI Labs", [], domains) == (
        "Weekend Coding Agent"
    )


def test_unrelated_tail_is_kept_with_a_domain() -> None:
    domains = site_domain_names("https://news.example/story")
    title = "Budget 2025 - Latest News"
    assert strip_site_name(title, [], domains) == title


def test_tail_that_starts_a_longer_site_name_is_stripped() -> None:
    title = "Website Design Portfolio | Thrive Internet Marketing"
    assert strip_site_name(title, ["Thrive Internet Marketing Agency"]) == (
        "Website Design Portfolio"
    )


def test_metadata_title_wins_over_styled_or_shortened_h1() -> None:
    assert metadata_title_wins("GAAP Compliance: Best Practices", "SUPPORTING GAAP COMPLIANCE")
    assert metadata_title_wins("History of coffee", "history of coffee")
    assert metadata_title_wins("Index Funds: How to Invest", "Index funds")
    # A lower-case h1 with other words than the metadata (a dictionary entry) stays.
    assert not metadata_title_wins("RESTAURANT Definition & Meaning", "restaurant")
    # A longer h1 ("Headline: subtitle") is the headline readers see.
    assert not metadata_title_wins("Keeping Your Home Spotless", "Keeping Your Home Spotless: Tips")


# --- authors -------------------------------------------------------------------------------


def test_role_after_a_comma_is_not_a_second_author() -> None:
    assert clean_authors(["Mike Marshall, Shipping Expert"]) == ["Mike Marshall"]
    assert clean_authors(["Jane Roe, Head of Marketing and Community Development"]) == ["Jane Roe"]
    assert clean_authors(["Ana Ruiz, Bo Chen"]) == ["Ana Ruiz", "Bo Chen"]


def test_beat_word_before_a_role_is_cut_with_it() -> None:
    assert clean_authors(["Harry Rabin Tech Reporter"]) == ["Harry Rabin"]


def test_written_by_inside_a_byline_sentence() -> None:
    tree = parse_html(
        "<article><h1>Indexing guide</h1><div class='post-author'>This post was written by"
        " Danielle Padula, Head of Community Development</div><p>Body.</p></article>"
    )
    assert clean_authors(byline_authors(tree)[:1]) == ["Danielle Padula"]


def test_article_by_label_credentials_and_footnotes() -> None:
    assert clean_authors(["Article by: Cara Dumaplin RN, BSN, Certified Sleep Consultant"]) == [
        "Cara Dumaplin"
    ]
    assert clean_authors(["Jennifer Huberty 1, PhD"]) == ["Jennifer Huberty"]
    assert clean_authors(["Chris Carroll 30"]) == ["Chris Carroll"]


def test_codes_and_dotted_identifiers_are_not_names() -> None:
    assert clean_authors(["fullysecret1dbb6551f4"]) == []
    assert clean_authors(["andrew.keaveney"]) == []
    assert clean_authors(["page.head.extra.author"]) == []
    assert clean_authors(["3i Global"]) == ["3i Global"]


def test_other_credits_are_not_authors() -> None:
    assert clean_authors(["Medically reviewed by Sam Okoro"]) == []
    assert clean_authors(["Photos by Lee Park"]) == []


def test_name_repeated_by_its_link_and_icon_glyphs() -> None:
    assert clean_authors(["Saru Yeknom Saru Yeknom"]) == ["Saru Yeknom"]
    assert clean_authors(["\ue08a Joaquin Fernandez"]) == ["Joaquin Fernandez"]


def test_declared_organisation_is_the_author_when_no_one_is_named() -> None:
    page = _extract("org_author", "https://brightway.example/blog/choose-a-cleaning-service")
    assert page["authors"] == ["Brightway Cleaning"]


def test_declared_lower_case_name() -> None:
    assert clean_authors(["kirstin boatto"], declared=True) == ["kirstin boatto"]
    assert clean_authors(["kirstin boatto"]) == []


def test_people_still_win_over_a_declared_organisation() -> None:
    assert clean_authors(["Brightway Cleaning", "Lois Lane"], ["Brightway Cleaning"], declared=True)
    assert clean_authors(
        ["Brightway Cleaning", "Lois Lane"], ["Brightway Cleaning"], declared=True
    ) == ["Lois Lane"]


def test_twitter_handle_is_not_an_author() -> None:
    html = (
        '<html><head><meta name="twitter:creator" content="shopwithselect"></head>'
        "<body><h1>Best smart home hubs of the year</h1><p>Text.</p></body></html>"
    )
    assert extract_article(html, "https://news.example/hubs", now=NOW)["authors"] == []


# --- dates ---------------------------------------------------------------------------------


def test_structured_date_shown_on_the_page_beats_a_stale_one() -> None:
    # JSON-LD says 2019-01-01 (written nowhere), article:published_time says 8 October 2025,
    # the date under the headline.
    page = _extract("stale_jsonld_date", "https://baysideledger.example/news/port-expansion")
    assert page["published"] == "2025-10-08T13:30:00Z"
    assert page["provenance"]["published"] == "meta:article:published_time"


def test_dateline_under_the_headline_before_htmldate() -> None:
    page = _extract("undated_dateline", "https://allotment.example/notes-from-the-allotment")
    assert page["published"] == "2025-12-12T00:00:00Z"
    assert page["provenance"]["published"] == "text"


def test_dates_in_text_from_the_headline_on() -> None:
    tree = parse_html(
        "<body><p>Jan 2, 2020</p><script>var d = 'May 3, 2021'</script><h1>Head</h1>"
        "<p>By X. <span>March 4, 2024</span> and 5 May 2023</p></body>"
    )
    assert text_dates(tree) == ["Jan 2, 2020", "March 4, 2024", "5 May 2023"]
    assert text_dates(tree, from_headline=True, max_dates=1) == ["March 4, 2024"]


def test_day_first_locales() -> None:
    assert [day_first(x) for x in ("en-US", "en", None, "en-GB", "fr_FR", "de")] == [
        False,
        False,
        False,
        True,
        True,
        True,
    ]
    assert normalize_date("03/10/2023", NOW) == "2023-03-10T00:00:00Z"
    assert normalize_date("03/10/2023", NOW, dayfirst=True) == "2023-10-03T00:00:00Z"
    assert normalize_date("03.10.2023", NOW) == "2023-10-03T00:00:00Z"
    # Year-first dates are never read day first.
    assert normalize_date("2023/03/10", NOW, dayfirst=True) == "2023-03-10T00:00:00Z"
    assert is_ambiguous_numeric("03/10/2023") and not is_ambiguous_numeric("13/10/2023")


def test_month_name_in_url() -> None:
    url = "https://wine.example/blog/2023/october/03/wine-styles"
    assert date_from_url(url, NOW) == ("2023-10-03T00:00:00Z", "/2023/october/03/")
    assert date_from_url("https://x.example/2023/marketing/12/post", NOW) is None


def test_ambiguous_numeric_date_read_as_the_url_says() -> None:
    html = (
        "<html lang='en'><head><title>Wine styles</title></head><body><article>"
        "<h1>How many wine styles are there?</h1><div class='post-date'>03/10/2023</div>"
        "<p>There are more than you would think.</p></article></body></html>"
    )
    page = extract_article(html, "https://wine.example/blog/2023/october/03/styles", now=NOW)
    assert page["published"] == "2023-10-03T00:00:00Z"


# --- body ----------------------------------------------------------------------------------


def test_date_and_reading_time_lines_are_dropped_at_the_edges() -> None:
    body = "Dec 18, 2025 · 10 min read\n\nThe vote on October 8, 2025 was close.\n\nMore text."
    assert tidy_body(body) == "The vote on October 8, 2025 was close.\n\nMore text."


def test_balanced_pass_when_recall_keeps_a_small_share_of_the_paragraphs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    paragraphs = "".join(f"<p>{'word ' * 60}</p>" for _ in range(30))  # 1800 words
    tree = parse_html(f"<html><body><article>{paragraphs}</article></body></html>")
    calls: list[str] = []

    def fake(_tree: Any, _url: Any, mode: str = "recall") -> str:
        calls.append(mode)
        return "intro " * 300 if mode == "recall" else "word " * 1800

    monkeypatch.setattr(text, "trafilatura_text", fake)
    assert text.count_words(text.extract_body(tree, None)) == 1800
    assert calls == ["recall", "balanced"]


def test_empty_page_skips_trafilatura(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*_args: Any, **_kwargs: Any) -> str:
        raise AssertionError("trafilatura must not run on an empty page")

    monkeypatch.setattr(text, "trafilatura_text", fail)
    assert extract_article("<html><body> </body></html>", "https://x.example/a")["text"] is None


def test_one_pass_pruning_matches_the_xpath_rules() -> None:
    html = (
        "<html><body><article><p>Lead paragraph with enough words to count as text here.</p>"
        "<figure><img src='a.png'><figcaption>Photo: A. Lens</figcaption></figure>"
        "<div class='share-buttons'><a>Share</a><div class='related-links'>x</div></div>"
        "<span class='caption'>A caption</span><span class='captioned'>kept</span>"
        "<aside role='complementary'>Sidebar</aside><div class='newsletter-box'>Sign up</div>"
        "<p>tail</p></article><div class='Related'>Upper case is not matched</div>"
        "</body></html>"
    )
    expected = parse_html(html)
    body_len = len(" ".join(expected.xpath("//body//text()")))
    for xpath in PRUNE_XPATH:
        for node in expected.xpath(xpath):
            size = len(" ".join(node.xpath(".//text()")))
            if node.getparent() is not None and size < 2000 and size < body_len * 0.25:
                node.getparent().remove(node)
    actual = copy.deepcopy(parse_html(html))
    prune_furniture(actual)
    assert lxml.html.tostring(actual) == lxml.html.tostring(expected)
    assert "kept" in actual.text_content() and "Sidebar" not in actual.text_content()


def test_one_pass_byline_and_date_search_match_the_xpath_rules() -> None:
    html = (
        "<html><body><main><h1>Head</h1><div class='ByLine'>By Ana Ruiz</div>"
        "<a rel='author' href='/x'>Ana</a><a href='/authors/bo'>Bo</a>"
        "<div class='author-bio'>About Ana</div><span class='Post-DATE'>May 3, 2025</span>"
        "<span class='timestamp-x'>10:00</span></main></body></html>"
    )
    tree = parse_html(html)
    scope = tree.xpath("//main")[0]
    assert _byline_nodes(tree) == scope.xpath("." + _BYLINE_CLASS)
    assert _matching(tree, _DATE_PREFILTER, _is_date_node) == scope.xpath("." + _DATE_CLASS)


# --- decoding ------------------------------------------------------------------------------


def test_mojibake_is_repaired() -> None:
    page = _extract("mojibake", "https://investor.example/diy-guide")
    assert page["title"] == "A DIY Investor’s Guide to Calculators"
    assert "It’s worth" in page["text"]
    assert repair_mojibake("Investor\u00e2\u0080\u0099s") == "Investor’s"


def test_text_without_signs_of_mojibake_is_left_alone() -> None:
    assert repair_mojibake("Plain café Â· Ã©tude") == "Plain café Â· Ã©tude"
    assert decode_html("Gr\u00fc\u00dfe aus K\u00f6ln".encode()) == "Grüße aus Köln"
