"""A crawl that archives nothing says why: here, every link was excluded by the source."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from routes_site import Routes, serve_routes

from newscrawl.cli.crawl import no_articles_hint
from newscrawl.cli.main import cli

pytestmark = pytest.mark.e2e

FAST = ["-s", "AUTOTHROTTLE_ENABLED=false", "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0"]
HOME = "".join(f'<p><a href="/stories/story-{n}">Story {n}</a></p>' for n in range(5))


def test_links_all_excluded_by_the_source_are_the_hint(tmp_path: Path) -> None:
    routes = Routes({"/": ("text/html", f"<html><body>{HOME}</body></html>")})
    with serve_routes(routes) as site:
        sources = tmp_path / "sources.toml"
        sources.write_text(
            f'[[sources]]\nname = "gazette"\nstart_urls = ["{site.url("/")}"]\nallow = ["/news/"]\n'
        )
        result = CliRunner().invoke(
            cli,
            ["crawl", "--sources", str(sources), "--db", str(tmp_path / "news.db"),
             "--processes", "1", *FAST],
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (
        "No articles archived: all 5 links found lead to other sites or are excluded by the "
        "source's allow/deny patterns"
    ) in result.output


def test_no_links_at_all_is_told_apart() -> None:
    hint = no_articles_hint({"fetched": 1, "discovered": 0})
    assert hint == "no links, feed entries or sitemap entries were found on the start URLs"
