"""The archive-worker: the one writer that drains the cluster's articles into the SQLite archive.

It takes a batch of articles from the item queue onto a "taken" list (one atomic step), runs them
through the same validate, clean, dedupe and archive pipelines as a local crawl, commits them in
one transaction, and only then forgets the taken list. Killed at any point, it finds the taken
list on its next start and archives it again; the archive's upsert by canonical URL makes that
replay add no second row and no second version.

When Redis cannot be reached (restarting, a network fault) it waits, trying again after a wait
that doubles up to a few seconds (one warning per outage), and drains again once the server
answers; a stop signal still ends it meanwhile. A lock that ran out during the outage is taken
again if no other archive-worker took it.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import time
from collections.abc import Callable
from datetime import datetime, timezone
from types import SimpleNamespace
from typing import Any

from scrapy.exceptions import DropItem
from scrapy.signalmanager import SignalManager
from scrapy.statscollectors import MemoryStatsCollector

from newscrawl.archive import Archive
from newscrawl.cluster.connection import Outage, RedisUnavailable, unreachable_errors
from newscrawl.cluster.keys import Keys
from newscrawl.cluster.seed import recheck_request
from newscrawl.frontier import Frontier
from newscrawl.isotime import utc_now
from newscrawl.pipelines.archive import ArchivePipeline
from newscrawl.pipelines.clean import CleanPipeline
from newscrawl.pipelines.dedupe import DedupePipeline
from newscrawl.pipelines.validate import ValidatePipeline
from newscrawl.recheck import DEFAULT_SCHEDULE, next_check, parse_schedule
from newscrawl.runsummary import summarise

logger = logging.getLogger(__name__)

# Move up to ARGV[1] articles from the item queue to the taken list, in one step.
_TAKE = """
local taken = {}
for i = 1, tonumber(ARGV[1]) do
  local item = redis.call('LMOVE', KEYS[1], KEYS[2], 'LEFT', 'RIGHT')
  if not item then break end
  taken[#taken + 1] = item
end
return taken
"""

# Refresh the lock only while we hold it.
_REFRESH = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""


class ArchiverLocked(RuntimeError):
    """Another archive-worker drains this cluster."""


class _PipelineHost:
    """The parts of a Scrapy crawler the pipelines use: settings, stats, signals (the archive
    pipeline listens for the crawl going idle; nothing sends them here), the spider's session."""

    def __init__(self, settings: Any, session: Any) -> None:
        self.settings = settings
        self.signals = SignalManager(self)
        self.stats = MemoryStatsCollector(self)  # type: ignore[arg-type]
        self.stats.open_spider()
        self.spider = SimpleNamespace(session=session)
        self.engine = None


class ArchiveWorker:
    """Drain the cluster's item queue into one archive, batch by batch."""

    def __init__(
        self,
        server: Any,
        keys: Keys,
        db_path: str,
        settings: Any,
        *,
        batch_size: int = 200,
        lock_ttl: float = 15.0,
        recheck_every: float = 60.0,
    ) -> None:
        self.server = server
        self.keys = keys
        self.db_path = db_path
        self.settings = settings
        self.batch_size = max(1, batch_size)
        self.lock_ttl = lock_ttl
        self.recheck_every = recheck_every
        self.token = json.dumps(
            {
                "host": socket.gethostname(),
                "pid": os.getpid(),
                "started": utc_now(),
                "id": secrets.token_hex(4),
            }
        )
        self._take = server.register_script(_TAKE)
        self._refresh = server.register_script(_REFRESH)
        self.archive: Archive | None = None
        self.run_id: int | None = None
        self.host: _PipelineHost | None = None
        self.pipelines: list[Any] = []
        self.archiver: ArchivePipeline | None = None
        self.batches = 0
        self.last_recheck = 0.0
        #: Whether Redis answers, and when to try it again if not.
        self.outage = Outage("archive-worker", first=0.25, cap=5.0)
        #: Whether the lock may be taken again if it ran out (Redis was away meanwhile).
        self._retake = False
        #: Whether the taken list holds a batch already committed (its forgetting failed).
        self._committed_taken = False

    # -- lock -----------------------------------------------------------------------------------

    def acquire(self, wait_s: float | None = None) -> None:
        """Take the one-writer lock, waiting out a killed holder's lock (it expires)."""
        deadline = time.monotonic() + (self.lock_ttl * 2 if wait_s is None else wait_s)
        ttl_ms = int(self.lock_ttl * 1000)
        while True:
            try:
                if self.server.set(self.keys.archiver, self.token, nx=True, px=ttl_ms):
                    return
                if time.monotonic() >= deadline:
                    holder = self.server.get(self.keys.archiver) or b"?"
                    raise ArchiverLocked(
                        f"another archive-worker drains this cluster: {holder.decode()}"
                    )
            except unreachable_errors() as exc:
                if time.monotonic() >= deadline:
                    raise RedisUnavailable(f"cannot reach Redis: {exc}") from exc
            time.sleep(0.2)

    def refresh(self) -> None:
        """Keep the lock; losing it (a stall longer than its time to live) is fatal, unless it
        ran out while Redis could not be reached and no other archive-worker has taken it."""
        if self._refresh(keys=[self.keys.archiver], args=[self.token, int(self.lock_ttl * 1000)]):
            self._retake = False
            return
        if self._retake and self.server.set(
            self.keys.archiver, self.token, nx=True, px=int(self.lock_ttl * 1000)
        ):
            self._retake = False
            logger.warning("The archive-worker's lock ran out while Redis was away: taken again")
            return
        raise ArchiverLocked("the archive-worker lost its lock (stalled longer than its TTL)")

    def release(self) -> None:
        """Give the lock up; when Redis cannot be reached, it runs out by itself."""
        try:
            if self.server.get(self.keys.archiver) == self.token.encode():
                self.server.delete(self.keys.archiver)
        except unreachable_errors() as exc:
            logger.warning(
                "Could not give the archive-worker's lock up (Redis is away: %s): it runs out "
                "in %.0f s",
                exc,
                self.lock_ttl,
            )

    # -- archive --------------------------------------------------------------------------------

    def open(self) -> None:
        """Open the archive, record the run, build the pipelines."""
        self.archive = Archive.open(self.db_path, create=True)
        self.run_id = self.archive.start_run("archive-worker")
        session = SimpleNamespace(
            archive=self.archive,
            frontier=Frontier(self.archive, self.run_id),
            run_id=self.run_id,
        )
        self.host = _PipelineHost(self.settings, session)
        self.pipelines = [
            ValidatePipeline.from_crawler(self.host),
            CleanPipeline.from_crawler(self.host),
            DedupePipeline.from_crawler(self.host),
        ]
        self.archiver = ArchivePipeline.from_crawler(self.host)
        # One transaction per batch, whatever its size.
        self.archiver.batch_size = 1_000_000

    def counters(self) -> tuple[dict[str, Any], dict[str, Any]]:
        assert self.host is not None
        return summarise(self.host.stats.get_stats())

    def close(self, status: str, error: str | None = None) -> None:
        """Record the run's outcome and close the archive."""
        if self.archive is None or self.run_id is None:
            return
        counters, summary = self.counters()
        counters["batches"] = self.batches
        try:
            self.archive.finish_run(self.run_id, status, counters, summary, error=error)
        finally:
            self.archive.close()
            self.archive = None

    # -- draining -------------------------------------------------------------------------------

    def take(self) -> list[bytes]:
        """Articles left taken by a killed archive-worker, else a new batch from the queue."""
        left = self.server.lrange(self.keys.items_taken, 0, -1)
        if left:
            logger.info(
                "Archiving again %d articles taken by an interrupted archive-worker", len(left)
            )
            return list(left)
        return list(
            self._take(keys=[self.keys.items, self.keys.items_taken], args=[self.batch_size])
        )

    def archive_batch(self, batch: list[bytes]) -> None:
        """Run the batch through the pipelines and commit it; then forget the taken list."""
        assert self.archiver is not None and self.host is not None
        for raw in batch:
            try:
                item: dict[str, Any] = json.loads(raw)
            except ValueError as exc:
                self.host.stats.inc_value("newscrawl/failed/bad_item")
                logger.warning("Skipped an unreadable article from Redis: %s", exc)
                continue
            try:
                for pipeline in self.pipelines:
                    item = pipeline.process_item(item)
                self.archiver.process_item(item)
            except DropItem as exc:
                logger.debug("Dropped: %s", exc)
        self.archiver.flush()
        session = self.host.spider.session
        session.frontier.flush()
        if self.archiver.storage_error is not None:
            raise RuntimeError(f"the archive cannot be written: {self.archiver.storage_error}")
        self.batches += 1
        self._committed_taken = True
        self.server.delete(self.keys.items_taken)
        self._committed_taken = False

    def push_rechecks(self, limit: int = 1000) -> int:
        """Queue archived articles due for a re-check (the archive knows when): with their
        validators, so unchanged pages answer 304."""
        assert self.archive is not None
        schedule = parse_schedule(self.settings.get("NEWSCRAWL_RECHECK_SCHEDULE", DEFAULT_SCHEDULE))
        now = datetime.now(timezone.utc)
        rows = self.archive.conn.execute(
            "SELECT url, source, published, first_seen, etag, last_modified FROM articles "
            "WHERE next_check IS NOT NULL AND next_check <= ? ORDER BY next_check LIMIT ?",
            (utc_now(), limit),
        ).fetchall()
        if not rows:
            return 0
        pipe = self.server.pipeline()
        updates = []
        for row in rows:
            data, priority = recheck_request(
                row["url"],
                row["source"],
                {"etag": row["etag"], "last_modified": row["last_modified"]},
            )
            pipe.execute_command("ZADD", self.keys.requests, -priority, data)
            updates.append(
                (next_check(row["published"], row["first_seen"], now, schedule), row["url"])
            )
        pipe.execute()
        with self.archive.transaction() as conn:
            conn.executemany("UPDATE articles SET next_check = ? WHERE url = ?", updates)
        return len(rows)

    def cluster_busy(self) -> bool:
        """True while crawl workers may still push articles: requests waiting or leased."""
        pipe = self.server.pipeline()
        pipe.zcard(self.keys.requests)
        pipe.hlen(self.keys.leases)
        pipe.llen(self.keys.items)
        return any(pipe.execute())

    def run(
        self,
        *,
        until_idle: float | None = None,
        should_stop: Callable[[], bool] = lambda: False,
        poll_s: float = 0.5,
    ) -> str:
        """Drain until stopped (or, with `until_idle`, until the cluster has been idle that long).

        While Redis cannot be reached, it waits (see the module docstring). Returns the run's
        status ("completed" or "stopped").
        """
        idle_since: float | None = None
        while True:
            try:
                busy = self._turn()
                if not busy and until_idle is not None and not should_stop():
                    if self.cluster_busy():
                        idle_since = None
                    else:
                        idle_since = idle_since or time.monotonic()
                        if time.monotonic() - idle_since >= until_idle:
                            return "completed"
            except unreachable_errors() as exc:
                idle_since = None
                self._retake = True
                if self._sleep(self.outage.failed(exc), should_stop):
                    return "stopped"
                continue
            self.outage.succeeded()
            if should_stop():
                return "stopped"
            if not busy:
                time.sleep(poll_s)

    def _turn(self) -> bool:
        """Keep the lock, queue the re-checks due, archive a batch; True if there was one."""
        self.refresh()
        if self._committed_taken:
            # The batch was committed before Redis went away: forget it now.
            self.server.delete(self.keys.items_taken)
            self._committed_taken = False
        if self.recheck_every > 0 and time.monotonic() - self.last_recheck >= self.recheck_every:
            self.last_recheck = time.monotonic()
            queued = self.push_rechecks()
            if queued:
                logger.info("Queued %d archived articles for a re-check", queued)
        batch = self.take()
        if batch:
            self.archive_batch(batch)
        return bool(batch)

    @staticmethod
    def _sleep(seconds: float, should_stop: Callable[[], bool]) -> bool:
        """Sleep `seconds`, or less if asked to stop; return whether asked to stop."""
        deadline = time.monotonic() + seconds
        while not should_stop():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            time.sleep(min(left, 0.1))
        return True
