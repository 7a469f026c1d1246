"""Body text: blocks trafilatura discards by name, related-story tails, picture credits, form
messages and author biographies."""

from __future__ import annotations

from lxml import etree

from newscrawl.extract.document import parse_html
from newscrawl.extract.text import (
    cut_related_tail,
    drop_author_bio,
    extract_body,
    prune_furniture,
    tidy_body,
)

SUBJECTS = ("ferries", "harbours", "tides", "crews", "timetables", "fares", "piers", "storms")


def _paras(prefix: str, count: int) -> str:
    return "".join(
        f"<p>{prefix} paragraph {i} tells how island {SUBJECTS[i % 8]} changed once the new"
        f" operator took over, and why {SUBJECTS[(i + 3) % 8]} worry the residents who depend"
        " on the crossing for work, school and hospital visits.</p>"
        for i in range(count)
    )


def _other_paras(count: int) -> str:
    return "".join(
        f"<p>Tipping note {i}: split a group bill evenly, tip on the amount before tax, and"
        f" leave {10 + i} percent for takeout orders when the staff packed them with care.</p>"
        for i in range(count)
    )


def _lines(prefix: str, count: int) -> list[str]:
    return [
        f"{prefix} {i}: the island ferries kept sailing through the winter storms, and the"
        " crews explained how the timetable copes with the tides and the harbour works."
        for i in range(count)
    ]


def test_article_inside_a_custom_html_embed_block_is_extracted() -> None:
    """trafilatura drops blocks whose class says "embed"; a page builder's custom-HTML block
    may hold the rest of the article."""
    html = (
        "<html><body><article><h1>Island ferries</h1>"
        f"<div class='rich-text'>{_paras('Opening', 10)}"
        f"<div class='w-embed'><style>table {{ width: 100%; }}</style>{_other_paras(4)}"
        "</div></div></article></body></html>"
    )
    text = extract_body(parse_html(html), "https://isles.example/ferries")
    assert "Opening paragraph 0" in text and "Tipping note 3" in text


def test_related_stories_after_the_article_are_cut() -> None:
    teasers = ["Read This Next", "Harbour works delayed again", "Ferry fares rise in spring"]
    text = "\n\n".join(_lines("Story", 6) + teasers)
    assert cut_related_tail(text) == "\n\n".join(_lines("Story", 6))


def test_related_heading_followed_by_long_paragraphs_is_kept() -> None:
    """Long paragraphs after the heading are the article going on after a box."""
    text = "\n\n".join([*_lines("Story", 6), "Related articles", " ".join(_lines("More", 4))])
    assert cut_related_tail(text) == text


def test_picture_credit_lines_are_dropped() -> None:
    caption = "With nothing but a pack on your back, the trail is your home. Credit: Sam Lee"
    text = "\n\n".join([*_lines("Story", 2), caption, "Image: Getty Images", *_lines("End", 1)])
    assert tidy_body(text) == "\n\n".join(_lines("Story", 2) + _lines("End", 1))


def test_form_success_and_failure_messages_are_pruned() -> None:
    tree = parse_html(
        "<html><body><article>"
        + _paras("Story", 3)
        + "<form><input name='email'></form>"
        + "<div class='w-form-done'><div>Thank you! Your submission has been received!</div></div>"
        + "<div class='w-form-fail'><div>Oops! Something went wrong.</div></div>"
        + "</article></body></html>"
    )
    prune_furniture(tree)
    text = etree.tostring(tree, method="text", encoding="unicode")
    assert "Story paragraph 2" in text
    assert "Thank you" not in text and "Oops" not in text


def test_closing_biography_of_the_author_is_dropped() -> None:
    bio = "Jane Doe is a transport reporter based in Oban. She has covered the islands since 2019."
    text = "\n\n".join([*_lines("Story", 4), bio])
    assert drop_author_bio(text, ["Jane Doe"]) == "\n\n".join(_lines("Story", 4))


def test_closing_paragraph_about_someone_else_is_kept() -> None:
    quote = "John Roe is the harbour master, and he says the new pier will open in May."
    text = "\n\n".join([*_lines("Story", 4), quote])
    assert drop_author_bio(text, ["Jane Doe"]) == text


def test_closing_biography_by_first_name_is_dropped() -> None:
    bio = "Jane is the co-founder of Island Wire, a newsletter about ferry services in the west."
    text = "\n\n".join([*_lines("Story", 4), bio])
    assert drop_author_bio(text, ["Jane Doe"]) == "\n\n".join(_lines("Story", 4))


def test_biography_goes_with_the_paragraphs_that_continue_it() -> None:
    bio = [
        "Jane Doe is the owner of a ferry booking agency on Mull.",
        "Jane holds a degree in marine engineering from the University of Glasgow.",
        "When she is not sailing, Jane volunteers with the island lifeboat crew.",
    ]
    text = "\n\n".join([*_lines("Story", 4), *bio])
    assert drop_author_bio(text, ["Jane Doe"]) == "\n\n".join(_lines("Story", 4))


def test_biography_followed_by_a_section_of_the_article_is_kept() -> None:
    bio = "Jane Doe is a transport reporter based in Oban who has covered the islands for years."
    source = "Angus Smith, the skipper of the morning ferry to Craignure, was interviewed for this."
    text = "\n\n".join([*_lines("Story", 4), bio, source])
    assert drop_author_bio(text, ["Jane Doe"]) == text


def test_labelled_biography_is_dropped() -> None:
    bio = "About the author: Jane Doe is a transport reporter based in Oban."
    text = "\n\n".join([*_lines("Story", 4), bio])
    assert drop_author_bio(text, ["Jane Doe"]) == "\n\n".join(_lines("Story", 4))


def test_first_person_biography_is_dropped() -> None:
    bio = "Hi, I’m Jane Doe, and I have written about the island ferries for a decade."
    text = "\n\n".join([*_lines("Story", 4), bio])
    assert drop_author_bio(text, ["Jane Doe"]) == "\n\n".join(_lines("Story", 4))


def test_name_and_label_above_a_biography_go_with_it() -> None:
    box = [
        "Contributor",
        "Jane Doe",
        "Jane Doe worked in radio before reporting on the islands.",
        "More by this contributor",
    ]
    text = "\n\n".join([*_lines("Story", 4), *box])
    assert drop_author_bio(text, ["Jane Doe"]) == "\n\n".join(_lines("Story", 4))


def test_biography_with_a_job_title_is_dropped() -> None:
    bio = "Jane Doe, Editor, Island News, studied journalism in Edinburgh."
    text = "\n\n".join([*_lines("Story", 4), bio])
    assert drop_author_bio(text, ["Jane Doe"]) == "\n\n".join(_lines("Story", 4))


def test_biography_of_a_single_named_author_with_a_surname_is_dropped() -> None:
    bio = "Jane Doe is a transport reporter based in Oban."
    text = "\n\n".join([*_lines("Story", 4), bio])
    assert drop_author_bio(text, ["Jane"]) == "\n\n".join(_lines("Story", 4))


def test_closing_paragraph_naming_an_organisation_author_is_kept() -> None:
    closing = "ACME is already building faster ferries for the northern routes."
    text = "\n\n".join([*_lines("Story", 4), closing])
    assert drop_author_bio(text, ["ACME", "ACME Official"]) == text


def test_consent_under_a_sign_up_form_is_dropped() -> None:
    consent = (
        "By entering your phone number, you agree to receive text messages from Island Wire."
        " Message and data rates may apply. Reply STOP to opt out."
    )
    text = "\n\n".join([*_lines("Story", 2), consent, *_lines("More", 2)])
    assert tidy_body(text) == "\n\n".join([*_lines("Story", 2), *_lines("More", 2)])


def test_prose_opening_with_by_and_you_is_kept() -> None:
    prose = "By checking the timetable first, you save an hour at the pier and you accept delays."
    text = "\n\n".join([*_lines("Story", 2), prose, *_lines("More", 2)])
    assert tidy_body(text) == text


def test_check_price_buttons_are_dropped() -> None:
    text = "\n\n".join([*_lines("Story", 2), "Check Price on Amazon", *_lines("More", 2)])
    assert tidy_body(text) == "\n\n".join([*_lines("Story", 2), *_lines("More", 2)])


def test_author_box_at_the_end_is_dropped() -> None:
    box = ["Jane Doe", "Author", "@janedoe • Jan 26, 2026", "Improve this post", "Share"]
    text = "\n\n".join([*_lines("Story", 4), *box])
    assert drop_author_bio(text, ["Jane Doe"]) == "\n\n".join(_lines("Story", 4))


def test_signature_with_the_first_name_is_kept() -> None:
    text = "\n\n".join([*_lines("Story", 4), "Best wishes,", "Jane"])
    assert drop_author_bio(text, ["Jane Doe"]) == text


def test_newsletter_sign_up_labels_are_dropped() -> None:
    labels = ["🚀 Sign up for the Island Wire newsletter", "Thank you for subscribing!"]
    text = "\n\n".join([*_lines("Story", 2), *labels, *_lines("More", 2)])
    assert tidy_body(text) == "\n\n".join([*_lines("Story", 2), *_lines("More", 2)])
