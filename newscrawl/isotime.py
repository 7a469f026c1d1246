"""Timestamps as the archive writes them: ISO-8601 in UTC with a trailing Z."""

from __future__ import annotations

from datetime import datetime, timezone


def utc_now() -> str:
    """The current time as ISO-8601 UTC with a trailing Z, second precision."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_iso(value: str) -> datetime | None:
    """An ISO-8601 timestamp (``Z`` allowed; naive means UTC) as an aware datetime, or None."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
