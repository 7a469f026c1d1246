"""`newscrawl stats --plot FILE.png`: a chart of articles per day and source (matplotlib;
.svg and .pdf too)."""

from __future__ import annotations

import sqlite3

import click

from newscrawl.serve.charts import MissingExtraError, plot_articles_per_day


def save_plot(conn: sqlite3.Connection, path: str) -> None:
    """Write the articles-per-day chart to `path`; a missing extra, an unknown extension or a
    bad path is one error line."""
    try:
        plot_articles_per_day(conn, path)
    except (MissingExtraError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"cannot write plot {path}: {exc.strerror or exc}") from None
    click.echo(f"Wrote {path}", err=True)
