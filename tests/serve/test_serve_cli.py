"""`newscrawl serve` as a click command: help, errors, and a missing Datasette."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from newscrawl.archive import Archive
from newscrawl.cli.plot import save_plot
from newscrawl.cli.serve import serve_command


def test_help_has_an_example() -> None:
    result = CliRunner().invoke(serve_command, ["--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output and "newscrawl serve --db" in result.output
    for option in ("--db", "--host", "--port", "--open / --no-open", "--immutable"):
        assert option in result.output


def test_missing_archive_is_one_clear_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(serve_command, ["--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: no archive at {tmp_path / 'none.db'} (run a crawl first, or check --db)"
    ]


def test_missing_datasette_says_what_to_install(
    archive_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "datasette.app", None)
    result = CliRunner().invoke(serve_command, ["--db", str(archive_path)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: newscrawl serve needs Datasette: pip install 'newscrawl[serve]'"
    ]


def test_serve_does_not_change_the_archive(
    archive_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict] = []
    monkeypatch.setattr(
        "newscrawl.cli.serve.serve", lambda ds, **kw: calls.append({"ds": ds, **kw})
    )
    before = archive_path.read_bytes()
    result = CliRunner().invoke(
        serve_command, ["--db", str(archive_path), "--port", "8123", "--time-limit", "500"]
    )
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8123/news/search" in result.output
    (call,) = calls
    assert call["port"] == 8123 and call["host"] == "127.0.0.1"
    assert call["ds"].setting("sql_time_limit_ms") == 500
    assert archive_path.read_bytes() == before


def test_older_archive_is_served_as_it_is(
    old_archive_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("newscrawl.cli.serve.serve", lambda ds, **kw: None)
    result = CliRunner().invoke(serve_command, ["--db", str(old_archive_path)])
    assert result.exit_code == 0, result.output
    assert "has schema version 2" in result.output


def test_not_an_archive_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("create table t (x)").connection.close()
    result = CliRunner().invoke(serve_command, ["--db", str(other)])
    assert result.exit_code == 1
    assert "not a newscrawl archive" in result.output


def test_save_plot_reports_errors_in_one_line(
    archive_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Archive.open(archive_path, readonly=True) as archive:
        with pytest.raises(click.ClickException, match="cannot write plot"):
            save_plot(archive.conn, str(tmp_path / "missing" / "dir" / "x.png"))
        monkeypatch.setitem(sys.modules, "matplotlib", None)
        with pytest.raises(click.ClickException, match=r"newscrawl\[plot\]"):
            save_plot(archive.conn, str(tmp_path / "x.png"))
