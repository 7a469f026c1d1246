"""A fault-injecting news site on 127.0.0.1 that records every request it receives.

Raw sockets, so framing can be broken on purpose (lying Content-Length, resets, endless chunks,
drips, no headers at all). `FaultSite` builds the pages of every case; `FaultServer` serves one
origin (one port, optionally TLS). Everything listens on loopback only, and every "private"
target a page redirects to is a CLOSED loopback port or a made-up ``.test`` name that the guard's
resolver stub maps (it never resolves for real).
"""

from __future__ import annotations

import contextlib
import gzip
import html
import json
import random
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import brotli

try:  # Scrapy >= 2.19 depends on it for zstd
    from backports import zstd
except ImportError:  # pragma: no cover
    from compression import zstd  # type: ignore[no-redef]

WORDS = [
    "harbour",
    "ferry",
    "council",
    "budget",
    "river",
    "bridge",
    "rail",
    "strike",
    "school",
    "museum",
    "festival",
    "storm",
    "election",
    "minister",
    "court",
    "hospital",
    "farmers",
    "market",
    "airport",
    "tunnel",
    "library",
    "forest",
    "coast",
    "village",
    "mayor",
    "police",
    "report",
    "season",
    "league",
    "stadium",
    "concert",
    "theatre",
    "harvest",
    "drought",
    "flood",
    "energy",
    "price",
    "tariff",
    "factory",
    "union",
    "workers",
    "students",
    "teachers",
    "doctors",
    "nurses",
    "climate",
    "rescue",
    "volunteers",
    "inquiry",
    "audit",
    "housing",
    "rents",
    "tenants",
    "landlord",
    "transport",
    "bus",
    "tram",
    "cyclists",
    "road",
]


def closed_port() -> int:
    """A loopback port nothing listens on (bound then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def story_text(seed: str, paragraphs: int = 5) -> list[str]:
    """Distinct, deterministic paragraphs for a story (no two stories look alike)."""
    rng = random.Random(seed)
    out = []
    for _ in range(paragraphs):
        words = [rng.choice(WORDS) for _ in range(40)]
        words[0] = words[0].capitalize()
        out.append(" ".join(words) + f" ({seed}).")
    return out


def article_html(
    title: str,
    paragraphs: list[str],
    *,
    canonical: str | None = None,
    published: str = "2025-09-02T08:00:00Z",
    charset_meta: str | None = "utf-8",
    extra_head: str = "",
    extra_body: str = "",
    article_type: str = "NewsArticle",
) -> str:
    """A news article page with JSON-LD, a byline and body paragraphs."""
    meta = f'<meta charset="{charset_meta}">' if charset_meta else ""
    link = f'<link rel="canonical" href="{html.escape(canonical)}">' if canonical else ""
    data = {
        "@context": "https://schema.org",
        "@type": article_type,
        "headline": title,
        "datePublished": published,
        "author": {"@type": "Person", "name": "Ada Reporter"},
    }
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (
        f"<!doctype html><html lang=en><head>{meta}<title>{html.escape(title)}</title>{link}"
        f'<script type="application/ld+json">{json.dumps(data)}</script>{extra_head}</head>'
        f'<body><article><h1>{html.escape(title)}</h1><p class="byline">By Ada Reporter</p>'
        f'<time datetime="{published}">2 September 2025</time>{body}{extra_body}</article>'
        "</body></html>"
    )


@dataclass(frozen=True)
class Received:
    """One request the server received."""

    server: str
    method: str
    path: str
    headers: dict[str, str]
    time: float
    scheme: str = "http"  # "https" when it came over TLS


class RequestLog:
    """Thread-safe record of every request every server received."""

    def __init__(self) -> None:
        """Start empty."""
        self._lock = threading.Lock()
        self._entries: list[Received] = []

    def add(self, entry: Received) -> None:
        """Record one request."""
        with self._lock:
            self._entries.append(entry)

    def entries(self, server: str | None = None) -> list[Received]:
        """A snapshot, optionally for one server."""
        with self._lock:
            return [e for e in self._entries if server is None or e.server == server]

    def paths(self, server: str | None = None) -> list[str]:
        """The requested paths, in order."""
        return [e.path for e in self.entries(server)]


@dataclass
class Conn:
    """One accepted connection and its parsed request."""

    sock: socket.socket
    method: str
    path: str
    headers: dict[str, str]
    scheme: str = "http"

    def send(
        self,
        status: int,
        body: bytes | str = b"",
        headers: dict[str, str] | None = None,
        content_type: str = "text/html; charset=utf-8",
    ) -> None:
        """A well-formed response, then close."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        head = {"Content-Type": content_type, "Content-Length": str(len(data))}
        head.update(headers or {})
        self.raw(_head(status, head) + data)

    def raw(self, data: bytes) -> None:
        """Send bytes as they are."""
        with contextlib.suppress(OSError):
            self.sock.sendall(data)


REASONS = {
    200: "OK",
    301: "Moved",
    302: "Found",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def _head(status: int, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


Handler = Callable[[Conn], None]


class FaultServer:
    """One origin on 127.0.0.1 (plain or TLS) dispatching paths to handlers, logging requests.

    With `tls` and ``plain_too=True`` one port speaks both: a connection opening with a TLS
    handshake is served over TLS, any other as plain HTTP. So ``http://127.0.0.1:P/x`` and
    ``https://127.0.0.1:P/x`` differ in their scheme only, like ``http://example.com/x`` and
    ``https://example.com/x`` on ports 80 and 443.
    """

    def __init__(
        self,
        name: str,
        log: RequestLog,
        tls: ssl.SSLContext | None = None,
        host: str = "127.0.0.1",
        *,
        plain_too: bool = False,
    ) -> None:
        """Bind a free port (not yet serving)."""
        self.name = name
        self.log = log
        self.tls = tls
        self.plain_too = plain_too and tls is not None
        self.host = host
        self.routes: dict[str, Handler] = {}
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 0))
        self.sock.listen(64)
        self.port = int(self.sock.getsockname()[1])
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def base(self) -> str:
        """The origin URL, e.g. ``http://127.0.0.1:40001``."""
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"

    def url(self, path: str, scheme: str | None = None) -> str:
        """Absolute URL of `path` on this server (`scheme`: "http" or "https" on a dual port)."""
        if scheme is None:
            return self.base + path
        return f"{scheme}://{self.host}:{self.port}{path}"

    def start(self) -> FaultServer:
        """Serve in a daemon thread."""
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting and close the listening socket."""
        self.stopping.set()
        with contextlib.suppress(OSError):
            socket.create_connection((self.host, self.port), timeout=1).close()
        self.sock.close()

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            if self.stopping.is_set():
                client.close()
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            client.settimeout(10)
            sock: socket.socket = client
            scheme = "http"
            if self.tls is not None and (
                not self.plain_too or client.recv(1, socket.MSG_PEEK) == b"\x16"
            ):
                scheme = "https"
                try:
                    sock = self.tls.wrap_socket(client, server_side=True)
                except (OSError, ssl.SSLError):
                    return
            data = b""
            while b"\r\n\r\n" not in data and len(data) < 65536:
                chunk = sock.recv(4096)
                if not chunk:
                    return
                data += chunk
            head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
            request_line, *lines = head.split("\r\n")
            method, path, _ = (request_line.split(" ") + ["", ""])[:3]
            headers = {}
            for line in lines:
                key, _, value = line.partition(":")
                headers[key.strip().lower()] = value.strip()
            self.log.add(Received(self.name, method, path, headers, time.monotonic(), scheme))
            conn = Conn(sock, method, path, headers, scheme)
            handler = self.routes.get(path) or self.routes.get(path.split("?", 1)[0])
            if handler is None:
                conn.send(404, "<html><body>not here</body></html>")
            else:
                handler(conn)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                client.close()


# -- handlers ------------------------------------------------------------------------------------


def page(body: str | bytes, content_type: str = "text/html; charset=utf-8", **hdrs: str) -> Handler:
    """Serve `body` with a 200."""
    headers = {k.replace("_", "-"): v for k, v in hdrs.items()}
    return lambda c: c.send(200, body, headers, content_type)


def redirect(location: str, status: int = 302) -> Handler:
    """Redirect to `location`."""
    return lambda c: c.send(status, b"", {"Location": location})


def status_page(status: int, body: str = "<html><body>error</body></html>", **hdrs: str) -> Handler:
    """Answer with `status`."""
    headers = {k.replace("_", "-"): v for k, v in hdrs.items()}
    return lambda c: c.send(status, body, headers)


def by_scheme(http: Handler, https: Handler) -> Handler:
    """`http` for a plain request, `https` for one that came over TLS (on a dual port)."""
    return lambda c: (https if c.scheme == "https" else http)(c)


def encoded_bomb(encoding: str, size: int) -> Handler:
    """A small body that inflates to `size` bytes of HTML-ish zeros under Content-Encoding."""
    raw = b"<html><body>" + b"0" * size
    if encoding == "gzip":
        data = gzip.compress(raw, 9)
    elif encoding == "deflate":
        data = zlib.compress(raw, 9)
    elif encoding == "br":
        data = brotli.compress(raw, quality=5)
    else:
        data = zstd.compress(raw, 19)
    return page(data, "text/html; charset=utf-8", Content_Encoding=encoding)


def once_then(first: Handler, then: Handler) -> Handler:
    """`first` on the first request, `then` afterwards."""
    calls = {"n": 0}
    lock = threading.Lock()

    def handle(conn: Conn) -> None:
        with lock:
            calls["n"] += 1
            n = calls["n"]
        (first if n == 1 else then)(conn)

    return handle


def huge(size: int) -> Handler:
    """A page larger than the size cap, with an honest Content-Length."""
    return lambda c: c.send(200, b"<html><body>" + b"x" * size)


def endless_chunked(conn: Conn) -> None:
    """A chunked body that never ends."""
    conn.raw(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"x" * 65536
    frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            conn.sock.sendall(frame)
    except OSError:
        pass


def drip(conn: Conn) -> None:
    """Headers, then one byte per second, forever (well: 60 s)."""
    conn.raw(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n")
    try:
        for _ in range(60):
            conn.sock.sendall(b"x")
            time.sleep(1)
    except OSError:
        pass


def silent(conn: Conn) -> None:
    """Accept, read the request, never answer (for 60 s)."""
    try:
        conn.sock.settimeout(60)
        conn.sock.recv(1)
    except OSError:
        pass


def lying_length(conn: Conn) -> None:
    """Promise 100,000 bytes, send 100, close."""
    conn.raw(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n")
    conn.raw(b"<html><body>" + b"y" * 88)


def reset(conn: Conn) -> None:
    """Start a response, then reset the connection (RST, not FIN)."""
    conn.raw(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5000\r\n\r\n<html>")
    with contextlib.suppress(OSError):
        conn.sock.setsockopt(
            socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
        )


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>http://HOST/news/2025/09/02/&lol9;</loc></url>
</urlset>
"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE urlset [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>http://HOST/news/2025/09/02/xxe-&xxe;</loc></url>
</urlset>
"""


def sitemap_bomb(host: str, entries: int = 60_000) -> bytes:
    """A gzipped urlset inflating past the 50 MB sitemap cap before its first entry."""
    urls = "".join(f"<url><loc>http://{host}/bomb/{i}</loc></url>" for i in range(entries))
    xml = (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<!-- {' ' * 60_000_000} -->{urls}</urlset>"
    )
    return gzip.compress(xml.encode(), 9)


@dataclass
class Expect:
    """What the crawl must make of the fault site."""

    archived: set[str] = field(default_factory=set)  # canonical URLs archived exactly once
    failed: dict[str, int] = field(default_factory=dict)  # failed_by_reason at least
    never_requested: set[str] = field(default_factory=set)  # paths no server may see
    story_variants: list[str] = field(default_factory=list)  # URLs of one story


def _story(title: str, seed: str, **kwargs: Any) -> str:
    return article_html(title, story_text(seed), **kwargs)


class FaultSite:
    """Every case of issue 6 on a few loopback origins; `expect` says what a crawl must do."""

    def __init__(self, log: RequestLog | None = None, *, maxsize: int = 1 << 20) -> None:
        """Create (not start) the servers: main, backoff, robots5xx and tls (self-signed)."""
        self.log = log or RequestLog()
        self.maxsize = maxsize
        self.main = FaultServer("main", self.log)
        self.backoff = FaultServer("backoff", self.log)
        self.robots5xx = FaultServer("robots5xx", self.log)
        self.tls = FaultServer("tls", self.log, tls=self_signed_context())
        self.closed = closed_port()
        self.expect = Expect()
        self._build()

    @property
    def servers(self) -> list[FaultServer]:
        """Every server of the site."""
        return [self.main, self.backoff, self.robots5xx, self.tls]

    def start_urls(self) -> list[str]:
        """Where the crawl starts: one URL per origin."""
        return [s.url("/") for s in self.servers]

    def __enter__(self) -> FaultSite:
        for server in self.servers:
            server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        for server in self.servers:
            server.stop()

    # -- the cases ------------------------------------------------------------------------------

    def _build(self) -> None:
        m, r = self.main, self.main.routes
        host = f"127.0.0.1:{m.port}"
        base = m.base
        links: list[str] = []
        exp = self.expect

        def article(
            path: str,
            handler: Handler | None = None,
            *,
            archived: bool = True,
            link: str | None = None,
        ) -> None:
            if handler is not None:
                r[path] = handler
            links.append(link or path)
            if archived:
                exp.archived.add(base + path)

        def failing(path: str, handler: Handler, reason: str) -> None:
            r[path] = handler
            links.append(path)
            exp.failed[reason] = exp.failed.get(reason, 0) + 1

        n = "/news/2025/09/02/"
        for i in range(6):
            article(f"{n}good-{i}", page(_story(f"Good story number {i}", f"good{i}")))
        # Bad but readable input: archived all the same.
        article(
            f"{n}malformed-html",
            page(
                "<html><head><title>Broken</title><body><div><p>Unclosed <b>tags <i>everywhere"
                + _story("Malformed markup survives", "malformed")[15:].replace("</p>", "", 3)
            ),
        )
        latin_title = "Café owners welcome the new bridge"
        article(
            f"{n}wrong-charset-header",
            page(
                _story(latin_title, "wrongcharset", charset_meta="utf-8").encode("utf-8"),
                "text/html; charset=utf-8",
            ),
        )
        self.latin_title = latin_title
        meta_title = "Müller wins the harbour regatta"
        article(
            f"{n}charset-in-meta",
            page(
                _story(meta_title, "metacharset", charset_meta="windows-1252").encode("cp1252"),
                "text/html",
            ),
        )
        self.meta_title = meta_title
        article(
            f"{n}invalid-dates",
            page(_story("Dates from nowhere", "dates", published="2025-13-45T99:99:99Z")),
        )
        article(
            f"{n}paywalled",
            page(
                article_html(
                    "Subscriber exclusive: the budget leak",
                    ["Only the first paragraph of this story is free to read for everyone."],
                    extra_head='<meta property="article:content_tier" content="locked">',
                    extra_body='<div class="paywall">Subscribe to read more</div>',
                )
            ),
        )
        # Canonical link to another domain: kept under its own URL, the other domain is not
        # fetched (it is not a site of the crawl).
        article(
            f"{n}canonical-elsewhere",
            page(
                _story(
                    "Syndicated from elsewhere",
                    "elsewhere",
                    canonical="http://other-paper.invalid/news/original",
                )
            ),
        )
        r[f"{n}flaky"] = once_then(status_page(500), page(_story("Second time lucky", "flaky")))
        article(f"{n}flaky")
        # A redirect chain short enough to follow.
        for hop in range(4):
            r[f"/hop/{hop}"] = redirect(f"/hop/{hop + 1}")
        r["/hop/4"] = redirect(f"{n}after-redirects")
        article(
            f"{n}after-redirects", page(_story("At the end of the chain", "chain")), link="/hop/0"
        )
        # One story, eight URLs.
        story = f"{n}ferry-timetable-changes"
        story_html = _story("Ferry timetable changes", "ferry", canonical=base + story)
        r[story] = page(story_html)
        r[story + "/"] = page(story_html)
        r["/amp" + story] = page(_story("Ferry timetable changes", "ferry", canonical=base + story))
        r["/m" + story] = page(_story("Ferry timetable changes", "ferry", canonical=base + story))
        r["/print" + story] = page(story_html)
        exp.story_variants = [
            story,
            story + "?utm_source=newsletter&utm_medium=email",
            story + "?fbclid=abc123",
            "/amp" + story,
            "/m" + story,
            "/print" + story,
            story + "/",
            story + "#comments",
        ]
        links.extend(exp.story_variants)
        exp.archived.add(base + story)
        # Non-article pages and unsupported content.
        r["/about"] = page(
            "<html><head><title>About us</title></head><body><p>We are a "
            "newspaper.</p></body></html>"
        )
        links.append("/about")
        r["/section/world"] = page(
            "<html><head><title>World</title></head><body><ul>"
            + "".join(f"<li><a href='{n}good-{i}'>Story {i}</a></li>" for i in range(6))
            + "</ul></body></html>"
        )
        links.append("/section/world")
        failing(
            f"{n}report-pdf",
            page(b"%PDF-1.4 binary", "application/pdf"),
            "unsupported_content_type",
        )
        failing(
            f"{n}photo",
            page(b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "image/png"),
            "unsupported_content_type",
        )
        # Size and time limits.
        failing(f"{n}huge", huge(self.maxsize + 1024), "too_large")
        for enc in ("gzip", "deflate", "br", "zstd"):
            failing(f"{n}bomb-{enc}", encoded_bomb(enc, 64 * self.maxsize), "too_large")
        failing(f"{n}endless-chunked", endless_chunked, "too_large")
        failing(f"{n}drip", drip, "timeout")
        failing(f"{n}no-headers", silent, "timeout")
        failing(f"{n}lying-length", lying_length, "data_loss")
        r[f"{n}reset"] = reset
        links.append(f"{n}reset")  # connection_lost / response_failed: checked loosely
        # Redirect traps.
        r[f"{n}loop-a"] = redirect(f"{n}loop-b")
        r[f"{n}loop-b"] = redirect(f"{n}loop-a")
        links.append(f"{n}loop-a")
        exp.failed["too_many_redirects"] = 2
        for hop in range(30):
            r[f"/long/{hop}"] = redirect(f"/long/{hop + 1}")
        links.append("/long/0")
        closed = self.closed
        private_targets = {
            "to-loopback": f"http://127.0.0.2:{closed}/news/secret",
            "to-decimal": f"http://2130706434:{closed}/news/secret",
            "to-hex": f"http://0x7f000002:{closed}/news/secret",
            "to-metadata": f"http://metadata.test:{closed}/latest/meta-data/",
            "to-intranet": f"http://intranet.test:{closed}/admin",
            "to-ipv6": f"http://v6.test:{closed}/news/secret",
        }
        for name, target in private_targets.items():
            failing(f"{n}{name}", redirect(target), "private_address")
        failing(f"{n}to-file", redirect("file:///etc/passwd"), "blocked_scheme")
        failing(f"{n}to-nowhere", redirect(f"http://nonexistent.invalid:{closed}/news/x"), "dns")
        # robots.txt disallows a folder.
        r[f"/private{n}secret"] = page(_story("Forbidden", "forbidden"))
        links.append(f"/private{n}secret")
        exp.never_requested.add(f"/private{n}secret")
        # Sitemaps: one good, a bomb, billion laughs, XXE.
        r["/sitemap.xml"] = page(
            '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<url><loc>{base}{n}from-sitemap</loc></url></urlset>",
            "application/xml",
        )
        article(
            f"{n}from-sitemap",
            page(_story("Found through the sitemap", "sitemap")),
            link="/sitemap.xml",
        )
        r["/sitemap-bomb.xml.gz"] = page(sitemap_bomb(host, 60_000), "application/x-gzip")
        r["/laughs.xml"] = page(BILLION_LAUGHS.replace(b"HOST", host.encode()), "application/xml")
        r["/xxe.xml"] = page(XXE.replace(b"HOST", host.encode()), "application/xml")
        r["/robots.txt"] = page(
            f"User-agent: *\nDisallow: /private/\n\nSitemap: {base}/sitemap.xml\n"
            f"Sitemap: {base}/sitemap-bomb.xml.gz\nSitemap: {base}/laughs.xml\n"
            f"Sitemap: {base}/xxe.xml\n",
            "text/plain",
        )
        r["/"] = page(
            "<html><head><title>Fault Gazette</title></head><body><h1>Fault Gazette</h1><ul>"
            + "".join(
                f'<li><a href="{html.escape(u)}">Story {i}</a></li>' for i, u in enumerate(links)
            )
            + "</ul></body></html>"
        )
        self._build_backoff()
        self._build_robots5xx()
        self._build_tls()

    def _build_backoff(self) -> None:
        b = self.backoff
        n = "/news/2025/09/02/"
        b.routes["/robots.txt"] = page("User-agent: *\nAllow: /\n", "text/plain")
        b.routes[f"{n}busy-429"] = once_then(
            status_page(429, Retry_After="2"), page(_story("Patience pays", "busy429"))
        )
        b.routes[f"{n}busy-503"] = once_then(
            status_page(503, Retry_After="1"), page(_story("Back in service", "busy503"))
        )
        b.routes["/"] = page(
            f'<html><body><a href="{n}busy-429">a</a> <a href="{n}busy-503">b</a></body></html>'
        )
        self.expect.archived |= {b.url(f"{n}busy-429"), b.url(f"{n}busy-503")}

    def _build_robots5xx(self) -> None:
        s = self.robots5xx
        s.routes["/robots.txt"] = status_page(503)
        s.routes["/"] = page(_story("Never fetched", "robots5xx"))
        self.expect.failed["robots_unavailable"] = 1

    def _build_tls(self) -> None:
        self.tls.routes["/"] = page(_story("Over a self-signed certificate", "tls"))
        self.tls.routes["/robots.txt"] = page("User-agent: *\nAllow: /\n", "text/plain")
        self.expect.failed["tls"] = 1


# -- certificates ----------------------------------------------------------------------------


def make_certificate(common_name: str = "127.0.0.1", ca: Any = None) -> tuple[bytes, bytes, Any]:
    """A certificate for 127.0.0.1 (self-signed, or signed by `ca`), its key, and (cert, key)."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    issuer_cert, issuer_key = ca if ca is not None else (None, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer_cert.subject if issuer_cert is not None else name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=7))
    )
    if common_name == "test CA":
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
    else:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            False,
        )
    cert = builder.sign(issuer_key, hashes.SHA256())
    pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return pem, key_pem, (cert, key)


def server_context(cert_pem: bytes, key_pem: bytes) -> ssl.SSLContext:
    """A server-side TLS context for a PEM certificate and key."""
    import os
    import tempfile

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with tempfile.NamedTemporaryFile("wb", suffix=".pem", delete=False) as handle:
        handle.write(cert_pem + key_pem)
    try:
        context.load_cert_chain(handle.name)
    finally:
        os.unlink(handle.name)  # loaded: the key need not stay on disk
    return context


def self_signed_context() -> ssl.SSLContext:
    """A TLS context with a fresh self-signed certificate for 127.0.0.1."""
    cert, key, _ = make_certificate()
    return server_context(cert, key)


def slow(handler: Handler, delay: float) -> Handler:
    """`handler` after `delay` seconds."""

    def handle(conn: Conn) -> None:
        time.sleep(delay)
        handler(conn)

    return handle


def news_site(log: RequestLog, articles: int, delay: float = 0.0) -> FaultServer:
    """A plain site: a home page linking `articles` good stories, each served after `delay`."""
    server = FaultServer("news", log)
    links = []
    for i in range(articles):
        path = f"/news/2025/09/03/story-{i}"
        server.routes[path] = slow(
            page(_story(f"Story {i} of the day", f"story{i}-{server.port}")), delay
        )
        links.append(f'<li><a href="{path}">Story {i}</a></li>')
    server.routes["/robots.txt"] = page("User-agent: *\nAllow: /\n", "text/plain")
    server.routes["/"] = page(f"<html><body><ul>{''.join(links)}</ul></body></html>")
    return server
