"""The archive commands driven through click's CliRunner against real archive files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from newscrawl.cli.main import cli


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_search_prints_a_table(archive_path: Path) -> None:
    code, out = run("search", "detour", "--db", str(archive_path))
    assert code == 0
    assert out == (
        "published             source   title                                 snippet"
        "                                                                 url\n"
        "--------------------  -------  ------------------------------------  "
        "----------------------------------------------------------------------  "
        "---------------------------------------------------\n"
        "2025-09-03T09:30:00Z  tribune  Harbour bridge reopens after repairs  "
        "…Commuters welcomed the end of the [detour] through the industrial es…  "
        "https://tribune.example/news/harbour-bridge-reopens\n"
    )


def test_search_json_is_one_object_per_line(archive_path: Path) -> None:
    code, out = run("search", "parade OR bridge", "--db", str(archive_path), "--json")
    assert code == 0
    hits = [json.loads(line) for line in out.splitlines()]
    assert {h["source"] for h in hits} == {"gazette", "tribune"}
    assert all("snippet" in h and "rank" in h for h in hits)


def test_search_csv_has_header(archive_path: Path) -> None:
    code, out = run("search", "bridge", "--db", str(archive_path), "--csv", "--source", "tribune")
    assert code == 0
    assert out.splitlines()[0] == "published,source,title,snippet,url"
    assert len(out.splitlines()) == 2


def test_search_with_no_hits_says_so(archive_path: Path) -> None:
    code, out = run("search", "zeppelin", "--db", str(archive_path))
    assert code == 0
    assert out == "No articles match.\n"


def test_search_reads_db_from_environment(
    archive_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSCRAWL_DB", str(archive_path))
    code, out = run("search", "bridge", "--json")
    assert code == 0
    assert json.loads(out)["source"] == "tribune"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("search", "x", "--db", "{missing}"),
            "Error: no archive at {missing} (run a crawl first, or check --db)\n",
        ),
        (
            ("search", "x", "--db", "{notdb}"),
            "Error: {notdb} is not a newscrawl archive (not a SQLite database)\n",
        ),
        # A bad date or raw query is a usage error (exit 2): tests/cli/test_cli_errors_filters.py
    ],
)
def test_errors_are_one_line_and_exit_1(
    archive_path: Path, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    notdb = tmp_path / "notes.txt"
    notdb.write_text("hello\n" * 500)
    names = {"missing": str(tmp_path / "absent.db"), "notdb": str(notdb), "db": str(archive_path)}
    code, out = run(*(a.format(**names) for a in args))
    assert code == 1
    assert out == message.format(**names)


def test_export_writes_file_and_manifest(archive_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "news.jsonl"
    code, text = run("export", "--db", str(archive_path), "--format", "jsonl", "-o", str(out))
    assert code == 0
    assert text == f"Exported 3 articles to {out} (manifest: {out}.manifest.json)\n"
    assert len(out.read_text().splitlines()) == 3


def test_export_requires_a_format() -> None:
    code, out = run("export", "-o", "x.jsonl")
    assert code == 2
    assert "Missing option '--format'" in out


def test_stats_table(archive_path: Path) -> None:
    code, out = run("stats", "--db", str(archive_path), "--by-source")
    assert code == 0
    assert out.splitlines()[2].split() == [
        "courrier",
        "1",
        "2025-09-03T12:00:00Z",
        "2025-09-03T12:00:00Z",
        "2025-09-04T00:00:00Z",
    ]


def test_stats_json(archive_path: Path) -> None:
    code, out = run("stats", "--db", str(archive_path), "--json")
    stats = json.loads(out)
    assert code == 0
    assert (stats["articles"], stats["sources"], stats["oldest"]) == (3, 3, "2025-09-02T06:00:00Z")


def test_fts_check_and_rebuild(archive_path: Path) -> None:
    assert run("fts", "check", "--db", str(archive_path)) == (0, "ok: 3 articles, index in sync\n")
    assert run("fts", "rebuild", "--db", str(archive_path)) == (
        0,
        "Rebuilt the full-text index over 3 articles.\n",
    )


def test_runs_lists_nothing_on_a_fresh_archive(archive_path: Path) -> None:
    code, out = run("runs", "--db", str(archive_path), "--json")
    assert (code, out) == (0, "")


@pytest.mark.parametrize(
    "command", [["search"], ["export"], ["stats"], ["runs"], ["fts", "check"], ["fts", "rebuild"]]
)
def test_every_command_help_has_an_example(command: list[str]) -> None:
    code, out = run(*command, "--help")
    assert code == 0
    assert "Example:" in out
    assert "newscrawl " + command[0] in out.split("Example:")[1]
