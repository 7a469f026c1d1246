"""`newscrawl extract`: saved files (plain and gzip), --json, and URLs on a 127.0.0.1 server."""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from newscrawl.cli.extract import extract_command
from newscrawl.settings import USER_AGENT

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
PAGE = PAGES / "jsonld_graph.html"
URL = "https://harbourgazette.example/news/tidal-turbines"
TITLE = "Tidal turbines begin powering homes on the north coast"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(extract_command, list(args))
    return result.exit_code, result.output


def test_file_prints_a_field_value_table() -> None:
    code, out = run(str(PAGE), "--url", URL)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["field", "value"]
    assert f"title          {TITLE}" in lines
    assert "authors        Maria Okafor" in lines
    assert "published      2025-03-04T08:15:00Z" in lines
    assert any(line.startswith("text ") and "tidal" in line.lower() for line in lines)


def test_gzip_file_and_json_output(tmp_path: Path) -> None:
    saved = tmp_path / "page.html.gz"
    saved.write_bytes(gzip.compress(PAGE.read_bytes()))
    code, out = run(str(saved), "--url", URL, "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["url"] == URL
    assert doc["title"] == TITLE
    assert doc["authors"] == ["Maria Okafor"]
    assert doc["is_article"] is True
    assert doc["canonical_url"] == URL


def test_missing_file_is_a_one_line_error(tmp_path: Path) -> None:
    code, out = run(str(tmp_path / "nope.html"))
    assert code == 1
    assert out.startswith("Error: cannot read ")
    assert len(out.strip().splitlines()) == 1


def test_help_has_an_example() -> None:
    code, out = run("--help")
    assert code == 0
    assert "Example:" in out and "newscrawl extract" in out


class _Handler(BaseHTTPRequestHandler):
    agents: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        _Handler.agents.append(self.headers.get("User-Agent", ""))
        if self.path == "/article":
            body = PAGE.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/article")
            self.end_headers()
        else:
            self.send_error(404, "Not Found")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_url_is_fetched_once_with_the_user_agent(server: str) -> None:
    _Handler.agents.clear()
    code, out = run(f"{server}/moved", "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["url"] == f"{server}/article"  # the final URL after the redirect
    assert doc["title"] == TITLE
    assert _Handler.agents == [USER_AGENT, USER_AGENT]  # the redirect, then the page


def test_http_error_is_a_one_line_error(server: str) -> None:
    code, out = run(f"{server}/gone")
    assert code == 1
    assert out.strip() == f"Error: {server}/gone: HTTP 404 Not Found"
