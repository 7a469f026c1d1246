"""One writer and several readers at once: no `database is locked`."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from newscrawl.archive import Archive, search

WRITES = 60
READERS = 3


def _write(path: str) -> int:
    with Archive.open(path) as archive:
        for batch in range(WRITES):
            archive.upsert_articles(
                [
                    {
                        "url": f"https://w.example/{batch}/{i}",
                        "title": f"Bridge story {batch}",
                        "text": "bridge " * 50,
                    }
                    for i in range(5)
                ]
            )
    return WRITES


def _read(path: str) -> int:
    done = 0
    with Archive.open(path) as archive:
        for _ in range(WRITES * 2):
            search(archive.conn, "bridge", limit=5)
            archive.count_articles()
            done += 1
    return done


def test_one_writer_and_readers_never_lock(archive_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(READERS + 1) as pool:
        writer = pool.apply_async(_write, (str(archive_path),))
        readers = [pool.apply_async(_read, (str(archive_path),)) for _ in range(READERS)]
        assert writer.get(timeout=120) == WRITES
        assert [r.get(timeout=120) for r in readers] == [WRITES * 2] * READERS
    with Archive.open(archive_path) as archive:
        assert archive.count_articles() == 3 + WRITES * 5


def test_two_writers_queue_instead_of_failing(archive_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        results = [pool.apply_async(_write, (str(archive_path),)) for _ in range(2)]
        assert [r.get(timeout=120) for r in results] == [WRITES, WRITES]
