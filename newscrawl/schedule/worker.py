"""One scheduled run: a crawl child process (``python -m newscrawl.runner``) and its run record.

Like `newscrawl.runner.run_crawl`, but the caller keeps the process handle, so the scheduler can
ask a crawl to stop (SIGTERM: Scrapy closes the spider gracefully and the run is recorded as
``stopped``), and the child gets its own session so a Ctrl-C in the terminal reaches only the
scheduler, which decides what the crawls should do.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from newscrawl.archive import Archive
from newscrawl.runner import CrawlConfig, RunOutcome

#: The `runs.status` of a scheduled run that did not start because the previous one still ran.
SKIPPED = "skipped"


@dataclass
class CrawlRun:
    """A crawl process started by the scheduler."""

    run_id: int
    process: subprocess.Popen[bytes]
    db_path: str
    started: float = field(default_factory=time.monotonic)
    stop_requested: bool = False
    killed: bool = False

    @property
    def pid(self) -> int:
        """The crawl process's id."""
        return int(self.process.pid)

    def running(self) -> bool:
        """True while the crawl process has not exited."""
        return self.process.poll() is None

    def stop(self) -> None:
        """Ask the crawl to stop gracefully (SIGTERM; Scrapy finishes in-flight requests)."""
        if self.running():
            self.stop_requested = True
            self.process.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        """Stop the crawl at once (SIGKILL), when a graceful stop took too long."""
        if self.running():
            self.killed = True
            self.process.kill()

    def wait(self) -> RunOutcome:
        """Wait for the crawl to exit and return its recorded outcome (fixing a missing one)."""
        returncode = self.process.wait()
        run = read_run(self.db_path, self.run_id)
        if run.get("status") in (None, "running"):
            if self.stop_requested or self.killed:
                status = "stopped"
                how = "killed" if self.killed else "stopped"
                error = f"the crawl process was {how} by the scheduler (exit code {returncode})"
            else:
                status = "failed"
                error = f"the crawl process exited with code {returncode} before finishing"
            with Archive.open(self.db_path, create=False) as archive:
                archive.finish_run(self.run_id, status, {}, {}, error=error)
            run = read_run(self.db_path, self.run_id)
        return RunOutcome(
            run_id=self.run_id,
            status=str(run.get("status")),
            counters=json.loads(run.get("counters") or "{}"),
            summary=json.loads(run.get("summary") or "{}"),
            returncode=returncode,
            error=run.get("error"),
        )


def read_run(db_path: str, run_id: int) -> dict[str, Any]:
    """The `runs` row of `run_id` as a dict (empty when missing)."""
    with Archive.open(db_path, create=False) as archive:
        row = archive.conn.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        return dict(row) if row else {}


def start_crawl(
    config: CrawlConfig, *, command: str = "schedule", pass_fds: Sequence[int] = ()
) -> CrawlRun:
    """Record a run and start its crawl process; `pass_fds` (the source's lock) stay open in it."""
    with Archive.open(config.db_path, create=True) as archive:
        run_id = archive.start_run(command, [s.name for s in config.sources])
    env = dict(os.environ)
    env.setdefault("PYTHONUNBUFFERED", "1")
    options: dict[str, Any] = {}
    if sys.platform != "win32":
        options["start_new_session"] = True
        options["pass_fds"] = tuple(pass_fds)
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "newscrawl.runner", config.to_json(run_id)],
            stdin=subprocess.DEVNULL,
            env=env,
            **options,
        )
    except OSError as exc:
        with Archive.open(config.db_path, create=False) as archive:
            archive.finish_run(run_id, "failed", {}, {}, error=f"cannot start a crawl: {exc}")
        raise
    return CrawlRun(run_id=run_id, process=process, db_path=config.db_path)


def record_skipped(db_path: str, source: str, reason: str, command: str = "schedule") -> int:
    """Record a run of `source` that was due but skipped (status ``skipped``), return its id."""
    with Archive.open(db_path, create=True) as archive:
        run_id = archive.start_run(command, [source])
        archive.finish_run(run_id, SKIPPED, {}, {}, error=reason)
    return run_id
