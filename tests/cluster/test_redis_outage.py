"""A short Redis outage: the server stopped and started again while the cluster works.

Each test runs its own redis-server (with its append-only file, as a production server would
keep its data over a restart), stops it and starts it again on the same port. Nothing may fail
for it: the archive-worker waits and drains again, requests wait for their pacing and scheduling
instead of failing, and robots.txt is never taken as "allow all" because of it.
"""

from __future__ import annotations

import json
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from cluster_commands import newscrawl_process
from scrapy.http import Request
from twisted.internet import task

from newscrawl.cluster import Keys, connect, serializer
from newscrawl.cluster.dupefilter import CanonicalDupeFilter
from newscrawl.cluster.items import encode_item
from newscrawl.cluster.keys import LEASE_META
from newscrawl.cluster.pacing import RedisHostState
from newscrawl.cluster.scheduler import ReliableScheduler
from newscrawl.cluster.seed import seed
from newscrawl.items import Article
from newscrawl.sources import sources_from_urls


class RedisServer:
    """A redis-server on 127.0.0.1 that a test stops and starts again (same port, same data)."""

    def __init__(self, folder: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is not installed (apt-get install redis-server)")
        self.binary = binary
        self.folder = folder
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "yes", "--dir", str(self.folder), "--protected-mode", "yes"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                connect(self.url, timeout=1).close()
                return
            except Exception:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        """Shut the server down (it writes its data, as `redis-cli shutdown` does)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def restartable_redis(tmp_path: Path) -> Iterator[RedisServer]:
    folder = tmp_path / "redis"
    folder.mkdir()
    redis = RedisServer(folder)
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()


def _wait_until(check: Callable[[], Any], timeout: float, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what or check}"
        time.sleep(0.05)


def _stop(process: subprocess.Popen[str]) -> tuple[str, str]:
    if process.poll() is None:
        process.kill()
    return process.communicate(timeout=30)


# -- the archive-worker ---------------------------------------------------------------------------

BODY = "\n\n".join(
    f"Paragraph {i}: the lighthouse trust argued over the new keeper's cottage until late."
    for i in range(6)
)


def _articles(first: int, count: int) -> list[str]:
    return [
        encode_item(
            Article(
                url=f"https://x.example/2025/09/0{i + 1}/outage-story-{i}",
                title=f"Story number {i} about the lighthouse",
                text=f"Story {i} is unique. " + BODY.replace("lighthouse", f"lighthouse{i}"),
                source="x",
                published="2025-09-01T08:00:00Z",
            )
        )
        for i in range(first, first + count)
    ]


def _archived(db: Path) -> int:
    if not db.exists():
        return 0
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
    except sqlite3.OperationalError:
        return 0  # not created yet
    finally:
        conn.close()


def _archive_worker(redis: RedisServer, keys: Keys, db: Path) -> subprocess.Popen[str]:
    # A lock living 1 s: it runs out during the outage, and is taken again after it.
    return newscrawl_process(
        "archive-worker", "--redis", redis.url, "--prefix", keys.prefix, "--db", str(db),
        "-s", "NEWSCRAWL_REDIS_ARCHIVER_TTL=1",
    )  # fmt: skip


def _archived_while_running(process: subprocess.Popen[str], db: Path, count: int) -> None:
    _wait_until(
        lambda: _archived(db) >= count or process.poll() is not None, 30, f"{count} archived"
    )
    if process.poll() is not None:
        out, err = process.communicate()
        pytest.fail(f"the archive-worker ended ({process.returncode}):\n{err}")
    assert _archived(db) == count


@pytest.mark.e2e
def test_the_archive_worker_drains_again_after_redis_restarts(
    restartable_redis: RedisServer, tmp_path: Path
) -> None:
    keys, db = Keys("outage"), tmp_path / "news.db"
    connect(restartable_redis.url).rpush(keys.items, *_articles(0, 2))
    worker = _archive_worker(restartable_redis, keys, db)
    try:
        _archived_while_running(worker, db, 2)
        restartable_redis.stop()
        time.sleep(2.0)
        restartable_redis.start()
        server = connect(restartable_redis.url)
        server.rpush(keys.items, *_articles(2, 2))
        _archived_while_running(worker, db, 4)
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=30)
    finally:
        _stop(worker)
    assert worker.returncode == 0, err
    assert "Traceback" not in err, err
    assert err.count("Redis cannot be reached") == 1, err  # one warning for the outage
    assert "Redis answers again" in err, err
    assert "4 new" in out
    assert server.get(keys.archiver) is None  # the lock was given up
    assert server.llen(keys.items) == server.llen(keys.items_taken) == 0


@pytest.mark.e2e
def test_the_archive_worker_stops_cleanly_while_redis_is_down(
    restartable_redis: RedisServer, tmp_path: Path
) -> None:
    keys, db = Keys("outage"), tmp_path / "news.db"
    connect(restartable_redis.url).rpush(keys.items, *_articles(0, 1))
    worker = _archive_worker(restartable_redis, keys, db)
    try:
        _archived_while_running(worker, db, 1)
        restartable_redis.stop()
        time.sleep(1.5)
        assert worker.poll() is None, "the archive-worker ended when Redis went away"
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=20)
    finally:
        _stop(worker)
    assert worker.returncode == 0, err
    assert "Traceback" not in err, err
    assert "Could not give the archive-worker's lock up" in err, err  # it runs out by itself
    assert "Archive-worker stopped: 1 new" in out
    conn = sqlite3.connect(db)
    try:
        runs = conn.execute("SELECT status FROM runs WHERE command = 'archive-worker'").fetchall()
    finally:
        conn.close()
    assert [r[0] for r in runs] == ["stopped"]


# -- pacing and scheduling ------------------------------------------------------------------------


def test_site_pacing_waits_out_a_redis_outage(restartable_redis: RedisServer) -> None:
    keys = Keys("outage")
    state = RedisHostState(connect(restartable_redis.url), keys)
    held = state.take_slot("news.example", 1)
    assert held is not None
    restartable_redis.stop()
    now = time.time()
    # Nothing raises: no slot (the request waits in its site's line and asks again), a turn
    # kept on this machine's clock, a pause kept here.
    assert state.take_slot("news.example", 1) is None
    state.give_slot(held)
    assert state.reserve("news.example", 2.0, now) >= now + 2.0
    state.pause("https://news.example", now + 30, sit_out=True)
    assert state.paused("https://news.example", now) == (now + 30, True)
    restartable_redis.start()
    # The slot freed while Redis was away is free again (the site allows one at a time).
    slot = _wait_until(lambda: state.take_slot("news.example", 1), 10, "a slot")
    assert slot != held
    other = RedisHostState(connect(restartable_redis.url), keys)
    assert other.take_slot("news.example", 1) is None
    until, sit_out = other.paused("https://news.example", now) or (0.0, False)
    assert until == pytest.approx(now + 30, abs=0.05)  # the pause reached the cluster
    assert sit_out is True


def _scheduler(redis: RedisServer, keys: Keys, clock: task.Clock) -> ReliableScheduler:
    server = connect(redis.url)
    scheduler = ReliableScheduler(
        server,
        persist=True,
        queue_key=keys.requests,
        queue_cls="newscrawl.cluster.queue.LeasedPriorityQueue",
        dupefilter=CanonicalDupeFilter(server, keys.seen),
        serializer=serializer,
        worker_timeout=1.0,
    )
    scheduler.clock = clock
    spider = SimpleNamespace(
        name="news", cluster_keys=keys, worker_id="w1", log=lambda *a, **k: None
    )
    scheduler.open(spider)
    return scheduler


def test_the_scheduler_waits_out_a_redis_outage(restartable_redis: RedisServer) -> None:
    keys, clock = Keys("outage"), task.Clock()
    scheduler = _scheduler(restartable_redis, keys, clock)
    server = connect(restartable_redis.url)
    try:
        assert scheduler.enqueue_request(Request("https://x.example/first"))
        first = scheduler.next_request()
        assert first is not None
        restartable_redis.stop()
        clock.advance(0.2)  # a heartbeat that cannot reach Redis
        assert scheduler.heartbeat is not None and scheduler.heartbeat.running
        assert scheduler.next_request() is None  # nothing to take: the worker waits
        assert scheduler.has_pending_requests()  # and does not go idle
        # A page's discoveries and the end of its lease wait for Redis, in order.
        assert scheduler.enqueue_discovered([Request("https://x.example/second")]) == 1
        scheduler.queue.ack(first.meta[LEASE_META], ['{"n": 1}'])
        restartable_redis.start()

        def beat() -> bool:
            clock.advance(0.2)
            return bool(server.exists(keys.alive("w1")))

        _wait_until(beat, 10, "a heartbeat")  # the worker is alive again at once
        assert server.lrange(keys.items, 0, -1) == [b'{"n": 1}']
        assert server.hlen(keys.leases) == 0
        second = scheduler.next_request()
        assert second is not None and second.url == "https://x.example/second"
        assert server.hget(keys.worker("w1"), "state") == b"running"
    finally:
        scheduler.close("finished")
    assert server.hlen(keys.leases) == 0
    assert server.zcard(keys.requests) == 1  # the second one's lease went back to the queue


# -- robots.txt -----------------------------------------------------------------------------------

ROBOTS = b"User-agent: *\nDisallow: /private/\n"
PAGE = (
    "<html lang='en'><head><title>Story {n}</title><meta property='og:type' content='article'>"
    "</head><body><article><h1>Story {n}</h1>"
    + "<p>The harbour council met again tonight to debate the ferry terminal plan.</p>" * 12
    + "</article></body></html>"
)


class _Site(BaseHTTPRequestHandler):
    """A site whose robots.txt forbids /private/; robots.txt answers once `release` is set."""

    requested: list[str]
    release: threading.Event

    def do_GET(self) -> None:  # noqa: N802
        self.requested.append(self.path)
        if self.path == "/robots.txt":
            self.release.wait(20)
            body, kind = ROBOTS, "text/plain"
        elif self.path == "/":
            links = ["/news/1", "/news/2", "/private/1"]
            items = "".join(f'<h2><a href="{p}">{p}</a></h2>' for p in links)
            body = f"<html><body>{items}</body></html>".encode()
            kind = "text/html"
        else:
            body, kind = PAGE.format(n=self.path.strip("/")).encode(), "text/html"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def site() -> Iterator[SimpleNamespace]:
    requested: list[str] = []
    release = threading.Event()
    handler = type("Handler", (_Site,), {"requested": requested, "release": release})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield SimpleNamespace(
            url=f"http://127.0.0.1:{server.server_address[1]}", requested=requested, release=release
        )
    finally:
        release.set()
        server.shutdown()
        server.server_close()


# A real Scrapy crawl of two pages with newscrawl's robots middleware, and a middleware of "our
# own stack" failing the first robots.txt request (going out or coming back) with `ERROR`.
CRAWL = """
import sys

import redis
import scrapy
from scrapy.crawler import CrawlerProcess

WHEN, ERROR = sys.argv[1], {"redis": redis.ConnectionError, "bug": RuntimeError}[sys.argv[2]]


class FailFirstRobotsTxt:
    failed = False

    def _fail(self, request, when):
        if when == WHEN and request.url.endswith("/robots.txt") and not self.failed:
            type(self).failed = True
            raise ERROR("Error 111 connecting to 127.0.0.1:6391. Connection refused.")

    def process_request(self, request, spider=None):
        self._fail(request, "request")

    def process_response(self, request, response, spider=None):
        self._fail(request, "response")
        return response


class Pages(scrapy.Spider):
    name = "pages"

    async def start(self):
        for url in sys.argv[3:]:
            yield scrapy.Request(url)

    def parse(self, response):
        pass


process = CrawlerProcess({
    "ROBOTSTXT_OBEY": True,
    "DOWNLOADER_MIDDLEWARES": {
        "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
        "newscrawl.middlewares.robots.RobotsTxtMiddleware": 100,
        "__main__.FailFirstRobotsTxt": 120,
    },
    "NEWSCRAWL_ROBOTS_RETRY_DELAY": 0.2,
    "TELNETCONSOLE_ENABLED": False,
    "LOG_LEVEL": "INFO",
})
process.crawl(Pages)
process.start()
"""


@pytest.mark.e2e
@pytest.mark.parametrize(("when", "error"), [("request", "redis"), ("response", "bug")])
def test_robots_txt_failing_in_our_own_stack_is_asked_for_again(
    site: SimpleNamespace, when: str, error: str
) -> None:
    site.release.set()
    pages = [f"{site.url}/news/1", f"{site.url}/private/1", f"{site.url}/private/2"]
    result = subprocess.run(
        [sys.executable, "-c", CRAWL, when, error, *pages],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert [p for p in site.requested if p.startswith("/private/")] == [], result.stderr
    assert "/news/1" in site.requested
    # Asked for again: the failed request reached the site only when it failed on its way back.
    assert site.requested.count("/robots.txt") == (1 if when == "request" else 2)
    assert "robots.txt of 127.0.0.1" in result.stderr and "asked for again" in result.stderr
    assert "'robotstxt/forbidden': 2" in result.stderr


@pytest.mark.e2e
def test_a_cluster_worker_rides_out_a_redis_restart_without_breaking_robots_txt(
    restartable_redis: RedisServer, site: SimpleNamespace
) -> None:
    """The reviewer's case: Redis stops while robots.txt is on its way and starts again 2 s
    later. Nothing fails, and the page robots.txt forbids is never fetched."""
    keys = Keys("outage")
    crawl = newscrawl_process(
        "crawl", f"{site.url}/", "--redis", restartable_redis.url, "--prefix", keys.prefix,
        "--processes", "1", "--max-idle", "1", "--json",
        "-s", "AUTOTHROTTLE_ENABLED=false", "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0",
    )  # fmt: skip
    try:
        _wait_until(lambda: "/robots.txt" in site.requested or crawl.poll() is not None, 30)
        restartable_redis.stop()
        time.sleep(0.3)
        site.release.set()  # robots.txt comes back while Redis is away
        time.sleep(2.0)
        restartable_redis.start()
        # Cron seeds the start page again (a worker that took robots.txt for "allow all" would
        # now fetch what it forbids).
        seed(connect(restartable_redis.url), keys, sources_from_urls([f"{site.url}/"]))
        out, err = crawl.communicate(timeout=60)
    finally:
        _stop(crawl)
    assert crawl.returncode == 0, err
    assert [p for p in site.requested if p.startswith("/private/")] == [], err
    assert {"/news/1", "/news/2"} <= set(site.requested), err
    counters = json.loads(out.strip().splitlines()[-1])["counters"]
    assert counters.get("failed", 0) == 0, err  # no "connectionerror"
    assert (counters["fetched"], counters["robots"]) == (4, 1), err  # "/" twice, /news/1 and 2
    assert "Traceback" not in err, err
    assert connect(restartable_redis.url).hlen(keys.leases) == 0


def _raised_in(module: str, error: Exception) -> Exception:
    """`error`, raised by code of `module`."""
    namespace: dict[str, Any] = {"__name__": module}
    exec("def fail(error):\n    raise error\n", namespace)
    try:
        namespace["fail"](error)
    except Exception as exc:
        return exc
    raise AssertionError("not raised")


def test_which_robots_txt_failures_are_the_sites_answer() -> None:
    import redis
    from scrapy.exceptions import DownloadTimeoutError, IgnoreRequest
    from twisted.internet.error import ConnectionRefusedError

    from newscrawl.middlewares.guard import BlockedRequest
    from newscrawl.middlewares.robots import answered_by_site

    # The site's (or the network's) answer: Scrapy's handling, "allow all" ...
    assert answered_by_site(ConnectionRefusedError())
    assert answered_by_site(_raised_in("scrapy.core.downloader", DownloadTimeoutError()))
    assert answered_by_site(IgnoreRequest("max redirections reached"))
    # ... as is an error Scrapy raises for the request itself (its pages fail the same way).
    handler = "scrapy.core.downloader.handlers.http11"
    assert answered_by_site(_raised_in(handler, ValueError("invalid hostname: alice:pw@x")))
    # Not the site's: a Redis error, an error of our own middlewares, a newscrawl refusal.
    assert not answered_by_site(redis.ConnectionError("Error 111 connecting"))
    assert not answered_by_site(_raised_in("newscrawl.middlewares.siteslots", RuntimeError()))
    assert not answered_by_site(_raised_in("mine", OSError()), ("mine.",))
    assert not answered_by_site(BlockedRequest("backoff", "backing off"))
