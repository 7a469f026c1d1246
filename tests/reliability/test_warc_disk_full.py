"""A full disk while writing raw captures (WARC): a clear storage error, pages left for the next
run, and only whole records in every closed ``.warc.gz`` file.

The disk fills for real, as in test_storage.py: the crawl process runs with RLIMIT_FSIZE (no root
needed), so a write past the limit fails with EFBIG as a full volume fails with ENOSPC. The pages
carry an incompressible comment, so the WARC file reaches the limit long before the SQLite files.
"""

from __future__ import annotations

import base64
import errno
import gzip
import os
import random
import resource
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from faultserver import FaultServer, RequestLog, _story, page
from helpers import (
    article_urls,
    connect,
    integrity,
    last_run,
    run_crawl,
    run_crawl_with_file_limit,
    stuck_claims,
)
from warcio.cli import main as warcio_cli

from newscrawl.archive import Archive
from newscrawl.archive.warc import (
    OPEN_SUFFIX,
    WarcStorageError,
    WarcWriter,
    read_capture,
    recover,
    storage_error,
)

ARTICLES = 20
ONE = {"NEWSCRAWL_PROCESSES": 1, "NEWSCRAWL_BATCH_SIZE": 5}
#: Random bytes (base64) in each page: about 150 KB of WARC record per page.
PADDING = 150_000
#: The largest file the crawl process may write: the WARC file stops after a few pages.
FILE_LIMIT = 1_000_000


def warcio_check(*files: Path) -> int:
    try:
        code = warcio_cli(["check", *map(str, files)])
    except SystemExit as exit_:
        code = exit_.code
    return int(code or 0)


def assert_whole(folder: Path) -> list[Path]:
    """Every WARC file in `folder` is closed, passes warcio's check and gunzips to its end."""
    names = sorted(os.listdir(folder))
    assert not [n for n in names if n.endswith(OPEN_SUFFIX)], names
    files = [folder / n for n in names]
    assert files
    assert warcio_check(*files) == 0
    for path in files:
        with gzip.open(path) as stream:  # "unexpected end of file" on a cut member
            while stream.read(1 << 20):
                pass
    return files


def padded_site(articles: int) -> FaultServer:
    """A home page linking `articles` stories, each with an incompressible HTML comment."""
    server = FaultServer("padded", RequestLog())
    rng = random.Random(7)
    links = []
    for i in range(articles):
        path = f"/news/2025/09/03/story-{i}"
        pad = base64.b64encode(rng.randbytes(PADDING)).decode()
        html = _story(f"Story {i} of the day", f"story{i}", extra_body=f"<!-- {pad} -->")
        server.routes[path] = page(html)
        links.append(f'<li><a href="{path}">Story {i}</a></li>')
    server.routes["/robots.txt"] = page("User-agent: *\nAllow: /\n", "text/plain")
    server.routes["/"] = page(f"<html><body><ul>{''.join(links)}</ul></body></html>")
    return server


def crawl_on_a_full_disk(url: str, db: Path) -> subprocess.CompletedProcess[str]:
    return run_crawl_with_file_limit([url], db, FILE_LIMIT, ONE)


@pytest.fixture(scope="module")
def full_disk(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Path, str, subprocess.CompletedProcess[str]]]:
    db = tmp_path_factory.mktemp("warcdisk") / "news.db"
    Archive.open(db, create=True).close()
    assert os.path.getsize(db) < FILE_LIMIT // 4
    server = padded_site(ARTICLES).start()
    try:
        yield db, server.url("/"), crawl_on_a_full_disk(server.url("/"), db)
    finally:
        server.stop()


@pytest.mark.e2e
def test_full_disk_under_warc_is_a_clear_storage_error(full_disk: tuple) -> None:
    db, _, crashed = full_disk
    output = crashed.stdout + crashed.stderr
    assert crashed.returncode == 1, output[-3000:]
    assert f"Error: cannot write captures to {db.parent / 'warc'}: the disk is full" in (
        crashed.stderr
    )
    assert "Traceback" not in output
    assert "Error caught on signal handler" not in output
    run = last_run(db)
    assert run["status"] == "failed"
    assert run["counters"]["close_reason"] == "storage_error"
    assert "oserror" not in output
    assert 0 < len(article_urls(db)) < ARTICLES
    assert integrity(db) == ("ok", True)


@pytest.mark.e2e
def test_pages_not_captured_are_not_failed(full_disk: tuple) -> None:
    db, _, _ = full_disk
    with connect(db) as conn:
        failed = conn.execute("SELECT url, reason FROM frontier WHERE state = 'failed'").fetchall()
    assert [tuple(row) for row in failed] == []


@pytest.mark.e2e
def test_closed_warc_files_hold_whole_records_only(full_disk: tuple) -> None:
    db, _, _ = full_disk
    folder = db.parent / "warc"
    assert_whole(folder)
    with connect(db) as conn:
        rows = conn.execute("SELECT url, warc_file, warc_offset FROM articles").fetchall()
    assert rows
    for url, name, offset in rows:
        assert read_capture(str(folder), name, offset).url == url


@pytest.mark.e2e
def test_next_run_archives_everything(full_disk: tuple) -> None:
    db, url, _ = full_disk
    done = run_crawl([url], db, ONE)
    assert done.returncode == 0, done.stderr[-3000:]
    urls = article_urls(db)
    assert len(urls) == len(set(urls)) == ARTICLES
    assert integrity(db) == ("ok", True)
    assert stuck_claims(db) == 0
    assert_whole(db.parent / "warc")


# -- the writer -------------------------------------------------------------------------------


def write_pages(writer: WarcWriter, n: int, size: int = 4000) -> list:
    rng = random.Random(n)
    return [
        writer.write(
            f"http://127.0.0.1/story/{i}",
            "GET",
            [("User-Agent", "newscrawl/test")],
            200,
            [("Content-Type", "text/html")],
            b"<html><p>" + rng.randbytes(size).hex().encode() + b"</p></html>",
        )
        for i in range(n)
    ]


def _left_by_a_dead_writer(folder: Path, capture_file: str) -> tuple[Path, str]:
    """Rename the open file as if its writer process were gone; (its path, its final name)."""
    dead = (capture_file + OPEN_SUFFIX).replace(f"-{os.getpid()}-", "-999999999-")
    os.rename(folder / (capture_file + OPEN_SUFFIX), folder / dead)
    return folder / dead, dead[: -len(OPEN_SUFFIX)]


@pytest.mark.parametrize("where", ["response head", "response middle", "trailer", "request"])
def test_recover_cuts_an_open_file_back_to_its_last_whole_record(
    tmp_path: Path, where: str
) -> None:
    writer = WarcWriter(str(tmp_path))
    captures = write_pages(writer, 3)
    last = captures[-1]
    assert writer.handle is not None
    total = os.fstat(writer.handle.fileno()).st_size
    cut, keep = {
        "response head": (last.offset + 10, last.offset),
        "response middle": (last.offset + last.length // 2, last.offset),
        # The deflate data is whole, only the gzip trailer (CRC, length) is missing.
        "trailer": (last.offset + last.length - 3, last.offset),
        "request": (total - 5, last.offset + last.length),
    }[where]
    writer.handle.truncate(cut)
    writer.handle.close()
    path, name = _left_by_a_dead_writer(tmp_path, last.file)

    assert recover(str(tmp_path)) == [name]
    assert not path.exists()
    assert os.path.getsize(tmp_path / name) == keep
    assert_whole(tmp_path)
    assert read_capture(str(tmp_path), name, captures[1].offset).url.endswith("/story/1")


def test_recover_removes_an_open_file_without_one_whole_record(tmp_path: Path) -> None:
    writer = WarcWriter(str(tmp_path))
    [capture] = write_pages(writer, 1)
    assert writer.handle is not None
    writer.handle.truncate(40)  # inside the warcinfo record
    writer.handle.close()
    path, _ = _left_by_a_dead_writer(tmp_path, capture.file)
    assert recover(str(tmp_path)) == []
    assert not path.exists()
    assert os.listdir(tmp_path) == []


def test_a_refused_write_leaves_whole_records_and_writing_goes_on_after(tmp_path: Path) -> None:
    writer = WarcWriter(str(tmp_path))
    captures = write_pages(writer, 2)
    assert writer.handle is not None
    open_path = tmp_path / (captures[0].file + OPEN_SUFFIX)
    size = os.path.getsize(open_path)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size + 3000, hard))  # a full disk for this file
    try:
        with pytest.raises(WarcStorageError, match="the disk is full") as refused:
            write_pages(writer, 1, size=20_000)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert str(refused.value) == f"cannot write captures to {tmp_path}: the disk is full"
    assert refused.value.errno == errno.EFBIG
    assert os.path.getsize(open_path) == size  # the torn record is cut off at once
    # Room again: the next record follows the last whole one.
    [more] = write_pages(writer, 1)
    assert more.offset == size
    writer.close()
    assert_whole(tmp_path)
    assert read_capture(str(tmp_path), more.file, more.offset).url.endswith("/story/0")


def test_a_file_without_room_for_its_first_record_is_not_left(tmp_path: Path) -> None:
    writer = WarcWriter(str(tmp_path))
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (100, hard))  # less than the warcinfo record
    try:
        with pytest.raises(WarcStorageError, match="the disk is full"):
            write_pages(writer, 1)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert os.listdir(tmp_path) == []
    writer.close()
    [capture] = write_pages(writer, 1)  # room again: a new file
    writer.close()
    assert [p.name for p in assert_whole(tmp_path)] == [capture.file]


@pytest.mark.parametrize(
    ("code", "why"),
    [
        (errno.ENOSPC, "the disk is full"),
        (errno.EDQUOT, "the disk is full"),
        (errno.EFBIG, "the disk is full"),
        (errno.EIO, "disk I/O error"),
    ],
)
def test_storage_error_messages(code: int, why: str) -> None:
    error = storage_error("/a/warc", OSError(code, os.strerror(code)))
    assert str(error) == f"cannot write captures to /a/warc: {why}"
    assert error.errno == code
