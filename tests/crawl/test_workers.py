"""Crawls in several worker processes sharing one SQLite frontier."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from newscrawl.cli.main import cli
from newscrawl.demo import DemoSite, serve_demo_site
from newscrawl.runner import GC_YOUNG_THRESHOLD, _collect_less, merge_counts, worker_count


def test_merge_counts_adds_numbers_and_nested_counts() -> None:
    merged = merge_counts(
        [
            {"fetched": 3, "failed_by_reason": {"http_404": 1}, "close_reason": "finished"},
            {
                "fetched": 4,
                "failed_by_reason": {"http_404": 2, "dns": 1},
                "close_reason": "finished",
            },
        ]
    )
    assert merged == {
        "fetched": 7,
        "failed_by_reason": {"http_404": 3, "dns": 1},
        "close_reason": "finished",
    }


def test_worker_count_follows_setting_or_cores() -> None:
    assert worker_count({"NEWSCRAWL_PROCESSES": 3}) == 3
    assert 1 <= worker_count({"NEWSCRAWL_PROCESSES": "auto"}) <= 4


@pytest.mark.e2e
def test_a_crawl_process_collects_young_objects_less_often() -> None:
    import gc

    before = gc.get_threshold()
    try:
        _collect_less()
        assert gc.get_threshold() == (GC_YOUNG_THRESHOLD, *before[1:])
    finally:
        gc.set_threshold(*before)


def test_two_workers_share_the_work_and_archive_each_article_once(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    site = DemoSite.load()
    with serve_demo_site(site) as server:
        result = CliRunner().invoke(
            cli,
            [
                "crawl",
                *site.start_urls(),
                "--db",
                str(db),
                "-s",
                "NEWSCRAWL_PROCESSES=2",
                "-s",
                "NEWSCRAWL_WORKER_BACKLOG=0",
                "-s",
                "AUTOTHROTTLE_ENABLED=false",
                "-s",
                "NEWSCRAWL_PROGRESS_INTERVAL=0",
            ],
        )
        fetched_paths = [(e.publisher, e.path) for e in server.log.entries()]
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(db)
    workers = conn.execute("SELECT worker, status, counters FROM run_workers").fetchall()
    urls = [u for (u,) in conn.execute("SELECT url FROM articles")]
    run = conn.execute("SELECT status, pages_fetched, counters FROM runs").fetchone()
    conn.close()
    assert sorted((w, s) for w, s, _ in workers) == [(0, "completed"), (1, "completed")]
    per_worker = [json.loads(c).get("fetched", 0) for _, _, c in workers]
    assert all(n > 0 for n in per_worker), per_worker
    assert run[0] == "completed" and run[1] == sum(per_worker)
    assert json.loads(run[2])["workers"] == 2
    assert (
        len(urls) == len(set(urls)) == len(site.expected_articles()) + len(site.syndicated_copies())
    )
    # Scrapy reads robots.txt once per process; a redirect's target may be claimed by one worker
    # while another follows the redirect to it.
    targets = {urlsplit(u).path for u in site.redirects().values()}
    pages = [p for p in fetched_paths if p[1] != "/robots.txt" and p[1] not in targets]
    assert len(pages) == len(set(pages)), "a page was fetched twice"


@pytest.mark.e2e
@pytest.mark.parametrize("processes", [1, 2])
def test_a_crawl_whose_page_budget_runs_out_finishes(tmp_path: Path, processes: int) -> None:
    """URLs left pending by `--max-pages` wait for the next run; they must not keep it open."""
    import subprocess
    import sys

    db = tmp_path / "news.db"
    site = DemoSite.load()
    with serve_demo_site(site):
        start = site.start_urls()
        done = subprocess.run(
            [
                sys.executable, "-m", "newscrawl.cli.main", "crawl", *start, "--db", str(db),
                "--max-pages", "3", "--quiet", "--json",
                "-s", f"NEWSCRAWL_PROCESSES={processes}", "-s", "NEWSCRAWL_WORKER_BACKLOG=0",
                "-s", "AUTOTHROTTLE_ENABLED=false",
                "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0",
            ],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["status"] == "completed"
    conn = sqlite3.connect(db)
    fetched = dict(
        conn.execute(
            "SELECT source, count(*) FROM frontier WHERE state != 'pending' GROUP BY source"
        ).fetchall()
    )
    pending = conn.execute("SELECT count(*) FROM frontier WHERE state = 'pending'").fetchone()[0]
    conn.close()
    assert fetched and all(n <= 3 for n in fetched.values()), fetched
    assert pending > 0  # the budget, not the site, ended the crawl
