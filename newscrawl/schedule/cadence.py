"""Cadences: when a source's crawls are due, from ``every = "15m"`` or ``cron = "*/30 * * * *"``.

Cron expressions are the standard five fields (minute hour day-of-month month day-of-week, with
names such as ``MON`` or ``JAN``, lists, ranges and steps) or one of ``@hourly``, ``@daily``,
``@weekly``, ``@monthly``, ``@yearly``; they are evaluated by `cronsim` in the local time zone
(set ``TZ`` to change it), the way cron does.
"""

from __future__ import annotations

import math
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime, timedelta

from cronsim import CronSim, CronSimError
from dateutil.tz import tzlocal

from newscrawl.sources import Source

#: Seconds in each unit an ``every`` duration may use.
UNITS = {
    "s": 1,
    "sec": 1,
    "secs": 1,
    "second": 1,
    "seconds": 1,
    "m": 60,
    "min": 60,
    "mins": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "hr": 3600,
    "hrs": 3600,
    "hour": 3600,
    "hours": 3600,
    "d": 86400,
    "day": 86400,
    "days": 86400,
    "w": 604800,
    "week": 604800,
    "weeks": 604800,
}

#: Cron's ``@`` shortcuts, as the five-field expressions they stand for.
CRON_ALIASES = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
}

DEFAULT_EVERY = "1h"

_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([a-z]*)")


class CadenceError(ValueError):
    """An ``every`` duration or ``cron`` expression that cannot be used; the message says why."""


def parse_duration(text: str) -> float:
    """Seconds in a duration such as ``10s``, ``15m``, ``2h``, ``1d`` or ``1h30m``."""
    cleaned = text.strip().lower()
    if not cleaned:
        raise CadenceError("empty duration: give e.g. 10s, 15m, 2h or 1d")
    total = 0.0
    pos = 0
    for match in _PART.finditer(cleaned):
        if cleaned[pos : match.start()].strip():
            break
        number, unit = match.groups()
        if not unit:
            raise CadenceError(f"duration {text!r} needs a unit: s, m, h, d or w (e.g. 15m)")
        if unit not in UNITS:
            raise CadenceError(f"duration {text!r}: unknown unit {unit!r} (use s, m, h, d or w)")
        total += float(number) * UNITS[unit]
        pos = match.end()
    if pos == 0 or cleaned[pos:].strip():
        raise CadenceError(f"cannot read duration {text!r}: give e.g. 10s, 15m, 2h or 1d")
    if total <= 0:
        raise CadenceError(f"duration {text!r} must be longer than zero")
    return total


def format_duration(seconds: float) -> str:
    """A duration in the largest whole unit: ``90`` -> ``90s``, ``900`` -> ``15m``."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def local_now() -> datetime:
    """The current time in the local time zone (aware, DST-aware)."""
    return datetime.now(tzlocal())


class Cadence(ABC):
    """When a source's runs are due (`Every` or `Cron`)."""

    #: How the cadence was written (``every 15m`` or ``cron */30 * * * *``).
    text: str

    @abstractmethod
    def next_after(self, when: float, anchor: float | None = None) -> float:
        """The first due time (epoch seconds) strictly after `when`."""

    @abstractmethod
    def interval(self) -> float:
        """The typical gap between two runs, in seconds."""

    def describe(self) -> str:
        """A human description of the cadence."""
        return self.text


@dataclass
class Every(Cadence):
    """Runs a fixed number of seconds apart, on a grid anchored at the first run."""

    seconds: float

    def __post_init__(self) -> None:
        if self.seconds <= 0:
            raise CadenceError("an interval must be longer than zero")
        self.text = f"every {format_duration(self.seconds)}"

    def next_after(self, when: float, anchor: float | None = None) -> float:
        """The next grid point after `when` (the grid starts at `anchor`, else at `when`)."""
        if anchor is None or anchor > when:
            return when + self.seconds
        steps = math.floor((when - anchor) / self.seconds) + 1
        return anchor + steps * self.seconds

    def interval(self) -> float:
        """The interval itself."""
        return self.seconds


class Cron(Cadence):
    """Runs at the times a five-field cron expression matches, in local time."""

    def __init__(self, expression: str) -> None:
        raw = " ".join(expression.split())
        expanded = CRON_ALIASES.get(raw.lower(), raw)
        if raw.startswith("@") and expanded == raw:
            raise CadenceError(
                f"unknown cron shortcut {raw!r} (use one of {', '.join(sorted(CRON_ALIASES))})"
            )
        if len(expanded.split()) != 5:
            raise CadenceError(
                f"cron expression {raw!r} must have five fields: "
                "minute hour day-of-month month day-of-week (e.g. */30 * * * *)"
            )
        try:
            self.sim = CronSim(expanded, local_now())
            next(self.sim)
        except (CronSimError, StopIteration) as exc:
            raise CadenceError(f"invalid cron expression {raw!r}: {exc}") from None
        self.expression = expanded
        self.text = f"cron {raw}"

    def next_after(self, when: float, anchor: float | None = None) -> float:
        """The next time the expression matches after `when`."""
        start = datetime.fromtimestamp(when, tzlocal())
        return next(CronSim(self.expression, start)).timestamp()

    def interval(self) -> float:
        """The gap between the next two matches (an estimate for irregular expressions)."""
        first = self.next_after(local_now().timestamp())
        return max(1.0, self.next_after(first) - first)

    def describe(self) -> str:
        """The expression explained in English (by cronsim), e.g. ``Every 30 minutes``."""
        try:
            return str(CronSim(self.expression, local_now()).explain())
        except Exception:  # pragma: no cover - explain() is best effort
            return self.text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Cron) and other.expression == self.expression

    def __repr__(self) -> str:
        return f"Cron({self.expression!r})"


def cadence_for(source: Source, default_every: str | float = DEFAULT_EVERY) -> Cadence:
    """The cadence of `source`: its ``cron``, else its ``every``, else `default_every`."""
    if source.cron and source.every:
        raise CadenceError(f"source {source.name!r}: give either `every` or `cron`, not both")
    try:
        if source.cron:
            return Cron(source.cron)
        if source.every:
            return Every(parse_duration(source.every))
        if isinstance(default_every, (int, float)):
            return Every(float(default_every))
        return Every(parse_duration(default_every))
    except CadenceError as exc:
        raise CadenceError(f"source {source.name!r}: {exc}") from None


def timedelta_text(seconds: float) -> str:
    """A short human form of a time span: ``4s``, ``3m 20s``, ``2h 5m``."""
    span = timedelta(seconds=round(seconds))
    total = int(span.total_seconds())
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes}m"
    if minutes:
        return f"{minutes}m {secs}s"
    return f"{secs}s"
