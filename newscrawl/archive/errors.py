"""Errors raised by the archive library, each with a message fit to show a user as is."""

from __future__ import annotations

import sqlite3


class ArchiveError(Exception):
    """Base class: something is wrong with the archive or a request made of it."""


class ArchiveNotFoundError(ArchiveError):
    """The archive file does not exist (and was not to be created)."""


class NotAnArchiveError(ArchiveError):
    """The file exists but is not a newscrawl archive (or not SQLite at all)."""


class ArchiveDamagedError(ArchiveError):
    """The file is an archive whose pages SQLite finds damaged (a failing disk, a bad copy)."""


class ArchiveLockedError(ArchiveError):
    """Another process held the write lock for longer than the busy timeout."""


class StorageError(ArchiveError):
    """The disk refused: read-only path, full disk, I/O error. No partial rows are left."""


class InvalidQueryError(ArchiveError):
    """A search query (raw FTS5 syntax) or a filter value that cannot be used."""


#: What SQLite says when pages of a database are damaged, and what that means for a user.
_DAMAGE = (
    ("malformed", None),
    # A full-text index whose pages are damaged cannot even be opened.
    ("vtable constructor failed", "its full-text index cannot be read"),
    # Text that is not UTF-8: newscrawl writes none, so the bytes were damaged.
    ("could not decode to utf-8", "a text value is not valid UTF-8"),
)


def damaged(path: str, reason: str) -> ArchiveDamagedError:
    """The error for an archive whose file is damaged, and what to do about it."""
    return ArchiveDamagedError(
        f"archive {path} is damaged ({reason}): restore it from a backup or an export"
    )


def translate(exc: sqlite3.Error, path: str) -> ArchiveError:
    """Turn a sqlite3 error into the archive error a user should see."""
    message = str(exc)
    lowered = message.lower()
    if "locked" in lowered or "busy" in lowered:
        return ArchiveLockedError(
            f"archive {path} is locked by another process (database is locked); try again later"
        )
    for sign, reason in _DAMAGE:
        if sign in lowered:
            return damaged(path, reason or message)
    if "not a database" in lowered or "encrypted" in lowered:
        return NotAnArchiveError(f"{path} is not a newscrawl archive (not a SQLite database)")
    if "readonly" in lowered or "read-only" in lowered:
        return StorageError(f"cannot write to archive {path}: the file or its folder is read-only")
    if "full" in lowered:
        return StorageError(f"cannot write to archive {path}: the disk is full")
    if "unable to open" in lowered:
        return StorageError(f"cannot open archive {path}: the path is not writable or not a file")
    if "i/o" in lowered:
        return StorageError(f"cannot write to archive {path}: disk I/O error")
    return ArchiveError(f"archive {path}: {message}")
