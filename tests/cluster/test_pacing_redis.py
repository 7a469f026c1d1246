"""Request pacing shared by cluster workers through a real Redis server."""

from __future__ import annotations

import time
from typing import Any

import pytest
from click.testing import CliRunner
from story_site import STORIES, StorySite, serve_story_site

from newscrawl.cli.main import cli
from newscrawl.cluster import Keys, connect
from newscrawl.cluster import pacing as redis_pacing
from newscrawl.cluster.pacing import RedisHostState


def _state(redis_url: str, keys: Keys) -> RedisHostState:
    return RedisHostState(connect(redis_url), keys)


def test_two_workers_take_turns_at_a_host_a_delay_apart(redis_url: str, keys: Keys) -> None:
    first, second = _state(redis_url, keys), _state(redis_url, keys)
    now = time.time()
    assert first.reserve("news.example", 2.0, now) == pytest.approx(now, abs=0.01)
    assert second.reserve("news.example", 2.0, now + 0.5) == pytest.approx(now + 2.0, abs=0.01)
    assert first.reserve("news.example", 2.0, now + 1.0) == pytest.approx(now + 4.0, abs=0.01)
    assert second.reserve("other.example", 2.0, now + 1.0) == pytest.approx(now + 1.0, abs=0.01)


def test_a_turn_is_kept_on_the_servers_clock(redis_url: str, keys: Keys) -> None:
    """A worker whose clock runs 30 s late still waits out the delay another worker reserved."""
    on_time, late = _state(redis_url, keys), _state(redis_url, keys)
    late.offset += 30.0
    now = time.time()
    on_time.reserve("news.example", 5.0, now)
    assert late.reserve("news.example", 5.0, now - 30.0) == pytest.approx(now - 25.0, abs=0.01)


def _reserve_turns(redis_url: str, prefix: str, now: float, queue: Any) -> None:
    state = _state(redis_url, Keys(prefix))
    queue.put([state.reserve("news.example", 1.0, now) for _ in range(200)])


def test_workers_reserving_at_once_never_share_a_turn(redis_url: str, keys: Keys) -> None:
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    now = time.time()
    workers = [
        context.Process(target=_reserve_turns, args=(redis_url, keys.prefix, now, queue))
        for _ in range(3)
    ]
    for worker in workers:
        worker.start()
    turns = sorted(t for _ in workers for t in queue.get(timeout=60))
    for worker in workers:
        worker.join(timeout=60)
    assert len(turns) == 600
    assert turns[0] == pytest.approx(now, abs=0.01)
    gaps = [b - a for a, b in zip(turns, turns[1:], strict=False)]
    assert min(gaps) == pytest.approx(1.0, abs=0.01)
    assert max(gaps) == pytest.approx(1.0, abs=0.01)


def test_a_pause_one_worker_was_asked_for_is_seen_by_the_others(redis_url: str, keys: Keys) -> None:
    one, two = _state(redis_url, keys), _state(redis_url, keys)
    now = time.time()
    one.pause("https://news.example", until=now + 30, sit_out=True)
    one.pause("https://news.example", until=now + 10, sit_out=False)
    until, sit_out = two.paused("https://news.example", now) or (0.0, False)
    assert until == pytest.approx(now + 30, abs=0.01)
    assert sit_out is True
    assert two.paused("https://news.example", now + 31) is None
    assert two.paused("https://other.example", now) is None


def test_a_new_pause_is_seen_by_a_worker_that_read_the_host_a_moment_ago(
    redis_url: str, keys: Keys
) -> None:
    one, two = _state(redis_url, keys), _state(redis_url, keys)
    now = time.time()
    assert two.paused("https://news.example", now) is None
    one.pause("https://news.example", until=now + 30, sit_out=True)
    time.sleep(redis_pacing.PAUSE_READ_SECONDS + 0.05)
    assert two.paused("https://news.example", now) is not None


def test_a_sites_slots_are_shared_by_the_workers(redis_url: str, keys: Keys) -> None:
    one, two = _state(redis_url, keys), _state(redis_url, keys)
    taken = [one.take_slot("news.example", 2), one.take_slot("news.example", 2)]
    assert all(taken)
    assert two.take_slot("news.example", 2) is None
    assert two.take_slot("other.example", 2) is not None
    one.give_slot(taken[1])  # type: ignore[arg-type]
    assert two.take_slot("news.example", 2) is not None
    assert one.take_slot("news.example", 2) is None


def test_the_slots_of_a_worker_that_stopped_go_back_after_their_lease(
    redis_url: str, keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(redis_pacing, "LEASE_SECONDS", 0.5)
    monkeypatch.setattr(redis_pacing, "RENEW_SECONDS", 0.1)
    working, stopped, other = (_state(redis_url, keys) for _ in range(3))
    assert working.take_slot("news.example", 2) is not None
    assert stopped.take_slot("news.example", 2) is not None  # and never heard of again
    deadline = time.monotonic() + 1.2
    while time.monotonic() < deadline:
        # Taking slots elsewhere renews the leases this worker holds.
        working.give_slot(working.take_slot("other.example", 1))  # type: ignore[arg-type]
        time.sleep(0.05)
    assert other.take_slot("news.example", 2) is not None
    assert other.take_slot("news.example", 2) is None


def test_cluster_workers_share_pacing_through_redis(redis_url: str) -> None:
    from scrapy.utils.test import get_crawler

    from newscrawl.middlewares.siteslots import SiteSlotsMiddleware
    from newscrawl.pacing import shared_state

    crawler = get_crawler(settings_dict={"REDIS_URL": redis_url})
    assert SiteSlotsMiddleware.from_crawler(crawler).shared
    state = shared_state(crawler)
    assert isinstance(state, RedisHostState)
    assert shared_state(crawler) is state
    assert state.keys.prefix == "newscrawl"


def _crawl_story_site(redis_url: str, keys: Keys, per_site: int) -> None:
    """Crawl StorySite with two cluster workers (no archive-worker: the articles wait in Redis)."""
    with serve_story_site() as url:
        result = CliRunner().invoke(
            cli,
            [
                "crawl", url, "--redis", redis_url, "--prefix", keys.prefix,
                "--processes", "2", "--max-idle", "1",
                "-s", "AUTOTHROTTLE_ENABLED=false", "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0",
                "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={per_site}",
            ],
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert sorted({p for _, p in StorySite.log if p in STORIES}) == sorted(STORIES)


@pytest.mark.e2e
def test_a_sites_concurrency_limit_holds_across_cluster_workers(redis_url: str, keys: Keys) -> None:
    StorySite.reset(busy=False)
    _crawl_story_site(redis_url, keys, per_site=2)
    assert StorySite.most == 2


@pytest.mark.e2e
def test_retry_after_pauses_every_cluster_worker(redis_url: str, keys: Keys) -> None:
    StorySite.reset(busy=True)
    _crawl_story_site(redis_url, keys, per_site=1)
    told = next(t for t, p in StorySite.log if p == STORIES[0])
    # Requests another worker had sent before the pause began may still arrive.
    pause = (told + 0.6, told + StorySite.retry_after - 0.2)
    meanwhile = [p for t, p in StorySite.log if pause[0] < t < pause[1]]
    assert meanwhile == [], meanwhile
