"""One scheduled run: the crawl's worker processes (`newscrawl.runner.start_crawl`) and its record.

The scheduler keeps the process handles, so it can ask a crawl to stop (SIGTERM: Scrapy closes
the spider gracefully and the run is recorded as ``stopped``); the workers get their own session
so a Ctrl-C in the terminal reaches only the scheduler, which decides what the crawls should do.
"""

from __future__ import annotations

from collections.abc import Sequence

from newscrawl.archive import Archive
from newscrawl.runner import CrawlConfig, CrawlProcesses
from newscrawl.runner import start_crawl as start_workers

#: The `runs.status` of a scheduled run that did not start because the previous one still ran.
SKIPPED = "skipped"

#: A crawl started by the scheduler.
CrawlRun = CrawlProcesses


def start_crawl(
    config: CrawlConfig, *, command: str = "schedule", pass_fds: Sequence[int] = ()
) -> CrawlRun:
    """Record a run and start its crawl processes; `pass_fds` (the source's lock) stay open."""
    return start_workers(config, command, new_session=True, pass_fds=pass_fds)


def record_skipped(db_path: str, source: str, reason: str, command: str = "schedule") -> int:
    """Record a run of `source` that was due but skipped (status ``skipped``), return its id."""
    with Archive.open(db_path, create=True) as archive:
        run_id = archive.start_run(command, [source])
        archive.finish_run(run_id, SKIPPED, {}, {}, error=reason)
    return run_id
