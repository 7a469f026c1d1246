"""Politeness against a real local server: robots.txt Crawl-delay and the User-Agent."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from story_site import BODY, STORIES, StorySite, serve_story_site

from newscrawl.cli.main import cli

pytestmark = pytest.mark.e2e

PAGES = {
    "/robots.txt": ("text/plain", "User-agent: *\nCrawl-delay: 1\n"),
    "/": (
        "text/html",
        "<html><body>"
        + "".join(
            f'<h2><a href="/news/2025/09/0{i}/story-number-{i}-harbour">S{i}</a></h2>'
            for i in range(1, 4)
        )
        + "</body></html>",
    ),
}
for i in range(1, 4):
    PAGES[f"/news/2025/09/0{i}/story-number-{i}-harbour"] = (
        "text/html",
        f'<html lang="en"><head><title>Story {i}</title><meta property="og:type" content="article">'
        f'<meta property="article:published_time" content="2025-09-0{i}T10:00:00Z"></head>'
        f"<body><article><h1>Story {i}</h1><p>{BODY}</p></article></body></html>",
    )


class Recorder(BaseHTTPRequestHandler):
    log: list[tuple[float, str, str]] = []

    def do_GET(self) -> None:  # noqa: N802
        Recorder.log.append((time.monotonic(), self.path, self.headers.get("User-Agent", "")))
        kind, body = PAGES.get(self.path, ("text/plain", ""))
        data = body.encode()
        self.send_response(200 if self.path in PAGES else 404)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        """Quiet: the tests read the requests from the handler's own log."""


@pytest.fixture
def server() -> Iterator[str]:
    Recorder.log = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize("processes", [1, 2])
def test_crawl_delay_spaces_requests_and_user_agent_names_the_project(
    server: str, tmp_path: Path, processes: int
) -> None:
    """With two worker processes too, their requests together keep the delay."""
    result = CliRunner().invoke(
        cli,
        [
            "crawl",
            server + "/",
            "--db",
            str(tmp_path / "a.db"),
            "-s",
            "AUTOTHROTTLE_ENABLED=false",
            "-s",
            "NEWSCRAWL_PROGRESS_INTERVAL=0",
            "-s",
            f"NEWSCRAWL_PROCESSES={processes}",
            "-s",
            "NEWSCRAWL_WORKER_BACKLOG=0",
        ],
    )
    assert result.exit_code == 0, result.output
    pages = [(t, p, ua) for t, p, ua in Recorder.log if p != "/robots.txt"]
    assert len([p for _, p, _ in pages if p.startswith("/news/")]) == 3
    gaps = [b[0] - a[0] for a, b in zip(pages, pages[1:], strict=False)]
    assert min(gaps) >= 0.9, gaps
    assert all(ua.startswith("newscrawl/") for _, _, ua in Recorder.log)


def _crawl_story_site(tmp_path: Path, per_site: int, processes: int = 2, batch: int = 2) -> None:
    """Crawl StorySite with worker processes taking `batch` URLs at a time from the frontier."""
    with serve_story_site() as url:
        result = CliRunner().invoke(
            cli,
            [
                "crawl", url, "--db",
                str(tmp_path / "a.db"), "-s", "AUTOTHROTTLE_ENABLED=false",
                "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0", "-s", f"NEWSCRAWL_PROCESSES={processes}",
                "-s", "NEWSCRAWL_WORKER_BACKLOG=0", "-s", f"NEWSCRAWL_FRONTIER_BATCH={batch}",
                "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={per_site}",
            ],
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert sorted({p for _, p in StorySite.log if p in STORIES}) == sorted(STORIES)


@pytest.mark.parametrize(("processes", "batch"), [(1, 50), (2, 2)])
def test_retry_after_pauses_every_request_to_the_host(
    tmp_path: Path, processes: int, batch: int
) -> None:
    """A host one worker was told to leave alone gets no request from the other worker either,
    nor from requests that were waiting for a slot of the host when the pause began."""
    StorySite.reset(busy=True)
    _crawl_story_site(tmp_path, per_site=1, processes=processes, batch=batch)
    told = next(t for t, p in StorySite.log if p == STORIES[0])
    # Requests the other worker had already sent when the pause began may still arrive.
    pause = (told + 0.6, told + StorySite.retry_after - 0.2)
    meanwhile = [p for t, p in StorySite.log if pause[0] < t < pause[1]]
    assert meanwhile == [], meanwhile


@pytest.mark.parametrize(("processes", "batch"), [(1, 50), (2, 2)])
def test_a_sites_concurrency_limit_holds_in_one_process_and_across_several(
    tmp_path: Path, processes: int, batch: int
) -> None:
    """Across processes, and in one too: Scrapy lets all the requests that reach its downloader
    together go (one process claims the 12 stories at once here)."""
    StorySite.reset(busy=False)
    _crawl_story_site(tmp_path, per_site=2, processes=processes, batch=batch)
    assert StorySite.most == 2
