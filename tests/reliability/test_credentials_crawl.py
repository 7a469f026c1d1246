"""Credentials and cookies never cross origins, checked on what the servers of a real crawl
received (issue 6). Origins: A and B on 127.0.0.1 (two ports), C on 127.0.0.2."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from faultserver import FaultServer, Received, RequestLog, article_html, page, redirect, story_text
from helpers import article_urls, connect, run_crawl

pytestmark = pytest.mark.e2e

N = "/news/2025/09/02/"
SECRET = "s3cret-session"
BASIC = "Basic YWxpY2U6cHc="  # alice:pw
ONE = {"NEWSCRAWL_PROCESSES": 1, "RETRY_TIMES": 0}


@dataclass
class Sites:
    """A links to its own story and to redirects leaving for B and C; every request is logged."""

    log: RequestLog
    a: FaultServer
    b: FaultServer
    c: FaultServer

    def received(self, server: str, path: str | None = None) -> list[Received]:
        entries = self.log.entries(server)
        assert entries, f"{server} received nothing"
        return [e for e in entries if path is None or e.path == path]


def _robots(server: FaultServer) -> None:
    server.routes["/robots.txt"] = page("User-agent: *\nAllow: /\n", "text/plain")


def _story(server: FaultServer, path: str, seed: str) -> None:
    server.routes[path] = page(article_html(f"Story {seed}", story_text(seed + str(server.port))))


def _sites() -> Sites:
    log = RequestLog()
    a, b = FaultServer("a", log), FaultServer("b", log)
    c = FaultServer("c", log, host="127.0.0.2")
    for server in (a, b, c):
        _robots(server)
    _story(a, N + "home", "home")
    _story(b, N + "landed", "landed")
    _story(b, N + "landed-chain", "chain")
    _story(b, N + "landed-userinfo", "userinfo")
    _story(c, N + "landed", "landed")
    # One hop to B; two hops (A -> B -> B); a Location carrying user:pass@; one hop to C.
    a.routes[N + "to-b"] = redirect(b.url(N + "landed"))
    a.routes[N + "to-b-chain"] = redirect(b.url("/hop"))
    b.routes["/hop"] = redirect(N + "landed-chain")
    a.routes[N + "to-b-userinfo"] = redirect(
        b.url(N + "landed-userinfo").replace("http://", "http://alice:pw@")
    )
    a.routes[N + "to-c"] = redirect(c.url(N + "landed"))
    links = [N + p for p in ("home", "to-b", "to-b-chain", "to-b-userinfo", "to-c")]
    a.routes["/"] = page(
        "<html><body>" + "".join(f'<a href="{u}">{u}</a> ' for u in links) + "</body></html>",
        Set_Cookie=f"session={SECRET}; Path=/",
    )
    c.routes["/"] = page("<html><body>C</body></html>")
    return Sites(log, a, b, c)


@dataclass
class Crawl:
    sites: Sites
    db: Path


def _crawl(folder: Path, settings: dict[str, Any]) -> Crawl:
    sites = _sites()
    servers = (sites.a, sites.b, sites.c)
    for server in servers:
        server.start()
    try:
        # C is a start URL too, so the private-address guard lets the crawl reach 127.0.0.2.
        done = run_crawl(
            [sites.a.url("/"), sites.c.url("/")], folder / "news.db", {**ONE, **settings}
        )
    finally:
        for server in servers:
            server.stop()
    assert done.returncode == 0, done.stderr[-3000:]
    return Crawl(sites, folder / "news.db")


@pytest.fixture(scope="module")
def defaults(tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    return _crawl(tmp_path_factory.mktemp("defaults"), {})


@pytest.fixture(scope="module")
def httpauth(tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    # HTTPAUTH_DOMAIN = null: Scrapy adds the credentials to every request, redirects included.
    settings = {"HTTPAUTH_USER": "alice", "HTTPAUTH_PASS": "pw", "HTTPAUTH_DOMAIN": "null"}
    return _crawl(tmp_path_factory.mktemp("httpauth"), settings)


@pytest.fixture(scope="module")
def headers(tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    value = json.dumps({"Authorization": "Bearer t0ken", "Cookie": f"session={SECRET}"})
    return _crawl(tmp_path_factory.mktemp("headers"), {"DEFAULT_REQUEST_HEADERS": value})


@pytest.fixture(scope="module")
def cookies(tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    return _crawl(tmp_path_factory.mktemp("cookies"), {"COOKIES_ENABLED": "true"})


def _with(entries: list[Received], header: str) -> list[str]:
    return [f"{e.server} {e.path}" for e in entries if header in e.headers]


# -- cookies ------------------------------------------------------------------------------------


def test_by_default_a_set_cookie_is_never_sent_back(defaults: Crawl) -> None:
    assert defaults.sites.received("a", N + "home")  # A was asked again after setting it
    assert _with(defaults.sites.log.entries(), "cookie") == []


def test_an_enabled_cookie_jar_returns_the_cookie_to_its_host(cookies: Crawl) -> None:
    (home,) = cookies.sites.received("a", N + "home")
    assert home.headers.get("cookie") == f"session={SECRET}"


def test_an_enabled_cookie_jar_never_sends_the_cookie_to_another_host(cookies: Crawl) -> None:
    assert cookies.sites.received("c", N + "landed")  # reached through A's redirect
    assert _with(cookies.sites.received("c"), "cookie") == []


# -- Authorization --------------------------------------------------------------------------------


def test_http_auth_credentials_reach_the_origin_they_are_for(httpauth: Crawl) -> None:
    (home,) = httpauth.sites.received("a", N + "home")
    assert home.headers.get("authorization") == BASIC


def test_http_auth_credentials_do_not_follow_a_redirect_to_another_origin(
    httpauth: Crawl,
) -> None:
    (landed,) = httpauth.sites.received("b", N + "landed")
    assert "authorization" not in landed.headers


def test_http_auth_credentials_stay_off_a_redirect_chain_that_left_their_origin(
    httpauth: Crawl,
) -> None:
    hops = httpauth.sites.received("b", "/hop") + httpauth.sites.received("b", N + "landed-chain")
    assert len(hops) == 2
    assert _with(hops, "authorization") == []


def test_http_auth_credentials_do_not_follow_a_redirect_to_another_host(httpauth: Crawl) -> None:
    (landed,) = httpauth.sites.received("c", N + "landed")
    assert "authorization" not in landed.headers


def test_configured_credential_headers_do_not_follow_a_redirect_to_another_origin(
    headers: Crawl,
) -> None:
    (landed,) = headers.sites.received("b", N + "landed")
    assert "authorization" not in landed.headers
    assert "cookie" not in landed.headers


def test_configured_credential_headers_reach_the_crawled_site(headers: Crawl) -> None:
    (home,) = headers.sites.received("a", N + "home")
    assert home.headers.get("authorization") == "Bearer t0ken"


# -- user:pass@ in URLs -------------------------------------------------------------------------


def test_userinfo_in_a_redirect_to_another_origin_is_not_sent(defaults: Crawl) -> None:
    (landed,) = defaults.sites.received("b", N + "landed-userinfo")
    assert "authorization" not in landed.headers
    assert "alice" not in json.dumps(landed.headers)


def test_userinfo_in_a_redirect_is_not_archived(defaults: Crawl) -> None:
    urls = article_urls(defaults.db)
    assert defaults.sites.b.url(N + "landed-userinfo") in urls
    assert [u for u in urls if "alice" in u] == []


def test_userinfo_in_a_start_url_is_neither_logged_nor_stored(tmp_path: Path) -> None:
    server = FaultServer("a", RequestLog())
    _robots(server)
    _story(server, "/", "start")
    server.start()
    try:
        start = server.url("/").replace("http://", "http://alice:pw@")
        done = run_crawl([start], tmp_path / "news.db", ONE)
    finally:
        server.stop()
    assert _with(server.log.entries(), "authorization") == []
    assert "alice:pw" not in done.stdout + done.stderr
    with connect(tmp_path / "news.db") as conn:
        assert (
            conn.execute("SELECT count(*) FROM frontier WHERE url LIKE '%alice%'").fetchone()[0]
            == 0
        )
