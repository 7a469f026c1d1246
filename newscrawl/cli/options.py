"""Options and error handling shared by every command."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from newscrawl.archive import Archive, ArchiveError, default_db_path

F = TypeVar("F", bound=Callable[..., Any])


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


@contextmanager
def open_archive(db_path: str | None, *, create: bool = False) -> Iterator[Archive]:
    """Open the archive for a command; archive errors become one clear line and exit 1."""
    try:
        archive = Archive.open(resolve_db(db_path), create=create)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        yield archive
    finally:
        archive.close()


def archive_errors(func: F) -> F:
    """Turn archive errors raised inside a command into a one-line message and exit code 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ArchiveError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper  # type: ignore[return-value]
