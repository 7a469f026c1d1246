"""Body text: short paragraphs from the page's frame at either end of the text, outside the
element that holds the article's paragraphs (`trim_outside_container`)."""

from __future__ import annotations

from newscrawl.extract.document import parse_html
from newscrawl.extract.text import extract_body, trim_outside_container

SUBJECTS = ("ferries", "harbours", "tides", "crews", "timetables", "fares", "piers", "storms")


def _sentences(prefix: str, count: int) -> list[str]:
    return [
        f"{prefix} paragraph {i} tells how island {SUBJECTS[i % 8]} changed once the new"
        f" operator took over, and why {SUBJECTS[(i + 3) % 8]} worry the residents who depend"
        " on the crossing for work, school and hospital visits."
        for i in range(count)
    ]


def _page(inside: str, before: str = "", after: str = "") -> str:
    body = "".join(f"<p>{para}</p>" for para in _sentences("Story", 8))
    return (
        f"<html><body><article>{before}<div class='article-body'>{inside}{body}</div>"
        f"{after}</article></body></html>"
    )


STORY = _sentences("Story", 8)
CALL = "Ready to plan your crossing? Book a free consultation with our team today."


def test_closing_call_to_action_after_the_article_body_is_dropped() -> None:
    """A promotion placed after the block that holds the article's paragraphs is the page's,
    though trafilatura keeps it with the article."""
    story = "".join(f"<p>{para}</p>" for para in STORY)
    html = (
        f"<html><body><main><div class='post'><div class='entry'>{story}</div>"
        f"<p>{CALL}</p></div></main></body></html>"
    )
    text = extract_body(parse_html(html), "https://isles.example/ferries")
    assert "Story paragraph 7" in text and "Book a free consultation" not in text


def test_opening_line_outside_the_article_body_is_dropped() -> None:
    tree = parse_html(_page("", before="<p>Curated and popular this week</p>"))
    text = "\n\n".join(["Curated and popular this week", *STORY])
    assert trim_outside_container(tree, text) == "\n\n".join(STORY)


def test_several_closing_teasers_outside_the_body_are_dropped() -> None:
    teasers = ["Harbour works delayed again", "The pier reopens with a new cafe and a ramp"]
    tree = parse_html(_page("", after="".join(f"<p>{t}</p>" for t in teasers)))
    text = "\n\n".join([*STORY, *teasers])
    assert trim_outside_container(tree, text) == "\n\n".join(STORY)


def test_one_word_label_closing_the_body_is_dropped_with_what_follows_it() -> None:
    """A label of a word or two ("Ad") inside the body does not stop the trimming."""
    tree = parse_html(_page("", after=f"<p>{CALL}</p>").replace("</div>", "<p>Ad</p></div>", 1))
    text = "\n\n".join([*STORY, "Ad", CALL])
    assert trim_outside_container(tree, text) == "\n\n".join(STORY)


def test_closing_paragraph_inside_the_article_body_is_kept() -> None:
    tree = parse_html(_page(f"<p>{CALL}</p>"))
    text = "\n\n".join([*STORY, CALL])
    assert trim_outside_container(tree, text) == text


def test_long_closing_paragraph_outside_the_body_is_kept() -> None:
    """More than a teaser: the article going on in another block."""
    long = " ".join(_sentences("Later", 3))
    tree = parse_html(_page("", after=f"<p>{long}</p>"))
    text = "\n\n".join([*STORY, long])
    assert trim_outside_container(tree, text) == text


def test_paragraph_outside_the_body_in_the_middle_of_the_text_is_kept() -> None:
    tree = parse_html(_page("", before=f"<p>{CALL}</p>"))
    text = "\n\n".join([*STORY[:4], CALL, *STORY[4:]])
    assert trim_outside_container(tree, text) == text


def test_text_mostly_outside_the_container_is_left_alone() -> None:
    """When most of the text is not in the block (the extractor picked other content), the
    block says nothing about which paragraphs are the article's."""
    others = _sentences("Other", 12)
    tree = parse_html(_page("", after=f"<p>{CALL}</p>"))
    text = "\n\n".join([*STORY[:2], *others, CALL])
    assert trim_outside_container(tree, text) == text
