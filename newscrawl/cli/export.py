"""`newscrawl export`: write the archive (or part of it) as JSONL, CSV, Parquet or SQLite."""

from __future__ import annotations

import os
import sys

import click

from newscrawl.archive import Filters
from newscrawl.archive.export import FORMATS, STREAM_FORMATS, export, export_stream
from newscrawl.cli.options import archive_errors, db_option, open_archive
from newscrawl.cli.search import filter_options


@click.command(name="export")
@db_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True, help="Output format.")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, allow_dash=True),
    required=True,
    help="File to write, or - for standard output (jsonl and csv, no manifest).",
)
@click.option("--query", help="Only articles matching this search query.")
@filter_options
@archive_errors
def export_command(
    db_path: str | None,
    fmt: str,
    output: str,
    query: str | None,
    source: str | None,
    since: str | None,
    until: str | None,
    language: str | None,
    author: str | None,
) -> None:
    """Export articles to a file, with OUTPUT.manifest.json beside it.

    The manifest records the row count, the file's SHA-256, the schema version, the
    filters and the time. Exports are consistent even while a crawl is writing.
    With --output -, JSONL or CSV goes to standard output (no manifest).

    \b
    Example:
        newscrawl export --format jsonl --output news.jsonl --since 2025-09-01
        newscrawl export --format sqlite --output snapshot.db
        newscrawl export --format jsonl -o - --source gazette | jq .title
    """
    filters = Filters(source=source, since=since, until=until, language=language, author=author)
    if output == "-":
        if fmt not in STREAM_FORMATS:
            raise click.UsageError(
                f"--format {fmt} cannot go to standard output: give a file with --output"
            )
        with open_archive(db_path) as archive:
            try:
                rows = export_stream(
                    archive,
                    fmt,
                    sys.stdout.buffer,
                    filters=filters,
                    query=query,
                    name="standard output",
                )
            except BrokenPipeError:
                # The reader stopped early (`| head`): end quietly, as other tools do.
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
                raise SystemExit(1) from None
        click.echo(f"Exported {rows} articles to standard output", err=True)
        return
    with open_archive(db_path) as archive:
        try:
            result = export(archive, fmt, output, filters=filters, query=query)
        except OSError as exc:
            # The disk refused a file beside the output (a read-only folder, a full disk).
            raise click.ClickException(f"cannot write {output}: {exc.strerror or exc}") from None
    click.echo(
        f"Exported {result.rows} articles to {result.output} (manifest: {result.manifest_path})"
    )
