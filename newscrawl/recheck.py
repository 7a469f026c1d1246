"""The re-check policy: when a recently published article should be fetched again.

News changes after publication; a decaying schedule (by default 1 h, 6 h, 24 h and 72 h after
publication) catches most corrections and updates while leaving old articles alone.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from newscrawl.isotime import parse_iso

DEFAULT_SCHEDULE = "1h,6h,24h,72h"
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_schedule(text: str) -> list[timedelta]:
    """``"1h,6h,24h"`` as sorted durations; an empty text turns re-checks off."""
    offsets = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([smhd])", part)
        if not match:
            raise ValueError(f"bad re-check interval {part!r}: use e.g. 30m, 6h, 2d")
        offsets.append(timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2)]))
    return sorted(offsets)


def next_check(
    published: str | None, first_seen: str | None, now: datetime, schedule: list[timedelta]
) -> str | None:
    """The next re-check time after `now` (ISO UTC Z), or None when the schedule is over."""
    base = (
        (parse_iso(published) if published else None)
        or (parse_iso(first_seen) if first_seen else None)
        or now
    )
    for offset in schedule:
        moment = base + offset
        if moment > now:
            return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return None
