"""`newscrawl crawl`: crawl news sites into the archive and print the run summary."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import click

from newscrawl.archive import Archive, ArchiveError
from newscrawl.cli.options import archive_failure, check_regular_file, db_option, resolve_db
from newscrawl.cli.output import render
from newscrawl.cli.settingcheck import environment_problem, first_problem
from newscrawl.runner import CrawlConfig, RunOutcome, run_crawl
from newscrawl.runsummary import summary_rows
from newscrawl.sources import Source, SourcesError, load_sources, sources_from_urls

EXIT_OK, EXIT_FATAL, EXIT_USAGE, EXIT_STRICT = 0, 1, 2, 3
#: A crawl stopped before it finished (Ctrl-C, SIGTERM): 128 + SIGINT, as a shell reports it.
EXIT_STOPPED = 130

SUMMARY_COLUMNS = (
    "source",
    "discovered",
    "fetched",
    "articles_new",
    "articles_updated",
    "duplicates",
    "non_articles",
    "robots",
    "failed",
    "failed_by_reason",
)


def parse_setting(values: tuple[str, ...]) -> dict[str, Any]:
    """``NAME=VALUE`` pairs as a dict; values that look like JSON numbers/booleans are converted.

    A value the crawl could not use (``DOWNLOAD_DELAY=abc``) is a usage error, before any run
    starts (`newscrawl.cli.settingcheck`).
    """
    settings: dict[str, Any] = {}
    for pair in values:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{pair!r} is not NAME=VALUE", param_hint="-s/--set")
        try:
            settings[name.strip()] = json.loads(value)
        except ValueError:
            settings[name.strip()] = value
    problem = first_problem(settings)
    if problem:
        raise click.BadParameter(problem, param_hint="-s/--set")
    return settings


def check_settings(
    sources: list[Source],
    sources_file: str | None,
    overrides: dict[str, Any],
    *,
    environment: bool = True,
) -> None:
    """Refuse, as a usage error, a bad setting value in the sources' ``[sources.settings]`` or
    (with `environment`) in a ``NEWSCRAWL_*`` environment variable that `overrides` (``-s``)
    does not replace."""
    for source in sources:
        problem = first_problem(source.settings)
        if problem:
            where = f"{sources_file}: " if sources_file else ""
            raise click.UsageError(f"{where}source {source.name!r}: {problem}")
    problem = environment_problem(overridden=overrides) if environment else None
    if problem:
        raise click.UsageError(problem)


def no_articles_hint(counters: dict[str, Any]) -> str | None:
    """Why a run archived nothing, when it can be told from the counters."""
    archived = sum(
        int(counters.get(k, 0)) for k in ("articles_new", "articles_updated", "articles_unchanged")
    )
    if archived:
        return None
    failed = counters.get("failed_by_reason") or {}
    fetched = int(counters.get("fetched", 0))
    if fetched == 0 and failed:
        reasons = ", ".join(f"{k} {v}" for k, v in sorted(failed.items()))
        return f"no page could be fetched ({reasons}): is the network reachable and the URL right?"
    if counters.get("robots"):
        return f"robots.txt forbade {counters['robots']} pages"
    if not counters.get("discovered"):
        excluded = int(counters.get("links_excluded", 0))
        if excluded:
            return (
                f"all {excluded} links found lead to other sites or are excluded by the "
                "source's allow/deny patterns"
            )
        return "no links, feed entries or sitemap entries were found on the start URLs"
    dropped = counters.get("dropped_by_reason") or {}
    if dropped:
        reasons = ", ".join(f"{k} {v}" for k, v in sorted(dropped.items()))
        return f"pages were fetched but none was kept as an article ({reasons})"
    return None


def print_outcome(outcome: RunOutcome, fmt: str | None, quiet: bool) -> None:
    """The end-of-run summary: a table per source and a totals line (or JSON)."""
    counters = outcome.counters
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "run_id": outcome.run_id,
                    "status": outcome.status,
                    "counters": counters,
                    "summary": outcome.summary,
                    "error": outcome.error,
                },
                ensure_ascii=False,
            )
        )
        return
    if quiet:
        return
    rows = summary_rows(outcome.summary)
    if rows:
        click.echo(render(rows, SUMMARY_COLUMNS, fmt), nl=False)
    new, updated = counters.get("articles_new", 0), counters.get("articles_updated", 0)
    click.echo(
        f"Run {outcome.run_id} {outcome.status}: {counters.get('fetched', 0)} pages fetched, "
        f"{new} new and {updated} updated articles, {counters.get('duplicates', 0)} duplicates, "
        f"{counters.get('failed', 0)} failed."
    )


def archived_count(db_path: str, sources: list[str]) -> int:
    """How many articles the archive holds for these sources."""
    try:
        with Archive.open(db_path, create=False) as archive:
            marks = ", ".join("?" for _ in sources)
            row = archive.conn.execute(
                f"SELECT count(*) FROM articles WHERE source IN ({marks})", sources
            ).fetchone()
            return int(row[0])
    except (ArchiveError, sqlite3.Error):
        return 0


def crawl_sources(
    sources: list[Source],
    db_path: str,
    settings: dict[str, Any],
    *,
    quiet: bool,
    log_format: str,
    fmt: str | None,
    strict: bool,
    command: str = "crawl",
) -> int:
    """Run a crawl of `sources`, print its summary, and return the exit code."""
    config = CrawlConfig(
        db_path=db_path,
        sources=sources,
        settings=settings,
        log_level="ERROR" if quiet else "INFO",
        log_format=log_format,
    )
    try:
        check_regular_file(db_path)
        outcome = run_crawl(config, command=command)
    except (ArchiveError, sqlite3.DatabaseError, UnicodeDecodeError) as exc:
        # A missing folder, a locked, damaged or foreign file: one line, no traceback.
        click.echo(f"Error: {archive_failure(exc, db_path)}", err=True)
        return EXIT_FATAL
    print_outcome(outcome, fmt, quiet)
    if outcome.status == "failed":
        click.echo(f"Error: {outcome.error or 'the crawl failed'}", err=True)
        return EXIT_FATAL
    if outcome.status == "stopped":
        return EXIT_STOPPED
    counters = outcome.counters
    if outcome.status == "completed" and not any(
        counters.get(k) for k in ("articles_new", "articles_updated")
    ):
        held = archived_count(db_path, [s.name for s in sources])
        hint = no_articles_hint(counters)
        if held and not counters.get("failed"):
            # Not news: nothing with --quiet (cron would mail it every run), and never on the
            # standard output of --json, which holds the JSON summary alone.
            if not quiet:
                click.echo(
                    f"Nothing new: the archive already holds the {held} articles found so far.",
                    err=fmt == "json",
                )
        elif hint:
            click.echo(f"No articles archived: {hint}", err=True)
    if strict and outcome.counters.get("failed", 0):
        return EXIT_STRICT
    return EXIT_OK


@click.command(name="crawl")
@click.argument("urls", nargs=-1)
@db_option
@click.option(
    "--sources", "sources_file", type=click.Path(dir_okay=False), help="TOML sources file."
)
@click.option("--max-pages", type=click.IntRange(1), help="Pages to fetch per source in this run.")
@click.option("--max-depth", type=click.IntRange(0), help="Link hops to follow from start pages.")
@click.option(
    "-s",
    "--set",
    "set_",
    multiple=True,
    metavar="NAME=VALUE",
    help="A Scrapy or NEWSCRAWL_* setting.",
)
@click.option("--quiet", "-q", is_flag=True, help="Print errors only (for cron).")
@click.option(
    "--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option("--json", "fmt", flag_value="json", help="Print the run summary as JSON.")
@click.option("--strict", is_flag=True, help="Exit with code 3 when any page failed.")
@click.option(
    "--recheck", is_flag=True, help="Re-fetch every archived article of these sources now."
)
@click.option(
    "--redis",
    metavar="URL",
    default=None,
    help="Crawl as cluster workers sharing a Redis queue (redis://HOST:PORT/DB); "
    "default $NEWSCRAWL_REDIS. Articles go to Redis for `newscrawl archive-worker`.",
)
@click.option("--prefix", default="newscrawl", show_default=True, help="Cluster key prefix.")
@click.option(
    "--processes",
    type=click.IntRange(1),
    default=None,
    help="Crawl processes (default: one per core, at most 4). A local run that is not a "
    "source's first starts with one and starts the others as its backlog grows; with --redis, "
    "that many workers.",
)
@click.option(
    "--max-idle",
    type=click.FloatRange(0),
    default=None,
    metavar="SECONDS",
    help="With --redis: stop after the cluster has had no work this long (0: never; default 10).",
)
def crawl_command(
    urls: tuple[str, ...],
    db_path: str | None,
    sources_file: str | None,
    max_pages: int | None,
    max_depth: int | None,
    set_: tuple[str, ...],
    quiet: bool,
    log_format: str,
    fmt: str | None,
    strict: bool,
    recheck: bool,
    redis: str | None,
    prefix: str,
    processes: int | None,
    max_idle: float | None,
) -> None:
    """Crawl news sites, feeds or sitemaps into the archive.

    URLS may be home or section pages, RSS/Atom feeds, sitemaps or sitemap indexes; the kind is
    detected from the response. A second run fetches only what is new.

    Exit codes: 0 the crawl completed (failed pages are counted and reported), 1 a fatal error,
    2 a usage error, 3 with --strict when some pages failed, 130 the crawl was stopped (Ctrl-C,
    SIGTERM) before it finished.

    With --redis the processes are workers of a crawl cluster: URLS are added to the shared
    queue (none: help with what is queued), and the articles go to Redis, where
    `newscrawl archive-worker` archives them.

    \b
    Example:
        newscrawl crawl https://www.example-news.com/ --max-pages 200
        newscrawl crawl --sources sources.toml --db archive/news.db
        newscrawl crawl --redis redis://127.0.0.1:6379/0 --processes 2
    """
    from newscrawl.cluster import RedisUnavailable, redis_url

    try:
        cluster = redis_url(redis or parse_setting(set_).get("NEWSCRAWL_REDIS"))
    except RedisUnavailable as exc:
        raise click.UsageError(str(exc)) from None
    if not urls and not sources_file and not cluster:
        raise click.UsageError("give at least one URL or --sources FILE")
    options: dict[str, Any] = {}
    if max_depth is not None:
        options["max_depth"] = max_depth
    if max_pages is not None:
        options["max_pages"] = max_pages
    try:
        sources = load_sources(sources_file) if sources_file else []
        for source in sources:
            for key, value in options.items():
                setattr(source, key, value)
        sources += sources_from_urls(urls, **options)
    except SourcesError as exc:
        raise click.UsageError(str(exc)) from None
    settings = parse_setting(set_)
    check_settings(sources, sources_file, settings)
    if recheck:
        settings["NEWSCRAWL_RECHECK_ALL"] = True
    if processes is not None:
        settings["NEWSCRAWL_PROCESSES"] = processes
    if cluster:
        from newscrawl.cli.cluster import run_cluster_crawl

        if max_idle is not None:
            settings["NEWSCRAWL_REDIS_MAX_IDLE"] = max_idle
        code = run_cluster_crawl(
            sources,
            cluster,
            prefix,
            settings,
            processes=processes,
            quiet=quiet,
            log_format=log_format,
            fmt=fmt,
        )
        raise SystemExit(code)
    code = crawl_sources(
        sources,
        resolve_db(db_path),
        settings,
        quiet=quiet,
        log_format=log_format,
        fmt=fmt,
        strict=strict,
    )
    raise SystemExit(code)
