"""Serve a `DemoSite` on 127.0.0.1: one threaded HTTP server (its own port, its own origin) per
publisher, each in a daemon thread, with a shared, thread-safe request log.

    with serve_demo_site(DemoSite.load()) as demo:
        demo.base_urls["harbor"]        # 'http://127.0.0.1:40123'
        demo.log.paths("harbor")        # ['/robots.txt', '/', ...]

With ``keep_urls=True`` a publisher whose preferred port is busy is served on another port but
keeps its preferred-port URLs (in its pages, feeds and sitemaps): `DemoServer.routes` says where
each such origin is really served, and the server also answers requests in absolute form
(``GET http://127.0.0.1:8701/news/ HTTP/1.0``, as sent to an HTTP proxy), so a client that
connects to the serving port with the preferred-port URL (`newscrawl.demo.routing`) gets the
page. ``newscrawl demo`` uses this to keep its article URLs the same from run to run.

``python -m newscrawl.demo.server`` serves the site until Ctrl-C and prints the URLs.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import signal
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, urlunsplit

from newscrawl.demo.site import DemoSite, Resource, Traps


@dataclass(frozen=True)
class LoggedRequest:
    """One request the demo server received."""

    publisher: str
    method: str
    path: str
    url: str
    headers: dict[str, str]
    time: float
    status: int


class RequestLog:
    """A thread-safe list of the requests received by every publisher's server."""

    def __init__(self) -> None:
        """Start with an empty log."""
        self._lock = threading.Lock()
        self._entries: list[LoggedRequest] = []

    def append(self, entry: LoggedRequest) -> None:
        """Record one request."""
        with self._lock:
            self._entries.append(entry)

    def entries(self, publisher: str | None = None) -> list[LoggedRequest]:
        """A snapshot of the recorded requests, optionally for one publisher only."""
        with self._lock:
            entries = list(self._entries)
        return [e for e in entries if publisher is None or e.publisher == publisher]

    def paths(self, publisher: str | None = None) -> list[str]:
        """The request paths (with query string), in arrival order."""
        return [e.path for e in self.entries(publisher)]

    def urls(self) -> list[str]:
        """The absolute URLs requested, in arrival order."""
        return [e.url for e in self.entries()]

    def clear(self) -> None:
        """Forget every recorded request (e.g. between two crawl runs)."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        """The number of recorded requests."""
        with self._lock:
            return len(self._entries)


def _accepts_gzip(header: str | None) -> bool:
    if not header:
        return False
    for part in header.split(","):
        token, _, params = part.strip().partition(";")
        if token.strip().lower() in ("gzip", "*"):
            q = params.strip()
            return not (q.startswith("q=") and float(q[2:] or 0) == 0)
    return False


def _etag_matches(header: str, etag: str) -> bool:
    wanted = etag.strip('"')
    for candidate in header.split(","):
        value = candidate.strip()
        if value == "*":
            return True
        value = value.removeprefix("W/").strip('"').removesuffix("-gzip")
        if value == wanted:
            return True
    return False


class _PublisherServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer that knows which publisher it serves."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self, host: str, site: DemoSite, publisher: str, log: RequestLog, port: int = 0
    ) -> None:
        super().__init__((host, port), _Handler)
        self.site = site
        self.publisher = publisher
        self.log = log
        self.base_url = ""


class _Handler(BaseHTTPRequestHandler):
    """Serves GET and HEAD from the site's renderer; one connection per request (HTTP/1.0)."""

    server: _PublisherServer
    protocol_version = "HTTP/1.0"
    server_version = "NewscrawlDemo/1.0"
    timeout = 10

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        """Answer a GET."""
        self._serve(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802 - http.server naming
        """Answer a HEAD: same headers as GET, no body."""
        self._serve(send_body=False)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Stay quiet: the request log records everything."""

    def _target(self) -> str:
        """The request's path and query, also when it came in absolute form (as to a proxy)."""
        if not self.path.startswith(("http://", "https://")):
            return self.path
        parts = urlsplit(self.path)
        return urlunsplit(("", "", parts.path or "/", parts.query, ""))

    def _serve(self, send_body: bool) -> None:
        server = self.server
        path = self._target()
        try:
            resource = server.site.render(server.publisher, path)
        except Exception as exc:  # pragma: no cover - a bug in the renderer
            body = f"demo site error: {exc!r}".encode()
            resource = Resource(500, "text/plain; charset=utf-8", body)
        status = resource.status
        headers: dict[str, str] = {"Content-Type": resource.content_type}
        headers.update(resource.headers)
        body = resource.body
        if status == 200:
            digest = hashlib.sha1(body).hexdigest()[:20]
            etag = f'"{digest}"'
            headers["Cache-Control"] = "public, max-age=60"
            if resource.last_modified is not None:
                last = resource.last_modified.astimezone(timezone.utc).replace(microsecond=0)
                headers["Last-Modified"] = format_datetime(last, usegmt=True)
            else:
                last = None
            if self._not_modified(etag, last):
                status = 304
                body = b""
                headers.pop("Content-Type", None)
            elif _accepts_gzip(self.headers.get("Accept-Encoding")):
                body = gzip.compress(body, mtime=0)
                headers["Content-Encoding"] = "gzip"
                etag = f'"{digest}-gzip"'
            headers["ETag"] = etag
            headers["Vary"] = "Accept-Encoding"
        server.log.append(
            LoggedRequest(
                publisher=server.publisher,
                method=self.command,
                path=path,
                url=server.base_url + path,
                headers={k: v for k, v in self.headers.items()},
                time=time.time(),
                status=status,
            )
        )
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body and body:
            self.wfile.write(body)

    def _not_modified(self, etag: str, last: datetime | None) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            return _etag_matches(inm, etag)
        ims = self.headers.get("If-Modified-Since")
        if ims and last is not None:
            try:
                since = parsedate_to_datetime(ims)
            except (TypeError, ValueError):
                return False
            if since.tzinfo is None:
                since = since.replace(tzinfo=timezone.utc)
            return last <= since
        return False


class DemoServer:
    """A running demo site: one server per publisher, their base URLs and the request log."""

    def __init__(
        self,
        site: DemoSite,
        host: str = "127.0.0.1",
        ports: Mapping[str, int] | None = None,
        *,
        keep_urls: bool = False,
    ) -> None:
        """Bind one server per publisher: on its preferred port when given and free, else on any
        free port (not yet serving).

        With `keep_urls`, a publisher served on another port than its preferred one is still
        named by its preferred-port URL (`base_urls`); `routes` maps that origin to the one it
        is served on."""
        self.site = site
        self.host = host
        self.log = RequestLog()
        self._servers: dict[str, _PublisherServer] = {}
        self._threads: list[threading.Thread] = []
        try:
            for key in site.publishers:
                preferred = (ports or {}).get(key, 0)
                try:
                    server = _PublisherServer(host, site, key, self.log, preferred)
                except OSError:
                    if not preferred:
                        raise
                    server = _PublisherServer(host, site, key, self.log)
                self._servers[key] = server
        except BaseException:
            self._close_sockets()
            raise
        url_host = f"[{host}]" if ":" in host else host
        #: Where each publisher is really served.
        self.served_urls: dict[str, str] = {
            key: f"http://{url_host}:{srv.server_address[1]}" for key, srv in self._servers.items()
        }
        #: Each publisher's origin as its pages, feeds, sitemaps and the request log name it.
        self.base_urls: dict[str, str] = dict(self.served_urls)
        if keep_urls:
            for key in self._servers:
                preferred = (ports or {}).get(key, 0)
                if preferred:
                    self.base_urls[key] = f"http://{url_host}:{preferred}"
        for key, srv in self._servers.items():
            srv.base_url = self.base_urls[key]
        site.bind(self.base_urls)

    def start(self) -> None:
        """Start serving, one daemon thread per publisher."""
        for key, srv in self._servers.items():
            thread = threading.Thread(
                target=srv.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"demo-{key}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)

    def url(self, publisher: str, path: str = "/") -> str:
        """The absolute URL of a path on a publisher's origin."""
        return self.base_urls[publisher] + path

    def ports(self) -> dict[str, int]:
        """The port each publisher is served on."""
        return {k: int(s.server_address[1]) for k, s in self._servers.items()}

    def routes(self) -> dict[str, str]:
        """Origin named in the site's URLs -> origin it is served on, where the two differ
        (only with ``keep_urls``, for publishers whose preferred port was busy)."""
        return {
            self.base_urls[key]: served
            for key, served in self.served_urls.items()
            if served != self.base_urls[key]
        }

    def close(self) -> None:
        """Stop every server, join its thread and release its port."""
        if self._threads:
            for srv in self._servers.values():
                srv.shutdown()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()
        self._close_sockets()

    def _close_sockets(self) -> None:
        for srv in self._servers.values():
            srv.server_close()


@contextmanager
def serve_demo_site(
    site: DemoSite,
    host: str = "127.0.0.1",
    ports: Mapping[str, int] | None = None,
    *,
    keep_urls: bool = False,
) -> Iterator[DemoServer]:
    """Serve every publisher of `site` on its own port for the duration of the block (see
    `DemoServer` for `ports` and `keep_urls`)."""
    server = DemoServer(site, host, ports, keep_urls=keep_urls)
    try:
        server.start()
        yield server
    finally:
        server.close()


def main(argv: list[str] | None = None) -> int:
    """Serve the demo site until Ctrl-C, printing each publisher's URLs."""
    parser = argparse.ArgumentParser(description="Serve the newscrawl demo news site locally.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--no-traps", action="store_true", help="turn every crawl trap off")
    args = parser.parse_args(argv)
    # Ctrl-C (and a plain `kill`) stop the server, even when SIGINT was ignored by a parent shell.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    traps = Traps.none() if args.no_traps else Traps()
    site = DemoSite.load(traps=traps)
    with serve_demo_site(site, host=args.host) as demo:
        for key, pub in site.publishers.items():
            print(f"{pub.name:<22} {demo.base_urls[key]}/")
        print("Feeds:    " + " ".join(site.feed_urls()))
        print("Sitemaps: " + " ".join(site.sitemap_urls()))
        print("Press Ctrl-C to stop.", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("\nStopping.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
