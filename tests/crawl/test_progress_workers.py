"""Progress of a crawl run in several worker processes: one reporter, the run's totals."""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from story_site import STORIES, StorySite, serve_story_site

from newscrawl.archive import Archive
from newscrawl.demo import DemoSite, serve_demo_site
from newscrawl.extensions.progress import (
    ProgressReporter,
    format_progress,
    run_figures,
)
from newscrawl.extensions.runtotals import RunTotals

INTERVAL = 0.3


def _crawl(urls: list[str], db: Path, *options: str) -> tuple[dict[str, Any], str]:
    """Run `newscrawl crawl` in its own process: (the JSON summary, what it logged)."""
    done = subprocess.run(
        [
            sys.executable, "-m", "newscrawl.cli.main", "crawl", *urls, "--db", str(db), "--json",
            "-s", "AUTOTHROTTLE_ENABLED=false", "-s", f"NEWSCRAWL_PROGRESS_INTERVAL={INTERVAL}",
            "-s", "NEWSCRAWL_WARC=false", *options,
        ],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr


def _json_progress(log: str) -> list[dict[str, Any]]:
    events = []
    for line in log.splitlines():
        try:
            record = json.loads(line)
            message = json.loads(record["message"])
        except (ValueError, KeyError, TypeError):
            continue
        if isinstance(message, dict) and message.get("event") == "progress":
            events.append(message)
    return events


def _non_decreasing(values: list[Any]) -> bool:
    return all(a <= b for a, b in zip(values, values[1:], strict=False))


@pytest.mark.e2e
def test_a_run_in_two_processes_logs_one_line_per_interval_with_its_totals(
    tmp_path: Path,
) -> None:
    """Only worker 0 logs progress, with what both workers did: its figures grow, never pass the
    run's summary, and count new articles while the run goes on."""
    StorySite.reset(busy=False)
    with serve_story_site() as url:
        report, log = _crawl(
            [url], tmp_path / "news.db", "--log-format", "json",
            "-s", "NEWSCRAWL_PROCESSES=2", "-s", "NEWSCRAWL_WORKER_BACKLOG=0",
            "-s", "NEWSCRAWL_FRONTIER_BATCH=2", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1",
            "-s", "NEWSCRAWL_BATCH_SECONDS=0.2",
        )  # fmt: skip
    counters = report["counters"]
    assert report["status"] == "completed" and counters["workers"] == 2
    assert counters["articles_new"] == len(STORIES)
    conn = sqlite3.connect(tmp_path / "news.db")
    per_worker = [json.loads(c).get("fetched", 0) for (c,) in conn.execute(
        "SELECT counters FROM run_workers ORDER BY worker"
    )]  # fmt: skip
    conn.close()
    assert len(per_worker) == 2 and all(n > 0 for n in per_worker), per_worker

    events = _json_progress(log)
    assert len(events) >= 3, log[-3000:]
    # One process logs: one line per interval (and a last one as it closes), not one per worker.
    elapsed = [e["elapsed_s"] for e in events]
    assert _non_decreasing(elapsed), elapsed
    assert len(events) <= elapsed[-1] / INTERVAL + 2, elapsed
    assert events[-1]["processes"] == 2
    assert all(e["run_id"] == report["run_id"] for e in events)
    # The run's totals: growing, never above its summary, new articles counted as they land.
    for name, final in (
        ("fetched", counters["fetched"]),
        ("new", counters["articles_new"]),
        ("errors", counters["failed"]),
        ("duplicates", counters["duplicates"]),
    ):
        values = [e[name] for e in events]
        assert _non_decreasing(values), (name, values)
        assert max(values) <= final, (name, values, final)
    assert any(e["new"] > 0 for e in events[:-1]), events
    assert events[-1]["fetched"] > max(per_worker), (events[-1], per_worker)


LINE = re.compile(r"INFO (\d+) pages fetched \(.*\), articles: (\d+) new, (\d+) updated")


@pytest.mark.e2e
def test_new_articles_show_in_the_progress_of_a_one_process_crawl(tmp_path: Path) -> None:
    """The archive counts new articles as it writes a batch; on a short crawl that is its last
    batch, written as the crawl closes: the progress lines end with it."""
    site = DemoSite.load()
    with serve_demo_site(site):
        report, log = _crawl(site.start_urls()[:1], tmp_path / "news.db", "--processes", "1")
    counters = report["counters"]
    assert report["status"] == "completed" and counters["articles_new"] > 0
    lines = [tuple(int(n) for n in m.groups()) for m in LINE.finditer(log)]
    assert len(lines) >= 2, log[-3000:]
    assert "crawl processes" not in log
    fetched, new = [f for f, _, _ in lines], [n for _, n, _ in lines]
    assert _non_decreasing(fetched) and _non_decreasing(new), lines
    assert new[0] == 0 < new[-1], lines
    assert (fetched[-1], new[-1]) == (counters["fetched"], counters["articles_new"]), lines


ROW = re.compile(r"^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+([\d.]+)\s+(\d+)s\s*$")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.mark.e2e
def test_a_run_in_two_processes_shows_one_live_display_on_a_terminal(tmp_path: Path) -> None:
    """On a terminal the two workers of a run do not take turns drawing their own figures: one
    display shows the run's, which only grow."""
    import os
    import pty

    site = DemoSite.load()
    master, slave = pty.openpty()
    output = bytearray()
    with serve_demo_site(site):
        process = subprocess.Popen(
            [
                sys.executable, "-m", "newscrawl.cli.main", "crawl", *site.start_urls()[:2],
                "--db", str(tmp_path / "news.db"), "--json",
                "-s", "AUTOTHROTTLE_ENABLED=false", "-s", "NEWSCRAWL_WARC=false",
                "-s", "NEWSCRAWL_PROCESSES=2", "-s", "NEWSCRAWL_WORKER_BACKLOG=0",
            ],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave,
            env={**os.environ, "COLUMNS": "100", "TERM": "xterm"},
        )  # fmt: skip
        os.close(slave)
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # every writer has closed the terminal
                break
            if not chunk:
                break
            output += chunk
        stdout, _ = process.communicate(timeout=120)
        os.close(master)
    assert process.returncode == 0, output.decode(errors="replace")[-3000:]
    counters = json.loads(stdout.decode().strip().splitlines()[-1])["counters"]
    text = ANSI.sub("", output.decode(errors="replace"))
    rows = [(int(m[1]), int(m[2])) for line in re.split(r"[\r\n]+", text) if (m := ROW.match(line))]
    assert len(rows) >= 2, text[-3000:]
    fetched = [f for f, _ in rows]
    assert _non_decreasing(fetched), fetched
    assert _non_decreasing([n for _, n in rows]), rows
    assert max(fetched) <= counters["fetched"]
    # (Its caption says "2 crawl processes" once the second has started: on a fast machine the
    # first may have drawn its last frame by then.)


# -- the run's totals in the archive ------------------------------------------------------------


def _frontier_row(
    url: str, state: str, reason: str | None, run: int | None, pid: int | None
) -> dict[str, Any]:
    return {
        "url": url, "source": "gazette", "kind": "article", "state": state, "reason": reason,
        "depth": 1, "priority": 0, "attempts": 1, "discovered_at": "2025-09-04T00:00:00Z",
        "last_run": run, "claimed_by": pid,
    }  # fmt: skip


def test_run_totals_count_the_runs_pages_and_articles(
    archive_path: Path, sample_articles: list[dict[str, Any]]
) -> None:
    with Archive.open(archive_path) as archive:
        run_id = archive.start_run("crawl", ["gazette"])
        totals = RunTotals(archive.conn, run_id, ["gazette"])  # before the run archives anything
        rows = [
            _frontier_row("https://gazette.example/a", "done", None, run_id, 11),
            _frontier_row("https://gazette.example/b", "done", None, run_id, 12),
            _frontier_row("https://gazette.example/c", "skipped", "not_article", run_id, 11),
            _frontier_row("https://gazette.example/d", "skipped", "duplicate_url", run_id, 12),
            _frontier_row("https://gazette.example/e", "skipped", "robots", run_id, 11),
            _frontier_row("https://gazette.example/f", "failed", "http_404", run_id, 11),
            _frontier_row("https://gazette.example/g", "failed", "extract_error", run_id, 12),
            _frontier_row("https://gazette.example/h", "skipped", "variant of /a", run_id, 11),
            _frontier_row("https://gazette.example/i", "inflight", None, run_id, 11),
            _frontier_row("https://gazette.example/j", "pending", None, run_id, None),
            # A redirect target whose validators were saved: never claimed, never fetched.
            _frontier_row("https://gazette.example/k", "done", None, run_id, None),
            # The robots.txt of a site that has none (ROBOTSTXT_OBEY off): no page fetched.
            _frontier_row(
                "https://gazette.example/robots.txt", "done", "no robots.txt", run_id, 11
            ),
            # An earlier run's.
            _frontier_row("https://gazette.example/l", "done", None, run_id - 1, 9),
        ]
        archive.db.table("frontier").insert_all(rows)
        archive.conn.executemany(
            "INSERT INTO run_workers (run_id, worker, pid, status) VALUES (?, ?, ?, 'running')",
            [(run_id, 0, 11), (run_id, 1, 12)],
        )
        old = sample_articles[0]
        archive.upsert_articles(
            [
                {**old, "title": old["title"] + " (updated)"},
                {"url": "https://gazette.example/new", "title": "New", "source": "gazette"},
                {"url": "https://tribune.example/other", "title": "Other run", "source": "tribune"},
            ]
        )
        archive.upsert_articles(
            [{"url": "https://gazette.example/re", "title": "Re", "source": "gazette",
              "version_reason": "reextract"}]
        )  # fmt: skip
        assert totals.read() == {
            "fetched": 6,  # a, b, c, d, g, h
            "errors": 2,  # f, g
            "duplicates": 1,
            "new": 1,
            "updated": 1,
            "processes": 2,
        }
        # Later reads count the versions written since the one before.
        archive.upsert_articles(
            [{"url": "https://gazette.example/newer", "title": "Newer", "source": "gazette"}]
        )
        assert (totals.read()["new"], totals.read()["new"], totals.read()["updated"]) == (2, 2, 1)


def test_run_figures_take_the_larger_of_the_runs_totals_and_the_process_own() -> None:
    run = {"fetched": 10, "new": 0, "updated": 1, "duplicates": 0, "errors": 2, "processes": 2}
    own = {"fetched": 7, "new": 3, "updated": 0, "duplicates": 1, "errors": 0}
    figures = run_figures(run, own, 30.0)
    assert figures == {
        "elapsed_s": 30.0,
        "fetched": 10,
        "new": 3,
        "updated": 1,
        "duplicates": 1,
        "errors": 2,
        "pages_per_min": 20.0,
    }
    assert format_progress(figures, 4, 2).endswith("30.0s elapsed; run 4, 2 crawl processes")


# -- which process reports, and what a failed read does -----------------------------------------


def _crawler(**settings: Any) -> Any:
    from scrapy.settings import Settings
    from scrapy.statscollectors import MemoryStatsCollector

    crawler = SimpleNamespace(settings=Settings(settings), signals=SimpleNamespace())
    crawler.signals.connect = lambda *a, **k: None
    crawler.stats = MemoryStatsCollector(crawler)
    crawler.stats.set_value("newscrawl/fetched", 5)
    return crawler


class _Timer:
    """Stands for Twisted's LoopingCall (which would install a reactor in the test process)."""

    def __init__(self, call: Any) -> None:
        self.running = False

    def start(self, interval: float, now: bool = True) -> None:
        self.running = True

    def stop(self) -> None:
        self.running = False


@pytest.mark.parametrize(("worker", "reports"), [(0, True), (1, False), (2, False)])
def test_only_the_first_worker_of_a_run_reports(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, worker: int, reports: bool
) -> None:
    from newscrawl.extensions import progress

    monkeypatch.setattr(progress.task, "LoopingCall", _Timer)
    caplog.set_level(logging.INFO, logger="newscrawl.progress")
    crawler = _crawler(NEWSCRAWL_WORKER=worker, NEWSCRAWL_WORKERS=3, NEWSCRAWL_PROGRESS_INTERVAL=5)
    reporter = ProgressReporter.from_crawler(crawler)
    reporter.live_enabled = False
    reporter.opened(SimpleNamespace(session=None))
    assert (reporter.timer is not None) is reports
    reporter.closed()


def test_nothing_is_shown_when_only_errors_are_logged(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """``--quiet`` (log level ERROR): no progress lines, and no live display either."""
    from newscrawl.extensions import progress

    monkeypatch.setattr(progress.task, "LoopingCall", _Timer)
    caplog.set_level(logging.ERROR, logger="newscrawl.progress")
    reporter = ProgressReporter.from_crawler(_crawler(NEWSCRAWL_PROGRESS_INTERVAL=5))
    reporter.live_enabled = True
    reporter.opened(SimpleNamespace(session=None))
    assert reporter.timer is None and reporter.live is None
    reporter.closed()


class _BrokenTotals:
    reads = 0

    def read(self) -> dict[str, int]:
        self.reads += 1
        raise sqlite3.OperationalError("disk I/O error")

    def close(self) -> None:
        pass


def test_a_failed_read_of_the_runs_totals_keeps_the_crawl_going(
    caplog: pytest.LogCaptureFixture,
) -> None:
    reporter = ProgressReporter(_crawler(), 5.0, as_json=True, worker=0, workers=2)
    broken = _BrokenTotals()
    reporter.totals = broken  # type: ignore[assignment]
    with caplog.at_level(logging.INFO, logger="newscrawl.progress"):
        reporter.report()
        reporter.report(final=True)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "disk I/O error" in warnings[0].getMessage()
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.levelno == logging.INFO]
    assert [line["fetched"] for line in lines] == [5, 5]  # this process's own figures
    assert broken.reads == 2


def test_one_process_figures_are_its_stats() -> None:
    reporter = ProgressReporter(_crawler(), 5.0, as_json=False)
    reporter.started -= 60
    figures = reporter.figures()
    assert reporter.totals is None
    assert figures["fetched"] == 5 and figures["pages_per_min"] == 5.0
