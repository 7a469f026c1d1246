"""A tiny site on 127.0.0.1 serving whatever pages a test puts in it, recording its requests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Routes:
    """Pages by path: (content type, body); `{host}` in a body becomes the site's base URL."""

    pages: dict[str, tuple[str, str]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    base: str = ""

    def url(self, path: str) -> str:
        return self.base + path


@contextmanager
def serve_routes(routes: Routes) -> Iterator[Routes]:
    """Serve `routes` on a free port until the block ends; unknown paths answer 404."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            routes.requests.append(self.path)
            kind, body = routes.pages.get(self.path, ("text/plain", ""))
            status = 200 if self.path in routes.pages else 404
            data = body.replace("{host}", routes.base).encode()
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            """Quiet: tests read `routes.requests`."""

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    routes.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield routes
    finally:
        httpd.shutdown()
        httpd.server_close()
