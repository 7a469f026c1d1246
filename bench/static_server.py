"""A small, fast static file server on 127.0.0.1 for the benchmarks (asyncio, HTTP/1.1 keep-alive).

Usage: ``python bench/static_server.py ROOT [--port 0]``: prints ``http://127.0.0.1:PORT`` on the
first line of standard output once it listens, then serves until SIGTERM or Ctrl-C.

Files are served from ROOT (``/`` and folders serve their ``index.html``); the ``{BASE}``
placeholder in text files is replaced with the server's origin, so a generated site works on any
port. Content types come from the extension (none means HTML). One process handles thousands of
requests per second, so it never limits a crawl of a few hundred pages per second.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

TYPES = {
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
    ".html": "text/html; charset=utf-8",
}
DEFAULT_TYPE = "text/html; charset=utf-8"


class StaticSite:
    """Resolves request paths to file bodies under one root, with the origin filled in."""

    def __init__(self, root: str | os.PathLike[str], origin: str = "") -> None:
        """Serve files under `root`."""
        self.root = Path(root).resolve()
        self.origin = origin.encode("ascii")
        self.requests = 0

    def lookup(self, target: str) -> tuple[int, str, bytes]:
        """(status, content type, body) for a request target."""
        path = unquote(urlsplit(target).path)
        candidate = (self.root / path.lstrip("/")).resolve()
        if candidate != self.root and self.root not in candidate.parents:
            return 404, "text/plain", b"not found\n"
        if candidate.is_dir():
            candidate = candidate / "index.html"
        try:
            body = candidate.read_bytes()
        except OSError:
            return 404, "text/plain", b"not found\n"
        kind = TYPES.get(candidate.suffix, DEFAULT_TYPE)
        if self.origin:
            body = body.replace(b"{BASE}", self.origin)
        return 200, kind, body


async def _handle(
    site: StaticSite, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    """Serve requests on one connection until the client closes it or asks to."""
    try:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                return
            lines = head.decode("latin-1").split("\r\n")
            parts = lines[0].split()
            if len(parts) != 3:
                return
            method, target, version = parts
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length") or 0)
            if length:
                await reader.readexactly(length)
            status, kind, body = site.lookup(target)
            site.requests += 1
            close = version == "HTTP/1.0" or headers.get("connection", "").lower() == "close"
            reason = "OK" if status == 200 else "Not Found"
            writer.write(
                (
                    f"HTTP/1.1 {status} {reason}\r\nContent-Type: {kind}\r\n"
                    f"Content-Length: {len(body)}\r\n"
                    f"Connection: {'close' if close else 'keep-alive'}\r\n\r\n"
                ).encode("latin-1")
            )
            if method != "HEAD":
                writer.write(body)
            await writer.drain()
            if close:
                return
    except ConnectionError:
        return
    finally:
        with contextlib.suppress(Exception):
            writer.close()


async def serve(root: str, port: int = 0, host: str = "127.0.0.1") -> None:
    """Serve `root` on host:port until cancelled; prints the origin first."""
    site = StaticSite(root)
    server = await asyncio.start_server(
        lambda r, w: _handle(site, r, w), host, port, backlog=1024, limit=1 << 16
    )
    bound = server.sockets[0].getsockname()[1]
    site.origin = f"http://{host}:{bound}".encode("ascii")
    print(site.origin.decode("ascii"), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    async with server:
        await stop.wait()
    print(f"served {site.requests} requests", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    asyncio.run(serve(args.root, args.port))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
