"""`newscrawl serve`: browse and search the archive in a browser (Datasette, read-only)."""

from __future__ import annotations

import threading
import webbrowser

import click

from newscrawl.archive import ArchiveError
from newscrawl.cli.options import check_regular_file, db_option, resolve_db
from newscrawl.serve.app import check_archive, create_datasette, listen, serve
from newscrawl.serve.charts import MissingExtraError
from newscrawl.serve.config import search_query_name


@click.command(name="serve")
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8001, show_default=True)
@click.option(
    "--open/--no-open",
    "open_browser",
    default=False,
    show_default=True,
    help="Open the search page in a web browser once the server is up.",
)
@click.option(
    "--immutable",
    is_flag=True,
    help="Treat the file as unchanging (faster; only when no crawl writes to it any more).",
)
@click.option(
    "--time-limit",
    "time_limit_ms",
    type=click.IntRange(10, 600_000),
    default=2000,
    show_default=True,
    help="Time limit for one SQL query, in milliseconds.",
)
def serve_command(
    db_path: str | None,
    host: str,
    port: int,
    open_browser: bool,
    immutable: bool,
    time_limit_ms: int,
) -> None:
    """Serve the archive read-only in a browser: search, facets, articles and charts.

    Runs Datasette (pip install 'newscrawl[serve]') with a search page, the articles
    table with facets, an article view, stored queries and an articles-per-day chart.
    Stop it with Ctrl+C.

    \b
    Example:
        newscrawl serve
        newscrawl serve --db archive/news.db --port 8080 --open
    """
    path = resolve_db(db_path)
    try:
        check_regular_file(path)
        note = check_archive(path)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from None
    if note:
        click.echo(note, err=True)
    try:
        ds = create_datasette(path, immutable=immutable, sql_time_limit_ms=time_limit_ms)
    except MissingExtraError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        sock = listen(host, port)
    except (OSError, OverflowError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise click.ClickException(f"cannot listen on {host}:{port}: {reason}") from None
    name = next(iter(n for n in ds.databases if not n.startswith("_")))
    base = f"http://{host if ':' not in host else f'[{host}]'}:{port}"
    search_url = base + ds.urls.query(name, search_query_name())
    click.echo(f"Serving {path} read-only at {base}/ (search: {search_url}); Ctrl+C stops.")
    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(search_url,)).start()
    serve(ds, host=host, port=port, sock=sock)


if __name__ == "__main__":
    serve_command()
