"""`newscrawl crawl` from the command line: usage errors, fatal errors, hints, exit codes."""

from __future__ import annotations

import socket
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from newscrawl.cli.main import cli

FAST = ["-s", "AUTOTHROTTLE_ENABLED=false", "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0"]


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_no_url_is_a_usage_error() -> None:
    code, out = run("crawl")
    assert code == 2
    assert "Error: give at least one URL or --sources FILE" in out


def test_invalid_url_is_a_usage_error(tmp_path: Path) -> None:
    code, out = run("crawl", "not-a-url", "--db", str(tmp_path / "a.db"))
    assert code == 2
    assert "Error: invalid URL 'not-a-url': give an absolute http:// or https:// URL" in out


def test_bad_sources_file_names_line_and_column(tmp_path: Path) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text('[[sources]]\nname = "x"\nstart_urls = ["http://127.0.0.1:1/" "y"]\n')
    code, out = run("crawl", "--sources", str(sources), "--db", str(tmp_path / "a.db"))
    assert code == 2
    assert f"Error: {sources}: invalid TOML: " in out
    assert "(at line 3, column 37)" in out


def test_file_that_is_not_an_archive_is_fatal(tmp_path: Path) -> None:
    notdb = tmp_path / "notes.db"
    notdb.write_text("hello\n" * 1000)
    code, out = run("crawl", "http://127.0.0.1:9/", "--db", str(notdb))
    assert code == 1
    assert out.strip() == f"Error: {notdb} is not a newscrawl archive (not a SQLite database)"
    assert notdb.read_text() == "hello\n" * 1000


def test_unwritable_folder_is_fatal(tmp_path: Path) -> None:
    target = tmp_path / "file-not-folder"
    target.write_text("x")
    code, out = run("crawl", "http://127.0.0.1:9/", "--db", str(target / "news.db"))
    assert code == 1
    assert out.startswith("Error: cannot create folder for archive")


@pytest.mark.e2e
def test_unreachable_site_completes_with_a_hint(tmp_path: Path) -> None:
    port = closed_port()
    code, out = run(
        "crawl",
        f"http://127.0.0.1:{port}/",
        "--db",
        str(tmp_path / "a.db"),
        *FAST,
        "-s",
        "RETRY_TIMES=0",
    )
    assert code == 0
    assert "No articles archived: no page could be fetched (connection_refused 1)" in out


@pytest.mark.e2e
def test_strict_turns_failed_pages_into_exit_3(tmp_path: Path) -> None:
    port = closed_port()
    code, _ = run(
        "crawl",
        f"http://127.0.0.1:{port}/",
        "--db",
        str(tmp_path / "a.db"),
        *FAST,
        "-s",
        "RETRY_TIMES=0",
        "--strict",
    )
    assert code == 3


@pytest.mark.e2e
def test_failed_run_is_recorded(tmp_path: Path) -> None:
    port = closed_port()
    db = tmp_path / "a.db"
    run("crawl", f"http://127.0.0.1:{port}/", "--db", str(db), *FAST, "-s", "RETRY_TIMES=0")
    conn = sqlite3.connect(db)
    status, failed = conn.execute("SELECT status, failed FROM runs").fetchone()
    conn.close()
    assert (status, failed) == ("completed", 1)


@pytest.mark.e2e
def test_json_summary(tmp_path: Path) -> None:
    import json

    port = closed_port()
    code, out = run(
        "crawl",
        f"http://127.0.0.1:{port}/",
        "--db",
        str(tmp_path / "a.db"),
        *FAST,
        "-s",
        "RETRY_TIMES=0",
        "--json",
    )
    summary = json.loads(out.splitlines()[0])
    assert summary["status"] == "completed"
    assert summary["counters"]["failed_by_reason"] == {"connection_refused": 1}


def test_locked_archive_is_one_clear_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from newscrawl.archive import Archive

    db = tmp_path / "a.db"
    Archive.open(db).close()
    holder = sqlite3.connect(db)
    holder.execute("BEGIN IMMEDIATE")
    monkeypatch.setenv("NEWSCRAWL_BUSY_TIMEOUT", "300")
    try:
        code, out = run("crawl", "http://127.0.0.1:9/", "--db", str(db))
    finally:
        holder.rollback()
        holder.close()
    assert code == 1
    assert out.strip() == (
        f"Error: archive {db} is locked by another process (database is locked); try again later"
    )


@pytest.mark.e2e
def test_json_log_format_writes_json_lines(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    port = closed_port()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "newscrawl.cli.main",
            "crawl",
            f"http://127.0.0.1:{port}/",
            "--db",
            str(tmp_path / "a.db"),
            "--log-format",
            "json",
            *FAST,
            "-s",
            "RETRY_TIMES=0",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    records = [json.loads(line) for line in proc.stderr.splitlines() if line.startswith("{")]
    assert records, proc.stderr
    assert any(
        r["message"] == f"Failed http://127.0.0.1:{port}/: connection_refused" for r in records
    )
    assert all({"time", "level", "logger", "message"} <= set(r) for r in records)


@pytest.mark.e2e
def test_quiet_prints_nothing_on_success(tmp_path: Path) -> None:
    import subprocess
    import sys

    from newscrawl.demo import DemoSite, serve_demo_site

    site = DemoSite.load()
    with serve_demo_site(site) as server:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "newscrawl.cli.main",
                "crawl",
                server.url("nord", "/"),
                "--db",
                str(tmp_path / "a.db"),
                "--quiet",
                *FAST,
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert proc.returncode == 0
    assert (proc.stdout, proc.stderr) == ("", "")
