"""The archive over time: pages that change between two crawls of the demo site.

Run 1 archives the site. Then one article's body is edited and another's title changes; run 2
re-checks every article (`--recheck`): the edited pages give new versions with the right fields
and diffs, the unchanged pages answer 304 and add nothing. WARC files pass warcio's checker, and
a re-extraction after an extractor change updates exactly the affected rows.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from warcio.cli import main as warcio_cli

from newscrawl.cli.main import cli
from newscrawl.demo import DemoSite, serve_demo_site
from newscrawl.demo.data import Block
from newscrawl.extract.sites import SiteRule
from newscrawl.extract.sites.registry import register, unregister

pytestmark = pytest.mark.e2e

FAST = ["-s", "AUTOTHROTTLE_ENABLED=false", "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0"]
ADDED = "The council later corrected the figure to 41 million dollars."


@dataclass
class Runs:
    db: Path
    site: DemoSite
    edited: str
    retitled: str
    new_title: str
    outputs: list[str]
    second_run_requests: list[tuple[str, str, int]]

    def query(self, sql: str, *params: object) -> list[tuple]:
        conn = sqlite3.connect(self.db)
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    db = tmp_path_factory.mktemp("versions") / "news.db"
    site = DemoSite.load()
    with serve_demo_site(site) as server:
        args = ["crawl", *site.start_urls(), "--db", str(db), *FAST]
        first = CliRunner().invoke(cli, args)
        harbor = site.publishers["harbor"].articles
        edited, retitled = harbor[0], harbor[1]
        edited.blocks.append(Block("p", ADDED))
        new_title = retitled.title + " (updated)"
        retitled.title = new_title
        server.log.clear()
        second = CliRunner().invoke(cli, [*args, "--recheck"])
        requests = [(e.publisher, e.path, e.status) for e in server.log.entries()]
        yield Runs(
            db,
            site,
            site.article_url(edited),
            site.article_url(retitled),
            new_title,
            [first.output, second.output],
            requests,
        )


def test_both_runs_complete(runs: Runs) -> None:
    assert "Run 1 completed" in runs.outputs[0]
    assert "Run 2 completed" in runs.outputs[1]


def test_edited_body_gives_a_new_version_with_a_diff(runs: Runs) -> None:
    [(version, changed, diff, reason)] = runs.query(
        "SELECT version, changed, diff, reason FROM article_versions WHERE url = ? AND version > 1",
        runs.edited,
    )
    assert (version, json.loads(changed), reason) == (2, ["text"], "recheck")
    assert f"+{ADDED}" in diff
    [(text, current)] = runs.query("SELECT text, version FROM articles WHERE url = ?", runs.edited)
    assert ADDED in text and current == 2


def test_new_title_gives_a_new_version(runs: Runs) -> None:
    [(changed, diff)] = runs.query(
        "SELECT changed, diff FROM article_versions WHERE url = ? AND version = 2", runs.retitled
    )
    assert "title" in json.loads(changed)
    assert f"+# {runs.new_title}" in diff


def test_unchanged_pages_answer_304_and_add_no_version(runs: Runs) -> None:
    articles = {a["url"] for a in runs.site.expected_articles()}
    versions = runs.query("SELECT url, count(*) FROM article_versions GROUP BY url")
    assert {url for url, n in versions if n > 1} == {runs.edited, runs.retitled}
    # Pages whose bytes did not change answer 304; others (their related-links box shows the
    # new title) answer 200 with the same article and add no version either.
    not_modified = [r for r in runs.second_run_requests if r[2] == 304]
    assert len(not_modified) >= len(articles) // 2
    [(counters,)] = runs.query("SELECT counters FROM runs WHERE id = 2")
    assert json.loads(counters)["not_modified"] >= len(not_modified) - 4


def test_history_command_shows_versions_and_diff(runs: Runs) -> None:
    result = CliRunner().invoke(cli, ["history", runs.edited, "--db", str(runs.db)])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["version", "fetched_at", "reason", "changed", "title"]
    assert lines[2].split()[0] == "1" and lines[3].split()[0] == "2"
    assert "--- version 1 -> 2" in result.output
    assert f"+{ADDED}" in result.output


def test_every_warc_file_passes_warcio_check(runs: Runs) -> None:
    files = sorted(str(p) for p in (runs.db.parent / "warc").glob("*.warc.gz"))
    assert files
    assert warcio_main(["check", *files]) == 0


def test_each_article_points_to_its_capture(runs: Runs) -> None:
    rows = runs.query("SELECT url, warc_file, warc_offset, warc_length FROM articles")
    assert rows and all(f and o is not None and n for _, f, o, n in rows)


def test_warc_export_holds_the_filtered_captures(runs: Runs, tmp_path: Path) -> None:
    out = tmp_path / "harbor.warc.gz"
    result = CliRunner().invoke(
        cli,
        ["export", "--db", str(runs.db), "--format", "warc", "-o", str(out), "--query", "council"],
    )
    assert result.exit_code == 0, result.output
    assert warcio_main(["check", str(out)]) == 0
    manifest = json.loads(Path(str(out) + ".manifest.json").read_text())
    assert manifest["rows"] >= 1


def test_reextract_updates_exactly_the_affected_rows(runs: Runs) -> None:
    before = dict(runs.query("SELECT url, section FROM articles"))
    harbor = {
        url
        for (url,) in runs.query(
            "SELECT url FROM articles WHERE source = ?", _source_of(runs, "harbor")
        )
    }
    register(SiteRule(domain="127.0.0.1", fixed={"section": "Re-extracted"}))
    try:
        result = CliRunner().invoke(
            cli, ["reextract", "--db", str(runs.db), "--source", _source_of(runs, "harbor")]
        )
    finally:
        unregister("127.0.0.1")
    assert result.exit_code == 0, result.output
    assert f"Re-extracted {len(harbor)} articles: {len(harbor)} changed" in result.output
    after = dict(runs.query("SELECT url, section FROM articles"))
    assert {u for u in after if after[u] != before[u]} == harbor
    reextracted = runs.query("SELECT url FROM article_versions WHERE reason = 'reextract'")
    assert {url for (url,) in reextracted} == harbor


def warcio_main(args: list[str]) -> int:
    """Run `warcio` as its command line does and return its exit code."""
    try:
        code = warcio_cli(args)
    except SystemExit as exit_:
        code = exit_.code
    return int(code or 0)


def _source_of(runs: Runs, publisher: str) -> str:
    url = runs.site.url(publisher, "/")
    return url.split("//", 1)[1].rstrip("/")
