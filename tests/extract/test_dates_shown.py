"""Published dates: the date shown by the headline against undisplayed metadata."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from newscrawl.extract import extract_article
from newscrawl.extract.dates import (
    headline_date,
    headline_dateline,
    original_note,
    page_dates,
    shown_days,
    update_note,
)
from newscrawl.extract.document import parse_html

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
URL = "https://news.example/story"
BODY = (
    "<p>The harbour commission approved the second container berth on Wednesday after three"
    " years of hearings, clearing the way for construction to begin in the spring.</p>"
    "<p>The expansion adds 400 metres of quay and two cranes; the first ships should dock at"
    " the new berth in 2027, the commission said.</p>"
)


def _page(head: str, article: str) -> str:
    return f"<html lang='en'><head>{head}</head><body><article>{article}</article></body></html>"


def _ld(**fields: str) -> str:
    pairs = ", ".join(f'"{k}": "{v}"' for k, v in fields.items())
    return f'<script type="application/ld+json">{{"@type": "NewsArticle", {pairs}}}</script>'


def _published_day(html: str) -> str:
    out = extract_article(html, URL, now=NOW)
    return str(out["published"])[:10]


def test_headline_date_replaces_an_undisplayed_jsonld_date() -> None:
    html = _page(
        _ld(headline="Berth approved", datePublished="2019-03-04T10:00:00Z"),
        f"<h1>Berth approved</h1><p>By Dana Whitfield · August 14, 2025</p>{BODY}",
    )
    assert _published_day(html) == "2025-08-14"


def test_displayed_jsonld_date_is_kept() -> None:
    html = _page(
        _ld(headline="Berth approved", datePublished="2025-03-04T10:00:00Z"),
        f"<h1>Berth approved</h1><p>Updated August 14, 2025</p>{BODY}"
        "<footer>First published March 4, 2025</footer>",
    )
    assert _published_day(html) == "2025-03-04"


def test_opengraph_published_time_vouches_for_an_undisplayed_date() -> None:
    head = _ld(headline="Berth approved", datePublished="2019-03-04T10:00:00Z") + (
        '<meta property="article:published_time" content="2019-03-04T10:00:00Z">'
    )
    html = _page(head, f"<h1>Berth approved</h1><p>Updated August 14, 2025</p>{BODY}")
    assert _published_day(html) == "2019-03-04"


def test_displayed_modified_date_replaces_an_undisplayed_one_without_headline_date() -> None:
    head = _ld(
        headline="Berth approved",
        datePublished="2019-03-04T10:00:00Z",
        dateModified="2025-08-14T10:00:00Z",
    )
    html = _page(head, f"<h1>Berth approved</h1>{BODY}<p>Last reviewed: August 14, 2025</p>")
    assert _published_day(html) == "2025-08-14"


def test_ambiguous_numeric_date_counts_as_shown_in_either_reading() -> None:
    assert shown_days(["09.10.2024"]) == {"2024-10-09", "2024-09-10"}


def test_headline_date_takes_the_date_line_above_the_headline() -> None:
    tree = parse_html(
        "<html><body><nav>Home · Blog</nav><div>Dec 12, 2025 · 4 min read</div>"
        f"<h1>Why Rust</h1>{BODY}<p>Rust 1.0 shipped on 15 May 2015.</p></body></html>"
    )
    assert headline_date(tree) == "Dec 12, 2025"


def test_headline_date_takes_the_first_date_of_the_line_above() -> None:
    tree = parse_html(
        "<html><body><div>DECEMBER 22, 2022 Updated: JANUARY 02, 2026</div>"
        f"<h1>Ten ways</h1>{BODY}</body></html>"
    )
    assert headline_date(tree) == "DECEMBER 22, 2022"


def test_headline_date_takes_the_byline_below_when_it_is_closer() -> None:
    tree = parse_html(
        "<html><body><div>Site news March 3, 2020</div><p>A long promotional banner text that"
        " runs well over a few lines before the story itself begins here.</p>"
        f"<h1>Ten ways</h1><p>May 5, 2024</p>{BODY}</body></html>"
    )
    assert headline_date(tree) == "May 5, 2024"


def test_headline_date_is_none_without_a_nearby_date() -> None:
    tree = parse_html(f"<html><body><h1>Ten ways</h1>{BODY}</body></html>")
    assert headline_date(tree) is None


def test_headline_date_comes_before_teaser_dates_without_metadata() -> None:
    html = _page(
        "",
        f"<aside><div class='date'>Mar 3, 2025</div>{BODY}</aside>"
        f"<span>February 6, 2025</span><h1>Ergonomic desk setup</h1>{BODY}"
        "<div class='post-date'>Feb 26, 2025</div>",
    )
    assert _published_day(html) == "2025-02-06"


def test_undated_article_takes_the_date_line_above_its_headline() -> None:
    html = _page("", f"<p>Published October 14, 2025</p><h1>Top companies</h1>{BODY}{BODY}")
    assert _published_day(html) == "2025-10-14"


def test_ambiguous_numeric_date_takes_the_reading_the_page_writes_out() -> None:
    html = _page(
        "",
        "<h1>Pixel-perfect UI</h1><time datetime='02-12-2025'>02-12-2025</time>"
        f"{BODY}<aside><h4>Recent posts</h4><p>Pixel-perfect UI</p>"
        "<time datetime='2025-12-02'>December 02, 2025</time></aside>",
    )
    assert _published_day(html) == "2025-12-02"


def test_page_dates_reads_text_but_not_scripts() -> None:
    tree = parse_html(
        "<html><body><p>Posted May 3, 2024</p>"
        '<script>var d = "June 1, 2020";</script><p>Updated: 2024-05-05</p></body></html>'
    )
    assert page_dates(tree) == ["May 3, 2024", "2024-05-05"]


def _og(published: str) -> str:
    return f'<meta property="article:published_time" content="{published}">'


def test_headline_dateline_returns_the_label_before_the_date() -> None:
    tree = parse_html(
        "<html><body><h1>Top companies</h1><div>Published&ensp;<span>Apr 26, 2023</span></div>"
        f"{BODY}</body></html>"
    )
    assert headline_dateline(tree) == ("Apr 26, 2023", "Published\u2002", 10)


def test_date_labelled_published_by_the_headline_beats_metadata() -> None:
    html = _page(
        _ld(headline="Top companies", datePublished="Aug 21, 2025"),
        "<h1>Top companies</h1><div>Published: <span>Apr 26, 2023</span></div>"
        f"<div>Updated: <span>Aug 21, 2025</span></div>{BODY}",
    )
    assert _published_day(html) == "2023-04-26"


def test_date_labelled_published_a_day_off_keeps_the_metadata_time() -> None:
    # 23:00 UTC on 2 December is 3 December where the publisher lives.
    html = _page(
        _og("2025-12-02T23:00:55+00:00"),
        f"<h1>Ethical brands</h1><p>Published: 03 Dec 2025</p>{BODY}",
    )
    assert _published_day(html) == "2025-12-02"


def test_unlabelled_headline_date_replaces_an_undisplayed_opengraph_date() -> None:
    html = _page(
        _og("2024-08-07T12:01:51Z"),
        f"<h1>Startup lessons</h1><p>Sergio · 7 min read · Dec 30, 2013</p>{BODY}",
    )
    assert _published_day(html) == "2013-12-30"


def test_unlabelled_headline_date_that_is_the_modified_date_keeps_opengraph() -> None:
    head = _og("2024-02-21T10:00:00Z") + (
        '<meta property="article:modified_time" content="2025-10-26T10:00:00Z">'
    )
    html = _page(head, f"<h1>UX analytics</h1><p>October 26, 2025</p>{BODY}")
    assert _published_day(html) == "2024-02-21"


def test_time_element_is_not_contradicted_by_its_own_text() -> None:
    html = _page("", f"<h1>Tech stack</h1><time datetime='2024-12-20'>August 28, 2024</time>{BODY}")
    assert _published_day(html) == "2024-12-20"


def test_unlabelled_date_above_the_headline_keeps_opengraph() -> None:
    # A masthead's "today" sits above the headline; the byline's date is in a format not read.
    html = _page(
        _og("2019-11-13T16:00:01-05:00"),
        f"<div>Wed, Nov 20, 2019</div><h1>Cannabis use</h1><p>On 11/13/19 at 4:00 PM</p>{BODY}",
    )
    assert _published_day(html) == "2019-11-13"


def test_indentation_between_tags_does_not_push_the_byline_date_out_of_reach() -> None:
    indent = "\n" + " " * 120
    parts = ["<span>Posted on</span>", "<div><svg></svg><span>Nov 21, 2018</span></div>"]
    tree = parse_html(
        "<html><body><h1>What is an online course?</h1>"
        + "".join(f"<div>{indent}<span>{i}</span>{indent}</div>" for i in ("A", "B") * 6)
        + indent.join(parts)
        + "</body></html>"
    )
    assert headline_date(tree) == "Nov 21, 2018"


def test_a_page_without_h1_dates_by_the_paragraph_that_repeats_its_title() -> None:
    html = (
        "<html><head><title>Top 5 HR tools in 2026 | DianaHR</title></head><body>"
        "<nav><p>Product</p><p>Pricing</p></nav><div><p class='framer-text'>Top 5 HR tools in"
        f" 2026</p><p>DianaHR Team</p><p>Feb 16, 2026</p></div>{BODY}</body></html>"
    )
    assert headline_date(parse_html(html)) == "Feb 16, 2026"


def test_jsonld_date_that_opengraph_repeats_is_not_replaced_by_a_teaser_microdata_date() -> None:
    # The whole page is one microdata scope: its first datePublished is a related post's.
    head = _ld(headline="Event planners", datePublished="2023-05-30T18:24:00Z") + _og(
        "2023-05-30T18:24:00Z"
    )
    html = (
        f"<html lang='en' itemscope itemtype='https://schema.org/Blog'><head>{head}</head><body>"
        f"<article><h1>Event planners</h1><p>Updated October 17, 2025</p>{BODY}</article>"
        "<aside><h4>Related</h4><p>Ticketing tips</p><time itemprop='datePublished'"
        " datetime='2015-12-07T09:32:03-05:00'>December 7, 2015</time></aside></body></html>"
    )
    assert _published_day(html) == "2023-05-30"


def test_originally_published_note_gives_the_publication_date() -> None:
    html = _page(
        "",
        f"<h1>Tiny homes</h1><p>Chris Carroll</p><p>30 Sep 2022, 11:07am</p>{BODY}"
        "<p>This article was originally published on 26 Sep 2019 at 4:12pm but has been"
        " regularly updated.</p>",
    )
    assert _published_day(html) == "2019-09-26"


def test_originally_published_note_may_name_the_weekday() -> None:
    tree = parse_html(
        f"<html><body><h1>Tea</h1>{BODY}<p><em>Originally published on Wednesday, March 2,"
        " 2022.</em></p></body></html>"
    )
    assert original_note(tree) == "March 2, 2022"


@pytest.mark.parametrize("before", ["", "İstanbul bureau. "])
def test_notes_are_found_in_any_case_and_beside_letters_whose_lower_case_is_longer(
    before: str,
) -> None:
    tree = parse_html(
        f"<html><body><h1>Tea</h1><p>{before}A story.</p>{BODY}<p>FIRST PUBLISHED: 2 March"
        " 2022. Page last   reviewed on 4 May 2024</p></body></html>"
    )
    assert original_note(tree) == "2 March 2022"
    assert update_note(tree) == "4 May 2024"
