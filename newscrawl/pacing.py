"""Request pacing shared by the worker processes of a crawl.

Scrapy spaces requests per host within one process. Several worker processes fetching from one
host would each keep a robots.txt ``Crawl-delay`` and together send requests closer than it asks;
a host's next free moment is therefore kept in the archive, where every worker reserves its turn.
"""

from __future__ import annotations

from newscrawl.archive import Archive


class HostPacing:
    """Turns at a host, reserved in the archive's ``host_pacing`` table (wall-clock seconds)."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive

    def reserve(self, host: str, delay: float, now: float) -> float:
        """Reserve the next turn at `host` for a request, `delay` seconds after the previous one
        (whichever worker sent it); return when that turn starts (`now` or later)."""
        with self.archive.transaction() as conn:
            row = conn.execute(
                "INSERT INTO host_pacing (host, next_allowed) VALUES (?, ?) "
                "ON CONFLICT (host) DO UPDATE SET next_allowed = max(next_allowed, ?) + ? "
                "RETURNING next_allowed",
                (host, now + delay, now, delay),
            ).fetchone()
        return float(row[0]) - delay
