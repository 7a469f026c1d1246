"""Entries for the system scheduler: crontab lines and systemd service + timer units.

Each entry runs ``newscrawl schedule --run-now SOURCE --quiet``: one crawl of one source, under
the same per-source lock as the `newscrawl schedule` service, so runs never overlap however they
are started.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from cronsim import CronSim

from newscrawl.schedule.cadence import Cadence, CadenceError, Cron, Every, local_now
from newscrawl.schedule.locks import safe_name
from newscrawl.sources import Source

WEEKDAYS = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")


def newscrawl_executable() -> str:
    """The `newscrawl` script of this installation (absolute), for cron and systemd."""
    script = os.path.join(os.path.dirname(sys.executable), "newscrawl")
    if os.path.exists(script):
        return os.path.abspath(script)
    return f"{os.path.abspath(sys.executable)} -m newscrawl.cli.main"


@dataclass
class Target:
    """What every entry runs: the program, sources file, archive and extra options."""

    sources_file: str
    db_path: str
    program: str = ""
    extra: tuple[str, ...] = ()

    def command(self, source: str) -> str:
        """The shell command that crawls `source` once."""
        program = self.program or newscrawl_executable()
        args = [
            "schedule",
            "--sources",
            os.path.abspath(self.sources_file),
            "--db",
            os.path.abspath(self.db_path),
            "--run-now",
            source,
            "--quiet",
            *self.extra,
        ]
        return program + " " + " ".join(shlex.quote(a) for a in args)


def _offset(name: str, modulo: int) -> int:
    """A stable spread (0..modulo-1) per source, so sources do not all start on the hour."""
    digest = hashlib.sha1(name.encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") % max(1, modulo)


def every_as_cron(name: str, seconds: float) -> str:
    """A cron expression for an ``every`` interval, or `CadenceError` when cron cannot say it."""
    if seconds < 60 or seconds % 60:
        raise CadenceError(f"every {seconds:g}s is finer than cron's one-minute step")
    minutes = int(seconds // 60)
    if minutes < 60 and 60 % minutes == 0:
        start = _offset(name, minutes)
        return "* * * * *" if minutes == 1 else f"{start}-59/{minutes} * * * *"
    if minutes % 60 == 0:
        hours = minutes // 60
        minute = _offset(name, 60)
        if hours < 24 and 24 % hours == 0:
            first = _offset(name + "/h", hours)
            return f"{minute} * * * *" if hours == 1 else f"{minute} {first}-23/{hours} * * *"
        if hours % 24 == 0:
            days = hours // 24
            hour = _offset(name + "/h", 24)
            if days == 1:
                return f"{minute} {hour} * * *"
            if days == 7:
                return f"{minute} {hour} * * {_offset(name + '/d', 7)}"
    raise CadenceError(
        f"every {minutes}m does not divide an hour or a day evenly; give the source a `cron` "
        "expression instead"
    )


def cron_line(source: Source, cadence: Cadence, target: Target) -> str:
    """One crontab line (with a comment above it) for `source`."""
    expression = cadence.expression if isinstance(cadence, Cron) else None
    if isinstance(cadence, Every):
        expression = every_as_cron(source.name, cadence.seconds)
    command = target.command(source.name).replace("%", "\\%")  # cron reads % as a newline
    return f"# {source.name}: {cadence.describe()}\n{expression} {command}"


def render_crontab(sources: Sequence[tuple[Source, Cadence]], target: Target) -> str:
    """A crontab: one line per source (sources cron cannot run are explained in comments)."""
    lines = [
        "# newscrawl: crawl each source on its cadence.",
        "# Install with: crontab -e (paste these lines), or append them:",
        "#   (crontab -l; newscrawl schedule --sources FILE --print-crontab) | crontab -",
        "# Runs of one source never overlap: a run still going when the next is due is skipped.",
    ]
    for source, cadence in sources:
        try:
            lines.append(cron_line(source, cadence, target))
        except CadenceError as exc:
            lines.append(f"# {source.name}: not scheduled: {exc}")
    return "\n".join(lines) + "\n"


def _compress(values: set[int], full: range, width: int = 2) -> str:
    """A systemd calendar component for a set of values: ``*``, ``00/15`` or a list."""
    ordered = sorted(values)
    if ordered == list(full):
        return "*"
    if len(ordered) > 2:
        step = ordered[1] - ordered[0]
        if step > 0 and ordered == list(range(ordered[0], full.stop, step)) and ordered[0] < step:
            return f"{ordered[0]:0{width}d}/{step}"
    return ",".join(f"{v:0{width}d}" for v in ordered)


def cron_as_calendar(expression: str) -> str:
    """A systemd ``OnCalendar=`` value matching a five-field cron expression."""
    sim = CronSim(expression, local_now())
    fields = expression.split()
    days, weekdays = sim.days, sim.weekdays
    if any(not isinstance(v, int) or v < 0 for v in (*days, *weekdays)):
        raise CadenceError(f"cron {expression!r} uses L/W/# forms that systemd cannot express")
    dom_any, dow_any = fields[2].startswith("*"), fields[4].startswith("*")
    if not dom_any and not dow_any:
        raise CadenceError(
            f"cron {expression!r} restricts both day of month and day of week (cron matches "
            "either, systemd both); use two sources or --print-crontab"
        )
    week = sorted({d % 7 for d in weekdays if isinstance(d, int)})
    prefix = "" if len(week) == 7 else ",".join(WEEKDAYS[d] for d in week) + " "
    month = _compress({int(v) for v in sim.months}, range(1, 13))
    day = _compress({v for v in days if isinstance(v, int)}, range(1, 32))
    hour = _compress({int(v) for v in sim.hours}, range(24))
    minute = _compress({int(v) for v in sim.minutes}, range(60))
    return f"{prefix}*-{month}-{day} {hour}:{minute}:00"


@dataclass
class Unit:
    """One systemd unit file: its name and text."""

    name: str
    text: str


def unit_base(source: str) -> str:
    """The unit name (without suffix) for a source: ``newscrawl-<source>``."""
    return f"newscrawl-{safe_name(source).replace('_', '-')}"


def systemd_units(
    source: Source, cadence: Cadence, target: Target, jitter: float = 30.0
) -> list[Unit]:
    """The service and timer units that crawl `source` on its cadence."""
    base = unit_base(source.name)
    workdir = os.path.dirname(os.path.abspath(target.db_path))
    service = "\n".join(
        [
            "[Unit]",
            f"Description=newscrawl: crawl {source.name}",
            "Wants=network-online.target",
            "After=network-online.target",
            "",
            "[Service]",
            "Type=oneshot",
            f"WorkingDirectory={workdir}",
            f"ExecStart={target.command(source.name).replace('%', '%%')}",
            "# SIGTERM makes the crawl close gracefully; its run is recorded as stopped.",
            "KillSignal=SIGTERM",
            "TimeoutStopSec=90",
            "",
        ]
    )
    timer = [
        "[Unit]",
        f"Description=newscrawl: crawl {source.name} ({cadence.describe()})",
        "",
        "[Timer]",
    ]
    if isinstance(cadence, Cron):
        timer += [f"OnCalendar={cron_as_calendar(cadence.expression)}", "Persistent=true"]
    elif isinstance(cadence, Every):
        seconds = int(round(cadence.seconds))
        timer += ["OnActiveSec=0", f"OnUnitActiveSec={seconds}s"]
    if jitter > 0:
        timer.append(f"RandomizedDelaySec={int(min(jitter, cadence.interval() / 10)) or 1}s")
    if isinstance(cadence, Every) and cadence.seconds < 60:
        timer.append("AccuracySec=1s")
    timer += [f"Unit={base}.service", "", "[Install]", "WantedBy=timers.target", ""]
    return [Unit(f"{base}.service", service), Unit(f"{base}.timer", "\n".join(timer))]


def render_systemd(
    sources: Sequence[tuple[Source, Cadence]], target: Target, jitter: float = 30.0
) -> list[Unit]:
    """Service and timer units for every source (skipping, with a comment, what cannot be said)."""
    units: list[Unit] = []
    for source, cadence in sources:
        units.extend(systemd_units(source, cadence, target, jitter))
    return units


def units_text(units: Sequence[Unit]) -> str:
    """The units as one printable text, each after a ``# file:`` header, with install steps."""
    timers = " ".join(u.name for u in units if u.name.endswith(".timer"))
    parts = [
        "# newscrawl: systemd units (one service + timer per source).",
        "# Install: save each file below under /etc/systemd/system/ (or ~/.config/systemd/user/",
        "# with --user), or let `newscrawl schedule --print-systemd --units-dir DIR` write them,",
        f"# then: systemctl daemon-reload && systemctl enable --now {timers}",
    ]
    for unit in units:
        parts.append(f"\n# --- file: {unit.name} ---\n{unit.text.rstrip()}")
    return "\n".join(parts) + "\n"
