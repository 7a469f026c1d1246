"""One story under http:// and https:// (one port speaking both, a certificate the crawl trusts):
the archive holds it once (issue 6, the http/https URL variant)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from faultserver import (
    FaultServer,
    RequestLog,
    article_html,
    by_scheme,
    make_certificate,
    page,
    redirect,
    server_context,
    story_text,
)
from helpers import article_urls, last_run, run_crawl

pytestmark = pytest.mark.e2e

N = "/news/2025/09/02/"
#: No rel=canonical: the same page under both schemes.
PLAIN = N + "harbour-bridge-reopens"
#: rel=canonical names the https URL.
CANONICAL = N + "ferry-fares-frozen"
#: http answers 301 to https.
UPGRADED = N + "council-budget-passed"
STORIES = (PLAIN, CANONICAL, UPGRADED)


@dataclass
class Crawl:
    server: FaultServer
    db: Path
    returncode: int
    log: str

    def rows(self, path: str) -> list[str]:
        """Archived URLs of the story at `path`, under either scheme."""
        return [u for u in article_urls(self.db) if u.split("://", 1)[1].endswith(path)]

    @property
    def counters(self) -> dict[str, Any]:
        return dict(last_run(self.db)["counters"])


def twin_site(context: Any) -> FaultServer:
    """A site answering plain HTTP and TLS on one port, linking every story under both schemes."""
    server = FaultServer("twin", RequestLog(), tls=context, plain_too=True)
    r = server.routes
    r["/robots.txt"] = page("User-agent: *\nAllow: /\n", "text/plain")
    r[PLAIN] = page(article_html("Harbour bridge reopens", story_text("plain")))
    r[CANONICAL] = page(
        article_html(
            "Ferry fares frozen", story_text("canonical"), canonical=server.url(CANONICAL, "https")
        )
    )
    r[UPGRADED] = by_scheme(
        redirect(server.url(UPGRADED, "https"), 301),
        page(article_html("Council budget passed", story_text("upgraded"))),
    )
    links = [server.url(p, s) for p in STORIES for s in ("http", "https")]
    r["/"] = page(
        "<html><head><title>Twin Gazette</title></head><body><ul>"
        + "".join(f'<li><a href="{u}">Story {i}</a></li>' for i, u in enumerate(links))
        + "</ul></body></html>"
    )
    return server


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawl]:
    folder = tmp_path_factory.mktemp("twin")
    ca_pem, _key, ca = make_certificate("test CA")
    (folder / "ca.pem").write_bytes(ca_pem)
    cert, key, _ = make_certificate(ca=ca)
    server = twin_site(server_context(cert, key)).start()
    try:
        done = run_crawl(
            [server.url("/", "http")],
            folder / "news.db",
            env={"SSL_CERT_FILE": str(folder / "ca.pem")},
        )
    finally:
        server.stop()
    yield Crawl(server, folder / "news.db", done.returncode, done.stdout + done.stderr)


def test_the_crawl_completes(crawl: Crawl) -> None:
    assert crawl.returncode == 0, crawl.log[-3000:]
    assert last_run(crawl.db)["status"] == "completed"


def test_the_site_answered_over_both_schemes(crawl: Crawl) -> None:
    served = {(e.scheme, e.path) for e in crawl.server.log.entries()}
    assert {("http", PLAIN), ("https", PLAIN)} <= served, sorted(served)


def test_a_story_under_both_schemes_is_archived_once(crawl: Crawl) -> None:
    assert len(crawl.rows(PLAIN)) == 1, article_urls(crawl.db)


def test_a_canonical_link_to_https_gives_the_https_row(crawl: Crawl) -> None:
    assert crawl.rows(CANONICAL) == [crawl.server.url(CANONICAL, "https")]


def test_an_http_to_https_redirect_gives_one_https_row(crawl: Crawl) -> None:
    assert crawl.rows(UPGRADED) == [crawl.server.url(UPGRADED, "https")]


def test_nothing_else_is_archived(crawl: Crawl) -> None:
    assert len(article_urls(crawl.db)) == len(STORIES)


def test_the_second_copy_is_counted_as_a_duplicate(crawl: Crawl) -> None:
    assert crawl.counters["dropped_by_reason"].get("duplicate_content") == 1, crawl.counters
