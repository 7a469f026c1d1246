"""A full disk during a crawl: no partial rows, the archive stays intact, the next run resumes.

The disk fills for real: the crawl process runs with RLIMIT_FSIZE just above the archive's size
(no root needed), so SQLite's writes fail with an I/O error as they would on a full volume.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from faultserver import RequestLog, news_site
from helpers import (
    article_urls,
    integrity,
    last_run,
    run_crawl,
    run_crawl_with_file_limit,
    stuck_claims,
)

from newscrawl.archive import Archive

pytestmark = pytest.mark.e2e

ARTICLES = 30
ONE = {"NEWSCRAWL_PROCESSES": 1, "NEWSCRAWL_BATCH_SIZE": 5}


def _crawl_on_a_full_disk(url: str, db: Path, room: int) -> subprocess.CompletedProcess[str]:
    return run_crawl_with_file_limit([url], db, os.path.getsize(db) + room, ONE)


@pytest.fixture(scope="module")
def full_disk(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Path, str, subprocess.CompletedProcess[str]]]:
    db = tmp_path_factory.mktemp("disk") / "news.db"
    Archive.open(db, create=True).close()
    server = news_site(RequestLog(), ARTICLES).start()
    try:
        crashed = _crawl_on_a_full_disk(server.url("/"), db, 16 * 1024)
        yield db, server.url("/"), crashed
    finally:
        server.stop()


def test_no_partial_rows_and_archive_intact(full_disk: tuple) -> None:
    db, _, crashed = full_disk
    assert "disk I/O error" in crashed.stderr or "disk is full" in crashed.stderr
    assert len(article_urls(db)) < ARTICLES
    assert integrity(db) == ("ok", True)


def test_full_disk_is_a_clear_storage_error(full_disk: tuple) -> None:
    db, _, crashed = full_disk
    assert crashed.returncode == 1
    assert "cannot write to archive" in crashed.stdout + crashed.stderr
    assert last_run(db)["status"] == "failed"


def test_next_run_resumes_and_archives_everything(full_disk: tuple) -> None:
    db, url, _ = full_disk
    done = run_crawl([url], db, ONE)
    assert done.returncode == 0, done.stderr[-2000:]
    urls = article_urls(db)
    assert len(urls) == len(set(urls)) == ARTICLES
    assert integrity(db) == ("ok", True)
    assert stuck_claims(db) == 0
