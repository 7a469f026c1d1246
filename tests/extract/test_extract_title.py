"""Title cleaning: site-name tails and the visible headline."""

from __future__ import annotations

from newscrawl.extract.title import clean_title, prefer_headline, strip_site_name


def test_pipe_site_tail_is_stripped() -> None:
    title = "Mayor unveils plan | The Daily Planet"
    assert strip_site_name(title, ["The Daily Planet"]) == "Mayor unveils plan"


def test_dash_site_tail_is_stripped() -> None:
    assert strip_site_name("Tidal power - Harbour Gazette", ["Harbour Gazette"]) == "Tidal power"


def test_site_name_prefix_is_stripped() -> None:
    assert strip_site_name("The Ledger | Shipyard sale", ["The Ledger"]) == "Shipyard sale"


def test_unrelated_tail_is_kept_when_site_is_known() -> None:
    title = "Budget 2025 - what it means for you"
    assert strip_site_name(title, ["The Daily Planet"]) == title


def test_h1_is_used_when_title_is_headline_plus_section() -> None:
    title = clean_title(
        "Mayor unveils plan | City | Planet News", ["Planet News"], "Mayor unveils plan"
    )
    assert title == "Mayor unveils plan"


def test_headline_preferred_when_it_agrees_with_metadata() -> None:
    assert prefer_headline("Tidal turbines power homes", "Tidal turbines begin powering homes")


def test_headline_rejected_when_unrelated_to_metadata() -> None:
    assert not prefer_headline("Tidal turbines power homes", "Subscribe to our newsletter")


def test_headline_rejected_when_it_is_the_site_name() -> None:
    assert not prefer_headline(None, "The Daily Planet", ["The Daily Planet"])


def test_title_tail_fixture(extracted: object) -> None:
    result = extracted("title_tail", "https://dailyplanet.example/city/car-free-sundays")  # type: ignore[operator]
    assert result["title"] == "Mayor unveils plan for car-free Sundays"
