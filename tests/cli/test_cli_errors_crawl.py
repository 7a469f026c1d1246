"""`newscrawl crawl` for scripts and cron: bad settings refused before a run, quiet and JSON
output kept clean when nothing is new, and an interrupted crawl told apart by its exit code."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from newscrawl.cli.main import cli
from newscrawl.cli.settingcheck import first_problem

FAST = ["-s", "AUTOTHROTTLE_ENABLED=false", "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0"]


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env)


# -- bad setting values: a usage error before any run starts ---------------------------------


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("DOWNLOAD_DELAY=abc", "DOWNLOAD_DELAY='abc': expected a number"),
        (
            "NEWSCRAWL_RECHECK_SCHEDULE=weekly",
            "NEWSCRAWL_RECHECK_SCHEDULE='weekly': bad re-check interval 'weekly': "
            "use e.g. 30m, 6h, 2d",
        ),
        ("CONCURRENT_REQUESTS=many", "CONCURRENT_REQUESTS='many': expected a whole number"),
        (
            "AUTOTHROTTLE_ENABLED=maybe",
            "AUTOTHROTTLE_ENABLED='maybe': expected true or false (or 1 or 0)",
        ),
        ("NEWSCRAWL_MIN_WORDS=few", "NEWSCRAWL_MIN_WORDS='few': expected a whole number"),
        (
            "NEWSCRAWL_PROCESSES=lots",
            "NEWSCRAWL_PROCESSES='lots': expected a whole number of processes, or auto",
        ),
    ],
)
def test_bad_setting_is_a_usage_error_before_any_run(
    tmp_path: Path, setting: str, message: str
) -> None:
    db = tmp_path / "a.db"
    result = invoke("crawl", "http://127.0.0.1:1/", "--db", str(db), "-s", setting)
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == f"Error: Invalid value for -s/--set: {message}"
    assert not db.exists()  # no run was recorded


def test_bad_setting_in_a_sources_file_is_a_usage_error(tmp_path: Path) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text(
        '[[sources]]\nname = "gazette"\nstart_urls = ["http://127.0.0.1:1/"]\n'
        '[sources.settings]\nDOWNLOAD_DELAY = "abc"\n'
    )
    db = tmp_path / "a.db"
    result = invoke("crawl", "--sources", str(sources), "--db", str(db))
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        f"Error: {sources}: source 'gazette': DOWNLOAD_DELAY='abc': expected a number"
    )
    assert not db.exists()


def test_bad_environment_setting_is_a_usage_error(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    result = invoke(
        "crawl", "http://127.0.0.1:1/", "--db", str(db), env={"NEWSCRAWL_MIN_WORDS": "lots"}
    )
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        "Error: environment variable NEWSCRAWL_MIN_WORDS='lots': expected a whole number"
    )
    assert not db.exists()


def test_usable_setting_values_pass() -> None:
    assert (
        first_problem(
            {
                "DOWNLOAD_DELAY": 0.25,
                "DOWNLOAD_TIMEOUT": "2.5",  # a whole-number default, read as any number
                "CONCURRENT_REQUESTS": "8",
                "AUTOTHROTTLE_ENABLED": "false",
                "RETRY_TIMES": 0,
                "NEWSCRAWL_RECHECK_SCHEDULE": "",
                "NEWSCRAWL_PROCESSES": "auto",
                "NEWSCRAWL_WARC": 0,
                "USER_AGENT": "anything goes",
                "SOME_SETTING_OF_A_PLUGIN": "abc",
            }
        )
        is None
    )


# -- nothing new: not on stdout with --quiet (cron mails it) or --json (stdout is JSON) ------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The demo site's "nord" publisher, served for the module, and an archive holding it."""
    from newscrawl.demo import DemoSite, serve_demo_site

    template = tmp_path_factory.mktemp("template") / "news.db"
    with serve_demo_site(DemoSite.load()) as server:
        url = server.url("nord", "/")
        first = invoke("crawl", url, "--db", str(template), "--quiet", *FAST)
        assert first.exit_code == 0, first.output
        yield url, template


def crawled_archive(template: Path, tmp_path: Path) -> Path:
    db = tmp_path / "news.db"
    shutil.copy(template, db)
    return db


@pytest.mark.e2e
def test_quiet_run_with_nothing_new_prints_nothing(demo: tuple[str, Path], tmp_path: Path) -> None:
    url, template = demo
    db = crawled_archive(template, tmp_path)
    result = invoke("crawl", url, "--db", str(db), "--quiet", *FAST)
    assert result.exit_code == 0
    assert (result.stdout, result.stderr) == ("", "")


@pytest.mark.e2e
def test_json_run_with_nothing_new_prints_only_json(demo: tuple[str, Path], tmp_path: Path) -> None:
    url, template = demo
    db = crawled_archive(template, tmp_path)
    result = invoke("crawl", url, "--db", str(db), "--json", *FAST)
    assert result.exit_code == 0
    summary = json.loads(result.stdout)  # one JSON object and nothing else
    assert summary["status"] == "completed"
    assert summary["counters"]["articles_new"] == 0
    assert result.stderr.startswith("Nothing new: the archive already holds the ")


# -- an interrupted crawl exits 130 ----------------------------------------------------------


def _sigint_default() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.e2e
def test_interrupted_crawl_exits_130(tmp_path: Path) -> None:
    from newscrawl.demo import DemoSite, serve_demo_site

    db = tmp_path / "news.db"
    with serve_demo_site(DemoSite.load()) as server:
        command = subprocess.Popen(  # in a process group of its own, as from a terminal
            [
                *(sys.executable, "-m", "newscrawl.cli.main", "crawl", server.url("nord", "/")),
                *("--db", str(db), *FAST, "-s", "DOWNLOAD_DELAY=0.5"),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            # As in a terminal's foreground: a shell running the tests in the background
            # (`... &`) would leave SIGINT ignored, and the command could not be interrupted.
            preexec_fn=_sigint_default,  # noqa: PLW1509 - only resets a signal disposition
        )
        try:
            deadline = time.monotonic() + 60
            while len(server.log.paths("nord")) < 4:
                assert time.monotonic() < deadline, "the crawl fetched nothing"
                assert command.poll() is None, command.stdout.read() if command.stdout else ""
                time.sleep(0.05)
            # SIGINT to the command, which passes it on to its workers once.
            command.send_signal(signal.SIGINT)
            output, _ = command.communicate(timeout=60)
        finally:
            if command.poll() is None:
                os.killpg(command.pid, signal.SIGKILL)
                command.wait()
    text = output.decode(errors="replace")
    assert command.returncode == 130, text[-2000:]
    assert "Run 1 stopped: " in text
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT status FROM runs").fetchone()[0] == "stopped"
    finally:
        conn.close()
