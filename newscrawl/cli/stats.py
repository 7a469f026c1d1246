"""`newscrawl stats` and `newscrawl runs`: what the archive holds and how crawls went."""

from __future__ import annotations

import json

import click

from newscrawl.archive.stats import archive_stats, per_source
from newscrawl.cli.options import SQLITE_MAX_INT, archive_errors, db_option, open_archive
from newscrawl.cli.output import output_options, render
from newscrawl.cli.plot import save_plot

RUN_COLUMNS = (
    "id",
    "started",
    "ended",
    "status",
    "pages_fetched",
    "articles_new",
    "articles_updated",
    "duplicates",
    "failed",
)


@click.command(name="stats")
@db_option
@click.option("--by-source", is_flag=True, help="One row per source instead of the totals.")
@click.option(
    "--plot",
    type=click.Path(dir_okay=False),
    help="Also draw articles per day per source into this .png, .svg or .pdf file "
    "(needs newscrawl[plot]).",
)
@output_options
@archive_errors
def stats_command(db_path: str | None, by_source: bool, plot: str | None, fmt: str | None) -> None:
    """Show what the archive holds: articles, sources, date range, runs, size.

    \b
    Example:
        newscrawl stats
        newscrawl stats --by-source --csv
        newscrawl stats --plot articles.png
    """
    with open_archive(db_path) as archive:
        if plot:
            save_plot(archive.conn, plot)
        if by_source:
            rows = per_source(archive.conn)
            columns = ("source", "articles", "oldest", "newest", "last_seen")
            click.echo(render(rows, columns, fmt), nl=False)
            return
        totals = archive_stats(archive.conn, archive.path)
    if fmt is None:
        rows = [{"figure": k, "value": v} for k, v in totals.items()]
        click.echo(render(rows, ("figure", "value"), None), nl=False)
    else:
        click.echo(render([totals], list(totals), fmt), nl=False)


@click.command(name="runs")
@db_option
@click.option("--limit", type=click.IntRange(1, SQLITE_MAX_INT), default=20, show_default=True)
@output_options
@archive_errors
def runs_command(db_path: str | None, limit: int, fmt: str | None) -> None:
    """List past crawl runs, newest first, with their counters.

    \b
    Example:
        newscrawl runs --limit 5
        newscrawl runs --json
    """
    with open_archive(db_path) as archive:
        rows = archive.list_runs(limit)
    if fmt == "json":
        for row in rows:
            for key in ("counters", "summary", "sources"):
                if isinstance(row.get(key), str):
                    row[key] = json.loads(row[key])
    click.echo(render(rows, RUN_COLUMNS, fmt), nl=False)
