"""Authors: bylines next to the headline against structured data, comment
authors, co-author lists, desk credits and byline clutter."""

from __future__ import annotations

import json

from newscrawl.extract import extract_article
from newscrawl.extract.authors import clean_authors

URL = "https://www.example-news.com/2025/01/02/story"
STORY = "<p>" + "Some text of the story that goes on for a while. " * 20 + "</p>"


def _authors(body: str, head: str = "", url: str = URL) -> list[str]:
    html = f"<html><head>{head}</head><body>{body}{STORY}</body></html>"
    result: list[str] = extract_article(html, url)["authors"]
    return result


def _ld(author: object) -> str:
    data = {"@context": "https://schema.org", "@type": "NewsArticle", "author": author}
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def test_comment_author_is_no_byline() -> None:
    body = (
        "<h1>Headline</h1>"
        '<div class="wp-block-comment-author-name">Whowho</div>'
        '<div class="post-author">Written by Sir Nuno</div>'
    )
    assert _authors(body) == ["Sir Nuno"]


def test_author_inside_a_comment_list_is_no_byline() -> None:
    body = (
        '<ul class="jcomments-latest"><li><span class="author">George Oates</span></li></ul>'
        "<h1>Headline</h1>"
        '<div class="author_cont">Craig McCarthy</div>'
    )
    assert _authors(body) == ["Craig McCarthy"]


def test_update_line_run_into_a_byline_is_cut() -> None:
    assert clean_authors(["Craig McCarthy Last updated on 17 December 2025"]) == ["Craig McCarthy"]


def test_avatar_initials_before_a_name_are_dropped() -> None:
    assert clean_authors(["CM Craig McCarthy"]) == ["Craig McCarthy"]


def test_comment_count_is_no_name() -> None:
    assert clean_authors(["Charles Patterson | 33 Comments"]) == ["Charles Patterson"]


def test_byline_under_headline_beats_a_declared_login() -> None:
    body = "<h1>Headline</h1><a class='author-link' href='/a/aoife'>Aoife O'Riordan</a>"
    assert _authors(body, _ld({"@type": "Person", "name": "KatieS"})) == ["Aoife O'Riordan"]


def test_plain_by_line_under_headline_beats_declared_poster() -> None:
    body = "<h1>Headline</h1><p>November 3, 2023</p><div><p>By: Paul Fenaroli</p></div>"
    head = _ld({"@type": "Person", "name": "Luke Daigle"})
    assert _authors(body, head) == ["Paul Fenaroli"]


def test_declared_login_of_the_byline_person_is_kept() -> None:
    body = "<h1>Headline</h1><a class='byline' href='/u/s'>Solene Rauturier</a>"
    head = '<meta name="author" content="srauturier">'
    assert _authors(body, head) == ["srauturier"]


def test_byline_far_from_headline_does_not_beat_declared_author() -> None:
    body = (
        "<h1>Headline</h1>"
        + STORY
        + "<div class='elementor-author-box'><h4>Brian Stormont</h4></div>"
    )
    head = '<meta name="author" content="Erica Needham">'
    assert _authors(body, head) == ["Erica Needham"]


def test_declared_researcher_is_dropped_when_headline_credits_only_the_writer() -> None:
    body = (
        "<h1>Headline</h1><p>Written by <a class='author' href='/a/er'>Emma Ryan</a>"
        " Researched by Oliver Simpson</p>"
    )
    head = _ld(
        [{"@type": "Person", "name": "Emma Ryan"}, {"@type": "Person", "name": "Oliver Simpson"}]
    )
    assert _authors(body, head) == ["Emma Ryan"]


def test_declared_names_absent_near_headline_are_dropped() -> None:
    body = "<h1>Headline</h1><p class='byline'>by Jeffrey Zeldman</p>"
    people = ["Jeffrey Zeldman", "Mark Bernstein", "Liam Nugent"]
    head = _ld([{"@type": "Person", "name": name} for name in people])
    assert _authors(body, head) == ["Jeffrey Zeldman"]


def test_co_author_list_under_headline_completes_declared_first_author() -> None:
    body = (
        "<h1>Headline</h1><div>"
        "<a class='author' href='/a/1'>Rui Ma</a> , "
        "<a class='author' href='/a/2'>Heba Ledwon</a> &amp; "
        "<a class='author' href='/a/3'>Suparn Patra</a></div>"
    )
    head = '<meta name="author" content="Rui Ma">'
    assert _authors(body, head) == ["Rui Ma", "Heba Ledwon", "Suparn Patra"]


def test_role_after_a_comma_does_not_join_a_co_author_list() -> None:
    body = (
        "<h1>Headline</h1><div><a class='author' href='/a/1'>Mike Marshall</a>, "
        "<span class='author-role'>Shipping Expert</span></div>"
    )
    head = '<meta name="author" content="Mike Marshall">'
    assert _authors(body, head) == ["Mike Marshall"]


def test_organisation_name_with_and_is_not_split() -> None:
    assert clean_authors(["Center for Drug Evaluation and Research"]) == []


def test_declared_organisation_is_the_last_resort_author() -> None:
    head = _ld({"@type": "Organization", "name": "Center for Drug Evaluation and Research"})
    assert _authors("<h1>Headline</h1>", head) == ["Center for Drug Evaluation and Research"]


def test_staff_credit_is_kept_when_no_one_is_named() -> None:
    assert _authors("<h1>Headline</h1>", '<meta name="author" content="Staff">') == ["Staff"]


def test_desk_credit_in_a_byline_is_kept_when_no_one_is_named() -> None:
    body = "<h1>Headline</h1><div class='byline'>The Currency editors</div>"
    assert _authors(body) == ["The Currency editors"]


def test_role_after_a_dash_is_dropped() -> None:
    assert clean_authors(["Eliz - Product marketer"]) == ["Eliz"]


def test_sentence_starting_with_by_is_no_byline() -> None:
    body = "<h1>Headline</h1><ul><li><p>By batching, we can have better latency</p></li></ul>"
    assert _authors(body) == []


def test_name_on_the_date_line_under_the_headline_is_the_author() -> None:
    body = (
        "<h1>Headline</h1><div><span>2025-12-17</span><span>·</span>"
        "<a title='Trond Teigen'><div>Trond Teigen</div></a></div>"
    )
    assert _authors(body) == ["Trond Teigen"]


def test_date_line_with_a_category_after_the_name() -> None:
    body = "<h1>Headline</h1><p>Dec 26, 2025 • Mahua Das in <a href='/c'>Project Management</a></p>"
    assert _authors(body) == ["Mahua Das"]


def test_post_written_by_sentence_names_the_author() -> None:
    body = (
        "<h1>Headline</h1><p><em>This post was written by <a href='/p/vm'>Vanessa Mendez, MD</a>,"
        " gastroenterologist, Parkview Health.</em></p>"
    )
    assert _authors(body) == ["Vanessa Mendez"]


def test_reviewer_byline_under_headline_does_not_beat_declared_author() -> None:
    body = (
        "<h1>Headline</h1><div>Medically reviewed by "
        "<a class='author-link' href='/authors/jo-roe'>Jo Roe</a></div>"
    )
    head = '<meta name="author" content="Ann Smith">'
    assert _authors(body, head) == ["Ann Smith"]


def test_written_by_line_beats_a_team_byline() -> None:
    # The byline element credits the site's team; the article's own "Written by" line, without
    # byline markup, names the writer.
    body = (
        "<h1>Query tuning for everyone</h1>"
        '<div class="post-author">By Team Acme</div>'
        f"{STORY}<p>Written by <a href='/u/pg'>Paulo Giovanni</a></p>"
    )
    assert _authors(body) == ["Paulo Giovanni"]


def test_by_label_of_a_menu_is_no_byline() -> None:
    body = (
        '<div class="dropdown-menu"><p>BY USE CASE</p><a href="/a">Testing</a></div>'
        "<h1>Scaling tests with mocks</h1><p>By Preeta Jinks</p>"
    )
    assert _authors(body) == ["Preeta Jinks"]


def test_category_in_a_byline_is_no_author() -> None:
    body = (
        "<h1>Nine food myths debunked</h1>"
        '<section class="byline"><span class="byline__date">March 20, 2023</span>'
        '<span class="byline__category"><a href="/wellness">Wellness &amp; Prevention</a></span>'
        "</section>"
    )
    assert _authors(body) == []


def test_by_and_a_number_in_prose_is_no_byline() -> None:
    body = (
        "<h1>Blockchain trends to watch</h1>"
        "<p><span>The market could reach $1.2 billion</span>"
        "<span> by 2032, reflecting adoption across developed and emerging markets.</span></p>"
    )
    assert _authors(body) == []
