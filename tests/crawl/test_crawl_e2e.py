"""End to end: crawl the multi-publisher demo site on 127.0.0.1 twice with `newscrawl crawl`.

The site has feeds, sitemaps (an index, a Google News sitemap), pagination, AMP variants, tracking
parameters, a redirect, a robots-forbidden folder, windows-1252 and Shift_JIS pages, a syndicated
copy and non-article pages; the seed article from ../shared/seed is one of its articles.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from newscrawl.cli.main import cli
from newscrawl.demo import DemoServer, DemoSite, serve_demo_site
from newscrawl.demo.data import seed_article

pytestmark = pytest.mark.e2e

SEED_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "seed"
FAST = ["-s", "AUTOTHROTTLE_ENABLED=false", "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0"]


@dataclass
class CrawlResult:
    site: DemoSite
    server: DemoServer
    db: Path
    first_output: str
    second_output: str
    first_paths: list[tuple[str, str]]
    second_paths: list[tuple[str, str]]
    exit_codes: tuple[int, int]

    def rows(self) -> dict[str, dict[str, Any]]:
        conn = sqlite3.connect(self.db)
        conn.row_factory = sqlite3.Row
        try:
            return {r["url"]: dict(r) for r in conn.execute("SELECT * FROM articles")}
        finally:
            conn.close()


def _seed_articles() -> list[dict[str, Any]]:
    files = sorted(SEED_DIR.glob("*.txt"))
    assert files, f"seed article missing in {SEED_DIR}"
    return [
        seed_article(
            files[0],
            publisher="harbor",
            authors=["Min-ji Kang"],
            published="2025-09-02T07:30:00+09:00",
            section="World",
            slug="kim-missile-drill-beijing-parade",
        )
    ]


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CrawlResult]:
    db = tmp_path_factory.mktemp("e2e") / "news.db"
    site = DemoSite.load(extra_articles=_seed_articles())
    with serve_demo_site(site) as server:
        runner = CliRunner()
        args = ["crawl", *site.start_urls(), "--db", str(db), *FAST]
        first = runner.invoke(cli, args)
        first_paths = [(e.publisher, e.path) for e in server.log.entries()]
        server.log.clear()
        second = runner.invoke(cli, args)
        second_paths = [(e.publisher, e.path) for e in server.log.entries()]
        yield CrawlResult(
            site,
            server,
            db,
            first.output,
            second.output,
            first_paths,
            second_paths,
            (first.exit_code, second.exit_code),
        )


def test_both_runs_exit_zero(crawl: CrawlResult) -> None:
    assert crawl.exit_codes == (0, 0), crawl.first_output + crawl.second_output


def test_every_article_is_archived_exactly_once(crawl: CrawlResult) -> None:
    expected = {a["url"] for a in crawl.site.expected_articles()}
    copies = crawl.site.syndicated_copies()
    assert copies, "the demo site should have a syndicated copy"
    assert set(crawl.rows()) == expected | set(copies)


def test_syndicated_copy_points_to_the_original(crawl: CrawlResult) -> None:
    rows = crawl.rows()
    for copy, original in crawl.site.syndicated_copies().items():
        assert rows[copy]["duplicate_of"] == original
        assert rows[original]["duplicate_of"] is None


def test_no_non_article_page_is_archived(crawl: CrawlResult) -> None:
    assert not set(crawl.rows()) & set(crawl.site.non_article_urls())


def test_robots_forbidden_folder_is_never_fetched(crawl: CrawlResult) -> None:
    fetched = [p for _, p in crawl.first_paths + crawl.second_paths]
    assert crawl.site.forbidden_urls(), "the demo site should link a forbidden page"
    assert [p for p in fetched if crawl.site.is_forbidden(p)] == []


@pytest.mark.parametrize("field", ["title", "published", "language"])
def test_fields_match_the_truth(crawl: CrawlResult, field: str) -> None:
    rows = crawl.rows()
    wrong = {
        a["url"]: (rows[a["url"]][field], a[field])
        for a in crawl.site.expected_articles()
        if a["url"] in rows and rows[a["url"]][field] != a[field]
    }
    assert wrong == {}


def test_authors_match_the_truth(crawl: CrawlResult) -> None:
    rows = crawl.rows()
    wrong = {
        a["url"]: (json.loads(rows[a["url"]]["authors"]), a["authors"])
        for a in crawl.site.expected_articles()
        if a["url"] in rows and json.loads(rows[a["url"]]["authors"]) != a["authors"]
    }
    assert wrong == {}


def test_body_has_every_paragraph_and_no_boilerplate(crawl: CrawlResult) -> None:
    rows = crawl.rows()
    for article in crawl.site.expected_articles():
        text = rows[article["url"]]["text"]
        for paragraph in article["text"]:
            assert paragraph[:80] in text, (article["url"], paragraph[:80])
        for boilerplate in ("Sign up", "newsletter", "Share on", "Related"):
            assert boilerplate not in text, (article["url"], boilerplate)


def test_non_utf8_pages_decode_without_mojibake(crawl: CrawlResult) -> None:
    rows = crawl.rows()
    legacy = [a for a in crawl.site.expected_articles() if a["encoding"] not in ("utf-8", "utf8")]
    assert {a["encoding"] for a in legacy} >= {"shift_jis", "windows-1252"}
    for article in legacy:
        assert rows[article["url"]]["title"] == article["title"]
        assert "Ã" not in rows[article["url"]]["text"]


def test_second_run_fetches_no_article_again(crawl: CrawlResult) -> None:
    article_paths = {
        (a["publisher_key"], urlsplit(a["url"]).path) for a in crawl.site.expected_articles()
    }
    assert not article_paths & set(crawl.second_paths)
    assert "Nothing new" in crawl.second_output


def test_run_summary_is_printed_and_stored(crawl: CrawlResult) -> None:
    assert "Run 1 completed" in crawl.first_output
    conn = sqlite3.connect(crawl.db)
    runs = conn.execute("SELECT status, articles_new FROM runs ORDER BY id").fetchall()
    conn.close()
    archived = len(crawl.site.expected_articles()) + len(crawl.site.syndicated_copies())
    assert runs == [("completed", archived), ("completed", 0)]


def test_search_finds_the_seed_article_first(crawl: CrawlResult) -> None:
    result = CliRunner().invoke(
        cli, ["search", "Kim Jong Un Beijing", "--db", str(crawl.db), "--json"]
    )
    first = json.loads(result.output.splitlines()[0])
    assert first["title"].startswith("North Korea’s Kim Jong Un Reviews Missiles")
