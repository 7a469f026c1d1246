"""Scheduled crawling: per-source cadences, the `newscrawl schedule` loop, run locks, health.

- `cadence`: ``every = "15m"`` / ``cron = "*/30 * * * *"`` parsing and next due times (cronsim).
- `scheduler`: the long-running loop; each run is its own crawl process (`worker`).
- `locks`: the per-source file lock that keeps runs of one source from overlapping.
- `render`: crontab lines and systemd units for running the same crawls from the system.
- `health`: per-source health (`newscrawl sources`): last success, failure streak, drift.
- `scrapyd`: the project egg for Scrapyd, and deploy/schedule helpers.
"""

from __future__ import annotations

from newscrawl.schedule.cadence import Cadence, CadenceError, Cron, Every, cadence_for
from newscrawl.schedule.locks import SourceLock
from newscrawl.schedule.scheduler import Scheduler

__all__ = ["Cadence", "CadenceError", "Cron", "Every", "Scheduler", "SourceLock", "cadence_for"]
