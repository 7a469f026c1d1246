"""The scheduler loop behind ``newscrawl schedule``: each source crawled on its own cadence.

Each due run is a crawl child process watched by a worker thread. A run of a source that is due
while the previous run of that source still goes on is skipped (logged, and recorded in `runs`
with status ``skipped``); the per-source file lock (`newscrawl.schedule.locks`) makes that hold
across scheduler processes too. `Scheduler.stop` (SIGTERM or Ctrl-C in the command) starts no new
run and lets current runs finish for `grace` seconds, then asks them to stop (SIGTERM, which
Scrapy handles by closing the spider; the run is recorded as ``stopped``), and kills what is
still running `kill_after` seconds later.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from newscrawl.archive import Archive, ArchiveError
from newscrawl.runner import CrawlConfig, RunOutcome
from newscrawl.schedule.cadence import Cadence, Every, cadence_for, timedelta_text
from newscrawl.schedule.locks import SourceLock
from newscrawl.schedule.worker import CrawlRun, record_skipped, start_crawl
from newscrawl.sources import Source

logger = logging.getLogger("newscrawl.schedule")

#: The `runs.command` of scheduled runs.
COMMAND = "schedule"


def clock_text(when: float) -> str:
    """A due time as local ``HH:MM:SS``."""
    return datetime.fromtimestamp(when).strftime("%H:%M:%S")


def last_started(db_path: str, source: str) -> float | None:
    """When the last real (not skipped) run that included `source` started, as epoch seconds."""
    try:
        with Archive.open(db_path, create=False) as archive:
            row = archive.conn.execute(
                "SELECT max(runs.started) FROM runs, json_each(runs.sources) "
                "WHERE json_each.value = ? AND runs.status != 'skipped'",
                (source,),
            ).fetchone()
    except ArchiveError:
        return None
    if not row or not row[0]:
        return None
    try:
        return datetime.fromisoformat(str(row[0]).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


@dataclass
class Job:
    """One source's schedule and its current run."""

    source: Source
    cadence: Cadence
    due: float = 0.0
    start_at: float = 0.0
    anchor: float | None = None
    thread: threading.Thread | None = None
    crawl: CrawlRun | None = None
    lock: SourceLock | None = None
    runs: int = 0
    skipped: int = 0
    outcomes: list[RunOutcome] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The source's name."""
        return self.source.name

    def busy(self) -> bool:
        """True while a run of this source started by this scheduler is going on."""
        return self.thread is not None and self.thread.is_alive()


class Scheduler:
    """Run each source's crawls on its cadence, never two runs of one source at once."""

    def __init__(
        self,
        sources: Sequence[Source],
        db_path: str,
        *,
        default_every: str | float = "1h",
        jitter: float = 30.0,
        grace: float = 30.0,
        kill_after: float = 30.0,
        max_parallel: int = 4,
        settings: dict[str, Any] | None = None,
        log_level: str = "INFO",
        log_format: str = "text",
        catch_up: bool = True,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
    ) -> None:
        self.db_path = db_path
        self.jitter = max(0.0, jitter)
        self.grace = max(0.0, grace)
        self.kill_after = max(0.0, kill_after)
        self.settings = dict(settings or {})
        self.log_level = log_level
        self.log_format = log_format
        self.catch_up = catch_up
        self.clock = clock
        self.rng = rng or random.Random()
        self.jobs = [Job(s, cadence_for(s, default_every)) for s in sources]
        self.slots = threading.BoundedSemaphore(max(1, max_parallel))
        self.stopping = threading.Event()
        self.hurry = threading.Event()
        self.wakeup = threading.Event()

    # -- planning ---------------------------------------------------------------------------------

    def _jitter_for(self, job: Job) -> float:
        limit = min(self.jitter, job.cadence.interval() / 10)
        return self.rng.uniform(0, limit) if limit > 0 else 0.0

    def _plan(self, job: Job, due: float) -> None:
        job.due = due
        job.start_at = due + self._jitter_for(job)

    def plan_first(self, now: float) -> None:
        """Set every job's first due time: `every` resumes the grid of its last run, cron waits."""
        for job in self.jobs:
            if isinstance(job.cadence, Every):
                last = last_started(self.db_path, job.name) if self.catch_up else None
                due = now if last is None else max(now, last + job.cadence.seconds)
                job.anchor = due
            else:
                due = job.cadence.next_after(now)
            self._plan(job, due)
            logger.info(
                "%s: %s, first run at %s", job.name, job.cadence.describe(), clock_text(due)
            )

    def _plan_next(self, job: Job, now: float) -> None:
        self._plan(job, job.cadence.next_after(max(job.due, now), job.anchor))

    # -- running ----------------------------------------------------------------------------------

    def _fire(self, job: Job, now: float) -> None:
        due = job.due
        if job.busy():
            running = f"run {job.crawl.run_id}" if job.crawl else "the previous run"
            self._skip(job, due, f"{running} is still going")
            return
        lock = SourceLock(self.db_path, job.name)
        if not lock.acquire(due=clock_text(due)):
            holder = lock.holder() or {}
            who = f"process {holder['pid']}" if holder.get("pid") else "another process"
            if holder.get("run_id"):
                who += f", run {holder['run_id']}"
            self._skip(job, due, f"a run is still going in {who}")
            return
        job.lock = lock
        job.thread = threading.Thread(
            target=self._work, args=(job, lock), name=f"newscrawl-{job.name}", daemon=True
        )
        job.thread.start()

    def _skip(self, job: Job, due: float, why: str) -> None:
        job.skipped += 1
        reason = f"run due at {clock_text(due)} skipped: {why}"
        logger.warning("%s: %s", job.name, reason)
        try:
            record_skipped(self.db_path, job.name, reason, COMMAND)
        except ArchiveError as exc:
            logger.error("%s: cannot record the skipped run: %s", job.name, exc)

    def _work(self, job: Job, lock: SourceLock) -> None:
        try:
            with self.slots:
                if self.stopping.is_set():
                    logger.info("%s: not started: the scheduler is stopping", job.name)
                    return
                self.execute(job, lock)
        except Exception:
            logger.exception("%s: the run failed", job.name)
        finally:
            lock.release()
            job.lock = None
            self.wakeup.set()

    def crawl_config(self, source: Source) -> CrawlConfig:
        """The crawl process's config for one run of `source`."""
        return CrawlConfig(
            db_path=self.db_path,
            sources=[source],
            settings=self.settings,
            log_level=self.log_level,
            log_format=self.log_format,
        )

    def execute(self, job: Job, lock: SourceLock) -> RunOutcome | None:
        """Run one crawl of the job's source in a child process and log how it went."""
        started = time.monotonic()
        fds = [lock.fd] if lock.fd is not None else []
        crawl = start_crawl(self.crawl_config(job.source), command=COMMAND, pass_fds=fds)
        job.crawl = crawl
        job.runs += 1
        lock.note(run_id=crawl.run_id, crawl_pid=crawl.pid)
        logger.info("%s: run %d started (pid %d)", job.name, crawl.run_id, crawl.pid)
        if self.hurry.is_set():
            crawl.stop()  # a stop-now signal came while the process was starting
        outcome = crawl.wait()
        job.outcomes.append(outcome)
        counters = outcome.counters
        took = timedelta_text(time.monotonic() - started)
        if outcome.status == "completed":
            logger.info(
                "%s: run %d completed in %s: %s pages, %s new and %s updated articles, %s failed",
                job.name,
                outcome.run_id,
                took,
                counters.get("fetched", 0),
                counters.get("articles_new", 0),
                counters.get("articles_updated", 0),
                counters.get("failed", 0),
            )
        else:
            logger.warning(
                "%s: run %d %s after %s%s",
                job.name,
                outcome.run_id,
                outcome.status,
                took,
                f": {outcome.error}" if outcome.error else "",
            )
        return outcome

    def tick(self, now: float | None = None) -> None:
        """Start every job whose time has come and plan its next run."""
        now = self.clock() if now is None else now
        for job in self.jobs:
            if self.stopping.is_set():
                return
            if now >= job.start_at:
                self._fire(job, now)
                self._plan_next(job, now)

    def run(self) -> int:
        """Run until `stop` is called; return 0 after a clean shutdown."""
        if not self.jobs:
            logger.warning("no sources to schedule")
            return 0
        self.plan_first(self.clock())
        while not self.stopping.is_set():
            self.tick()
            nearest = min(job.start_at for job in self.jobs)
            wait = min(max(nearest - self.clock(), 0.01), 1.0)
            self.wakeup.wait(wait)
            self.wakeup.clear()
        self.shutdown()
        return 0

    # -- stopping ---------------------------------------------------------------------------------

    def stop(self, hurry: bool = False) -> None:
        """Start no new run; with `hurry` (a second signal), stop current runs without the grace.

        Safe to call from a signal handler: it only sets flags; `run` does the rest.
        """
        self.stopping.set()
        if hurry:
            self.hurry.set()
        self.wakeup.set()

    def _busy_jobs(self) -> list[Job]:
        return [job for job in self.jobs if job.busy()]

    def _wait(self, seconds: float, interrupt: threading.Event | None = None) -> None:
        deadline = time.monotonic() + seconds
        while self._busy_jobs() and time.monotonic() < deadline:
            if interrupt is not None and interrupt.is_set():
                return
            time.sleep(0.05)

    def _stop_crawls(self, why: str) -> None:
        for job in self._busy_jobs():
            if job.crawl is not None and job.crawl.running():
                logger.info("%s: %s: asking run %d to stop", job.name, why, job.crawl.run_id)
                job.crawl.stop()

    def shutdown(self) -> None:
        """Wait for the runs (grace), then stop them (SIGTERM), then kill what is left."""
        busy = [job.name for job in self._busy_jobs()]
        if not busy:
            logger.info("Stopping: no run is going on")
        elif not self.hurry.is_set() and self.grace > 0:
            logger.info(
                "Stopping: waiting up to %s for the runs of %s to finish (signal again to stop "
                "them now)",
                timedelta_text(self.grace),
                ", ".join(busy),
            )
            self._wait(self.grace, interrupt=self.hurry)
        if self._busy_jobs():
            why = "stopping now" if self.hurry.is_set() or not self.grace else "grace period over"
            self._stop_crawls(why)
            self._wait(self.kill_after)
        for job in self._busy_jobs():
            if job.crawl is not None and job.crawl.running():
                logger.warning("%s: run %d did not stop: killing it", job.name, job.crawl.run_id)
                job.crawl.kill()
        for job in self.jobs:
            if job.thread is not None:
                job.thread.join(30)
        logger.info("Stopped.")
