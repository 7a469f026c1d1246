"""A site that is down for several runs loses no article, and is left alone while it asks.

The site's articles answer 503 with ``Retry-After`` while it is down. Several crawls run in a row,
more than ``NEWSCRAWL_MAX_ATTEMPTS``, then one after it recovered: every article is archived,
and no run sends the host a request (not even robots.txt) while its Retry-After holds. Time
passing between runs (the back-off of a failed article is an hour and more) is simulated by
moving the failure times recorded in the frontier into the past.

A 404 is still given up after its attempts, and an article that answered 500 (no Retry-After)
waits for its back-off instead of being fetched by every run.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from helpers import article_urls, connect, last_run, run_crawl

from newscrawl.archive import Archive
from newscrawl.middlewares.guard import BlockedRequest

pytestmark = pytest.mark.e2e

#: Seconds the site asks for while down: short, and longer than the runs sit out (below).
RETRY_AFTER = 6
SETTINGS = {"NEWSCRAWL_PROCESSES": "1", "NEWSCRAWL_RETRY_AFTER_MAX": "1", "DOWNLOAD_TIMEOUT": "10"}
ARTICLES = [f"/news/2025/09/0{n}/harbour-outage-story-{n}" for n in (1, 2, 3)]
MISSING = "/news/2025/09/04/a-story-that-was-removed"
FLAKY = "/news/2025/09/05/a-story-on-a-broken-backend"
BODY = "The harbour commission met on Tuesday to discuss the new ferry timetable again. " * 8


def article_page(path: str) -> str:
    n = path.rsplit("-", 1)[-1]
    return (
        f'<html lang="en"><head><title>Harbour story {n}</title>'
        '<meta property="og:type" content="article"></head><body><article>'
        f"<h1>Harbour story {n}</h1><p>{BODY} Story {n}.</p></article></body></html>"
    )


@dataclass
class Site:
    """The site's behaviour (set by the test) and every request it answered."""

    links: list[str]
    down: bool = False
    base: str = ""
    #: (wall-clock time, path, status) of every answered request.
    log: list[tuple[float, str, int]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, path: str) -> tuple[int, str, dict[str, str]]:
        if path == "/robots.txt":
            return 200, "User-agent: *\nAllow: /\n", {}
        if path == "/":
            links = "".join(f'<h2><a href="{p}">{p}</a></h2>' for p in self.links)
            return 200, f"<html><body>{links}</body></html>", {}
        if path in ARTICLES:
            if self.down:
                return 503, "busy", {"Retry-After": str(RETRY_AFTER)}
            return 200, article_page(path), {}
        if path == FLAKY:
            return 500, "broken", {}
        return 404, "not found", {}

    def requests(self, since: float = 0.0, until: float = float("inf")) -> list[str]:
        with self.lock:
            return [path for moment, path, _ in self.log if since <= moment < until]

    def answered(self, status: int) -> list[float]:
        with self.lock:
            return [moment for moment, _, code in self.log if code == status]


def serve(site: Site) -> Iterator[Site]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            status, body, headers = site.answer(self.path)
            with site.lock:
                site.log.append((time.time(), self.path, status))
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain" if ".txt" in self.path else "text/html")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            """Quiet: tests read `site.log`."""

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    site.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield site
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def outage() -> Iterator[Site]:
    yield from serve(Site(links=list(ARTICLES)))


@pytest.fixture
def broken() -> Iterator[Site]:
    yield from serve(Site(links=[ARTICLES[0], MISSING, FLAKY]))


@dataclass
class Run:
    started: float
    ended: float
    counters: dict[str, Any]


def crawl(site: Site, db: Path) -> Run:
    started = time.time()
    done = run_crawl([site.base + "/"], db, SETTINGS, timeout=120)
    ended = time.time()
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    run = last_run(db)
    assert run["status"] == "completed"
    return Run(started, ended, run["counters"])


def age_failures(db: Path, hours: float) -> None:
    """As if `hours` had passed since the frontier's failures were recorded."""
    with connect(db) as conn:
        conn.execute(
            "UPDATE frontier SET fetched_at = strftime('%Y-%m-%dT%H:%M:%SZ', fetched_at, ?) "
            "WHERE state = 'failed'",
            (f"-{hours * 3600:.0f} seconds",),
        )


def frontier_rows(db: Path, paths: list[str], base: str) -> dict[str, tuple[str, str, int]]:
    with connect(db) as conn:
        rows = conn.execute("SELECT url, state, reason, attempts FROM frontier").fetchall()
    by_url = {r["url"]: (r["state"], r["reason"], int(r["attempts"])) for r in rows}
    return {path: by_url[base + path] for path in paths}


def wait_for_the_pause(site: Site) -> float:
    """Sleep until the site's last Retry-After has passed; return when it had started."""
    last = max(site.answered(503))
    time.sleep(max(0.0, last + RETRY_AFTER + 0.3 - time.time()))
    return last


def assert_left_alone(site: Site, run: Run, pause_end: float) -> None:
    """`run` sent the host no request at all (robots.txt included) while its pause held."""
    assert run.started < pause_end, "the run came after the pause: the machine is too slow"
    assert site.requests(run.started, min(run.ended, pause_end)) == []
    assert run.counters["pages_fetched"] == 0
    assert run.counters["failed_by_reason"].get("backoff", 0) >= 1


def test_an_outage_over_more_runs_than_max_attempts_loses_no_article(
    outage: Site, tmp_path: Path
) -> None:
    db = tmp_path / "news.db"
    outage.down = True

    # Run 1: the articles answer 503, Retry-After 6 s: not sat out (NEWSCRAWL_RETRY_AFTER_MAX 1).
    first = crawl(outage, db)
    assert outage.answered(503), outage.log
    assert first.counters["failed_by_reason"].get("http_503", 0) >= 1
    pause_end = max(outage.answered(503)) + RETRY_AFTER - 0.2

    # Run 2, at once: the pause is remembered; no request at all, not even robots.txt.
    second = crawl(outage, db)
    assert_left_alone(outage, second, pause_end)
    rows = frontier_rows(db, ARTICLES, outage.base)
    assert all(state == "failed" and attempts <= 1 for state, _, attempts in rows.values()), rows

    # Run 3, after the pause: robots.txt and the home page again, but not the articles that
    # answered 503 a moment ago (their back-off is an hour); any refused in run 1 are tried.
    wait_for_the_pause(outage)
    answered = {p for p, (_, reason, _) in rows.items() if reason == "http_503"}
    third = crawl(outage, db)
    requested = outage.requests(third.started, third.ended)
    assert "/robots.txt" in requested and "/" in requested
    assert not set(requested) & answered

    # Run 4, "an hour later": the articles are tried again (503 again); run 5 at once is
    # refused. Five failed runs: more than NEWSCRAWL_MAX_ATTEMPTS (3).
    wait_for_the_pause(outage)
    age_failures(db, 2)
    fourth = crawl(outage, db)
    assert set(outage.requests(fourth.started, fourth.ended)) & set(ARTICLES)
    pause_end = max(outage.answered(503)) + RETRY_AFTER - 0.2
    assert pause_end > fourth.started
    fifth = crawl(outage, db)
    assert_left_alone(outage, fifth, pause_end)
    rows = frontier_rows(db, ARTICLES, outage.base)
    assert all(state == "failed" and attempts <= 2 for state, _, attempts in rows.values()), rows

    # The site recovers; the next run after the back-offs archives every article.
    outage.down = False
    wait_for_the_pause(outage)
    age_failures(db, 5)
    sixth = crawl(outage, db)
    assert sixth.counters["articles_new"] == len(ARTICLES)
    assert sorted(article_urls(db)) == sorted(outage.base + p for p in ARTICLES)
    rows = frontier_rows(db, ARTICLES, outage.base)
    assert {state for state, _, _ in rows.values()} == {"done"}


def test_a_404_is_given_up_and_a_500_waits_for_its_back_off(broken: Site, tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    requested: list[list[str]] = []
    for _ in range(4):
        run = crawl(broken, db)
        requested.append(broken.requests(run.started, run.ended))
    # The 404 is fetched by the first three runs (NEWSCRAWL_MAX_ATTEMPTS), then given up.
    assert [MISSING in paths for paths in requested] == [True, True, True, False]
    # The 500 (Scrapy retries it within the run) waits an hour before another run tries it.
    assert [FLAKY in paths for paths in requested] == [True, False, False, False]
    rows = frontier_rows(db, [ARTICLES[0], MISSING, FLAKY], broken.base)
    assert rows[MISSING] == ("failed", "http_404", 3)
    assert rows[FLAKY] == ("failed", "http_500", 1)
    assert rows[ARTICLES[0]][0] == "done"

    age_failures(db, 2)
    run = crawl(broken, db)
    later = broken.requests(run.started, run.ended)
    assert FLAKY in later and MISSING not in later
    assert frontier_rows(db, [FLAKY], broken.base)[FLAKY] == ("failed", "http_500", 2)


def test_a_long_pause_outlives_the_run_and_is_bounded(tmp_path: Path) -> None:
    """The middleware of a later run refuses a host an earlier run was told to leave alone
    (one crawl process each); a pause asked for a year lasts a day."""
    import asyncio

    from scrapy import Spider
    from scrapy.http import Request, Response
    from scrapy.utils.test import get_crawler

    from newscrawl.middlewares.retryafter import MAX_PAUSE, RetryAfterMiddleware
    from newscrawl.pacing import HostState

    path = tmp_path / "news.db"
    Archive.open(path, create=True).close()

    def middleware() -> Any:
        from types import SimpleNamespace

        crawler = get_crawler(Spider, settings_dict={"NEWSCRAWL_RETRY_AFTER_MAX": 60})
        crawler.spider = crawler._create_spider("unit")
        crawler.spider.session = SimpleNamespace(archive=SimpleNamespace(path=str(path)))
        return RetryAfterMiddleware.from_crawler(crawler)

    earlier = middleware()
    request = Request("http://127.0.0.1:1/a")
    busy = Response(request.url, status=503, headers={"Retry-After": "31536000"}, request=request)
    assert earlier.process_response(request, busy) is busy
    paused = HostState(str(path)).paused("http://127.0.0.1:1", time.time())
    assert paused is not None and not paused[1]
    assert paused[0] <= time.time() + MAX_PAUSE

    later = middleware()
    with pytest.raises(BlockedRequest) as refused:
        asyncio.run(later.process_request(Request("http://127.0.0.1:1/robots.txt")))
    assert refused.value.reason == "backoff"
    assert later.crawler.stats.get_value("newscrawl/retry_after/remembered") == 1
    assert asyncio.run(later.process_request(Request("http://127.0.0.1:2/a"))) is None
