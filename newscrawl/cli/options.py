"""Options and error handling shared by every command."""

from __future__ import annotations

import functools
import os
import sqlite3
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from newscrawl.archive import (
    Archive,
    ArchiveError,
    InvalidQueryError,
    NotAnArchiveError,
    default_db_path,
)
from newscrawl.archive.errors import damaged, translate
from newscrawl.archive.search import parse_when

F = TypeVar("F", bound=Callable[..., Any])

#: The largest integer SQLite stores: the cap of counts and offsets given to a query.
SQLITE_MAX_INT = 2**63 - 1


def db_option(func: F) -> F:
    """The ``--db`` option: the archive file (default ``archive/news.db`` or ``$NEWSCRAWL_DB``)."""
    return click.option(
        "--db",
        "db_path",
        type=click.Path(dir_okay=False),
        default=None,
        help="Archive file. Default: $NEWSCRAWL_DB, else archive/news.db.",
    )(func)


def resolve_db(db_path: str | None) -> str:
    """The archive path to use for a command."""
    return db_path or default_db_path()


def when_option(
    *, end_of_day: bool = False
) -> Callable[[click.Context, click.Parameter, Any], Any]:
    """A click callback checking a ``--since``/``--until`` date: a bad one is a usage error."""

    def check(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value is not None:
            try:
                parse_when(value, end_of_day=end_of_day)
            except InvalidQueryError as exc:
                raise click.BadParameter(str(exc), ctx=ctx, param=param) from None
        return value

    return check


def check_regular_file(path: str) -> None:
    """Refuse an existing path that is neither a regular file nor a folder (``/dev/null``, a
    pipe, a socket): SQLite would fail on it with a message that names no cause."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return  # absent (or unreadable): Archive.open says which
    if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
        raise NotAnArchiveError(f"{path} is not a newscrawl archive: it is not a regular file")


def archive_failure(exc: BaseException, path: str) -> ArchiveError | None:
    """The archive error a user should see for what reading or writing the archive `path`
    raised, or None when `exc` is not about the archive."""
    if isinstance(exc, ArchiveError):
        return exc
    if isinstance(exc, sqlite3.DatabaseError):
        return translate(exc, path)
    if isinstance(exc, UnicodeDecodeError):
        # SQLite's message about a damaged schema can hold bytes Python cannot decode.
        return damaged(path, "its schema cannot be read")
    return None


def open_checked(path: str, *, create: bool = False) -> Archive:
    """`Archive.open` for a command: every failure to open is an `ArchiveError`."""
    check_regular_file(path)
    try:
        return Archive.open(path, create=create)
    except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
        error = archive_failure(exc, path)
        assert error is not None
        raise error from exc


@contextmanager
def open_archive(db_path: str | None, *, create: bool = False) -> Iterator[Archive]:
    """Open the archive for a command; archive errors (a missing, locked or damaged archive)
    become one clear line and exit 1, also when they happen while the command reads it."""
    path = resolve_db(db_path)
    try:
        archive = open_checked(path, create=create)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        yield archive
    except sqlite3.DatabaseError as exc:
        raise click.ClickException(str(translate(exc, path))) from None
    finally:
        archive.close()


def archive_errors(func: F) -> F:
    """Turn archive errors raised inside a command into a one-line message and exit code 1.

    A search query or filter value that cannot be used (`InvalidQueryError`) is a usage error:
    exit code 2. A SQLite error escaping the command is told about the command's archive.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InvalidQueryError as exc:
            raise click.UsageError(str(exc)) from None
        except ArchiveError as exc:
            raise click.ClickException(str(exc)) from None
        except sqlite3.DatabaseError as exc:
            error = translate(exc, resolve_db(kwargs.get("db_path")))
            raise click.ClickException(str(error)) from None

    return wrapper  # type: ignore[return-value]
