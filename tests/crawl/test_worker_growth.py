"""A run starts with one crawl process, and starts the others it may have as its backlog grows."""

from __future__ import annotations

import json
import logging
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from newscrawl.archive import Archive
from newscrawl.cli.main import cli
from newscrawl.demo import DemoSite, serve_demo_site
from newscrawl.frontier import Discovered, Frontier, never_fetched, pending_up_to
from newscrawl.runner import CrawlProcesses


def _archive_with_pending(tmp_path: Path, pending: int) -> tuple[str, int]:
    """An archive whose frontier holds `pending` URLs of source "s" (never fetched here)."""
    db = str(tmp_path / "news.db")
    with Archive.open(db, create=True) as archive:
        run_id = archive.start_run("crawl", ["s"])
        frontier = Frontier(archive, run_id)
        frontier.discover([Discovered(f"https://news.example/{n}", "s") for n in range(pending)])
        frontier.flush()
    return db, run_id


def _worker(_index: int) -> subprocess.Popen[bytes]:
    """A stand-in crawl process: alive for half a second."""
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(0.5)"])


def _run(tmp_path: Path, pending: int, **options: object) -> CrawlProcesses:
    db, run_id = _archive_with_pending(tmp_path, pending)
    return CrawlProcesses(
        run_id,
        db,
        [_worker(0)],
        launch=_worker,
        sources=["s"],
        **options,  # type: ignore[arg-type]
    )


def test_pending_urls_are_counted_up_to_a_limit(tmp_path: Path) -> None:
    db, _ = _archive_with_pending(tmp_path, 7)
    with Archive.open(db, readonly=True) as archive:
        assert pending_up_to(archive.conn, ["s"], 5) == 5
        assert pending_up_to(archive.conn, ["s"], 50) == 7
        assert pending_up_to(archive.conn, ["other"], 50) == 0


def test_a_run_starts_a_worker_for_each_backlog_its_frontier_holds(tmp_path: Path) -> None:
    crawl = _run(tmp_path, 10, planned=3, backlog=3)
    crawl.wait()
    assert len(crawl.processes) == 3


def test_a_run_says_when_it_starts_another_worker(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    crawl = _run(tmp_path, 10, planned=2, backlog=3)
    with caplog.at_level(logging.INFO, logger="newscrawl.runner"):
        crawl.wait()
    assert f"run {crawl.run_id}: 3+ URLs waiting, crawl process 2 of 2 started" in caplog.messages


def test_a_run_starts_no_more_workers_than_its_backlog_keeps_busy(tmp_path: Path) -> None:
    crawl = _run(tmp_path, 4, planned=3, backlog=3)
    crawl.wait()
    assert len(crawl.processes) == 2


def test_a_run_whose_page_budget_is_small_stays_in_one_process(tmp_path: Path) -> None:
    crawl = _run(tmp_path, 10, planned=3, backlog=3, budget=3)
    crawl.wait()
    assert len(crawl.processes) == 1


def test_a_stopped_run_starts_no_more_workers(tmp_path: Path) -> None:
    crawl = _run(tmp_path, 10, planned=3, backlog=3)
    crawl.stop()
    crawl.wait()
    assert len(crawl.processes) == 1


def _crawl(db: Path, site: DemoSite, *options: str) -> tuple[dict[str, object], list[int], int]:
    """Crawl the served demo `site` into `db` with up to two processes: the run's counters, its
    workers and the articles archived (each once)."""
    settings = ["-s", "NEWSCRAWL_PROCESSES=2", "-s", "AUTOTHROTTLE_ENABLED=false"]
    result = CliRunner().invoke(
        cli, ["crawl", *site.start_urls(), "--db", str(db), "--quiet", *settings, *options]
    )
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(db)
    run_id, counters = conn.execute("SELECT id, counters FROM runs ORDER BY id DESC").fetchone()
    workers = [
        w
        for (w,) in conn.execute(
            "SELECT worker FROM run_workers WHERE run_id = ? ORDER BY worker", (run_id,)
        )
    ]
    urls = [u for (u,) in conn.execute("SELECT url FROM articles")]
    conn.close()
    assert len(urls) == len(set(urls))
    return json.loads(counters), workers, len(urls)


def test_sources_never_fetched_are_told_apart(tmp_path: Path) -> None:
    db, run_id = _archive_with_pending(tmp_path, 3)
    with Archive.open(db) as archive:
        assert never_fetched(archive.conn, ["s", "t"]) == ["s", "t"]
        frontier = Frontier(archive, run_id)
        claimed = frontier.claim(1, ["s"])
        frontier.mark(claimed[0].url, "done")
        frontier.flush()
        assert never_fetched(archive.conn, ["s", "t"]) == ["t"]


@pytest.mark.e2e
def test_a_sources_first_crawl_starts_all_its_processes_and_a_rerun_one(tmp_path: Path) -> None:
    """The demo site's few dozen pages never make a backlog of 200 URLs: a run that finds
    nothing new needs one process."""
    db, site = tmp_path / "news.db", DemoSite.load()
    with serve_demo_site(site):
        expected = len(site.expected_articles()) + len(site.syndicated_copies())
        first = _crawl(db, site)
        again = _crawl(db, site)
    assert (first[0]["workers"], first[1], first[2]) == (2, [0, 1], expected)
    assert (again[0]["workers"], again[1], again[2]) == (1, [0], expected)


@pytest.mark.e2e
def test_a_run_whose_backlog_grows_starts_its_other_process(tmp_path: Path) -> None:
    """A first run limited to 2 pages a source leaves most of the site pending for the next."""
    db, site = tmp_path / "news.db", DemoSite.load()
    with serve_demo_site(site):
        expected = len(site.expected_articles()) + len(site.syndicated_copies())
        _crawl(db, site, "--max-pages", "2")
        counters, workers, archived = _crawl(db, site, "-s", "NEWSCRAWL_WORKER_BACKLOG=5")
    assert (counters["workers"], workers, archived) == (2, [0, 1], expected)
