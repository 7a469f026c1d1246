"""`pid_alive`: running processes are alive; exited ones, reaped or not, are not."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from newscrawl.processes import pid_alive


def test_this_process_is_alive() -> None:
    assert pid_alive(os.getpid())


def test_no_pid_is_not_alive() -> None:
    assert not pid_alive(None) and not pid_alive(0)


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs /proc")
def test_an_exited_process_not_yet_reaped_is_not_alive() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # exited, and left unreaped: a zombie
        with open(f"/proc/{child.pid}/stat", "rb") as stat:
            if stat.read().rpartition(b")")[2].split()[0] == b"Z":
                break
        time.sleep(0.02)
    try:
        assert not pid_alive(child.pid)
    finally:
        child.wait()
    assert not pid_alive(child.pid)
