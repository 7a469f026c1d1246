"""The re-check policy and the frontier's change triggers (sitemap lastmod, news watermark)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from newscrawl.archive import Archive
from newscrawl.frontier import Discovered, Frontier, mark_done
from newscrawl.recheck import next_check, parse_schedule

NOW = datetime(2025, 9, 2, 12, 0, tzinfo=timezone.utc)


def test_schedule_parses_and_sorts() -> None:
    assert parse_schedule("6h, 1h,2d") == [
        timedelta(hours=1),
        timedelta(hours=6),
        timedelta(days=2),
    ]
    assert parse_schedule("") == []


def test_bad_schedule_is_refused() -> None:
    with pytest.raises(ValueError, match="bad re-check interval"):
        parse_schedule("soon")


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        ("2025-09-02T11:30:00Z", "2025-09-02T12:30:00Z"),  # 30 min old: the 1 h check
        ("2025-09-02T08:00:00Z", "2025-09-02T14:00:00Z"),  # 4 h old: the 6 h check
        ("2025-08-31T12:30:00Z", "2025-09-03T12:30:00Z"),  # 47.5 h old: the 72 h check
        ("2025-08-20T00:00:00Z", None),  # old news: never again
    ],
)
def test_next_check_follows_the_decaying_schedule(published: str, expected: str | None) -> None:
    schedule = parse_schedule("1h,6h,24h,72h")
    assert next_check(published, None, NOW, schedule) == expected


def _run(path: Path) -> Frontier:
    archive = Archive.open(path)
    return Frontier(archive, archive.start_run("crawl"))


def test_sitemap_lastmod_after_our_fetch_requeues_the_article(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    first = _run(path)
    first.discover([Discovered("https://x.example/a", "x", lastmod="2025-09-01T00:00:00Z")])
    first.claim(10)
    with first.archive.transaction() as conn:
        mark_done(conn, ["https://x.example/a"], "x")
    first.archive.finish_run(first.run_id, "completed")
    second = _run(path)
    second.discover([Discovered("https://x.example/a", "x", lastmod="2025-09-01T00:00:00Z")])
    assert second.claim(10) == []
    third = _run(path)
    third.discover([Discovered("https://x.example/a", "x", lastmod="2999-01-01T00:00:00Z")])
    [claimed] = third.claim(10)
    assert claimed.meta.get("recheck") == 1


def test_news_watermark_is_kept_per_sitemap(tmp_path: Path) -> None:
    frontier = _run(tmp_path / "a.db")
    frontier.set_validators("https://x.example/news.xml", "x", "sitemap", None, None)
    assert frontier.watermark("https://x.example/news.xml") is None
    frontier.set_watermark(["https://x.example/news.xml"], "2025-09-02T10:00:00Z")
    assert frontier.watermark("https://x.example/news.xml") == "2025-09-02T10:00:00Z"
