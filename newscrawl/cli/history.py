"""`newscrawl history URL`: every version of an article and what changed."""

from __future__ import annotations

import json

import click

from newscrawl.archive.versions import list_versions
from newscrawl.cli.options import archive_errors, db_option, open_archive
from newscrawl.cli.output import render
from newscrawl.urls import canonicalize

COLUMNS = ("version", "fetched_at", "reason", "changed", "title")


@click.command(name="history")
@click.argument("url")
@db_option
@click.option("--diff/--no-diff", default=True, show_default=True, help="Show each version's diff.")
@click.option("--json", "fmt", flag_value="json", help="Output JSON, one version per line.")
@click.option("--csv", "fmt", flag_value="csv", help="Output CSV (no diffs).")
@archive_errors
def history_command(url: str, db_path: str | None, diff: bool, fmt: str | None) -> None:
    """Show an article's versions: when each was fetched, why, which fields changed, the diff.

    \b
    Example:
        newscrawl history https://www.example-news.com/2025/09/02/story
        newscrawl history https://www.example-news.com/2025/09/02/story --json
    """
    with open_archive(db_path) as archive:
        try:
            key = canonicalize(url)
        except ValueError:
            key = url
        versions = list_versions(archive.conn, key) or list_versions(archive.conn, url)
    if not versions:
        raise click.ClickException(f"no article with URL {url} in the archive")
    if fmt == "json":
        for version in versions:
            click.echo(json.dumps(version, ensure_ascii=False))
        return
    click.echo(render(versions, COLUMNS, fmt, widths={"title": 60}), nl=False)
    if fmt is None and diff:
        for version in versions[1:]:
            if version.get("diff"):
                click.echo(f"\n--- version {version['version'] - 1} -> {version['version']}")
                click.echo(version["diff"])
