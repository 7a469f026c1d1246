"""Request pacing shared by the worker processes of a crawl."""

from __future__ import annotations

from pathlib import Path

from newscrawl.archive import Archive
from newscrawl.pacing import HostPacing


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
