"""Request pacing shared by the worker processes of a crawl.

Scrapy spaces requests per host within one process. Several worker processes fetching from one
host would each keep a robots.txt ``Crawl-delay`` (or ``DOWNLOAD_DELAY``, or AutoThrottle's delay)
and together send requests closer than it asks; and a ``Retry-After`` pause one worker was asked
for would not stop the others; and each process would keep its own per-site concurrency limit.
Each host therefore has a small state file beside the archive, ``<db>.locks/hosts/<hash>``: its
next free moment and the end of its pause, read and written under an advisory file lock; and
one slot file per request it may have in flight (``<hash>.<n>``), locked while the request is
out. That is a few microseconds a request, never waits for the archive's write lock (which a
worker holds while it writes a batch of articles), and the operating system drops the locks of
a process that dies, so a crash never leaves a slot taken.

The workers of a cluster (``crawl --redis``) share the same state through Redis instead
(`newscrawl.cluster.pacing.RedisHostState`): they may run on several machines.
"""

from __future__ import annotations

import hashlib
import os
import struct
import sys
import weakref
from collections import OrderedDict
from typing import Any, Protocol

if sys.platform == "win32":  # pragma: no cover
    import msvcrt
else:
    import fcntl

#: A host's state: next free moment, end of its pause, whether requests wait the pause out.
_STATE = struct.Struct("<ddd")
#: Host files kept open per process (the least recently used is closed beyond this).
MAX_OPEN = 256
#: One shared state per crawler, shared by its middlewares.
_STATES: weakref.WeakKeyDictionary[Any, SharedPacing] = weakref.WeakKeyDictionary()


def hosts_dir(db_path: str) -> str:
    """The folder of an archive's host state files: ``<db>.locks/hosts``, in the folder of the
    source run locks (`newscrawl.schedule.locks.lock_dir`, not imported: the scheduler's
    package costs a crawl process ~0.2 s to import)."""
    return os.path.abspath(db_path) + ".locks" + os.sep + "hosts"


class SharedPacing(Protocol):
    """What the pacing middlewares need of a per-host state shared by several processes."""

    #: How often (seconds) a request waiting for a slot looks for one another process freed.
    poll_seconds: float
    #: The slots this process holds.
    held: set[tuple[str, Any]]

    def reserve(self, host: str, delay: float, now: float) -> float: ...

    def pause(self, host: str, until: float, sit_out: bool) -> None: ...

    def paused(self, host: str, now: float) -> tuple[float, bool] | None: ...

    def take_slot(self, host: str, limit: int) -> tuple[str, Any] | None: ...

    def give_slot(self, slot: tuple[str, Any]) -> None: ...

    def close(self) -> None: ...


class HostState:
    """The per-host state the crawl processes on one archive share.

    Times are wall-clock seconds, the only clock the worker processes share.
    """

    poll_seconds = 0.05

    def __init__(self, db_path: str) -> None:
        self.folder = hosts_dir(db_path)
        os.makedirs(self.folder, exist_ok=True)
        self._open: OrderedDict[str, int] = OrderedDict()
        #: Slot files open in this process, and the slots it holds (whose locks it keeps).
        self._slots: OrderedDict[tuple[str, int], int] = OrderedDict()
        self.held: set[tuple[str, int]] = set()

    def reserve(self, host: str, delay: float, now: float) -> float:
        """Reserve the next turn at `host` for a request, `delay` seconds after the previous one
        (whichever worker sent it); return when that turn starts (`now` or later)."""
        fd = self._fd(host)
        _lock(fd, exclusive=True)
        try:
            next_allowed, until, sit_out = _read(fd)
            start = max(now, next_allowed)
            _write(fd, (start + delay, until, sit_out))
        finally:
            _unlock(fd)
        return start

    def pause(self, host: str, until: float, sit_out: bool) -> None:
        """Leave `host` alone until `until` (a later pause already recorded is kept)."""
        fd = self._fd(host)
        _lock(fd, exclusive=True)
        try:
            next_allowed, previous, _ = _read(fd)
            if until > previous:
                _write(fd, (next_allowed, until, float(sit_out)))
        finally:
            _unlock(fd)

    def paused(self, host: str, now: float) -> tuple[float, bool] | None:
        """The pause of `host` still running at `now`: (until, whether requests wait it out)."""
        fd = self._fd(host)
        _lock(fd, exclusive=False)
        try:
            _, until, sit_out = _read(fd)
        finally:
            _unlock(fd)
        return (until, bool(sit_out)) if until > now else None

    def take_slot(self, host: str, limit: int) -> tuple[str, int] | None:
        """Take a free one of `host`'s `limit` request slots (across all processes), or None."""
        for n in range(limit):
            slot = (host, n)
            if slot in self.held:
                continue
            fd = self._slot_fd(slot)
            if _try_lock(fd):
                self.held.add(slot)
                return slot
        return None

    def give_slot(self, slot: tuple[str, int]) -> None:
        """Free a slot `take_slot` gave."""
        if slot in self.held:
            self.held.discard(slot)
            _unlock(self._slots[slot])

    def close(self) -> None:
        """Close the open host and slot files (which frees this process's slots)."""
        while self._open:
            os.close(self._open.popitem()[1])
        while self._slots:
            os.close(self._slots.popitem()[1])
        self.held.clear()

    def _slot_fd(self, slot: tuple[str, int]) -> int:
        fd = self._slots.get(slot)
        if fd is not None:
            self._slots.move_to_end(slot)
            return fd
        fd = os.open(f"{self._path(slot[0])}.{slot[1]}", os.O_RDWR | os.O_CREAT, 0o644)
        self._slots[slot] = fd
        if len(self._slots) > MAX_OPEN:
            for old in list(self._slots):
                if old not in self.held:
                    os.close(self._slots.pop(old))
                    break
        return fd

    def _path(self, host: str) -> str:
        name = hashlib.blake2b(host.lower().encode("utf-8"), digest_size=12).hexdigest()
        return os.path.join(self.folder, name)

    def _fd(self, host: str) -> int:
        fd = self._open.get(host)
        if fd is not None:
            self._open.move_to_end(host)
            return fd
        fd = os.open(self._path(host), os.O_RDWR | os.O_CREAT, 0o644)
        self._open[host] = fd
        if len(self._open) > MAX_OPEN:
            os.close(self._open.popitem(last=False)[1])
        return fd


def _read(fd: int) -> tuple[float, float, float]:
    data = os.pread(fd, _STATE.size, 0) if hasattr(os, "pread") else _read_at_start(fd)
    if len(data) < _STATE.size:
        return 0.0, 0.0, 0.0
    values: tuple[float, float, float] = _STATE.unpack(data)
    return values


def _write(fd: int, values: tuple[float, float, float]) -> None:
    data = _STATE.pack(*values)
    if hasattr(os, "pwrite"):
        os.pwrite(fd, data, 0)
    else:  # pragma: no cover
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, data)


def _read_at_start(fd: int) -> bytes:  # pragma: no cover
    os.lseek(fd, 0, os.SEEK_SET)
    return os.read(fd, _STATE.size)


def _lock(fd: int, exclusive: bool) -> None:
    if sys.platform == "win32":  # pragma: no cover
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_LOCK, _STATE.size)
    else:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)


def _try_lock(fd: int) -> bool:
    """Take the file's lock if no one holds it (without waiting)."""
    try:
        if sys.platform == "win32":  # pragma: no cover
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, _STATE.size)
        else:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _unlock(fd: int) -> None:
    if sys.platform == "win32":  # pragma: no cover
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, _STATE.size)
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)


def shares_pacing(settings: Any) -> bool:
    """Whether a crawl process shares its hosts with other processes: one of a local crawl's
    several worker processes (``NEWSCRAWL_WORKERS``), or a cluster worker (``REDIS_URL``)."""
    return bool(settings.get("REDIS_URL")) or settings.getint("NEWSCRAWL_WORKERS", 1) > 1


def shared_state(crawler: Any) -> SharedPacing | None:
    """The host state shared with the other worker processes of this crawl: in Redis for a
    cluster worker, in files beside the archive for a local crawl of several processes; None
    when the crawl runs in one process (Scrapy's own pacing suffices)."""
    state = _STATES.get(crawler)
    if state is not None:
        return state
    redis_url = crawler.settings.get("REDIS_URL")
    if redis_url:
        from newscrawl.cluster.pacing import RedisHostState

        state = _STATES[crawler] = RedisHostState.from_settings(crawler.settings)
        return state
    if crawler.settings.getint("NEWSCRAWL_WORKERS", 1) <= 1:
        return None
    session = getattr(getattr(crawler, "spider", None), "session", None)
    archive = getattr(session, "archive", None)
    path = getattr(archive, "path", None)
    if not path or str(path) == ":memory:":
        return None
    state = _STATES[crawler] = HostState(str(path))
    return state
