"""Stopping `newscrawl crawl`: its crawl processes stop too, and the run is recorded stopped.

SIGTERM (a service manager, `kill PID`) reaches only the command's own process, which must pass
the stop on rather than leave workers crawling and the run `running` for ever. Ctrl-C reaches
the whole process group from the terminal, and the command passes it on as well: a crawl
process that gets the same stop twice must still stop cleanly.
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


def _sigint_default() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _stop_crawl(tmp_path: Path, whole_group: bool, signum: int) -> tuple[str, int, str]:
    """Start a 2-process crawl of the story site, send `signum` once a story was fetched (to
    the command, or to its whole process group), and return the run's status, the command's
    exit code and output."""
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
            # As in a terminal's foreground: a shell running the tests in the background
            # (`... &`) would leave SIGINT ignored.
            preexec_fn=_sigint_default,  # noqa: PLW1509 - only resets a signal disposition
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while not any(path in STORIES for _, path in StorySite.log):
                assert time.monotonic() < deadline, "the crawl fetched no story"
                assert command.poll() is None, command.stdout.read() if command.stdout else ""
                time.sleep(0.05)
            if whole_group:
                os.killpg(command.pid, signum)
            else:
                command.send_signal(signum)
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
    return status, command.returncode, output.decode(errors="replace")


def test_sigterm_to_the_command_stops_the_workers(tmp_path: Path) -> None:
    status, code, output = _stop_crawl(tmp_path, whole_group=False, signum=signal.SIGTERM)
    assert (status, code) == ("stopped", 130), output[-2000:]


def test_ctrl_c_to_the_whole_group_stops_cleanly(tmp_path: Path) -> None:
    status, code, output = _stop_crawl(tmp_path, whole_group=True, signum=signal.SIGINT)
    assert (status, code) == ("stopped", 130), output[-2000:]
