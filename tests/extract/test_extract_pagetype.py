"""Page classification: articles versus section fronts, tag pages and other non-articles."""

from __future__ import annotations

from typing import Any

from newscrawl.extract import extract_article

SECTION_URL = "https://dailyplanet.example/business/"
TAG_URL = "https://dailyplanet.example/tag/renewables/"


def test_section_front_is_not_an_article(extracted: Any) -> None:
    result = extracted("section", SECTION_URL)
    assert (result["page_type"], result["is_article"]) == ("section", False)


def test_section_front_has_no_byline_or_date(extracted: Any) -> None:
    result = extracted("section", SECTION_URL)
    assert (result["authors"], result["published"]) == ([], None)


def test_tag_page_is_classified_as_tag(extracted: Any) -> None:
    result = extracted("tag", TAG_URL)
    assert (result["page_type"], result["is_article"]) == ("tag", False)


def test_og_video_page_is_video() -> None:
    html = '<html><head><meta property="og:type" content="video.other"></head><body></body></html>'
    assert extract_article(html, "https://x.example/v/1")["page_type"] == "video"


def test_profile_page_is_author() -> None:
    html = (
        '<html><head><script type="application/ld+json">{"@type": "ProfilePage", "name": "Lois"}'
        "</script></head><body><h1>Lois Lane</h1></body></html>"
    )
    assert extract_article(html, "https://x.example/people/lois")["page_type"] == "author"


def test_empty_page_is_other() -> None:
    result = extract_article(b"", "https://x.example/")
    assert (result["page_type"], result["is_article"], result["text"]) == ("other", False, None)
