"""Start `newscrawl` commands (workers, archive-workers, seeds) as child processes."""

from __future__ import annotations

import subprocess
import sys

ENTRY = "from newscrawl.cli.main import cli; cli()"


def newscrawl_process(*args: str) -> subprocess.Popen[str]:
    """`newscrawl ARGS...` in a child process, its output captured as text."""
    return subprocess.Popen(
        [sys.executable, "-c", ENTRY, *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
