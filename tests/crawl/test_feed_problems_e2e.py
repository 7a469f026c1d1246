"""A start URL that is a broken feed is counted and logged with its reason; the crawl goes on."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from routes_site import Routes, serve_routes

from newscrawl.cli.main import cli

pytestmark = pytest.mark.e2e

FAST = ["-s", "AUTOTHROTTLE_ENABLED=false", "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0"]


def test_an_unreadable_feed_is_counted_with_its_reason(tmp_path: Path) -> None:
    routes = Routes({"/feed.xml": ("application/rss+xml", "<rss><channel><item><<<oops")})
    with serve_routes(routes) as site:
        result = CliRunner().invoke(
            cli,
            ["crawl", site.url("/feed.xml"), "--db", str(tmp_path / "news.db"),
             "--processes", "1", "--json", *FAST],
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "feed_unreadable" in result.output
