"""SIGTERM to `newscrawl crawl` (a service manager, `kill PID`) stops its crawl processes too.

Only the command's own process gets the signal, unlike Ctrl-C, which reaches the whole process
group from the terminal: it must pass the stop on, wait for its workers, and record the run as
stopped rather than leave workers crawling and the run `running` for ever.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from story_site import STORIES, StorySite, serve_story_site

pytestmark = pytest.mark.e2e


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_sigterm_stops_the_workers_and_records_the_run_stopped(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    StorySite.reset(busy=False)
    with serve_story_site() as home:
        command = subprocess.Popen(
            [
                sys.executable, "-m", "newscrawl.cli.main", "crawl", home, "--db", str(db),
                "-s", "NEWSCRAWL_PROCESSES=2", "-s", "NEWSCRAWL_WORKER_BACKLOG=0",
                "-s", "AUTOTHROTTLE_ENABLED=false", "-s", "DOWNLOAD_DELAY=0.5",
                "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0",
            ],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while not any(path in STORIES for _, path in StorySite.log):
                assert time.monotonic() < deadline, "the crawl fetched no story"
                assert command.poll() is None, command.stdout.read() if command.stdout else ""
                time.sleep(0.05)
            command.send_signal(signal.SIGTERM)  # the command only, not its group
            output, _ = command.communicate(timeout=60)
            deadline = time.monotonic() + 10
            while _group_alive(command.pid) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert not _group_alive(command.pid), "crawl processes outlived the command"
        finally:
            if _group_alive(command.pid):
                os.killpg(command.pid, signal.SIGKILL)
    conn = sqlite3.connect(db)
    try:
        status = conn.execute("SELECT status FROM runs ORDER BY id DESC").fetchone()[0]
    finally:
        conn.close()
    assert status == "stopped", output.decode(errors="replace")[-2000:]
