"""Request pacing shared by the worker processes of a crawl."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from newscrawl.archive import Archive
from newscrawl.pacing import HostBackoff, HostPacing


def test_two_workers_take_turns_at_a_host_a_delay_apart(tmp_path: Path) -> None:
    path = tmp_path / "news.db"
    with Archive.open(path, create=True) as one, Archive.open(path) as two:
        first, second = HostPacing(one), HostPacing(two)
        assert first.reserve("news.example", 2.0, now=100.0) == 100.0
        assert second.reserve("news.example", 2.0, now=100.5) == 102.0
        assert first.reserve("news.example", 2.0, now=101.0) == 104.0
        assert second.reserve("other.example", 2.0, now=101.0) == 101.0


def test_a_turn_after_a_long_pause_starts_at_once(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "news.db", create=True) as archive:
        pacing = HostPacing(archive)
        pacing.reserve("news.example", 1.0, now=100.0)
        assert pacing.reserve("news.example", 1.0, now=500.0) == 500.0


def test_download_delay_is_kept_across_processes_only_when_there_are_several() -> None:
    from scrapy.utils.test import get_crawler

    from newscrawl.middlewares.crawldelay import CrawlDelayMiddleware

    def middleware(workers: int) -> CrawlDelayMiddleware:
        settings = {"DOWNLOAD_DELAY": 0.5, "NEWSCRAWL_WORKERS": workers}
        return CrawlDelayMiddleware.from_crawler(get_crawler(settings_dict=settings))

    assert middleware(2).shared_delay == 0.5
    assert middleware(1).shared_delay == 0.0


def test_a_pause_one_worker_was_asked_for_is_seen_by_the_others(tmp_path: Path) -> None:
    path = tmp_path / "news.db"
    with Archive.open(path, create=True) as one, Archive.open(path) as two:
        HostBackoff(one).record("https://news.example", until=130.0, sit_out=True)
        HostBackoff(one).record("https://news.example", until=110.0, sit_out=False)
        assert HostBackoff(two).active(now=100.0) == {"https://news.example": (130.0, True)}
        assert HostBackoff(two).active(now=131.0) == {}


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
    with Archive.open(path) as archive:
        assert HostBackoff(archive).active(now=0.0) == {}
