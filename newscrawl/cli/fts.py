"""`newscrawl fts check|rebuild`: keep the full-text index in step with the articles."""

from __future__ import annotations

import click

from newscrawl.archive import fts
from newscrawl.cli.options import archive_errors, db_option, open_archive


@click.group(name="fts")
def fts_group() -> None:
    """Check or rebuild the full-text search index.

    \b
    Example:
        newscrawl fts check
        newscrawl fts rebuild
    """


@fts_group.command(name="check")
@db_option
@archive_errors
def check_command(db_path: str | None) -> None:
    """Verify the index holds exactly the articles' words (exit 1 if not).

    \b
    Example:
        newscrawl fts check --db archive/news.db
    """
    with open_archive(db_path) as archive, archive.snapshot() as conn:
        report = fts.check(conn)
    if not report.ok:
        raise click.ClickException(report.message)
    click.echo(report.message)


@fts_group.command(name="rebuild")
@db_option
@archive_errors
def rebuild_command(db_path: str | None) -> None:
    """Rebuild the index from the articles table.

    \b
    Example:
        newscrawl fts rebuild
    """
    with open_archive(db_path) as archive:
        with archive.transaction() as conn:
            fts.rebuild(conn)
        count = archive.count_articles()
    click.echo(f"Rebuilt the full-text index over {count} articles.")
