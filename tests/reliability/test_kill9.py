"""kill -9 a crawl at random moments and resume, a few rounds: no article lost or doubled."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from faultserver import RequestLog, news_site
from killresume import kill_rounds

pytestmark = pytest.mark.e2e

ARTICLES = 40


def test_kill_9_and_resume_loses_and_doubles_nothing(tmp_path: Path) -> None:
    server = news_site(RequestLog(), ARTICLES, delay=0.15).start()
    try:
        expected = {server.url(f"/news/2025/09/03/story-{i}") for i in range(ARTICLES)}
        report = kill_rounds(
            server, tmp_path / "news.db", expected, 3, random.Random(6), after_fetches=(1, 8)
        )
    finally:
        server.stop()
    assert report.killed >= 2, report
    assert (report.lost, report.duplicated) == (0, 0), report
    assert (report.integrity, report.fts_ok) == ("ok", True)
    assert report.stuck == 0
