"""The `newscrawl` command: a thin click layer over the library."""

from __future__ import annotations

import click

from newscrawl import __version__
from newscrawl.cli.cluster import archive_worker_command, seed_command, status_command
from newscrawl.cli.crawl import crawl_command
from newscrawl.cli.demo import demo_command
from newscrawl.cli.export import export_command
from newscrawl.cli.extract import extract_command
from newscrawl.cli.fts import fts_group
from newscrawl.cli.history import history_command
from newscrawl.cli.importing import import_command
from newscrawl.cli.reextract import reextract_command
from newscrawl.cli.schedule import schedule_command, sources_command
from newscrawl.cli.search import search_command
from newscrawl.cli.serve import serve_command
from newscrawl.cli.stats import runs_command, stats_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newscrawl")
def cli() -> None:
    """newscrawl: crawl news sites into a searchable SQLite archive.

    \b
    Example:
        newscrawl demo
        newscrawl search "parade"
    """


for command in (
    demo_command,
    crawl_command,
    search_command,
    export_command,
    import_command,
    extract_command,
    stats_command,
    runs_command,
    fts_group,
    history_command,
    reextract_command,
    schedule_command,
    sources_command,
    serve_command,
    seed_command,
    archive_worker_command,
    status_command,
):
    cli.add_command(command)


if __name__ == "__main__":
    cli()
