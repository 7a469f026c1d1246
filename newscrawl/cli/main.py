"""The `newscrawl` command: a thin click layer over the library."""

from __future__ import annotations

import importlib

import click

from newscrawl import __version__

#: Each command and where it lives, imported only when it runs (or when --help lists them):
#: `newscrawl crawl` does not pay for importing extraction, Redis or Datasette code.
COMMANDS = {
    "demo": "newscrawl.cli.demo:demo_command",
    "crawl": "newscrawl.cli.crawl:crawl_command",
    "search": "newscrawl.cli.search:search_command",
    "export": "newscrawl.cli.export:export_command",
    "import": "newscrawl.cli.importing:import_command",
    "extract": "newscrawl.cli.extract:extract_command",
    "stats": "newscrawl.cli.stats:stats_command",
    "runs": "newscrawl.cli.stats:runs_command",
    "fts": "newscrawl.cli.fts:fts_group",
    "history": "newscrawl.cli.history:history_command",
    "reextract": "newscrawl.cli.reextract:reextract_command",
    "schedule": "newscrawl.cli.schedule:schedule_command",
    "sources": "newscrawl.cli.schedule:sources_command",
    "serve": "newscrawl.cli.serve:serve_command",
    "seed": "newscrawl.cli.cluster:seed_command",
    "archive-worker": "newscrawl.cli.cluster:archive_worker_command",
    "status": "newscrawl.cli.cluster:status_command",
}


class LazyGroup(click.Group):
    """A click group whose commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module, _, attr = COMMANDS[cmd_name].partition(":")
            self.add_command(getattr(importlib.import_module(module), attr), cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newscrawl")
def cli() -> None:
    """newscrawl: crawl news sites into a searchable SQLite archive.

    \b
    Example:
        newscrawl demo
        newscrawl search "parade"
    """


if __name__ == "__main__":
    cli()
