"""Near-duplicates through the dedupe and archive pipelines: found within a batch (signatures
not written yet), across runs (stored signatures), and written with their articles."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from scrapy.utils.test import get_crawler

from newscrawl.archive import Archive
from newscrawl.archive import signatures as sig
from newscrawl.frontier import Frontier
from newscrawl.items import Article
from newscrawl.pipelines.archive import ArchivePipeline
from newscrawl.pipelines.dedupe import DedupePipeline


@dataclass
class Session:
    archive: Archive
    frontier: Frontier


def _crawler(path: Path, **settings: Any) -> Any:
    archive = Archive.open(path)
    session = Session(archive, Frontier(archive, archive.start_run("crawl")))
    crawler = get_crawler(settings_dict=settings)
    crawler.stats.open_spider()
    crawler.spider = SimpleNamespace(session=session)  # type: ignore[assignment]
    return crawler


def _story(seed: int, words: int = 300) -> str:
    rng = random.Random(seed)
    return " ".join(f"w{rng.randrange(5000)}" for _ in range(words))


def _copy_of(text: str) -> str:
    words = text.split()
    words[10] = words[200] = "edited"
    return " ".join(words)


def _article(url: str, text: str) -> Article:
    return Article(url=url, title=url.rsplit("/", 1)[-1], text=text, source="x")


def _stored(crawler: Any) -> set[str]:
    conn = crawler.spider.session.archive.conn
    return {r[0] for r in conn.execute("SELECT url FROM article_signatures")}


def test_a_near_duplicate_in_the_same_batch_is_marked(tmp_path: Path) -> None:
    crawler = _crawler(tmp_path / "a.db", NEWSCRAWL_BATCH_SIZE=50)
    dedupe, archive = DedupePipeline.from_crawler(crawler), ArchivePipeline.from_crawler(crawler)
    story = _story(1)
    for item in (
        _article("https://x.example/original", story),
        _article("https://x.example/unrelated", _story(2)),
        _article("https://x.example/copy", _copy_of(story)),
    ):
        archive.process_item(dedupe.process_item(item))
    assert _stored(crawler) == set()  # not written yet: the batch is not full
    archive.flush()
    rows = dict(
        crawler.spider.session.archive.conn.execute("SELECT url, duplicate_of FROM articles")
    )
    assert rows == {
        "https://x.example/original": None,
        "https://x.example/unrelated": None,
        "https://x.example/copy": "https://x.example/original",
    }
    assert crawler.stats.get_value("newscrawl/near_duplicates") == 1
    # The signatures landed with their articles, and nothing is left pending.
    assert _stored(crawler) == set(rows)
    assert len(sig.pending_for(crawler)) == 0


def test_a_near_duplicate_of_an_article_of_an_earlier_run_is_marked(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    story = _story(3)
    first = _crawler(path, NEWSCRAWL_BATCH_SIZE=1)
    dedupe, archive = DedupePipeline.from_crawler(first), ArchivePipeline.from_crawler(first)
    archive.process_item(dedupe.process_item(_article("https://x.example/original", story)))
    assert _stored(first) == {"https://x.example/original"}

    later = _crawler(path)
    item = DedupePipeline.from_crawler(later).process_item(
        _article("https://y.example/copy", _copy_of(story))
    )
    assert item.duplicate_of == "https://x.example/original"


def test_signatures_no_archive_batch_took_are_written_at_close(tmp_path: Path) -> None:
    crawler = _crawler(tmp_path / "a.db")
    dedupe = DedupePipeline.from_crawler(crawler)
    dedupe.process_item(_article("https://x.example/a", _story(4)))
    assert _stored(crawler) == set()
    dedupe.close_spider()
    assert _stored(crawler) == {"https://x.example/a"}
    assert len(sig.pending_for(crawler)) == 0


def test_an_idle_crawl_writes_its_last_batch_at_once(tmp_path: Path) -> None:
    """Other workers of the run wait for these URLs to be done: the batch is not left for later."""
    from scrapy import signals

    crawler = _crawler(tmp_path / "a.db", NEWSCRAWL_BATCH_SIZE=50, NEWSCRAWL_BATCH_SECONDS=60)
    archive = ArchivePipeline.from_crawler(crawler)
    archive.process_item(_article("https://x.example/a", _story(5)))
    conn = crawler.spider.session.archive.conn
    assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 0
    crawler.signals.send_catch_log(signals.spider_idle, spider=crawler.spider)
    assert [r[0] for r in conn.execute("SELECT url FROM articles")] == ["https://x.example/a"]
