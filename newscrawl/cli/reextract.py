"""`newscrawl reextract`: re-run the current extractor over archived captures, offline."""

from __future__ import annotations

import click

from newscrawl.archive import Filters
from newscrawl.cli.options import archive_errors, db_option, open_archive, when_option
from newscrawl.reextract import reextract


@click.command(name="reextract")
@db_option
@click.option("--source", help="Only articles of this source.")
@click.option(
    "--since",
    callback=when_option(),
    help="Only articles published on or after this day (YYYY-MM-DD).",
)
@archive_errors
def reextract_command(db_path: str | None, source: str | None, since: str | None) -> None:
    """Extract archived articles again from their raw captures, without network access.

    Articles whose fields change get a new version (reason "reextract"); the command reports
    how many changed.

    \b
    Example:
        newscrawl reextract
        newscrawl reextract --source gazette --since 2025-09-01
    """
    with open_archive(db_path) as archive:
        report = reextract(archive, Filters(source=source, since=since))
    click.echo(
        f"Re-extracted {report.examined} articles: {report.changed} changed, "
        f"{report.unchanged} unchanged, {report.no_capture} without a capture, "
        f"{report.failed} failed."
    )
