"""End to end: deploy newscrawl to a real Scrapyd on 127.0.0.1, crawl the demo site through it."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from newscrawl.demo import DemoSite, serve_demo_site
from newscrawl.schedule import scrapyd

pytestmark = pytest.mark.e2e

pytest.importorskip("scrapyd", reason="scrapyd is a dev dependency")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def scrapyd_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Scrapyd server on a free port, in a temp folder with its own config."""
    home = tmp_path_factory.mktemp("scrapyd")
    port = _free_port()
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        "bind_address = 127.0.0.1\n"
        f"http_port = {port}\n"
        f"eggs_dir = {home / 'eggs'}\n"
        f"logs_dir = {home / 'logs'}\n"
        f"dbs_dir = {home / 'dbs'}\n"
        "items_dir =\n"
        "poll_interval = 0.2\n"
        "max_proc = 2\n"
    )
    env = {**os.environ, "HOME": str(home)}  # no ~/.scrapyd.conf of the user's
    log = open(home / "scrapyd.out", "wb")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [sys.executable, "-c", "from scrapyd.__main__ import main; main()"],
        cwd=home,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url + "daemonstatus.json", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("scrapyd did not start:\n" + (home / "scrapyd.out").read_text())
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def test_the_egg_holds_the_package_and_the_scrapy_entry_point(tmp_path: Path) -> None:
    egg = scrapyd.build_egg(str(tmp_path / "newscrawl.egg"))
    with zipfile.ZipFile(egg) as archive:
        names = set(archive.namelist())
        entry_points = archive.read("EGG-INFO/entry_points.txt").decode()
    assert "newscrawl/spiders/news.py" in names
    assert "newscrawl/settings.py" in names
    assert "newscrawl/demo/site/harbor.toml" in names
    assert not any("__pycache__" in n for n in names)
    assert "settings = newscrawl.settings" in entry_points


def test_a_crawl_scheduled_through_scrapyd_fills_the_archive(
    scrapyd_url: str, tmp_path: Path
) -> None:
    answer = scrapyd.deploy(scrapyd_url, "newscrawl", "r1")
    assert answer["spiders"] == 2  # news, and news-cluster for workers
    db = tmp_path / "news.db"
    site = DemoSite.load()
    with serve_demo_site(site):
        start = site.start_urls()[0]
        job = scrapyd.schedule(
            scrapyd_url,
            "newscrawl",
            "news",
            settings={"AUTOTHROTTLE_ENABLED": "false", "NEWSCRAWL_PROGRESS_INTERVAL": "0"},
            start_urls=start,
            db=str(db),
        )
        scrapyd.wait_for(scrapyd_url, job, "newscrawl", timeout=120)
    expected = {a["url"] for a in site.expected_articles() if a["url"].startswith(start)}
    assert db.exists(), "the crawl did not create the archive"
    conn = sqlite3.connect(db)
    try:
        urls = {row[0] for row in conn.execute("SELECT url FROM articles")}
        runs = conn.execute("SELECT status, command FROM runs").fetchall()
    finally:
        conn.close()
    assert urls, "no article archived through scrapyd"
    assert urls <= {a["url"] for a in site.expected_articles()}
    assert expected <= urls
    assert runs and runs[-1][0] == "completed"
