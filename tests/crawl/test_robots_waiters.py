"""robots.txt holds for every request that arrives while it is being fetched.

Scrapy's robots middleware let all but the first such request through unchecked under the
asyncio reactor; here many start URLs of one host (some disallowed) are requested at once while
robots.txt is slow to come, and the server records what was fetched.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from newscrawl.cli.main import cli

pytestmark = pytest.mark.e2e

ROBOTS = b"User-agent: *\nDisallow: /private/\n"
PAGE = (
    "<html><head><title>Story {n}</title></head><body><article><h1>Story {n}</h1>"
    + "<p>The harbour council met again tonight to debate the ferry terminal plan.</p>" * 12
    + "</article></body></html>"
)


class _Handler(BaseHTTPRequestHandler):
    requested: list[str] = []

    def do_GET(self) -> None:
        type(self).requested.append(self.path)
        if self.path == "/robots.txt":
            time.sleep(0.5)
            body, kind = ROBOTS, "text/plain"
        else:
            body, kind = PAGE.format(n=self.path.strip("/")).encode(), "text/html"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def site() -> Iterator[tuple[str, list[str]]]:
    requested: list[str] = []
    handler = type("Handler", (_Handler,), {"requested": requested})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requested
    finally:
        server.shutdown()
        server.server_close()


def test_requests_waiting_for_robots_txt_are_all_checked(
    site: tuple[str, list[str]], tmp_path: Path
) -> None:
    base, requested = site
    urls = [f"{base}/news/{n}" for n in range(3)] + [f"{base}/private/{n}" for n in range(6)]
    result = CliRunner().invoke(
        cli,
        ["crawl", *urls, "--db", str(tmp_path / "news.db"), "--processes", "1", "--max-depth", "0"]
        + ["-s", "AUTOTHROTTLE_ENABLED=false", "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0"],
    )
    assert result.exit_code == 0, result.output
    assert [p for p in requested if p.startswith("/private/")] == []
    assert sorted(p for p in requested if p.startswith("/news/")) == [
        f"/news/{n}" for n in range(3)
    ]
