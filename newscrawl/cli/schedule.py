"""`newscrawl schedule`: crawl each source on its cadence; `newscrawl sources`: their health."""

from __future__ import annotations

import logging
import os
import signal
import sys
from collections.abc import Sequence
from types import FrameType
from typing import Any

import click

from newscrawl import logs
from newscrawl.archive import ArchiveError
from newscrawl.cli.crawl import (
    EXIT_FATAL,
    EXIT_OK,
    check_settings,
    crawl_sources,
    parse_setting,
)
from newscrawl.cli.options import (
    archive_errors,
    db_option,
    open_archive,
    open_checked,
    resolve_db,
)
from newscrawl.cli.output import output_options, render
from newscrawl.schedule.cadence import Cadence, CadenceError, cadence_for, parse_duration
from newscrawl.schedule.health import HEALTH_COLUMNS, source_health
from newscrawl.schedule.locks import SourceLock
from newscrawl.schedule.render import Target, render_crontab, render_systemd, units_text
from newscrawl.schedule.scheduler import COMMAND, Scheduler
from newscrawl.schedule.worker import record_skipped
from newscrawl.sources import Source, SourcesError, load_sources

logger = logging.getLogger("newscrawl.schedule")


def _duration(ctx: click.Context, param: click.Parameter, value: str) -> str:
    try:
        parse_duration(value)
    except CadenceError as exc:
        raise click.BadParameter(str(exc)) from None
    return value


def _load(sources_file: str) -> list[Source]:
    try:
        return load_sources(sources_file)
    except SourcesError as exc:
        raise click.UsageError(str(exc)) from None


def _cadences(sources: Sequence[Source], default_every: str) -> list[tuple[Source, Cadence]]:
    try:
        return [(s, cadence_for(s, default_every)) for s in sources]
    except CadenceError as exc:
        raise click.UsageError(str(exc)) from None


def _run_now(
    sources: list[Source],
    names: Sequence[str],
    db_path: str,
    settings: dict[str, Any],
    *,
    quiet: bool,
    log_format: str,
) -> int:
    """Crawl the named sources once each, under their locks (for cron and systemd timers)."""
    by_name = {s.name: s for s in sources}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise click.UsageError(
            f"no source named {', '.join(map(repr, unknown))} in the sources file "
            f"(it has: {', '.join(by_name)})"
        )

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    code = EXIT_OK
    for name in names:
        lock = SourceLock(db_path, name)
        if not lock.acquire(mode="run-now"):
            holder = lock.holder() or {}
            who = f"process {holder['pid']}" if holder.get("pid") else "another process"
            reason = f"run skipped: a run of {name} is still going in {who}"
            try:
                record_skipped(db_path, name, reason, COMMAND)
            except ArchiveError as exc:
                click.echo(f"Error: {exc}", err=True)
                return EXIT_FATAL
            if not quiet:
                click.echo(f"{name}: {reason}", err=True)
            continue
        try:
            result = crawl_sources(
                [by_name[name]],
                db_path,
                settings,
                quiet=quiet,
                log_format=log_format,
                fmt=None,
                strict=False,
                command=COMMAND,
            )
        finally:
            lock.release()
        code = max(code, result)
    return code


@click.command(name="schedule")
@click.option(
    "--sources",
    "sources_file",
    type=click.Path(dir_okay=False),
    required=True,
    help="TOML sources file; each source may set `every` or `cron`.",
)
@db_option
@click.option(
    "--default-every",
    default="1h",
    show_default=True,
    callback=_duration,
    help="Cadence of sources that set neither `every` nor `cron` (10s, 15m, 2h, 1d).",
)
@click.option(
    "--jitter",
    type=click.FloatRange(0),
    default=30.0,
    show_default=True,
    help="Start each run up to this many seconds late (at most a tenth of its interval).",
)
@click.option(
    "--grace",
    type=click.FloatRange(0),
    default=60.0,
    show_default=True,
    help="On SIGTERM/Ctrl-C, seconds to let running crawls finish before asking them to stop.",
)
@click.option(
    "--kill-after",
    type=click.FloatRange(0),
    default=60.0,
    show_default=True,
    help="Seconds a crawl asked to stop may take before it is killed.",
)
@click.option(
    "--max-parallel",
    type=click.IntRange(1),
    default=4,
    show_default=True,
    help="Crawls running at once (each source still runs one at a time).",
)
@click.option(
    "-s",
    "--set",
    "set_",
    multiple=True,
    metavar="NAME=VALUE",
    help="A Scrapy or NEWSCRAWL_* setting for every crawl.",
)
@click.option(
    "--quiet", "-q", is_flag=True, help="Crawls (and --run-now) print errors only; for cron."
)
@click.option(
    "--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option(
    "--run-now",
    "run_now",
    multiple=True,
    metavar="SOURCE",
    help="Crawl this source once now (under its lock) and exit; for cron and systemd timers.",
)
@click.option(
    "--print-crontab", is_flag=True, help="Print crontab lines for every source and exit."
)
@click.option(
    "--print-systemd",
    is_flag=True,
    help="Print a systemd service and timer per source and exit.",
)
@click.option(
    "--units-dir",
    type=click.Path(file_okay=False),
    help="With --print-systemd: write the unit files into this folder too.",
)
def schedule_command(
    sources_file: str,
    db_path: str | None,
    default_every: str,
    jitter: float,
    grace: float,
    kill_after: float,
    max_parallel: int,
    set_: tuple[str, ...],
    quiet: bool,
    log_format: str,
    run_now: tuple[str, ...],
    print_crontab: bool,
    print_systemd: bool,
    units_dir: str | None,
) -> None:
    """Crawl each source on its own cadence, as a long-running service.

    Each source crawls every `every` (e.g. "15m", "10s") or at its `cron` times
    ("*/30 * * * *"), else every --default-every. Each run is its own crawl process and is
    recorded in `newscrawl runs`; a run still going when the next one is due is skipped (and
    recorded as skipped), also across schedulers sharing the archive. SIGTERM or Ctrl-C: no new
    run starts, running crawls get --grace seconds to finish and are then asked to stop (they
    are recorded as stopped); a second signal stops them at once.

    Prefer cron or systemd? --print-crontab and --print-systemd write the entries: each runs
    `newscrawl schedule --run-now SOURCE --quiet`, under the same lock.

    \b
    Example:
        newscrawl schedule --sources sources.toml --db archive/news.db
        newscrawl schedule --sources sources.toml --print-crontab | crontab -
        newscrawl schedule --sources sources.toml --print-systemd --units-dir ~/.config/systemd/user
    """
    sources = _load(sources_file)
    pairs = _cadences(sources, default_every)
    db = resolve_db(db_path)
    settings = parse_setting(set_)
    check_settings(sources, sources_file, settings)
    if print_crontab or print_systemd:
        extra = tuple(a for pair in (("-s", s) for s in set_) for a in pair)
        target = Target(sources_file=sources_file, db_path=db, extra=extra)
        if print_crontab:
            click.echo(render_crontab(pairs, target), nl=False)
        if print_systemd:
            units = render_systemd(pairs, target, jitter)
            click.echo(units_text(units), nl=False)
            if units_dir:
                os.makedirs(units_dir, exist_ok=True)
                for unit in units:
                    with open(os.path.join(units_dir, unit.name), "w", encoding="utf-8") as fh:
                        fh.write(unit.text)
                click.echo(f"# wrote {len(units)} unit files to {units_dir}", err=True)
        return
    if units_dir:
        raise click.UsageError("--units-dir goes with --print-systemd")
    try:
        open_checked(db, create=True).close()
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from None
    if run_now:
        raise SystemExit(
            _run_now(sources, run_now, db, settings, quiet=quiet, log_format=log_format)
        )
    logs.configure("INFO", log_format)
    scheduler = Scheduler(
        sources,
        db,
        default_every=default_every,
        jitter=jitter,
        grace=grace,
        kill_after=kill_after,
        max_parallel=max_parallel,
        settings=settings,
        log_level="ERROR" if quiet else "INFO",
        log_format=log_format,
    )

    def on_signal(signum: int, frame: FrameType | None) -> None:
        scheduler.stop(hurry=scheduler.stopping.is_set())

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    logger.info(
        "Scheduling %d sources into %s (pid %d); SIGTERM or Ctrl-C stops",
        len(sources),
        db,
        os.getpid(),
    )
    try:
        code = scheduler.run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    sys.stderr.flush()
    raise SystemExit(code)


def _table_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        shown = dict(row)
        for key in ("empty_rate", "undated_rate"):
            value = row.get(key)
            shown[key] = "-" if value is None else f"{value:.0%}"
        shown["per_day_7d"] = f"{row.get('per_day_7d') or 0:.1f}"
        shown["warnings"] = "; ".join(row.get("warnings") or [])
        out.append(shown)
    return out


@click.command(name="sources")
@db_option
@click.option(
    "--sources",
    "sources_file",
    type=click.Path(dir_okay=False),
    help="TOML sources file: list its sources (with their cadence) first.",
)
@click.option(
    "--default-every",
    default="1h",
    show_default=True,
    callback=_duration,
    help="Cadence shown for sources that set neither `every` nor `cron`.",
)
@output_options
@archive_errors
def sources_command(
    db_path: str | None, sources_file: str | None, default_every: str, fmt: str | None
) -> None:
    """Show each source's health: last success, articles per day, failure streak, drift.

    Per source: the last run and the last successful one (completed, pages fetched), the
    failed runs in a row, archived articles and new ones per day over the last 7 days, and the
    recent share of empty article bodies and of articles without a date. WARNINGS flag a jump
    in those rates (or a drop in article length) compared with earlier runs: the site has
    likely changed its layout.

    \b
    Example:
        newscrawl sources --sources sources.toml
        newscrawl sources --json
    """
    sources = _load(sources_file) if sources_file else []
    with open_archive(db_path) as archive:
        rows = source_health(archive.conn, sources, default_every=default_every)
    if fmt == "csv":
        rows = [{**r, "warnings": "; ".join(r["warnings"])} for r in rows]
    elif fmt is None:
        rows = _table_rows(rows)
    widths = {"warnings": 80, "last_run": 20, "last_success": 20}
    click.echo(render(rows, HEALTH_COLUMNS, fmt, widths), nl=False)
