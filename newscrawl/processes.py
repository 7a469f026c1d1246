"""Facts about other processes on this machine."""

from __future__ import annotations

import os


def pid_alive(pid: int | None) -> bool:
    """True when a process with this id runs (a crawl worker, a WARC writer, a run).

    A zombie (exited, not yet reaped: an orphaned crawl process whose new parent is slow to
    reap it) is not alive.
    """
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """True when /proc says the process has exited and waits to be reaped (Linux only)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            # "pid (command name) state ...": the name may hold spaces and parentheses.
            return stat.read().rpartition(b")")[2].split()[0] == b"Z"
    except (OSError, IndexError):
        return False
