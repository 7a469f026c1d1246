"""Date normalisation shared by feed and sitemap parsing: anything parseable -> UTC ISO-8601 Z."""

from __future__ import annotations

import calendar
import re
import time
import warnings
from datetime import datetime, timezone

from dateutil import parser as date_parser

#: UTC offsets (seconds) of zone abbreviations common in feeds; dateutil ignores unknown ones.
TZ_ABBREVIATIONS: dict[str, int] = {
    "UT": 0,
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "EST": -5 * 3600,
    "EDT": -4 * 3600,
    "CST": -6 * 3600,
    "CDT": -5 * 3600,
    "MST": -7 * 3600,
    "MDT": -6 * 3600,
    "PST": -8 * 3600,
    "PDT": -7 * 3600,
    "BST": 3600,
    "CET": 3600,
    "CEST": 2 * 3600,
    "IST": 19800,
    "JST": 9 * 3600,
    "AEST": 10 * 3600,
    "AEDT": 11 * 3600,
}
#: dateutil fills missing fields from this; year 1 fails the range check, so a date without a
#: year is rejected instead of silently taking the current one.
_NO_DEFAULT = datetime(1, 1, 1)
#: ``02.09.2025`` is day-first (European) where dateutil would read it month-first.
_DOTTED_DATE = re.compile(r"^\d{1,2}\.\d{1,2}\.\d{4}")
#: Dates outside this range of years are treated as garbage rather than stored.
MIN_YEAR = 1970
MAX_YEAR = 2200


def format_utc(moment: datetime) -> str:
    """Format an aware or naive (taken as UTC) datetime as ``YYYY-MM-DDTHH:MM:SSZ``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def struct_to_iso(value: time.struct_time | None) -> str | None:
    """Convert a UTC ``struct_time`` (as feedparser returns) to ISO Z, or None if out of range."""
    if value is None:
        return None
    try:
        moment = datetime.fromtimestamp(calendar.timegm(value), tz=timezone.utc)
    except (OverflowError, ValueError, OSError, TypeError):
        return None
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        return None
    return format_utc(moment)


def to_utc_iso(raw: str | None) -> str | None:
    """Parse a date string (W3C/ISO-8601, RFC 822, ...) to UTC ISO Z; naive times count as UTC.

    Returns None for empty, unparseable or implausible (see `MIN_YEAR`/`MAX_YEAR`) values.
    """
    if not raw or not raw.strip() or len(raw) > 200:
        return None
    text = raw.strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                moment = date_parser.parse(
                    text,
                    default=_NO_DEFAULT,
                    dayfirst=bool(_DOTTED_DATE.match(text)),
                    tzinfos=TZ_ABBREVIATIONS,
                )
        except (ValueError, OverflowError, TypeError):
            return None
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        return None
    try:
        return format_utc(moment)
    except (OverflowError, ValueError):
        return None
