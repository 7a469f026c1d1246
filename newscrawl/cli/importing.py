"""`newscrawl import`: read a JSON Lines export back into an archive."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

import click

from newscrawl.archive.bulk import DEFAULT_BATCH, bulk_load
from newscrawl.cli.options import archive_errors, db_option, open_archive

#: Articles per transaction when upserting.
UPSERT_BATCH = 500


class _BadLine(click.ClickException):
    """A line of the input that is not an article object."""


def read_jsonl(handle: IO[str], name: str) -> Iterator[dict[str, Any]]:
    """The article objects of a JSONL file, one per non-blank line, without the internal id."""
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        try:
            article = json.loads(line)
        except json.JSONDecodeError as exc:
            raise _BadLine(f"{name} line {number}: not valid JSON ({exc.msg})") from None
        if not isinstance(article, dict):
            raise _BadLine(f"{name} line {number}: not a JSON object")
        if not article.get("url"):
            raise _BadLine(f"{name} line {number}: the article has no url")
        article.pop("id", None)
        yield article


def _batches(rows: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@click.command(name="import")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@db_option
@click.option(
    "--bulk",
    is_flag=True,
    help="Fast path for empty archives and large loads: new URLs only, FTS triggers off meanwhile.",
)
@click.option(
    "--batch",
    type=click.IntRange(1),
    default=None,
    help=f"Articles per transaction (default {UPSERT_BATCH}, with --bulk {DEFAULT_BATCH}).",
)
@archive_errors
def import_command(file: IO[str], db_path: str | None, bulk: bool, batch: int | None) -> None:
    """Import articles from a JSON Lines file (`newscrawl export --format jsonl`).

    By default every article is upserted by URL, as a crawl would: new ones are added,
    changed ones get a new version, identical ones are left alone. With --bulk, URLs already
    in the archive are skipped and the rest are loaded in large batches, much faster. FILE
    may be - for standard input.

    \b
    Example:
        newscrawl export --format jsonl --output news.jsonl --db old.db
        newscrawl import news.jsonl --db new.db
        newscrawl import big.jsonl --db new.db --bulk
    """
    name = getattr(file, "name", "input")
    rows = read_jsonl(file, name)
    with open_archive(db_path, create=True) as archive:
        try:
            if bulk:
                result = bulk_load(archive, rows, batch=batch or DEFAULT_BATCH)
                click.echo(
                    f"Imported {result.inserted} articles into {archive.path} "
                    f"({result.skipped} skipped: URL already archived)."
                )
                return
            new = updated = unchanged = 0
            for chunk in _batches(rows, batch or UPSERT_BATCH):
                for article in chunk:
                    article["version_reason"] = "import"
                outcome = archive.upsert_articles(chunk)
                new += len(outcome.new)
                updated += len(outcome.updated)
                unchanged += len(outcome.unchanged)
        except _BadLine as exc:
            raise click.ClickException(
                f"{exc.message}; the batches before it were imported, nothing from its own on"
            ) from None
        except ValueError as exc:
            raise click.ClickException(f"{name}: {exc}") from None
    click.echo(
        f"Imported {new + updated + unchanged} articles into {archive.path}: "
        f"{new} new, {updated} updated, {unchanged} unchanged."
    )
