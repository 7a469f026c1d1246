"""One crawl of the fault site: every bad case is counted with its reason, every good article is
archived exactly once, nothing private is ever requested (issue 6)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from faultserver import FaultSite
from helpers import article_urls, connect, integrity, last_run, run_crawl

pytestmark = pytest.mark.e2e

MAXSIZE = 1 << 20
SETTINGS = {
    "DOWNLOAD_MAXSIZE": MAXSIZE,
    "DOWNLOAD_WARNSIZE": 0,
    "DOWNLOAD_TIMEOUT": 3,
    "NEWSCRAWL_GUARD_RESOLVER": "stub_resolver.resolve",
}


@dataclass
class Result:
    site: FaultSite
    db: Path
    output: str
    log: str
    returncode: int
    seconds: float

    @property
    def counters(self) -> dict[str, Any]:
        return dict(last_run(self.db)["counters"])


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Result]:
    db = tmp_path_factory.mktemp("fault") / "news.db"
    with FaultSite(maxsize=MAXSIZE) as site:
        started = time.monotonic()
        done = run_crawl(site.start_urls(), db, SETTINGS, timeout=120)
        yield Result(
            site, db, done.stdout, done.stderr, done.returncode, time.monotonic() - started
        )


def test_crawl_completes_within_a_minute(crawl: Result) -> None:
    assert crawl.returncode == 0, crawl.output + crawl.log[-3000:]
    assert last_run(crawl.db)["status"] == "completed"
    assert crawl.seconds < 60


def test_every_good_article_is_archived_exactly_once(crawl: Result) -> None:
    urls = article_urls(crawl.db)
    assert len(urls) == len(set(urls))
    assert set(urls) == crawl.site.expect.archived


@pytest.mark.parametrize(
    "reason",
    [
        "too_large",
        "timeout",
        "too_many_redirects",
        "private_address",
        "blocked_scheme",
        "dns",
        "tls",
        "robots_unavailable",
        "unsupported_content_type",
    ],
)
def test_each_bad_case_is_counted_with_its_reason(crawl: Result, reason: str) -> None:
    failed = crawl.counters["failed_by_reason"]
    assert failed.get(reason) == crawl.site.expect.failed[reason], failed


def test_broken_framing_is_counted(crawl: Result) -> None:
    failed = crawl.counters["failed_by_reason"]
    # The lying Content-Length is data loss; the reset is data loss or a lost connection.
    assert failed.get("data_loss", 0) >= 1
    assert (
        failed.get("data_loss", 0)
        + failed.get("connection_lost", 0)
        + failed.get("response_failed", 0)
        == 2
    )


def test_hostile_sitemaps_are_counted_and_harmless(crawl: Result) -> None:
    failed = crawl.counters["failed_by_reason"]
    assert failed.get("xml_entities") == 2  # billion laughs, XXE
    assert failed.get("sitemap_truncated") == 1  # the gzip sitemap bomb
    paths = crawl.site.log.paths()
    assert not [p for p in paths if p.startswith("/bomb/") or "passwd" in p or "root:" in p]
    with connect(crawl.db) as conn:
        assert (
            conn.execute("SELECT count(*) FROM articles WHERE text LIKE '%root:%'").fetchone()[0]
            == 0
        )


def test_totals_are_in_the_summary_and_runs_table(crawl: Result) -> None:
    counters = crawl.counters
    assert counters["failed"] == sum(counters["failed_by_reason"].values())
    assert counters["articles_new"] == len(crawl.site.expect.archived)
    for reason in ("private_address", "too_large", "robots_unavailable"):
        assert reason in crawl.output


def test_refusals_are_logged_with_a_clear_reason(crawl: Result) -> None:
    for text in (
        "blocked private address: metadata.test resolves to 169.254.169.254",
        "blocked private address: intranet.test resolves to 10.1.2.3",
        "blocked private address: v6.test resolves to ::1",
        "blocked private address: 2130706434 (127.0.0.2)",
        "blocked scheme: file://",
        "exceeded DOWNLOAD_MAXSIZE",
    ):
        assert text in crawl.log


def test_robots_disallowed_and_unavailable_hosts_are_not_fetched(crawl: Result) -> None:
    assert not set(crawl.site.log.paths("main")) & crawl.site.expect.never_requested
    assert set(crawl.site.log.paths("robots5xx")) == {"/robots.txt"}
    assert crawl.counters.get("robots", 0) >= 1


def test_retry_after_is_honoured_with_no_request_meanwhile(crawl: Result) -> None:
    entries = crawl.site.log.entries("backoff")
    first_429 = next(e.time for e in entries if e.path.endswith("busy-429"))
    first_503 = next(e.time for e in entries if e.path.endswith("busy-503"))
    retries = {e.path: e.time for e in entries if e.time > max(first_429, first_503) + 0.2}
    assert retries, "the busy pages were not retried"
    assert min(retries.values()) >= first_429 + 2 - 0.2
    assert crawl.counters["failed_by_reason"].get("http_429") is None


def test_one_story_under_eight_urls_is_one_row(crawl: Result) -> None:
    assert len(crawl.site.expect.story_variants) == 8
    rows = [u for u in article_urls(crawl.db) if "ferry" in u]
    assert rows == [crawl.site.main.url("/news/2025/09/02/ferry-timetable-changes")]


def test_charsets_decode_without_mojibake(crawl: Result) -> None:
    with connect(crawl.db) as conn:
        titles = {r[0] for r in conn.execute("SELECT title FROM articles")}
    assert crawl.site.latin_title in titles
    assert crawl.site.meta_title in titles


def test_odd_pages_are_kept_sensibly(crawl: Result) -> None:
    base = crawl.site.main.url("/news/2025/09/02/")
    with connect(crawl.db) as conn:
        rows = {r["url"]: dict(r) for r in conn.execute("SELECT * FROM articles")}
    assert rows[base + "paywalled"]["access"] == "paywalled"
    # The impossible date is ignored; the date in the URL path (or none) is used instead.
    assert rows[base + "invalid-dates"]["published"] in (None, "2025-09-02T00:00:00Z")
    assert "other-paper" not in " ".join(rows)
    assert crawl.counters["dropped_by_reason"].get("not_article", 0) >= 2


def test_archive_is_intact(crawl: Result) -> None:
    assert integrity(crawl.db) == ("ok", True)


def test_summary_json_is_valid(crawl: Result) -> None:
    with connect(crawl.db) as conn:
        summary = json.loads(conn.execute("SELECT summary FROM runs").fetchone()[0])
    assert sum(s["failed"] for s in summary.values()) == crawl.counters["failed"]
