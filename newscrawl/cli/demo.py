"""`newscrawl demo`: crawl the bundled demo news site, offline, into the archive."""

from __future__ import annotations

import click

from newscrawl.archive import Archive, ArchiveError, search
from newscrawl.cli.crawl import EXIT_FATAL, crawl_sources
from newscrawl.cli.options import db_option, resolve_db
from newscrawl.cli.output import render
from newscrawl.sources import Source

#: Fixed ports, so that a second demo run sees the same URLs and finds nothing new. A publisher
#: whose port is busy is served on a free port under these same URLs (`newscrawl.demo.routing`).
DEMO_PORTS = {"harbor": 8701, "valley": 8702, "lac": 8703, "nord": 8704}
EXAMPLE_QUERY = "ferry"


@click.command(name="demo")
@db_option
@click.option("--quiet", "-q", is_flag=True, help="Print errors only.")
def demo_command(db_path: str | None, quiet: bool) -> None:
    """Crawl the bundled demo news site into the archive, then show a search.

    The site (four publishers with feeds, sitemaps and a few dozen articles) is served on
    127.0.0.1 for the length of the crawl; nothing is fetched from the internet and nothing is
    left running. Run it twice: the second run finds nothing new.

    \b
    Example:
        newscrawl demo
        newscrawl demo --db /tmp/demo.db
    """
    from newscrawl.demo import DemoSite, serve_demo_site
    from newscrawl.demo.routing import crawl_settings as routing_settings

    db = resolve_db(db_path)
    site = DemoSite.load()
    # The URLs stay those of DEMO_PORTS even when some are busy: the same articles every run.
    with serve_demo_site(site, ports=DEMO_PORTS, keep_urls=True) as server:
        served = server.ports()
        moved = {k for k, url in server.served_urls.items() if url != server.base_urls[k]}
        if not quiet:
            click.echo(
                f"Serving the demo news site: {len(site.publishers)} publishers on 127.0.0.1"
            )
            for key, publisher in site.publishers.items():
                note = f"  (port busy: served on port {served[key]})" if key in moved else ""
                click.echo(f"  {publisher.name:<22} {server.url(key, '/')}{note}")
            click.echo(f"Crawling it into {db} ...")
        sources = [
            Source(name=key, start_urls=[server.url(key, "/")], max_depth=3)
            for key in site.publishers
        ]
        code = crawl_sources(
            sources,
            db,
            {
                "AUTOTHROTTLE_ENABLED": False,
                "NEWSCRAWL_PROGRESS_INTERVAL": 0,
                **routing_settings(server.routes()),
            },
            quiet=quiet,
            log_format="text",
            fmt=None,
            strict=False,
            command="demo",
        )
    if code != 0:
        raise SystemExit(code)
    if quiet:
        return
    try:
        with Archive.open(db, create=False) as archive:
            hits = search(archive.conn, EXAMPLE_QUERY, limit=3).hits
    except ArchiveError as exc:
        click.echo(f"Error: {exc}", err=True)
        raise SystemExit(EXIT_FATAL) from None
    click.echo(
        f'\nExample search: newscrawl search "{EXAMPLE_QUERY}"' + (f" --db {db}" if db_path else "")
    )
    click.echo(
        render(
            hits,
            ("published", "source", "title", "snippet"),
            None,
            widths={"title": 50, "snippet": 60},
        ),
        nl=False,
    )
    click.echo("\nNext: newscrawl stats, newscrawl export --format jsonl --output news.jsonl")
