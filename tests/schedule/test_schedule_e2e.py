"""End to end: a real `newscrawl schedule` process crawling the demo site on a short cadence."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newscrawl.demo import DemoSite, serve_demo_site

pytestmark = pytest.mark.e2e

FAST = ["-s", "AUTOTHROTTLE_ENABLED=false", "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0"]
ENTRY = "from newscrawl.cli.schedule import schedule_command; schedule_command()"


@pytest.fixture(scope="module")
def site() -> Iterator[DemoSite]:
    """The demo site, served for the whole module."""
    demo = DemoSite.load()
    with serve_demo_site(demo):
        yield demo


def _sources(path: Path, site: DemoSite, **cadences: str) -> Path:
    keys = list(site.publishers)
    tables = []
    for index, (name, cadence) in enumerate(cadences.items()):
        tables.append(
            f'[[sources]]\nname = "{name}"\nstart_urls = ["{site.url(keys[index], "/")}"]\n'
            f"{cadence}\n"
        )
    path.write_text("\n".join(tables))
    return path


def _start(sources: Path, db: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", ENTRY, "--sources", str(sources), "--db", str(db), "--jitter", "0"]
        + [*extra, "--quiet", *FAST],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _runs(db: Path) -> list[dict[str, Any]]:
    if not db.exists():
        return []
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM runs ORDER BY id")]
    except sqlite3.OperationalError:
        return []
    finally:
        conn.close()


def _wait_until(check: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _crawl_processes(db: Path) -> list[int]:
    """Crawl processes (python -m newscrawl.runner) still working on this archive."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().decode("utf-8", "replace")
        except OSError:
            continue
        if "newscrawl.runner" in cmdline and str(db) in cmdline:
            found.append(int(entry.name))
    return found


def _stop(process: subprocess.Popen[str], timeout: float = 40) -> tuple[int, str]:
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=timeout)
    return process.returncode, stderr


def _due_seconds(error: str) -> int:
    hh, mm, ss = re.search(r"due at (\d\d):(\d\d):(\d\d)", error).groups()  # type: ignore[union-attr]
    return int(hh) * 3600 + int(mm) * 60 + int(ss)


def test_runs_on_cadence_skip_overlaps_and_stop_cleanly(site: DemoSite, tmp_path: Path) -> None:
    # Pages 0.3 s apart make the first crawl of one publisher last several seconds on any
    # machine, so with a 2 s cadence the runs in between are due while it is still going: they
    # are skipped, on the 2 s grid.
    db = tmp_path / "news.db"
    sources = _sources(tmp_path / "sources.toml", site, harbor='every = "2s"')
    process = _start(sources, db, "--grace", "30", "-s", "DOWNLOAD_DELAY=0.3")
    try:
        _wait_until(lambda: sum(r["status"] == "completed" for r in _runs(db)) >= 1, 30)
        _wait_until(lambda: any(r["status"] == "running" for r in _runs(db)), 15)
    finally:
        code, stderr = _stop(process)
    assert code == 0, stderr
    runs = _runs(db)
    real = [r for r in runs if r["status"] != "skipped"]
    skipped = [r for r in runs if r["status"] == "skipped"]
    assert [r["status"] for r in real] == ["completed", "completed"], stderr  # grace: finished
    assert all(json.loads(r["sources"]) == ["harbor"] and r["command"] == "schedule" for r in runs)
    assert real[0]["ended"] <= real[1]["started"]  # never two at once
    assert len(skipped) >= 2 and all("still going" in r["error"] for r in skipped)
    dues = [_due_seconds(r["error"]) for r in skipped]
    assert all((d - dues[0]) % 2 == 0 for d in dues), dues
    assert "Stopped." in stderr
    conn = sqlite3.connect(db)
    urls = {row[0] for row in conn.execute("SELECT url FROM articles")}
    conn.close()
    base = site.url(next(iter(site.publishers)), "/")
    assert urls == {a["url"] for a in site.expected_articles() if a["url"].startswith(base)}
    for pid in map(int, re.findall(r"started \(pid (\d+)\)", stderr)):
        assert not _alive(pid)
    assert _crawl_processes(db) == []


def test_sigterm_stops_a_long_crawl_and_other_processes_respect_the_lock(
    site: DemoSite, tmp_path: Path
) -> None:
    db = tmp_path / "news.db"
    sources = _sources(tmp_path / "sources.toml", site, slow='every = "1h"', other='every = "1h"')
    # A slow crawl (one request at a time, half a second apart) of `slow` only.
    slow_only = _sources(tmp_path / "slow.toml", site, slow='every = "1h"')
    process = _start(
        slow_only, db, "--grace", "0", "-s", "DOWNLOAD_DELAY=0.5", "-s", "CONCURRENT_REQUESTS=1"
    )
    try:
        _wait_until(lambda: any(r["status"] == "running" for r in _runs(db)), 20)
        # A cron-style one-off run of the same source, from another process: refused.
        refused = subprocess.run(
            [sys.executable, "-c", ENTRY, "--sources", str(sources), "--db", str(db)]
            + ["--run-now", "slow", *FAST],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert refused.returncode == 0, refused.stderr
        assert "still going in process" in refused.stderr
        time.sleep(1.0)
    finally:
        started = time.monotonic()
        code, stderr = _stop(process)
    assert code == 0, stderr
    assert time.monotonic() - started < 20
    runs = _runs(db)
    statuses = {r["id"]: r["status"] for r in runs}
    assert sorted(statuses.values()) == ["skipped", "stopped"], runs
    stopped = next(r for r in runs if r["status"] == "stopped")
    assert json.loads(stopped["counters"]).get("close_reason") == "shutdown"
    assert "asking run" in stderr
    for pid in map(int, re.findall(r"started \(pid (\d+)\)", stderr)):
        assert not _alive(pid)
    assert _crawl_processes(db) == []


def test_run_now_crawls_one_source_once(site: DemoSite, tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    sources = _sources(tmp_path / "sources.toml", site, first='every = "1h"', second="")
    result = subprocess.run(
        [sys.executable, "-c", ENTRY, "--sources", str(sources), "--db", str(db)]
        + ["--run-now", "second", "--quiet", *FAST],
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    runs = _runs(db)
    assert [(r["status"], json.loads(r["sources"])) for r in runs] == [("completed", ["second"])]
    assert runs[0]["articles_new"] > 0
