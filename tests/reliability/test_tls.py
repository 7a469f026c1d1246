"""TLS certificates are verified by default; DOWNLOAD_VERIFY_CERTIFICATES=false turns it off."""

from __future__ import annotations

from pathlib import Path

import pytest
from faultserver import (
    FaultServer,
    RequestLog,
    article_html,
    make_certificate,
    page,
    server_context,
    story_text,
)
from helpers import article_urls, last_run, run_crawl

pytestmark = pytest.mark.e2e

ONE = {"NEWSCRAWL_PROCESSES": 1}


def _site(context: object) -> FaultServer:
    server = FaultServer("tls", RequestLog(), tls=context)  # type: ignore[arg-type]
    server.routes["/robots.txt"] = page("User-agent: *\nAllow: /\n", "text/plain")
    server.routes["/"] = page('<html><body><a href="/news/2025/09/02/secure">x</a></body></html>')
    server.routes["/news/2025/09/02/secure"] = page(
        article_html("A story served over TLS", story_text("secure"))
    )
    return server


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    ca_pem, _key, pair = make_certificate("test CA")
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    path.write_bytes(ca_pem)
    cert, key, _ = make_certificate(ca=pair)
    return path, server_context(cert, key)


def test_a_certificate_from_a_trusted_ca_is_accepted(tmp_path: Path, ca: tuple) -> None:
    ca_file, context = ca
    server = _site(context).start()
    try:
        done = run_crawl(
            [server.url("/")], tmp_path / "a.db", ONE, env={"SSL_CERT_FILE": str(ca_file)}
        )
    finally:
        server.stop()
    assert done.returncode == 0, done.stderr[-2000:]
    assert article_urls(tmp_path / "a.db") == [server.url("/news/2025/09/02/secure")]


def test_an_untrusted_certificate_fails_as_tls(tmp_path: Path, ca: tuple) -> None:
    _, context = ca  # signed by a CA the crawl does not trust
    server = _site(context).start()
    try:
        done = run_crawl([server.url("/")], tmp_path / "a.db", {**ONE, "RETRY_TIMES": 0})
    finally:
        server.stop()
    assert done.returncode == 0, done.stderr[-2000:]
    assert article_urls(tmp_path / "a.db") == []
    assert last_run(tmp_path / "a.db")["counters"]["failed_by_reason"] == {"tls": 1}
    assert server.log.entries() == []  # the handshake failed: no request was ever sent


def test_verification_can_be_turned_off(tmp_path: Path, ca: tuple) -> None:
    _, context = ca
    server = _site(context).start()
    try:
        done = run_crawl(
            [server.url("/")], tmp_path / "a.db", {**ONE, "DOWNLOAD_VERIFY_CERTIFICATES": "false"}
        )
    finally:
        server.stop()
    assert done.returncode == 0, done.stderr[-2000:]
    assert article_urls(tmp_path / "a.db") == [server.url("/news/2025/09/02/secure")]
