"""Per-source run locks: a file lock beside the archive, ``<db>.locks/<source>.lock``.

The lock is an advisory ``flock`` (``msvcrt`` on Windows) held for as long as a run of the source
goes on, so two runs of one source never overlap: not within one scheduler, not between two
schedulers (or a scheduler and ``--run-now`` from cron) on the same archive. The operating system
drops the lock when its holders exit, so a crashed scheduler never leaves a stale lock behind.
The crawl process inherits the lock's file descriptor, so the lock stays held while the crawl
runs even if the scheduler that started it has died.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from typing import Any

from newscrawl.isotime import utc_now

if sys.platform == "win32":  # pragma: no cover
    import msvcrt
else:
    import fcntl


def lock_dir(db_path: str) -> str:
    """The folder holding the locks of an archive: ``<db>.locks``."""
    return os.path.abspath(db_path) + ".locks"


def safe_name(name: str) -> str:
    """A file-name-safe form of a source name (a short hash keeps different names apart)."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "source"
    if slug == name:
        return slug
    return f"{slug[:60]}-{hashlib.sha1(name.encode('utf-8')).hexdigest()[:8]}"


def lock_path(db_path: str, source: str) -> str:
    """The lock file of `source` in the archive at `db_path`."""
    return os.path.join(lock_dir(db_path), safe_name(source) + ".lock")


class SourceLock:
    """The run lock of one source; `acquire` never waits."""

    def __init__(self, db_path: str, source: str) -> None:
        self.source = source
        self.path = lock_path(db_path, source)
        self._fd: int | None = None

    @property
    def fd(self) -> int | None:
        """The lock file's descriptor while the lock is held (to pass to a child process)."""
        return self._fd

    @property
    def held(self) -> bool:
        """True while this object holds the lock."""
        return self._fd is not None

    def acquire(self, **info: Any) -> bool:
        """Take the lock if it is free and note who holds it; False when someone else has it."""
        if self._fd is not None:
            raise RuntimeError(f"the lock of {self.source!r} is already held by this object")
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            if sys.platform == "win32":  # pragma: no cover
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            else:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        self._write({"pid": os.getpid(), "since": utc_now(), **info})
        return True

    def note(self, **info: Any) -> None:
        """Record details about the holder in the lock file (read by `holder`)."""
        if self._fd is None:
            return
        current = self.holder() or {}
        current.update(info)
        self._write(current)

    def _write(self, info: dict[str, Any]) -> None:
        if self._fd is None:
            return
        data = {"source": self.source, **{k: v for k, v in info.items() if v is not None}}
        os.ftruncate(self._fd, 0)
        os.lseek(self._fd, 0, os.SEEK_SET)
        os.write(self._fd, json.dumps(data).encode("utf-8"))

    def holder(self) -> dict[str, Any] | None:
        """What the current (or last) holder wrote into the lock file, if anything readable."""
        try:
            with open(self.path, encoding="utf-8") as handle:
                text = handle.read()
        except OSError:
            return None
        try:
            data = json.loads(text) if text.strip() else None
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    def release(self) -> None:
        """Let the lock go (a no-op when it is not held)."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            if sys.platform == "win32":  # pragma: no cover
                msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
            else:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def __enter__(self) -> SourceLock:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()


def is_locked(db_path: str, source: str) -> bool:
    """True when a run of `source` holds its lock right now (probes without keeping it)."""
    path = lock_path(db_path, source)
    if not os.path.exists(path):
        return False
    fd = os.open(path, os.O_RDWR)
    try:
        if sys.platform == "win32":  # pragma: no cover
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        else:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(fd, fcntl.LOCK_UN)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False
