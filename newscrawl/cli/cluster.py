"""Commands for crawling from many machines: `seed`, `archive-worker`, `status` (and the
`--redis` mode of `crawl`, which starts cluster workers)."""

from __future__ import annotations

import json
import signal
import socket
from collections.abc import Callable
from typing import Any

import click

from newscrawl.cli.options import check_regular_file, db_option, resolve_db
from newscrawl.cli.output import output_options, render
from newscrawl.cluster import Keys, RedisUnavailable, connect, redis_url
from newscrawl.cluster.keys import DEFAULT_PREFIX
from newscrawl.sources import Source, SourcesError, load_sources, sources_from_urls

F = Callable[..., Any]


def redis_options(func: F) -> F:
    """``--redis URL`` (or $NEWSCRAWL_REDIS) and ``--prefix`` for the cluster's keys."""
    func = click.option(
        "--prefix",
        default=DEFAULT_PREFIX,
        show_default=True,
        help="Prefix of the cluster's Redis keys (several clusters can share a server).",
    )(func)
    return click.option(
        "--redis",
        "redis",
        metavar="URL",
        default=None,
        help="Redis server, e.g. redis://127.0.0.1:6379/0. Default: $NEWSCRAWL_REDIS.",
    )(func)


def connect_cluster(redis: str | None, required: bool = True) -> Any:
    """A Redis client for the command, or a clear usage error."""
    try:
        url = redis_url(redis)
        if not url:
            if required:
                raise click.UsageError("give --redis URL or set NEWSCRAWL_REDIS")
            return None
        return connect(url)
    except RedisUnavailable as exc:
        raise click.ClickException(str(exc)) from None


def sources_from_options(urls: tuple[str, ...], sources_file: str | None) -> list[Source]:
    """Sources from a sources file and/or URLs, as `newscrawl crawl` reads them."""
    from newscrawl.cli.crawl import check_settings

    try:
        sources = load_sources(sources_file) if sources_file else []
    except SourcesError as exc:
        raise click.UsageError(str(exc)) from None
    # The sources' settings go to the workers: a bad value is refused here, not by each worker.
    check_settings(sources, sources_file, {}, environment=False)
    try:
        return sources + sources_from_urls(urls)
    except SourcesError as exc:
        raise click.UsageError(str(exc)) from None


@click.command(name="seed")
@click.argument("urls", nargs=-1)
@click.option(
    "--sources", "sources_file", type=click.Path(dir_okay=False), help="TOML sources file."
)
@redis_options
def seed_command(
    urls: tuple[str, ...], sources_file: str | None, redis: str | None, prefix: str
) -> None:
    """Put start URLs (and their sources' settings) into the cluster's shared queue.

    Start pages are fetched again each time they are seeded; what they link to is fetched once
    (until its fingerprint expires). Run it from cron to make the cluster look for news.

    \b
    Example:
        newscrawl seed --redis redis://127.0.0.1:6379/0 https://www.example-news.com/
        newscrawl seed --redis redis://127.0.0.1:6379/0 --sources sources.toml
    """
    from newscrawl.cluster.seed import seed

    if not urls and not sources_file:
        raise click.UsageError("give at least one URL or --sources FILE")
    sources = sources_from_options(urls, sources_file)
    server = connect_cluster(redis)
    queued = seed(server, Keys(prefix), sources)
    click.echo(f"Queued {queued} start URLs of {len(sources)} sources.")


@click.command(name="archive-worker")
@redis_options
@db_option
@click.option(
    "--batch-size",
    type=click.IntRange(1),
    default=200,
    show_default=True,
    help="Articles per archive transaction.",
)
@click.option(
    "--until-idle",
    type=click.FloatRange(0),
    default=None,
    metavar="SECONDS",
    help="Stop once the cluster has had no work for this long (default: run until SIGTERM).",
)
@click.option(
    "-s", "--set", "set_", multiple=True, metavar="NAME=VALUE", help="A NEWSCRAWL_* setting."
)
@click.option("--quiet", "-q", is_flag=True, help="Print errors only.")
def archive_worker_command(
    redis: str | None,
    prefix: str,
    db_path: str | None,
    batch_size: int,
    until_idle: float | None,
    set_: tuple[str, ...],
    quiet: bool,
) -> None:
    """Drain the articles that cluster workers push to Redis into the archive.

    The one writer of the archive: it runs the same validate, clean, dedupe and archive steps as a
    local crawl, a batch per transaction. Killed, it archives its unfinished batch again when it
    restarts (nothing is lost, nothing is archived twice). SIGTERM finishes the batch and stops.
    While Redis cannot be reached it waits and tries again, and drains once Redis is back.
    It also queues archived articles that are due for a re-check.

    \b
    Example:
        newscrawl archive-worker --redis redis://127.0.0.1:6379/0 --db archive/news.db
    """
    import logging

    from newscrawl import logs
    from newscrawl.archive import ArchiveError
    from newscrawl.cli.crawl import check_settings, parse_setting
    from newscrawl.cluster.archiver import ArchiverLocked, ArchiveWorker
    from newscrawl.runner import crawl_settings

    overrides = parse_setting(set_)
    check_settings([], None, overrides)
    server = connect_cluster(redis)
    logs.configure("ERROR" if quiet else "INFO", "text")
    settings = crawl_settings(overrides)
    worker = ArchiveWorker(
        server,
        Keys(prefix),
        resolve_db(db_path),
        settings,
        batch_size=batch_size,
        lock_ttl=settings.getfloat("NEWSCRAWL_REDIS_ARCHIVER_TTL", 15.0),
        recheck_every=settings.getfloat("NEWSCRAWL_REDIS_RECHECK_EVERY", 60.0),
    )
    stop = {"now": False}

    def on_signal(signum: int, frame: Any) -> None:
        stop["now"] = True

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        try:
            worker.acquire()
        except (ArchiverLocked, RedisUnavailable) as exc:
            raise click.ClickException(str(exc)) from None
        try:
            check_regular_file(resolve_db(db_path))
            worker.open()
        except ArchiveError as exc:
            worker.release()
            raise click.ClickException(str(exc)) from None
        status, error = "failed", None
        try:
            status = worker.run(until_idle=until_idle, should_stop=lambda: stop["now"])
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            logging.getLogger(__name__).error("The archive-worker stops: %s", error)
        finally:
            counters, _ = worker.counters()
            worker.close(status, error)
            worker.release()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if error:
        raise click.ClickException(error)
    if not quiet:
        click.echo(
            f"Archive-worker {status}: {counters.get('articles_new', 0)} new, "
            f"{counters.get('articles_updated', 0)} updated, "
            f"{counters.get('articles_unchanged', 0)} unchanged, "
            f"{counters.get('duplicates', 0)} duplicates, "
            f"{sum((counters.get('dropped_by_reason') or {}).values())} dropped."
        )


STATUS_COLUMNS = ("queue", "length")
WORKER_COLUMNS = ("worker", "host", "pid", "state", "alive", "last_seen_s", "fetched", "leased")


@click.command(name="status")
@redis_options
@click.option(
    "--recent",
    type=click.FloatRange(0),
    default=3600,
    show_default=True,
    metavar="SECONDS",
    help="Show workers seen within this many seconds.",
)
@output_options
def status_command(redis: str | None, prefix: str, recent: float, fmt: str | None) -> None:
    """Show the cluster: requests waiting and leased, articles waiting for the archive-worker,
    and the workers seen recently.

    \b
    Example:
        newscrawl status --redis redis://127.0.0.1:6379/0
        newscrawl status --redis redis://127.0.0.1:6379/0 --json
    """
    from newscrawl.cluster.status import cluster_status

    status = cluster_status(connect_cluster(redis), Keys(prefix), recent_s=recent)
    if fmt == "json":
        click.echo(json.dumps(status.as_dict(), ensure_ascii=False))
        return
    queues = [
        {"queue": "requests waiting", "length": status.requests_waiting},
        {"queue": "requests leased", "length": status.requests_leased},
        {"queue": "URLs seen", "length": status.seen},
        {"queue": "articles waiting", "length": status.items_waiting},
        {"queue": "articles being archived", "length": status.items_taken},
    ]
    click.echo(render(queues, STATUS_COLUMNS, fmt), nl=False)
    if fmt is None:
        holder = status.archiver
        click.echo(
            "archive-worker: "
            + (f"{holder.get('host')} pid {holder.get('pid')}" if holder else "none running")
        )
        click.echo(f"sources: {', '.join(status.sources) or 'none seeded'}\n")
    rows = [w.__dict__ for w in status.workers]
    if rows or fmt is None:
        click.echo(render(rows, WORKER_COLUMNS, fmt), nl=False)


def run_cluster_crawl(
    sources: list[Source],
    redis: str,
    prefix: str,
    settings: dict[str, Any],
    *,
    processes: int | None,
    quiet: bool,
    log_format: str,
    fmt: str | None,
) -> int:
    """`newscrawl crawl --redis`: seed the given sources, run worker processes, print a summary."""
    import subprocess

    from newscrawl.cli.crawl import SUMMARY_COLUMNS
    from newscrawl.cluster.seed import seed
    from newscrawl.runner import CrawlConfig, merge_counts, start_cluster_workers, worker_count
    from newscrawl.runsummary import summary_rows

    server = connect_cluster(redis)
    keys = Keys(prefix)
    if sources:
        queued = seed(server, keys, sources)
        if not quiet:
            click.echo(f"Queued {queued} start URLs of {len(sources)} sources.", err=True)
    config = CrawlConfig(
        db_path="",
        sources=sources,
        settings=settings,
        log_level="ERROR" if quiet else "INFO",
        log_format=log_format,
        redis_url=redis_url(redis),
        redis_prefix=prefix,
    )
    count = processes or worker_count(settings)
    children: list[subprocess.Popen[bytes]] = start_cluster_workers(config, count)
    stopping = {"asked": False}

    def forward(signum: int, frame: Any) -> None:
        # SIGTERM/SIGINT: each worker finishes its requests in flight and returns the rest.
        stopping["asked"] = True
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)

    previous = {s: signal.signal(s, forward) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        codes = [p.wait() for p in children]
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    pids = {str(p.pid) for p in children}
    host = socket.gethostname()
    counters_list, summaries = [], []
    for raw in server.zrange(keys.workers, 0, -1):
        info = server.hgetall(keys.worker(raw.decode()))
        info = {k.decode(): v.decode() for k, v in info.items()}
        if info.get("host") == host and info.get("pid") in pids:
            counters_list.append(json.loads(info.get("counters") or "{}"))
            summaries.append(json.loads(info.get("summary") or "{}"))
    counters = merge_counts(counters_list)
    summary = merge_counts(summaries)
    if fmt == "json":
        click.echo(json.dumps({"workers": count, "counters": counters, "summary": summary}))
    elif not quiet:
        rows = summary_rows(summary)
        if rows:
            click.echo(render(rows, SUMMARY_COLUMNS, fmt), nl=False)
        click.echo(
            f"{count} cluster workers {'stopped' if stopping['asked'] else 'finished'}: "
            f"{counters.get('fetched', 0)} pages fetched, "
            f"{counters.get('items_pushed', 0)} articles handed to the archive-worker, "
            f"{counters.get('failed', 0)} failed."
        )
    return 1 if any(codes) else 0
