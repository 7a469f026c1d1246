"""A small, slow news site on 127.0.0.1 that records its requests, for the politeness tests of
local crawls (tests/crawl) and cluster workers (tests/cluster)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BODY = " ".join(["The harbour commission met on Tuesday to discuss the new ferry timetable."] * 8)
STORIES = [f"/news/2025/09/{i:02d}/busy-harbour-story-{i}" for i in range(1, 13)]


def story_page(path: str) -> tuple[int, str]:
    """The status and page of a small site: a home page linking to STORIES, slow to answer."""
    if path == "/robots.txt":
        return 404, ""
    if path == "/":
        links = "".join(f'<h2><a href="{p}">{p}</a></h2>' for p in STORIES)
        return 200, f"<html><body>{links}</body></html>"
    time.sleep(0.25)
    n = STORIES.index(path) + 1 if path in STORIES else 0
    return 200, (
        f'<html lang="en"><head><title>Busy story {n}</title>'
        '<meta property="og:type" content="article"></head><body><article>'
        f"<h1>Busy story {n}</h1><p>{BODY} {n}</p></article></body></html>"
    )


class StorySite(BaseHTTPRequestHandler):
    """Serves `story_page`, logging when each request came and how many were answered at once;
    with `busy` set, the first story answers 429 with ``Retry-After: 3`` once."""

    lock = threading.Lock()
    log: list[tuple[float, str]] = []
    inflight = 0
    most = 0
    busy = False
    retry_after = 3

    @classmethod
    def reset(cls, busy: bool) -> None:
        cls.log, cls.inflight, cls.most, cls.busy = [], 0, 0, busy

    def do_GET(self) -> None:  # noqa: N802
        cls = StorySite
        with cls.lock:
            cls.log.append((time.monotonic(), self.path))
            cls.inflight += 1
            cls.most = max(cls.most, cls.inflight)
            told = cls.busy and self.path == STORIES[0]
            cls.busy = cls.busy and not told
        try:
            headers = {"Retry-After": str(cls.retry_after)} if told else {}
            status, body = (429, "busy") if told else story_page(self.path)
            data = body.encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        finally:
            with cls.lock:
                cls.inflight -= 1

    def log_message(self, *args: object) -> None:
        """Quiet: the tests read the requests from the handler's own log."""


@contextmanager
def serve_story_site() -> Iterator[str]:
    """Serve `StorySite` on a free port; yields its home page's URL."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), StorySite)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
