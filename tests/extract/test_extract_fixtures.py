"""End-to-end extraction of saved pages in several real-world template styles."""

from __future__ import annotations

from typing import Any

import pytest

from newscrawl.extract import RESULT_KEYS

#: Page furniture present in every article fixture that must never reach `text`.
BOILERPLATE = (
    "Share on Facebook",
    "Copy link",
    "Subscribe to our morning briefing",
    "Morning Briefing",
    "Related stories",
    "Council approves new bike lanes",
    "Ferry timetable changes",
    "All rights reserved",
    "Privacy policy",
    "Photo:",
    "Sport",
)

ARTICLES: dict[str, tuple[str, dict[str, Any]]] = {
    "jsonld_graph": (
        "https://harbourgazette.example/news/tidal-turbines?utm_source=x",
        {
            "title": "Tidal turbines begin powering homes on the north coast",
            "authors": ["Maria Okafor"],
            "published": "2025-03-04T08:15:00Z",
            "published_raw": "2025-03-04T09:15:00+01:00",
            "modified": "2025-03-04T13:40:00Z",
            "modified_raw": "2025-03-04T14:40:00+01:00",
            "language": "en",
            "description": "The first two tidal turbines in Kelsey Sound started feeding the grid "
            "on Tuesday.",
            "section": "Energy",
            "tags": ["tidal power", "renewables", "Kelsey Sound"],
            "image": "https://harbourgazette.example/img/turbines.jpg",
            "canonical_url": "https://harbourgazette.example/news/tidal-turbines",
            "site_name": "Harbour Gazette",
            "word_count": 152,
            "access": "free",
            "page_type": "article",
            "is_article": True,
            "provenance": {
                "site_name": "json-ld",
                "title": "json-ld",
                "authors": "json-ld",
                "published": "json-ld",
                "modified": "json-ld",
                "language": "json-ld",
                "description": "json-ld",
                "section": "json-ld",
                "tags": "json-ld",
                "image": "json-ld",
                "canonical_url": "link:canonical",
                "text": "trafilatura",
                "access": "json-ld",
            },
        },
    ),
    "opengraph_meta": (
        "https://riversidecourier.example/local/library-reopens",
        {
            "title": "Library reopens after flood repairs",
            "authors": ["Tom Becker"],
            "published": "2025-06-16T11:30:00Z",
            "published_raw": "2025-06-16T07:30:00-04:00",
            "modified": "2025-06-16T14:05:00Z",
            "modified_raw": "2025-06-16T10:05:00-04:00",
            "language": "en",
            "description": "The central library reopened on Monday after eight months of repairs.",
            "section": "Local",
            "tags": ["libraries", "flooding"],
            "image": "https://riversidecourier.example/images/library.jpg",
            "canonical_url": "https://riversidecourier.example/local/library-reopens",
            "site_name": "Riverside Courier",
            "word_count": 115,
            "access": None,
            "page_type": "article",
            "is_article": True,
            "provenance": {
                "site_name": "opengraph",
                "title": "opengraph",
                "authors": "meta:author",
                "published": "meta:article:published_time",
                "modified": "meta:article:modified_time",
                "language": "html:lang",
                "description": "meta:description",
                "section": "meta:article:section",
                "tags": "meta:article:tag",
                "image": "opengraph",
                "canonical_url": "opengraph",
                "text": "trafilatura",
            },
        },
    ),
    "microdata": (
        "https://valleyobserver.example/transport/night-trains",
        {
            "title": "Night trains return to the valley line",
            "authors": ["Lena Fischer"],
            "published": "2025-01-20T18:00:00Z",
            "published_raw": "2025-01-20T18:00:00Z",
            "modified": "2025-01-21T08:00:00Z",
            "modified_raw": "2025-01-21T08:00:00Z",
            "language": "en",
            "description": None,
            "section": "Transport",
            "tags": ["rail", "night trains"],
            "image": None,
            "canonical_url": None,
            "site_name": "Valley Observer",
            "word_count": 95,
            "access": None,
            "page_type": "article",
            "is_article": True,
            "provenance": {
                "site_name": "microdata",
                "title": "microdata",
                "authors": "microdata",
                "published": "microdata",
                "modified": "microdata",
                "language": "html:lang",
                "section": "microdata",
                "tags": "microdata",
                "text": "trafilatura",
            },
        },
    ),
    "plain_byline": (
        "https://oldtownherald.example/nature/swift-count",
        {
            "title": "Volunteers count a record number of swifts",
            "authors": ["Jane Doe", "John Smith"],
            "published": "2025-07-08T14:20:00Z",
            "published_raw": "2025-07-08T16:20:00+02:00",
            "modified": None,
            "modified_raw": None,
            "language": "en",
            "description": None,
            "section": None,
            "tags": [],
            "image": None,
            "canonical_url": None,
            "site_name": None,
            "word_count": 117,
            "access": None,
            "page_type": "article",
            "is_article": True,
            "provenance": {
                "title": "title",
                "authors": "byline",
                "published": "time",
                "language": "html:lang",
                "text": "trafilatura",
            },
        },
    ),
    "title_tail": (
        "https://dailyplanet.example/city/car-free-sundays",
        {
            "title": "Mayor unveils plan for car-free Sundays",
            "authors": ["Sam Okoro"],
            "published": "2025-08-30T12:00:00Z",
            "site_name": "The Daily Planet",
            "page_type": "article",
            "is_article": True,
            "word_count": 114,
        },
    ),
    "paywalled": (
        "https://theledger.example/business/shipyard-bidding-war",
        {
            "title": "Inside the bidding war for the old shipyard",
            "authors": ["Carlos Mendes"],
            "published": "2025-09-12T06:00:00Z",
            "site_name": "The Ledger",
            "access": "paywalled",
            "page_type": "article",
            "is_article": True,
            "text": "Three developers have spent the summer quietly competing for the old "
            "shipyard, the largest empty site in the city, and the winner will be chosen within "
            "weeks.",
        },
    ),
}

FIELD_CASES = [
    pytest.param(name, url, key, value, id=f"{name}-{key}")
    for name, (url, expected) in ARTICLES.items()
    for key, value in expected.items()
]


@pytest.mark.parametrize(("name", "url", "key", "expected"), FIELD_CASES)
def test_field_is_extracted(name: str, url: str, key: str, expected: Any, extracted: Any) -> None:
    assert extracted(name, url)[key] == expected


@pytest.mark.parametrize("name", sorted(ARTICLES))
def test_result_has_exactly_the_contract_keys(name: str, extracted: Any) -> None:
    assert tuple(extracted(name, ARTICLES[name][0])) == RESULT_KEYS


@pytest.mark.parametrize(
    ("name", "phrase"),
    [(name, phrase) for name in sorted(ARTICLES) for phrase in BOILERPLATE],
)
def test_boilerplate_is_not_in_text(name: str, phrase: str, extracted: Any) -> None:
    assert phrase not in extracted(name, ARTICLES[name][0])["text"]


@pytest.mark.parametrize("name", sorted(set(ARTICLES) - {"paywalled"}))
def test_headline_is_not_repeated_at_the_start_of_text(name: str, extracted: Any) -> None:
    result = extracted(name, ARTICLES[name][0])
    assert not result["text"].startswith(result["title"])


def test_paragraphs_are_separated_by_blank_lines(extracted: Any) -> None:
    text = extracted("opengraph_meta", ARTICLES["opengraph_meta"][0])["text"]
    paragraphs = text.split("\n\n")
    assert len(paragraphs) == 5
    assert paragraphs[0].startswith("The central library reopened its doors on Monday")
    assert paragraphs[-1].endswith("during the closure.")


def test_subheading_is_kept_as_its_own_paragraph(extracted: Any) -> None:
    text = extracted("jsonld_graph", ARTICLES["jsonld_graph"][0])["text"]
    assert "\n\nEnough for four thousand homes\n\n" in text


def test_word_count_counts_words_of_text(extracted: Any) -> None:
    result = extracted("microdata", ARTICLES["microdata"][0])
    assert result["word_count"] == len(result["text"].split())


def test_paywall_call_to_action_is_not_in_text(extracted: Any) -> None:
    text = extracted("paywalled", ARTICLES["paywalled"][0])["text"]
    assert "Subscribe" not in text
