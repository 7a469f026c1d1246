"""Searches, exports and a crawl at the same time: no `database is locked`, snapshots consistent;
arbitrary search input never raises."""

from __future__ import annotations

import random
import threading
from pathlib import Path

import pytest
from faultserver import RequestLog, news_site
from helpers import article_urls, run_crawl
from loads import LoadReport, fuzz_search, hammer

from newscrawl.archive import Archive

pytestmark = pytest.mark.e2e


def test_readers_and_exports_during_a_crawl(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    server = news_site(RequestLog(), 60, delay=0.05).start()
    try:
        Archive.open(db, create=True).close()
        report = LoadReport()
        stop = threading.Event()
        readers = [
            threading.Thread(
                target=hammer, args=(db, tmp_path / f"r{i}", stop, random.Random(i), report)
            )
            for i in range(2)
        ]
        for reader in readers:
            reader.start()
        try:
            done = run_crawl([server.url("/")], db, {"NEWSCRAWL_BATCH_SIZE": 2})
        finally:
            stop.set()
            for reader in readers:
                reader.join(60)
    finally:
        server.stop()
    assert done.returncode == 0, done.stderr[-2000:]
    assert "database is locked" not in done.stderr
    assert (report.exceptions, report.lock_errors, report.inconsistent_snapshots) == ([], 0, 0)
    assert report.exports > 0 and report.searches > 0
    assert len(article_urls(db)) == 60


def test_fuzzed_search_input_never_raises(archive_path: Path) -> None:
    report = LoadReport()
    fuzz_search(archive_path, 500, random.Random(20), report)
    assert report.exceptions == []
