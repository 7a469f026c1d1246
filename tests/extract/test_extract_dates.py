"""Date parsing: UTC ISO with Z, naive as UTC, future and modified checks."""

from __future__ import annotations

from datetime import datetime, timezone

from newscrawl.extract.dates import check_modified, date_from_url, normalize_date

NOW = datetime(2025, 10, 1, 12, 0, tzinfo=timezone.utc)


def test_offset_date_is_converted_to_utc_with_z() -> None:
    assert normalize_date("2025-03-04T09:15:00+01:00", NOW) == "2025-03-04T08:15:00Z"


def test_naive_date_is_taken_as_utc() -> None:
    assert normalize_date("2025-03-04 09:15", NOW) == "2025-03-04T09:15:00Z"


def test_date_only_gets_midnight_utc() -> None:
    assert normalize_date("2025-03-04", NOW) == "2025-03-04T00:00:00Z"


def test_written_out_date_with_timezone_abbreviation() -> None:
    assert normalize_date("March 4, 2025 9:15 AM EST", NOW) == "2025-03-04T14:15:00Z"


def test_rfc_2822_date() -> None:
    assert normalize_date("Tue, 04 Mar 2025 09:15:00 GMT", NOW) == "2025-03-04T09:15:00Z"


def test_japanese_date() -> None:
    assert normalize_date("2025年4月10日 09:30", NOW) == "2025-04-10T09:30:00Z"


def test_date_far_in_the_future_is_rejected() -> None:
    assert normalize_date("2025-10-05T00:00:00Z", NOW) is None


def test_date_a_few_hours_ahead_is_tolerated() -> None:
    assert normalize_date("2025-10-01T20:00:00Z", NOW) == "2025-10-01T20:00:00Z"


def test_date_without_year_is_rejected() -> None:
    assert normalize_date("March 4", NOW) is None


def test_garbage_is_not_a_date() -> None:
    assert normalize_date("yesterday afternoon", NOW) is None


def test_modified_before_published_is_dropped() -> None:
    assert check_modified("2025-03-04T08:00:00Z", "2025-03-01T00:00:00Z") is None


def test_modified_after_published_is_kept() -> None:
    assert check_modified("2025-03-04T08:00:00Z", "2025-03-05T00:00:00Z") == "2025-03-05T00:00:00Z"


def test_date_in_url_path() -> None:
    assert date_from_url("https://x.example/2024/05/12/story", NOW) == (
        "2024-05-12T00:00:00Z",
        "/2024/05/12/",
    )


def test_url_without_date() -> None:
    assert date_from_url("https://x.example/news/story-123456", NOW) is None
