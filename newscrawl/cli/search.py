"""`newscrawl search`: full-text search of the archive."""

from __future__ import annotations

from typing import Any

import click

from newscrawl.archive import Filters, search
from newscrawl.archive.search import SORTS
from newscrawl.cli.options import (
    SQLITE_MAX_INT,
    archive_errors,
    db_option,
    open_archive,
    when_option,
)
from newscrawl.cli.output import output_options, render

COLUMNS = ("published", "source", "title", "snippet", "url")


def filter_options(func: Any) -> Any:
    """Filters shared by search and export."""
    for option in reversed(
        [
            click.option("--source", help="Only articles of this source (its name)."),
            click.option(
                "--since",
                callback=when_option(),
                help="Published on or after (YYYY-MM-DD or ISO-8601).",
            ),
            click.option(
                "--until",
                callback=when_option(end_of_day=True),
                help="Published on or before (YYYY-MM-DD or ISO-8601).",
            ),
            click.option("--language", help="Language code, e.g. en (matches en-GB too)."),
            click.option("--author", help="Author name contains this text."),
        ]
    ):
        func = option(func)
    return func


# "-word" excludes a word: a query starting with one is the query, not an unknown option.
@click.command(name="search", context_settings={"ignore_unknown_options": True})
@click.argument("query")
@db_option
@filter_options
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True)
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True)
@click.option("--offset", type=click.IntRange(0, SQLITE_MAX_INT), default=0, show_default=True)
@click.option("--raw", is_flag=True, help="Pass QUERY to SQLite FTS5 as is (its own syntax).")
@output_options
@archive_errors
def search_command(
    query: str,
    db_path: str | None,
    source: str | None,
    since: str | None,
    until: str | None,
    language: str | None,
    author: str | None,
    sort: str,
    limit: int,
    offset: int,
    raw: bool,
    fmt: str | None,
) -> None:
    """Search archived articles, best match first.

    Words must all appear; use "quotes" for a phrase, -word to exclude, OR between
    alternatives, and word* for a prefix.

    \b
    Example:
        newscrawl search "Kim Jong Un" --since 2025-09-01 --source gazette
        newscrawl search 'parade -missile' --json
    """
    filters = Filters(source=source, since=since, until=until, language=language, author=author)
    with open_archive(db_path) as archive:
        result = search(
            archive.conn, query, raw=raw, filters=filters, sort=sort, limit=limit, offset=offset
        )
    if result.note and fmt is None:
        click.echo(result.note, err=True)
    if fmt is None and not result.hits:
        click.echo("No articles match.", err=True)
        return
    widths = {"title": 50, "snippet": 70, "source": 16}
    click.echo(render(result.hits, COLUMNS, fmt, widths=widths), nl=False)
