"""Bad --since/--until/--raw/--offset/--limit values: a usage error (exit 2) in one line, in
search, export and reextract alike, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from newscrawl.archive.search import parse_when
from newscrawl.cli.main import cli


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


OUT_OF_RANGE = "is out of range: the bound falls outside the years 1 to 9999 (UTC)"


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (
            ["search", "x", "--until", "9999-12-31"],
            f"Error: Invalid value for '--until': date '9999-12-31' {OUT_OF_RANGE}",
        ),
        (
            ["search", "x", "--since", "9999-12-31T23:59:59-23:59"],
            f"Error: Invalid value for '--since': date '9999-12-31T23:59:59-23:59' {OUT_OF_RANGE}",
        ),
        (
            ["search", "x", "--since", "0001-01-01T00:00:00+23:59"],
            f"Error: Invalid value for '--since': date '0001-01-01T00:00:00+23:59' {OUT_OF_RANGE}",
        ),
        (
            ["export", "--format", "jsonl", "-o", "{out}", "--until", "9999-12-31"],
            f"Error: Invalid value for '--until': date '9999-12-31' {OUT_OF_RANGE}",
        ),
        (
            ["reextract", "--since", "0001-01-01T00:00:00+23:59"],
            f"Error: Invalid value for '--since': date '0001-01-01T00:00:00+23:59' {OUT_OF_RANGE}",
        ),
    ],
)
def test_date_out_of_range_is_a_usage_error(
    archive_path: Path, tmp_path: Path, args: list[str], error: str
) -> None:
    out = str(tmp_path / "x.jsonl")
    code, text = run(*(a.format(out=out) for a in args), "--db", str(archive_path))
    assert code == 2
    assert text.splitlines()[-1] == error


@pytest.mark.parametrize(
    "args",
    [
        ["search", "bridge", "--since", "yesterday"],
        ["export", "--format", "jsonl", "-o", "{out}", "--since", "yesterday"],
        ["reextract", "--since", "yesterday"],
    ],
)
def test_unreadable_date_is_a_usage_error(
    archive_path: Path, tmp_path: Path, args: list[str]
) -> None:
    out = str(tmp_path / "x.jsonl")
    code, text = run(*(a.format(out=out) for a in args), "--db", str(archive_path))
    assert code == 2
    assert text.splitlines()[-1] == (
        "Error: Invalid value for '--since': invalid date 'yesterday': "
        "use YYYY-MM-DD or an ISO-8601 timestamp"
    )


def test_bad_raw_query_is_a_usage_error(archive_path: Path) -> None:
    code, text = run("search", '"open', "--raw", "--db", str(archive_path))
    assert code == 2
    assert text.splitlines()[-1] == "Error: invalid search query '\"open': unterminated string"


@pytest.mark.parametrize(
    "args",
    [
        ["search", "x", "--offset", "99999999999999999999"],
        ["runs", "--limit", "99999999999999999999"],
    ],
)
def test_too_large_a_number_is_a_usage_error(archive_path: Path, args: list[str]) -> None:
    code, text = run(*args, "--db", str(archive_path))
    assert code == 2
    assert text.splitlines()[-1] == (
        f"Error: Invalid value for '{args[-2]}': 99999999999999999999 is not in the range "
        f"{0 if args[-2] == '--offset' else 1}<=x<=9223372036854775807."
    )


def test_largest_offset_finds_nothing(archive_path: Path) -> None:
    code, text = run(
        "search", "bridge", "--offset", "9223372036854775807", "--db", str(archive_path)
    )
    assert (code, text) == (0, "No articles match.\n")


def test_dates_before_year_1000_keep_four_digits() -> None:
    assert parse_when("0999-01-02") == "0999-01-02T00:00:00Z"
    assert parse_when("0001-01-01T00:00:00Z") == "0001-01-01T00:00:00Z"


def test_early_since_still_finds_articles(archive_path: Path) -> None:
    code, text = run("search", "bridge", "--since", "0999-01-01", "--db", str(archive_path))
    assert code == 0
    assert "Harbour bridge reopens" in text
