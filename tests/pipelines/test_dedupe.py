"""The dedupe pipeline against a real archive and frontier."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from newscrawl.archive import Archive
from newscrawl.frontier import Discovered, Frontier
from newscrawl.items import Article
from newscrawl.pipelines.dedupe import DedupePipeline

BODY = " ".join(["Fog kept the first two ferries of the day tied up at the pier."] * 8)


@dataclass
class Session:
    archive: Archive
    frontier: Frontier


def _crawler(path: Path) -> tuple[object, Session]:
    archive = Archive.open(path)
    session = Session(archive, Frontier(archive, archive.start_run("crawl")))
    crawler = get_crawler()
    crawler.stats.open_spider()
    crawler.spider = SimpleNamespace(session=session)  # type: ignore[assignment]
    return crawler, session


def test_a_redirected_hub_url_dropped_as_duplicate_is_not_fetched_next_run(
    tmp_path: Path,
) -> None:
    # /news/fog (shaped like a section page) redirects to an article archived earlier in the run.
    path = tmp_path / "news.db"
    crawler, session = _crawler(path)
    old = "https://x.example/news/fog"
    session.frontier.discover([Discovered(old, "x", kind="hub")])
    session.frontier.claim(10)
    pipeline = DedupePipeline.from_crawler(crawler)
    article = "https://x.example/2025/09/03/fog-delays"
    pipeline.process_item(Article(url=article, title="Fog", text=BODY, source="x"))
    with pytest.raises(DropItem, match="duplicate_url"):
        pipeline.process_item(
            Article(url=article, title="Fog", text=BODY, source="x", requested_url=old)
        )
    session.frontier.flush()
    session.archive.finish_run(session.frontier.run_id, "completed")
    assert crawler.stats.get_value("newscrawl/dropped/duplicate_url") == 1

    _, later = _crawler(path)
    later.frontier.discover([Discovered(old, "x", kind="hub")])
    assert later.frontier.claim(10) == []
