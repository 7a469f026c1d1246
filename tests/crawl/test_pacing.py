"""Per-site limits shared by the worker processes of a crawl."""

from __future__ import annotations

from pathlib import Path

from newscrawl.archive import Archive
from newscrawl.pacing import HostPacing
from newscrawl.runner import crawl_settings, share_site_limits


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


def test_each_process_takes_its_share_of_the_per_site_limits() -> None:
    settings = crawl_settings({"DOWNLOAD_DELAY": 0.5, "CONCURRENT_REQUESTS_PER_DOMAIN": 5})
    share_site_limits(settings, 2)
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 3
    assert settings.getfloat("DOWNLOAD_DELAY") == 1.0
    assert settings.getfloat("AUTOTHROTTLE_TARGET_CONCURRENCY") == 1.0


def test_one_process_keeps_the_limits_as_set() -> None:
    settings = crawl_settings({"CONCURRENT_REQUESTS_PER_DOMAIN": 5})
    share_site_limits(settings, 1)
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 5
