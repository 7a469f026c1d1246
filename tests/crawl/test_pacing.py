"""Request pacing shared by the worker processes of a crawl."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from newscrawl.archive import Archive
from newscrawl.pacing import MAX_OPEN, HostState


def test_two_workers_take_turns_at_a_host_a_delay_apart(tmp_path: Path) -> None:
    db = str(tmp_path / "news.db")
    first, second = HostState(db), HostState(db)
    assert first.reserve("news.example", 2.0, now=100.0) == 100.0
    assert second.reserve("news.example", 2.0, now=100.5) == 102.0
    assert first.reserve("news.example", 2.0, now=101.0) == 104.0
    assert second.reserve("other.example", 2.0, now=101.0) == 101.0


def test_a_turn_after_a_long_pause_starts_at_once(tmp_path: Path) -> None:
    pacing = HostState(str(tmp_path / "news.db"))
    pacing.reserve("news.example", 1.0, now=100.0)
    assert pacing.reserve("news.example", 1.0, now=500.0) == 500.0


def test_autothrottles_delay_is_kept_across_processes_only_when_there_are_several() -> None:
    from types import SimpleNamespace

    from scrapy.http import Request
    from scrapy.utils.test import get_crawler

    from newscrawl.middlewares.crawldelay import CrawlDelayMiddleware

    request = Request("http://127.0.0.1:1/a")

    def delay(workers: int, autothrottle: bool) -> float:
        settings = {"NEWSCRAWL_WORKERS": workers, "AUTOTHROTTLE_ENABLED": autothrottle}
        crawler = get_crawler(settings_dict=settings)
        slots = {"127.0.0.1": SimpleNamespace(delay=0.75)}
        downloader = SimpleNamespace(slots=slots, get_slot_key=lambda r: "127.0.0.1")
        crawler.engine = SimpleNamespace(downloader=downloader)
        middleware = CrawlDelayMiddleware.from_crawler(crawler)
        return middleware.delay_for(request, shared=workers > 1)

    assert delay(2, autothrottle=True) == 0.75
    assert delay(2, autothrottle=False) == 0.0
    assert delay(1, autothrottle=True) == 0.0


def _reserve_turns(db: str, count: int, queue: Any) -> None:
    pacing = HostState(db)
    queue.put([pacing.reserve("news.example", 1.0, now=100.0) for _ in range(count)])


def test_processes_reserving_at_once_never_share_a_turn(tmp_path: Path) -> None:
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    db = str(tmp_path / "news.db")
    workers = [context.Process(target=_reserve_turns, args=(db, 200, queue)) for _ in range(3)]
    for worker in workers:
        worker.start()
    turns = sorted(t for _ in workers for t in queue.get(timeout=60))
    for worker in workers:
        worker.join(timeout=60)
    assert turns == [100.0 + n for n in range(600)]


def test_state_files_stay_open_only_up_to_a_bound(tmp_path: Path) -> None:
    pacing = HostState(str(tmp_path / "news.db"))
    for n in range(MAX_OPEN + 50):
        pacing.reserve(f"host{n}.example", 1.0, now=100.0)
    assert len(pacing._open) == MAX_OPEN
    # A host whose file was closed keeps its state.
    assert pacing.reserve("host0.example", 1.0, now=100.0) == 101.0
    pacing.close()


def test_download_delay_is_kept_across_processes_only_when_there_are_several() -> None:
    from scrapy.utils.test import get_crawler

    from newscrawl.middlewares.crawldelay import CrawlDelayMiddleware

    def middleware(workers: int) -> CrawlDelayMiddleware:
        settings = {"DOWNLOAD_DELAY": 0.5, "NEWSCRAWL_WORKERS": workers}
        return CrawlDelayMiddleware.from_crawler(get_crawler(settings_dict=settings))

    assert middleware(2).shared_delay == 0.5
    assert middleware(1).shared_delay == 0.0


def test_a_pause_one_worker_was_asked_for_is_seen_by_the_others(tmp_path: Path) -> None:
    db = str(tmp_path / "news.db")
    one, two = HostState(db), HostState(db)
    one.pause("https://news.example", until=130.0, sit_out=True)
    one.pause("https://news.example", until=110.0, sit_out=False)
    assert two.paused("https://news.example", now=100.0) == (130.0, True)
    assert two.paused("https://news.example", now=131.0) is None
    assert two.paused("https://other.example", now=100.0) is None


def _retry_after_middleware(path: Path, workers: int) -> Any:
    from types import SimpleNamespace

    from scrapy import Spider
    from scrapy.utils.test import get_crawler

    from newscrawl.middlewares.retryafter import RetryAfterMiddleware

    crawler = get_crawler(Spider, settings_dict={"NEWSCRAWL_WORKERS": workers})
    crawler.spider = crawler._create_spider("unit")
    crawler.spider.session = SimpleNamespace(archive=Archive.open(path))
    return RetryAfterMiddleware.from_crawler(crawler)


def test_a_host_another_worker_was_told_to_leave_is_refused(tmp_path: Path) -> None:
    import asyncio

    from scrapy.http import Request, Response

    from newscrawl.middlewares.guard import BlockedRequest

    path = tmp_path / "news.db"
    Archive.open(path, create=True).close()
    told, other = _retry_after_middleware(path, 2), _retry_after_middleware(path, 2)
    request = Request("http://127.0.0.1:1/a")
    busy = Response(request.url, status=503, headers={"Retry-After": "3600"}, request=request)
    assert told.process_response(request, busy) is busy
    with pytest.raises(BlockedRequest) as refused:
        asyncio.run(other.process_request(Request("http://127.0.0.1:1/b")))
    assert refused.value.reason == "backoff"
    assert asyncio.run(other.process_request(Request("http://127.0.0.1:2/b"))) is None


def test_a_single_process_keeps_its_pauses_to_itself(tmp_path: Path) -> None:
    from scrapy.http import Request, Response

    path = tmp_path / "news.db"
    Archive.open(path, create=True).close()
    told = _retry_after_middleware(path, 1)
    request = Request("http://127.0.0.1:1/a")
    busy = Response(request.url, status=429, headers={"Retry-After": "5"}, request=request)
    told.process_response(request, busy)
    assert HostState(str(path)).paused("http://127.0.0.1:1", now=0.0) is None


def test_a_sites_slots_are_shared_by_the_processes(tmp_path: Path) -> None:
    db = str(tmp_path / "news.db")
    one, two = HostState(db), HostState(db)
    taken = [one.take_slot("news.example", 2), one.take_slot("news.example", 2)]
    assert sorted(s for s in taken if s) == [("news.example", 0), ("news.example", 1)]
    assert two.take_slot("news.example", 2) is None
    assert two.take_slot("other.example", 2) == ("other.example", 0)
    one.give_slot(("news.example", 1))
    assert two.take_slot("news.example", 2) == ("news.example", 1)


def _take_slot_and_exit(db: str) -> None:
    assert HostState(db).take_slot("news.example", 1) is not None
    os._exit(0)  # no clean-up: as if the process had crashed


def test_a_process_that_dies_frees_its_slots(tmp_path: Path) -> None:
    import multiprocessing

    db = str(tmp_path / "news.db")
    worker = multiprocessing.get_context("spawn").Process(target=_take_slot_and_exit, args=(db,))
    worker.start()
    worker.join(timeout=60)
    assert worker.exitcode == 0
    assert HostState(db).take_slot("news.example", 1) == ("news.example", 0)
