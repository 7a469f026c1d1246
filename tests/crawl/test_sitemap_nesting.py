"""A chain of sitemap indexes (each listing the next) is followed a few levels, then counted as
a failure: the crawl ends instead of requesting index after index for ever."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from routes_site import Routes, serve_routes

from newscrawl.cli.main import cli
from newscrawl.spiders.news import MAX_SITEMAP_NESTING

pytestmark = pytest.mark.e2e

FAST = ["-s", "AUTOTHROTTLE_ENABLED=false", "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0"]
INDEX = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    "<sitemap><loc>{{host}}/sitemap.xml?x={next}</loc></sitemap></sitemapindex>"
)


def test_a_chain_of_sitemap_indexes_is_cut_and_counted(tmp_path: Path) -> None:
    routes = Routes({"/sitemap.xml": ("application/xml", INDEX.format(next=1))})
    for n in range(1, 50):
        routes.pages[f"/sitemap.xml?x={n}"] = ("application/xml", INDEX.format(next=n + 1))
    with serve_routes(routes) as site:
        result = CliRunner().invoke(
            cli,
            [
                "crawl", site.url("/sitemap.xml"), "--db", str(tmp_path / "news.db"),
                "--processes", "1", "--json", *FAST,
            ],
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    indexes = [path for path in routes.requests if path.startswith("/sitemap.xml")]
    assert len(indexes) == MAX_SITEMAP_NESTING + 1
    assert "sitemap_nesting" in result.output
