"""Request pacing shared by the worker processes of a crawl.

Scrapy spaces requests per host within one process. Several worker processes fetching from one
host would each keep a robots.txt ``Crawl-delay`` and together send requests closer than it asks;
a host's next free moment is therefore kept in the archive, where every worker reserves its turn.
Likewise a ``Retry-After`` pause one worker was asked for is written there, for the others to
keep.
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


class HostBackoff:
    """Pauses hosts asked for (``Retry-After``), kept in the archive's ``host_backoff`` table.

    Times are wall-clock seconds, the only clock the worker processes share.
    """

    def __init__(self, archive: Archive) -> None:
        self.archive = archive

    def record(self, origin: str, until: float, sit_out: bool) -> None:
        """Leave `origin` alone until `until` (a later pause already recorded is kept)."""
        with self.archive.transaction() as conn:
            conn.execute(
                "INSERT INTO host_backoff (origin, until, sit_out) VALUES (?, ?, ?) "
                "ON CONFLICT (origin) DO UPDATE SET until = excluded.until, "
                "sit_out = excluded.sit_out WHERE excluded.until > host_backoff.until",
                (origin, until, int(sit_out)),
            )

    def active(self, now: float) -> dict[str, tuple[float, bool]]:
        """The pauses still running at `now`: origin -> (until, whether requests wait it out)."""
        rows = self.archive.conn.execute(
            "SELECT origin, until, sit_out FROM host_backoff WHERE until > ?", (now,)
        ).fetchall()
        return {str(r[0]): (float(r[1]), bool(r[2])) for r in rows}
