"""`newscrawl demo` keeps its URLs when its preferred ports are busy: a second run finds nothing
new whatever ports it ends up served on."""

from __future__ import annotations

import http.client
import socket
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from scrapy import Request

from newscrawl.cli.main import cli
from newscrawl.demo import DemoSite, serve_demo_site
from newscrawl.demo.routing import DemoRoutesMiddleware

PUBLISHERS = ("harbor", "valley", "lac", "nord")


def free_ports(count: int) -> list[int]:
    """Ports free a moment ago (the kernel hands out each one once in a while)."""
    socks = [socket.socket() for _ in range(count)]
    try:
        for sock in socks:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in socks]
    finally:
        for sock in socks:
            sock.close()


@contextmanager
def occupied(ports: list[int]) -> Iterator[None]:
    """Hold `ports` on 127.0.0.1 (listening, as another program would) for the block."""
    socks = []
    try:
        for port in ports:
            sock = socket.socket()
            socks.append(sock)
            # A port the demo just served may linger in TIME_WAIT: bind it all the same.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", port))
            sock.listen()
        yield
    finally:
        for sock in socks:
            sock.close()


def get_via(served: str, url: str) -> tuple[int, bytes]:
    """GET `url` from the server at `served` (``host:port``), as a client of a proxy would."""
    host, port = served.rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=5)
    try:
        conn.request("GET", url)
        answer = conn.getresponse()
        return answer.status, answer.read()
    finally:
        conn.close()


def test_busy_preferred_port_keeps_the_publishers_urls() -> None:
    ports = dict(zip(PUBLISHERS, free_ports(4), strict=True))
    with occupied([ports["valley"]]):
        site = DemoSite.load()
        with serve_demo_site(site, ports=ports, keep_urls=True) as server:
            valley = f"http://127.0.0.1:{ports['valley']}"
            served = server.served_urls["valley"]
            assert served != valley
            assert server.base_urls["valley"] == valley
            assert server.url("valley", "/") == valley + "/"
            assert server.routes() == {valley: served}
            status, body = get_via(served.removeprefix("http://"), valley + "/")
            assert status == 200
            assert f'href="{valley}/' in body.decode("utf-8", "replace")
            assert served not in body.decode("utf-8", "replace")
            assert server.log.urls() == [valley + "/"]
            assert server.log.paths("valley") == ["/"]


def test_without_keep_urls_a_busy_port_moves_the_urls() -> None:
    ports = dict(zip(PUBLISHERS, free_ports(4), strict=True))
    with occupied([ports["valley"]]), serve_demo_site(DemoSite.load(), ports=ports) as server:
        assert server.base_urls["valley"] == server.served_urls["valley"]
        assert server.routes() == {}


def test_routes_middleware_connects_moved_origins_to_their_port() -> None:
    middleware = DemoRoutesMiddleware({"http://127.0.0.1:8702": "http://127.0.0.1:40000"})
    moved = Request("http://127.0.0.1:8702/news/a")
    assert middleware.process_request(moved) is None
    assert moved.meta["proxy"] == "http://127.0.0.1:40000"
    assert moved.url == "http://127.0.0.1:8702/news/a"
    unmoved = Request("http://127.0.0.1:8701/news/a")
    middleware.process_request(unmoved)
    assert "proxy" not in unmoved.meta
    # A redirect away from a moved origin leaves the route behind.
    away = moved.replace(url="http://127.0.0.1:8701/news/a")
    middleware.process_request(away)
    assert "proxy" not in away.meta


@pytest.mark.e2e
def test_second_demo_run_on_other_ports_archives_nothing_new(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSCRAWL_DB", raising=False)
    ports = dict(zip(PUBLISHERS, free_ports(4), strict=True))
    monkeypatch.setattr("newscrawl.cli.demo.DEMO_PORTS", ports)
    first = CliRunner().invoke(cli, ["demo", "--quiet"])
    assert first.exit_code == 0, first.output
    with occupied(list(ports.values())):
        second = CliRunner().invoke(cli, ["demo"])
    assert second.exit_code == 0, second.output
    assert "Run 2 completed" in second.output
    assert "0 new and 0 updated articles" in second.output
    assert "Nothing new: the archive already holds the 31 articles" in second.output
    conn = sqlite3.connect(tmp_path / "archive" / "news.db")
    runs = conn.execute("SELECT status, articles_new FROM runs ORDER BY id").fetchall()
    urls = {url for (url,) in conn.execute("SELECT url FROM articles")}
    copies = [d for (d,) in conn.execute("SELECT duplicate_of FROM articles") if d]
    conn.close()
    assert runs == [("completed", 31), ("completed", 0)]
    assert len(urls) == 31
    origins = {f"http://127.0.0.1:{port}/" for port in ports.values()}
    assert all(url.startswith(tuple(origins)) for url in urls), sorted(urls)
    # Every near-duplicate names an article the archive holds.
    assert copies and set(copies) <= urls
    # The second run said where it served the publishers, under their usual URLs.
    for key, port in ports.items():
        assert f"http://127.0.0.1:{port}/  (port busy: served on port " in second.output, key
