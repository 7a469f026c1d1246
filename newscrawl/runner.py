"""Starting crawls: each crawl runs in its own process, since Twisted's reactor cannot restart.

`run_crawl` (used by the CLI, the demo and the scheduler) records the run, starts
``python -m newscrawl.runner CONFIG`` and reads the outcome back from the `runs` table, so a
crashed or killed crawl process still leaves a truthful run record.

The first run of a source starts all the worker processes it may have (`worker_count`): a first
crawl reads the whole site. A later run starts with one and starts the others only as its
frontier's backlog grows (`worker_backlog`): a process costs about a second of CPU and ~100 MB
to start, so a run that finds a few new articles in a feed does it in one.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from newscrawl.archive import Archive
from newscrawl.sources import Source

logger = logging.getLogger(__name__)


@dataclass
class CrawlConfig:
    """Everything a crawl process needs to know."""

    db_path: str
    sources: list[Source]
    settings: dict[str, Any] = field(default_factory=dict)
    log_level: str = "INFO"
    log_format: str = "text"
    #: With a Redis URL the processes are cluster workers (`newscrawl.cluster`), not a run.
    redis_url: str | None = None
    redis_prefix: str = "newscrawl"

    def to_json(self, run_id: int, worker: int = 0, workers: int = 1) -> str:
        """The config as JSON for a worker process."""
        return json.dumps(
            {
                "redis_url": self.redis_url,
                "redis_prefix": self.redis_prefix,
                "db_path": self.db_path,
                "sources": [s.to_dict() for s in self.sources],
                "settings": self.settings,
                "log_level": self.log_level,
                "log_format": self.log_format,
                "run_id": run_id,
                "worker": worker,
                "workers": workers,
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


def worker_count(settings: Mapping[str, Any]) -> int:
    """Crawl processes per run: NEWSCRAWL_PROCESSES, or one per available core (at most 4)."""
    value = settings.get("NEWSCRAWL_PROCESSES", os.environ.get("NEWSCRAWL_PROCESSES", "auto"))
    if str(value).strip().lower() in ("", "auto", "0"):
        try:
            cores = len(os.sched_getaffinity(0))
        except AttributeError:  # pragma: no cover - not Linux
            cores = os.cpu_count() or 1
        return max(1, min(cores, 4))
    return max(1, int(value))


#: Pending URLs per running worker above which a run starts another of its workers; 0 starts
#: them all at once. A worker process takes about a second of CPU to start: the cost of ~100
#: pages.
DEFAULT_WORKER_BACKLOG = 200
#: How often (seconds) a run looks at its backlog while it may start more workers.
GROW_POLL_SECONDS = 0.1


def worker_backlog(settings: Mapping[str, Any]) -> int:
    """NEWSCRAWL_WORKER_BACKLOG: pending URLs per running worker that start another one."""
    value = settings.get(
        "NEWSCRAWL_WORKER_BACKLOG",
        os.environ.get("NEWSCRAWL_WORKER_BACKLOG", DEFAULT_WORKER_BACKLOG),
    )
    return max(0, int(value))


def merge_counts(parts: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Add up the counters of several workers (numbers summed, nested dicts merged)."""
    merged: dict[str, Any] = {}
    for part in parts:
        for key, value in part.items():
            if isinstance(value, bool) or not isinstance(value, (int, float, dict)):
                merged.setdefault(key, value)
            elif isinstance(value, dict):
                merged[key] = merge_counts([merged.get(key) or {}, value])
            else:
                merged[key] = merged.get(key, 0) + value
    return merged


def _merge_workers(db_path: str, run_id: int, returncodes: list[int], stopped: bool) -> None:
    """Record the run's outcome from its workers' outcomes."""
    with Archive.open(db_path, create=False) as archive:
        rows = archive.conn.execute(
            "SELECT worker, status, counters, summary FROM run_workers WHERE run_id = ?",
            (run_id,),
        ).fetchall()
        counters = merge_counts([json.loads(r["counters"] or "{}") for r in rows])
        summary = merge_counts([json.loads(r["summary"] or "{}") for r in rows])
        statuses = {r["status"] for r in rows}
        reasons = [c.get("close_reason") for c in (json.loads(r["counters"] or "{}") for r in rows)]
        counters["close_reason"] = next((r for r in reasons if r != "finished"), "finished")
        counters["workers"] = len(returncodes)
        counters["pages_fetched"] = counters.get("fetched", 0)
        error = None
        if stopped and (len(rows) < len(returncodes) or statuses - {"completed", "stopped"}):
            status = "stopped"
            error = "the crawl was stopped before it finished"
        elif len(rows) < len(returncodes) or statuses - {"completed", "stopped"}:
            status = "failed"
            error = counters.get("error") or (
                "a crawl process ended without recording its outcome (its log says why)"
            )
        elif "stopped" in statuses:
            status = "stopped"
        else:
            status = "completed"
        archive.finish_run(run_id, status, counters, summary, error=error)


@dataclass
class CrawlProcesses:
    """The worker processes of one crawl run, which the caller may stop, kill or wait for.

    While the run goes on, `wait` starts its other workers (up to `planned`, with `launch`) each
    time the pending URLs of its sources reach `backlog` for each worker already running.
    """

    run_id: int
    db_path: str
    processes: list[subprocess.Popen[bytes]]
    started: float = field(default_factory=time.monotonic)
    stop_requested: bool = False
    killed: bool = False
    #: Starts worker number N of the run.
    launch: Callable[[int], subprocess.Popen[bytes]] | None = None
    planned: int = 1
    backlog: int = DEFAULT_WORKER_BACKLOG
    #: The run's sources, whose pending URLs are its backlog.
    sources: list[str] = field(default_factory=list)
    #: Pages the run may still fetch at most (its sources' `max_pages`), None without a limit.
    budget: int | None = None
    #: Set once the workers were signalled (stopped, killed, interrupted): none is started after.
    signalled: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def pid(self) -> int:
        """The first worker's process id."""
        return int(self.processes[0].pid)

    def running(self) -> bool:
        """True while any worker process has not exited."""
        return any(p.poll() is None for p in self.processes)

    def signal(self, signum: int) -> None:
        """Send a signal to every worker still running (and start no more of them)."""
        with self._lock:
            self.signalled = True
            for process in self.processes:
                if process.poll() is None:
                    process.send_signal(signum)

    def stop(self) -> None:
        """Ask the crawl to stop gracefully (SIGTERM: Scrapy finishes in-flight requests)."""
        if self.running():
            self.stop_requested = True
            self.signal(signal.SIGTERM)

    def kill(self) -> None:
        """Stop the crawl at once (SIGKILL), when a graceful stop took too long."""
        if self.running():
            self.killed = True
            self.signal(signal.SIGKILL)

    def wait(self) -> RunOutcome:
        """Wait for every worker, record the run's outcome from theirs, and return it."""
        try:
            self._grow()
        except Exception as exc:  # noqa: BLE001 - more workers are a gain, the outcome a must
            logger.warning("cannot start more crawl processes: %s", exc)
        returncodes = [p.wait() for p in self.processes]
        run = _read_run(self.db_path, self.run_id)
        if run.get("status") in (None, "running"):
            _merge_workers(
                self.db_path, self.run_id, returncodes, self.stop_requested or self.killed
            )
            run = _read_run(self.db_path, self.run_id)
        return RunOutcome(
            run_id=self.run_id,
            status=str(run.get("status")),
            counters=json.loads(run.get("counters") or "{}"),
            summary=json.loads(run.get("summary") or "{}"),
            returncode=max(returncodes) if returncodes else 0,
            error=run.get("error"),
        )

    def _grow(self) -> None:
        """Start the run's other workers as its backlog asks for them, while the first runs."""
        if self.launch is None or len(self.processes) >= self.planned:
            return
        from newscrawl.frontier import pending_up_to

        with Archive.open(self.db_path, readonly=True) as archive:
            while len(self.processes) < self.planned and not self.signalled:
                wanted = self.backlog * len(self.processes)
                if self.budget is not None and wanted >= self.budget:
                    return  # the run may not fetch enough pages to keep another worker busy
                if pending_up_to(archive.conn, self.sources, wanted) >= wanted:
                    self._start_next(wanted)
                    continue
                try:
                    self.processes[0].wait(timeout=GROW_POLL_SECONDS)
                except subprocess.TimeoutExpired:
                    continue
                return  # the first worker ended: the run's work is done

    def _start_next(self, waiting: int) -> None:
        """Start the next worker: at least `waiting` URLs wait in the frontier."""
        with self._lock:
            if self.signalled or self.launch is None:
                return
            try:
                self.processes.append(self.launch(len(self.processes)))
            except OSError as exc:
                # The workers running go on alone.
                logger.warning("cannot start another crawl process: %s", exc)
                self.launch = None
                return
        logger.info(
            "run %d: %d+ URLs waiting, crawl process %d of %d started",
            self.run_id,
            waiting,
            len(self.processes),
            self.planned,
        )


def start_crawl(
    config: CrawlConfig,
    command: str = "crawl",
    *,
    new_session: bool = False,
    pass_fds: Sequence[int] = (),
) -> CrawlProcesses:
    """Record a run and start its worker processes (one per core unless configured): all of them
    for a source's first crawl, else one, and `CrawlProcesses.wait` starts the others as the
    run's backlog grows."""
    from newscrawl.frontier import never_fetched

    names = [s.name for s in config.sources]
    with Archive.open(config.db_path, create=True) as archive:
        run_id = archive.start_run(command, names)
        first_crawl = bool(never_fetched(archive.conn, names))
    env = dict(os.environ)
    env.setdefault("PYTHONUNBUFFERED", "1")
    settings = {**_source_settings(config.sources), **config.settings}
    workers = worker_count(settings)
    backlog = 0 if first_crawl else worker_backlog(settings)
    options: dict[str, Any] = {}
    if sys.platform != "win32":
        options["start_new_session"] = new_session
        options["pass_fds"] = tuple(pass_fds)

    def launch(index: int) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-m", "newscrawl.runner", config.to_json(run_id, index, workers)],
            stdin=subprocess.DEVNULL,
            env=env,
            **options,
        )

    processes: list[subprocess.Popen[bytes]] = []
    try:
        for index in range(workers if backlog == 0 else 1):
            processes.append(launch(index))
    except OSError as exc:
        for process in processes:
            process.kill()
        with Archive.open(config.db_path, create=False) as archive:
            archive.finish_run(run_id, "failed", {}, {}, error=f"cannot start a crawl: {exc}")
        raise
    budgets = [s.max_pages or 0 for s in config.sources]
    return CrawlProcesses(
        run_id,
        config.db_path,
        processes,
        launch=launch,
        planned=workers,
        backlog=backlog,
        sources=names,
        budget=sum(budgets) if budgets and all(budgets) else None,
    )


def start_cluster_workers(config: CrawlConfig, processes: int) -> list[subprocess.Popen[bytes]]:
    """Start `processes` cluster worker processes (they need Redis, not the archive)."""
    env = dict(os.environ)
    env.setdefault("PYTHONUNBUFFERED", "1")
    started: list[subprocess.Popen[bytes]] = []
    try:
        for index in range(processes):
            started.append(
                subprocess.Popen(
                    [sys.executable, "-m", "newscrawl.runner", config.to_json(0, index, processes)],
                    stdin=subprocess.DEVNULL,
                    env=env,
                )
            )
    except OSError:
        for process in started:
            process.kill()
        raise
    return started


class _Terminated(BaseException):
    """SIGTERM reached the process running a crawl's workers (a BaseException, as
    KeyboardInterrupt: no `except Exception` on the way may swallow it)."""


def _raise_terminated(signum: int, frame: Any) -> None:
    raise _Terminated


@contextmanager
def _sigterm_raises() -> Iterator[None]:
    """Within the block, SIGTERM raises `_Terminated` (in the main thread only, where Python
    delivers signals); the previous handler comes back after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_crawl(config: CrawlConfig, command: str = "crawl") -> RunOutcome:
    """Run one crawl in worker processes sharing the frontier; return its recorded outcome.

    Ctrl-C reaches the workers from the terminal; SIGTERM (a service manager, `kill`) reaches
    only this process, which passes it on: either way the workers finish their requests and
    the run is recorded as stopped.
    """
    crawl = start_crawl(config, command)
    with _sigterm_raises():
        try:
            return crawl.wait()
        except KeyboardInterrupt:
            crawl.signal(signal.SIGINT)
        except _Terminated:
            crawl.stop()
    return crawl.wait()


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


#: Net new container objects between two collections of the youngest generation (Python's
#: default is 700). A crawl allocates mostly short-lived acyclic objects; scanning them that often
#: cost ~0.3 ms of CPU per page, with the same peak memory either way.
GC_YOUNG_THRESHOLD = 10_000


def _collect_less() -> None:
    """Run the cyclic garbage collector less often (see `GC_YOUNG_THRESHOLD`)."""
    _young, *older = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *older)


#: Seconds after a first stop signal in which a second one is the same stop delivered twice.
DUPLICATE_SIGNAL_SECONDS = 2.0


def _crawler_process(base: type) -> type:
    """Scrapy's CrawlerProcess, except that a second SIGINT/SIGTERM within
    `DUPLICATE_SIGNAL_SECONDS` of the first does not force an unclean shutdown: Ctrl-C reaches a
    crawl process from the terminal and again from the command that started it (which must
    pass it on, for a SIGINT sent to the command alone). A later one still forces it."""

    class CrawlProcess(base):
        _first_stop: float | None = None

        def _signal_shutdown(self, signum: int, frame: Any) -> None:
            self._first_stop = time.monotonic()
            super()._signal_shutdown(signum, frame)

        def _signal_kill(self, signum: int, frame: Any) -> None:
            first = self._first_stop
            if first is not None and time.monotonic() - first < DUPLICATE_SIGNAL_SECONDS:
                return
            super()._signal_kill(signum, frame)

    return CrawlProcess


def main(argv: Sequence[str] | None = None) -> int:
    """Child process entry: run the crawl described by the JSON config in argv[0]."""
    _collect_less()
    from scrapy.crawler import CrawlerProcess

    from newscrawl import logs
    from newscrawl.spiders.news import NewsSpider

    args = list(sys.argv[1:] if argv is None else argv)
    config = json.loads(args[0])
    sources = [Source(**s) for s in config["sources"]]
    overrides = {**_source_settings(sources), **config.get("settings", {})}
    overrides["NEWSCRAWL_DB"] = config["db_path"]
    overrides["NEWSCRAWL_WORKER"] = config.get("worker", 0)
    overrides["NEWSCRAWL_LOG_FORMAT"] = config.get("log_format", "text")
    redis_url = config.get("redis_url")
    if not redis_url:
        # The run's processes share the host pacing in its archive (cluster workers have none).
        overrides["NEWSCRAWL_WORKERS"] = config.get("workers", 1)
    if redis_url:
        from newscrawl.cluster.settings import worker_settings

        overrides = worker_settings(redis_url, config.get("redis_prefix") or "newscrawl", overrides)
    # The spider class is given: no need for Scrapy's spider loader to import every spider module
    # (the cluster one pulls in redis).
    overrides["SPIDER_MODULES"] = []
    process = _crawler_process(CrawlerProcess)(crawl_settings(overrides))
    logs.configure(config.get("log_level", "INFO"), config.get("log_format", "text"))
    failures: list[str] = []
    if redis_url:
        from newscrawl.spiders.cluster import ClusterNewsSpider

        # The launcher has seeded the sources: the workers take everything from Redis.
        deferred = process.crawl(ClusterNewsSpider)
    else:
        deferred = process.crawl(
            NewsSpider,
            sources_json=json.dumps(config["sources"]),
            db=config["db_path"],
            run_id=config["run_id"],
        )
    deferred.addErrback(lambda f: failures.append(f"{type(f.value).__name__}: {f.value}"))
    # What start-up made (modules, classes, settings) lives as long as the process: the collector
    # need not scan it again and again.
    gc.freeze()
    process.start()
    if failures and redis_url:
        print(f"newscrawl: cluster worker failed: {failures[0]}", file=sys.stderr)
        return 1
    if failures:
        if config.get("worker", 0) == 0:
            with Archive.open(config["db_path"], create=False) as archive:
                archive.finish_run(config["run_id"], "failed", {}, {}, error=failures[0])
            print(f"newscrawl: crawl failed: {failures[0]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
