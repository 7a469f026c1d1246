"""End to end: cluster workers and an archive-worker, real processes, a real Redis, the demo site.

Every article must be archived exactly once, the work shared between workers, and a worker or
archive-worker killed with SIGKILL mid-crawl must lose nothing.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cluster_commands import newscrawl_process

from newscrawl.cluster import Keys
from newscrawl.demo import DemoSite, serve_demo_site

pytestmark = pytest.mark.e2e

FAST = ["-s", "AUTOTHROTTLE_ENABLED=false", "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0"]


@pytest.fixture(scope="module")
def site() -> Iterator[DemoSite]:
    demo = DemoSite.load()
    with serve_demo_site(demo, ports={}):
        yield demo


def _crawl(site: DemoSite, redis_url: str, keys: Keys, *extra: str) -> subprocess.Popen[str]:
    return newscrawl_process(
        "crawl",
        "--redis",
        redis_url,
        "--prefix",
        keys.prefix,
        *site.start_urls(),
        "--json",
        *FAST,
        *extra,
    )


def _archive_worker(redis_url: str, keys: Keys, db: Path, *extra: str) -> subprocess.Popen[str]:
    return newscrawl_process(
        "archive-worker",
        "--redis",
        redis_url,
        "--prefix",
        keys.prefix,
        "--db",
        str(db),
        "-s",
        "NEWSCRAWL_REDIS_ARCHIVER_TTL=1",
        *extra,
    )


def _wait_until(check: Callable[[], Any], timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _finish(process: subprocess.Popen[str], timeout: float = 120) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def _archived(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [r[0] for r in conn.execute("SELECT url FROM articles")]
    finally:
        conn.close()


def _versions(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT count(*) FROM article_versions").fetchone()[0])
    finally:
        conn.close()


def _expected(site: DemoSite) -> set[str]:
    return {a["url"] for a in site.expected_articles()} | set(site.syndicated_copies())


def _workers(server: Any, keys: Keys) -> dict[str, dict[str, str]]:
    found = {}
    for raw in server.zrange(keys.workers, 0, -1):
        info = server.hgetall(keys.worker(raw.decode()))
        found[raw.decode()] = {k.decode(): v.decode() for k, v in info.items()}
    return found


def _leases_by_worker(server: Any, keys: Keys) -> dict[str, int]:
    held: dict[str, int] = {}
    for value in server.hvals(keys.leases):
        owner = json.loads(value)["worker"]
        held[owner] = held.get(owner, 0) + 1
    return held


def test_three_workers_share_the_crawl_and_archive_every_article_once(
    site: DemoSite, redis_url: str, server: Any, keys: Keys, tmp_path: Path
) -> None:
    db = tmp_path / "news.db"
    # Three workers join the cluster first, then the start URLs are seeded: all three are
    # waiting for work when it comes, however slowly each process started.
    crawl = newscrawl_process(
        "crawl", "--redis", redis_url, "--prefix", keys.prefix, "--processes", "3",
        "--max-idle", "6", "--json", *FAST,
    )  # fmt: skip
    _wait_until(lambda: server.zcard(keys.workers) >= 3, 90)
    seeded = newscrawl_process(
        "seed", "--redis", redis_url, "--prefix", keys.prefix, *site.start_urls()
    )
    assert _finish(seeded)[0] == 0
    archiver = _archive_worker(redis_url, keys, db, "--until-idle", "3")
    code, out, err = _finish(crawl)
    assert code == 0, err
    assert _finish(archiver)[0] == 0
    archived = _archived(db)
    assert len(archived) == len(set(archived))
    assert set(archived) == _expected(site)
    assert _versions(db) == len(archived)
    fetched = [int(json.loads(w["counters"])["fetched"]) for w in _workers(server, keys).values()]
    assert len(fetched) == 3 and all(n > 0 for n in fetched), fetched
    assert json.loads(out.strip().splitlines()[-1])["counters"]["fetched"] == sum(fetched)
    assert (server.zcard(keys.requests), server.hlen(keys.leases), server.llen(keys.items)) == (
        0,
        0,
        0,
    )


def test_a_second_pass_fetches_start_pages_but_no_article_again(
    site: DemoSite, redis_url: str, server: Any, keys: Keys, tmp_path: Path
) -> None:
    db = tmp_path / "news.db"
    for _ in range(2):
        code, _, err = _finish(_crawl(site, redis_url, keys, "--processes", "2", "--max-idle", "1"))
        assert code == 0, err
    assert _finish(_archive_worker(redis_url, keys, db, "--until-idle", "0.5"))[0] == 0
    counters = [json.loads(w["counters"]) for w in _workers(server, keys).values()]
    second = sorted(counters, key=lambda c: c["fetched"])[:2]
    assert sum(c.get("items_pushed", 0) for c in second) == 0
    assert set(_archived(db)) == _expected(site)


def test_a_worker_killed_mid_crawl_loses_nothing(
    site: DemoSite, redis_url: str, server: Any, keys: Keys, tmp_path: Path
) -> None:
    db = tmp_path / "news.db"
    crawl = _crawl(
        site,
        redis_url,
        keys,
        "--processes",
        "2",
        "--max-idle",
        "3",
        "-s",
        "DOWNLOAD_DELAY=0.2",
        "-s",
        "NEWSCRAWL_REDIS_WORKER_TIMEOUT=2",
    )
    # Kill a worker while it holds leased requests and articles have been pushed.
    victim = _wait_until(
        lambda: server.llen(keys.items) >= 3 and next(iter(_leases_by_worker(server, keys)), None),
        90,
    )
    pid = int(_workers(server, keys)[victim]["pid"])
    held = _leases_by_worker(server, keys)[victim]
    os.kill(pid, signal.SIGKILL)
    code, _, err = _finish(crawl)
    assert code != 0  # a worker died: the launcher says so
    survivor = [w for w_id, w in _workers(server, keys).items() if w_id != victim]
    requeued = json.loads(survivor[0]["counters"]).get("cluster/requeued", 0)
    assert held > 0 and requeued >= 1, (held, requeued, err[-2000:])
    assert _finish(_archive_worker(redis_url, keys, db, "--until-idle", "0.5"))[0] == 0
    archived = _archived(db)
    assert sorted(archived) == sorted(_expected(site))


def test_an_archive_worker_killed_mid_drain_loses_nothing(
    site: DemoSite, redis_url: str, server: Any, keys: Keys, tmp_path: Path
) -> None:
    db = tmp_path / "news.db"
    code, _, err = _finish(_crawl(site, redis_url, keys, "--processes", "2", "--max-idle", "1"))
    assert code == 0, err
    # Ten more copies of every article (a worker fetching them again): draining takes seconds,
    # so the kill below lands mid-drain however fast or loaded the machine; the copies must
    # add no row and no version.
    copies = server.lrange(keys.items, 0, -1)
    server.rpush(keys.items, *(copies * 10))
    waiting = server.llen(keys.items)
    first = _archive_worker(redis_url, keys, db, "--batch-size", "2")
    _wait_until(lambda: server.llen(keys.items) <= waiting - 6, 60)
    first.send_signal(signal.SIGKILL)
    first.communicate(timeout=30)
    assert server.llen(keys.items) > 0  # killed with work left
    code, out, err = _finish(_archive_worker(redis_url, keys, db, "--until-idle", "0.5"))
    assert code == 0, err
    archived = _archived(db)
    assert len(archived) == len(set(archived))
    assert set(archived) == _expected(site)
    assert _versions(db) == len(archived)
    assert (server.llen(keys.items), server.llen(keys.items_taken)) == (0, 0)


def test_the_cluster_spider_runs_as_scrapy_and_scrapyd_start_it(
    site: DemoSite, redis_url: str, server: Any, keys: Keys, tmp_path: Path
) -> None:
    # What a Scrapyd job runs: `scrapy crawl news-cluster` with settings and arguments.
    root = Path(__file__).resolve().parents[2]
    db = tmp_path / "news.db"
    command = [sys.executable, "-m", "scrapy", "crawl", "news-cluster"]
    command += ["-s", f"REDIS_URL={redis_url}", "-s", f"NEWSCRAWL_REDIS_PREFIX={keys.prefix}"]
    command += [
        "-s",
        "NEWSCRAWL_REDIS_MAX_IDLE=1",
        *FAST,
        "-a",
        f"start_urls={site.start_urls()[0]}",
    ]
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert _finish(_archive_worker(redis_url, keys, db, "--until-idle", "0.5"))[0] == 0
    first = site.url(next(iter(site.publishers)), "/")
    assert set(_archived(db)) == {u for u in _expected(site) if u.startswith(first)}


def test_sigterm_stops_the_workers_and_gives_back_their_requests(
    site: DemoSite, redis_url: str, server: Any, keys: Keys
) -> None:
    crawl = _crawl(
        site, redis_url, keys, "--processes", "2", "--max-idle", "0",
        "-s", "DOWNLOAD_DELAY=0.5", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1",
    )  # fmt: skip
    _wait_until(lambda: server.llen(keys.items) >= 1, 90)
    crawl.send_signal(signal.SIGTERM)
    code, out, err = _finish(crawl, timeout=60)
    assert code == 0, err
    states = {w["state"] for w in _workers(server, keys).values()}
    assert states == {"shutdown"}, states
    assert server.hlen(keys.leases) == 0  # nothing stays leased by a stopped worker
    assert server.zcard(keys.requests) > 0  # the rest waits for the next worker
