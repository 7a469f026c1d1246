"""Starting crawls: each crawl runs in its own process, since Twisted's reactor cannot restart.

`run_crawl` (used by the CLI, the demo and the scheduler) records the run, starts
``python -m newscrawl.runner CONFIG`` and reads the outcome back from the `runs` table, so a
crashed or killed crawl process still leaves a truthful run record.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from newscrawl.archive import Archive
from newscrawl.sources import Source


@dataclass
class CrawlConfig:
    """Everything a crawl process needs to know."""

    db_path: str
    sources: list[Source]
    settings: dict[str, Any] = field(default_factory=dict)
    log_level: str = "INFO"
    log_format: str = "text"

    def to_json(self, run_id: int) -> str:
        """The config as JSON for the child process."""
        return json.dumps(
            {
                "db_path": self.db_path,
                "sources": [s.to_dict() for s in self.sources],
                "settings": self.settings,
                "log_level": self.log_level,
                "log_format": self.log_format,
                "run_id": run_id,
            }
        )


@dataclass
class RunOutcome:
    """How a crawl run ended, as recorded in the `runs` table."""

    run_id: int
    status: str
    counters: dict[str, Any]
    summary: dict[str, Any]
    returncode: int
    error: str | None = None


def _read_run(db_path: str, run_id: int) -> dict[str, Any]:
    with Archive.open(db_path, create=False) as archive:
        row = archive.conn.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        return dict(row) if row else {}


def run_crawl(config: CrawlConfig, command: str = "crawl") -> RunOutcome:
    """Run one crawl in a child process and return its recorded outcome."""
    with Archive.open(config.db_path, create=True) as archive:
        run_id = archive.start_run(command, [s.name for s in config.sources])
    env = dict(os.environ)
    env.setdefault("PYTHONUNBUFFERED", "1")
    child = subprocess.Popen(
        [sys.executable, "-m", "newscrawl.runner", config.to_json(run_id)],
        stdin=subprocess.DEVNULL,
        env=env,
    )
    try:
        returncode = child.wait()
    except KeyboardInterrupt:
        child.send_signal(signal.SIGINT)
        returncode = child.wait()
    run = _read_run(config.db_path, run_id)
    if run.get("status") in (None, "running"):
        error = f"the crawl process exited with code {returncode} before finishing"
        with Archive.open(config.db_path, create=False) as archive:
            archive.finish_run(run_id, "failed", {}, {}, error=error)
        run = _read_run(config.db_path, run_id)
    return RunOutcome(
        run_id=run_id,
        status=str(run.get("status")),
        counters=json.loads(run.get("counters") or "{}"),
        summary=json.loads(run.get("summary") or "{}"),
        returncode=returncode,
        error=run.get("error"),
    )


def crawl_settings(overrides: Mapping[str, Any] | None = None) -> Any:
    """Scrapy settings: newscrawl's defaults, NEWSCRAWL_* environment variables, then overrides."""
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("newscrawl.settings", priority="project")
    for name in list(settings.attributes):
        if name.startswith("NEWSCRAWL_") and name in os.environ:
            settings.set(name, os.environ[name], priority="project")
    settings.set("LOG_FORMATTER", "newscrawl.logs.QuietDropFormatter", priority="project")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


def _source_settings(sources: Sequence[Source]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for source in sources:
        merged.update(source.settings)
    return merged


def main(argv: Sequence[str] | None = None) -> int:
    """Child process entry: run the crawl described by the JSON config in argv[0]."""
    from scrapy.crawler import CrawlerProcess

    from newscrawl import logs
    from newscrawl.spiders.news import NewsSpider

    args = list(sys.argv[1:] if argv is None else argv)
    config = json.loads(args[0])
    sources = [Source(**s) for s in config["sources"]]
    overrides = {**_source_settings(sources), **config.get("settings", {})}
    overrides["NEWSCRAWL_DB"] = config["db_path"]
    overrides["NEWSCRAWL_LOG_FORMAT"] = config.get("log_format", "text")
    process = CrawlerProcess(crawl_settings(overrides))
    logs.configure(config.get("log_level", "INFO"), config.get("log_format", "text"))
    failures: list[str] = []
    deferred = process.crawl(
        NewsSpider,
        sources_json=json.dumps(config["sources"]),
        db=config["db_path"],
        run_id=config["run_id"],
    )
    deferred.addErrback(lambda f: failures.append(f"{type(f.value).__name__}: {f.value}"))
    process.start()
    if failures:
        with Archive.open(config["db_path"], create=False) as archive:
            archive.finish_run(config["run_id"], "failed", {}, {}, error=failures[0])
        print(f"newscrawl: crawl failed: {failures[0]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
