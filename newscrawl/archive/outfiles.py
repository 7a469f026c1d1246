"""Writing files next to an archive safely: never onto the archive, never half-written.

`guard_output` refuses a path that is the archive itself, one of its SQLite companions
(``-wal``, ``-shm``, ``-journal``) or a file of its WARC folder, however it is spelled (relative
path, symlink, hard link). `staging` gives a private folder beside the output to write into; the
finished files are moved into place with `os.replace`, so a failure never leaves a half-written
file under a requested name. `write_error` turns what the disk said into one line naming the
output file, not a temporary one.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from newscrawl.archive.errors import ArchiveError, StorageError
from newscrawl.archive.warc import warc_folder

#: Files SQLite keeps beside a database, by suffix ("" is the database itself).
SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")
STAGING_PREFIX = ".newscrawl-export-"


def shown(path: str) -> str:
    """A path as text fit for a message or a JSON file: undecodable bytes shown as ``\\xff``."""
    try:
        raw = os.fsencode(path)
    except UnicodeEncodeError:
        return path.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")


def check_name(path: str) -> None:
    """Refuse a file name that is not valid UTF-8 text (SQLite and the manifest need one)."""
    try:
        os.path.abspath(path).encode("utf-8")
    except UnicodeEncodeError:
        raise ArchiveError(
            f"cannot write {shown(path)}: the file name is not valid UTF-8; choose another name"
        ) from None


def _archive_names(db_path: str) -> list[tuple[str, str]]:
    """(real path, what it is) of every file the archive owns by name."""
    names: list[tuple[str, str]] = []
    for base in {os.path.abspath(db_path), os.path.realpath(db_path)}:
        for suffix in SQLITE_COMPANIONS:
            what = "the archive" if not suffix else f"the {suffix[1:]} file of the archive"
            names.append((os.path.realpath(base + suffix), what))
    return names


def _same_file(st: os.stat_result, candidates: list[str]) -> str | None:
    """The first of `candidates` that is the file `st` describes, if any."""
    for candidate in candidates:
        with suppress(OSError):
            if os.path.samestat(st, os.stat(candidate)):
                return candidate
    return None


def _same_in_folder(st: os.stat_result, folder: str) -> str | None:
    """The entry of `folder` that is the file `st` describes, if any (inodes compared first,
    so a folder of many files costs one listing)."""
    try:
        with os.scandir(folder) as entries:
            matches = [entry.path for entry in entries if entry.inode() == st.st_ino]
    except OSError:
        return None
    return _same_file(st, matches)


def _refusal(target: str, what: str, db_path: str) -> ArchiveError:
    return ArchiveError(
        f"cannot export to {target}: it is {what} {shown(db_path)}; choose another output file"
    )


def guard_output(path: str, db_path: str) -> None:
    """Raise `ArchiveError` when writing `path` would overwrite a file of the archive `db_path`.

    Compares resolved real paths (relative paths, ``..``, symlinks) and, when `path` exists,
    device and inode (hard links). The archive's WARC folder is off limits as a whole.
    """
    target = shown(path)
    real = os.path.realpath(path)
    for name, what in _archive_names(db_path):
        if real == name:
            raise _refusal(target, what, db_path)
    folder = os.path.realpath(warc_folder(db_path))
    if real == folder or real.startswith(folder.rstrip(os.sep) + os.sep):
        raise _refusal(target, "in the WARC folder of the archive", db_path)
    try:
        st = os.stat(path)
    except OSError:
        return
    guard_stat(st, target, db_path)


def guard_stat(st: os.stat_result, target: str, db_path: str) -> None:
    """Raise `ArchiveError` when the file `st` describes is a file of the archive `db_path`
    (itself, a companion, a WARC file) under another name: a hard link, an open stream."""
    candidates = [db_path + suffix for suffix in SQLITE_COMPANIONS]
    same = _same_file(st, candidates) or _same_in_folder(st, warc_folder(db_path))
    if same is not None:
        raise ArchiveError(
            f"cannot export to {target}: it is the same file as {shown(same)}, of the archive "
            f"{shown(db_path)}; choose another output file"
        )


@contextmanager
def staging(output: str) -> Iterator[str]:
    """A private folder beside `output` to write into; removed, with whatever is left, at exit.

    Raises `OSError` when the folder of `output` cannot take a new entry.
    """
    folder = os.path.dirname(output) or os.curdir
    work = tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=folder)
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def create_like(path: str, final: str) -> None:
    """Create the empty file `path` with the mode `open()` would give `final`.

    That is the mode of `final` when it exists (it is about to be replaced), else 0666 less the
    umask (and any default ACL of the folder), which the kernel applies as for any new file.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with suppress(OSError):
            st = os.stat(final)
            if stat.S_ISREG(st.st_mode):
                os.fchmod(fd, stat.S_IMODE(st.st_mode) & 0o7777 & ~(stat.S_ISUID | stat.S_ISGID))
    finally:
        os.close(fd)


_OS_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is exceeded",
    errno.EFBIG: "the file is too large (file size limit)",
    errno.EROFS: "the file system is read-only",
}


def os_reason(exc: OSError) -> str:
    """What an `OSError` means, in a few words."""
    if exc.errno in _OS_REASONS:
        return _OS_REASONS[exc.errno]
    message = exc.strerror or str(exc)
    # pyarrow raises OSError without errno, naming it in the message.
    if "No space left on device" in message:
        return "the disk is full"
    return message


def sqlite_reason(exc: sqlite3.Error) -> str | None:
    """What a SQLite error says about the file being written, or None if it is not about it."""
    lowered = str(exc).lower()
    if "full" in lowered:
        return "the disk is full"
    if "readonly" in lowered or "read-only" in lowered:
        return "the file or its folder is read-only"
    if "unable to open" in lowered:
        return "the file cannot be created"
    if "i/o" in lowered:
        return "disk I/O error"
    return None


#: Free space (bytes) under which a failed write is put down to a full disk.
FULL_DISK_MARGIN = 1 << 20


def disk_full(path: str) -> bool:
    """Tell whether the file system that holds (or would hold) `path` is (nearly) full."""
    try:
        st = os.statvfs(os.path.dirname(path) or os.curdir)
    except (OSError, AttributeError):
        return False
    return st.f_bavail * st.f_frsize < FULL_DISK_MARGIN


def write_error(target: str, exc: OSError | sqlite3.Error) -> StorageError:
    """One clear `StorageError` naming the file a user asked for."""
    reason = os_reason(exc) if isinstance(exc, OSError) else sqlite_reason(exc) or str(exc)
    return StorageError(f"cannot write {shown(target)}: {reason}")
