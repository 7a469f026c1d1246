"""Damaged archives and files that are no archive: one clear line and exit 1, never a traceback.

The archives are real SQLite files with real pages overwritten, as a failing disk or a bad copy
would leave them.
"""

from __future__ import annotations

import os
import random
import sqlite3
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from newscrawl.cli.main import cli

PAGE = 4096
#: Tables each command reads (and FTS5's own), whose root pages a damaged copy has overwritten.
DAMAGED_TABLES = (
    "articles",
    "articles_fts_data",
    "articles_fts_idx",
    "runs",
    "frontier",
    "article_versions",
)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def root_pages(path: Path, tables: tuple[str, ...]) -> list[int]:
    conn = sqlite3.connect(path)
    try:
        roots = dict(conn.execute("SELECT name, rootpage FROM sqlite_schema WHERE rootpage > 0"))
    finally:
        conn.close()
    return [int(roots[name]) for name in tables]


def overwrite_pages(path: Path, pages: list[int], size: int = 300, seed: int = 7) -> None:
    """Overwrite `size` bytes at the start of each (1-based) page with random bytes."""
    rng = random.Random(seed)
    with open(path, "r+b") as handle:
        for page in pages:
            handle.seek((page - 1) * PAGE)
            handle.write(rng.randbytes(size))


@pytest.fixture
def damaged(archive_path: Path) -> Path:
    """The sample archive with the root pages of its tables overwritten."""
    overwrite_pages(archive_path, root_pages(archive_path, DAMAGED_TABLES))
    return archive_path


def damaged_line(path: Path, reason: str = "database disk image is malformed") -> str:
    return f"Error: archive {path} is damaged ({reason}): restore it from a backup or an export\n"


@pytest.mark.parametrize(
    "command",
    [
        ["search", "harbour"],
        ["stats"],
        ["stats", "--by-source"],
        ["runs"],
        ["sources"],
        ["export", "--format", "jsonl", "-o", "{out}"],
        ["reextract"],
        ["fts", "check"],
        ["history", "https://tribune.example/news/harbour-bridge-reopens"],
    ],
)
def test_damaged_archive_is_one_line_and_exit_1(
    damaged: Path, tmp_path: Path, command: list[str]
) -> None:
    out = str(tmp_path / "out.jsonl")
    code, text = run(*(part.format(out=out) for part in command), "--db", str(damaged))
    assert (code, text) == (1, damaged_line(damaged))


def test_fts_rebuild_of_a_damaged_archive_says_damaged(damaged: Path) -> None:
    code, text = run("fts", "rebuild", "--db", str(damaged))
    assert (code, text) == (1, damaged_line(damaged, "its full-text index cannot be read"))


def test_damaged_full_text_index_alone_fails_search_clearly(archive_path: Path) -> None:
    overwrite_pages(archive_path, root_pages(archive_path, ("articles_fts_data",)), size=100)
    code, text = run("search", "harbour", "--db", str(archive_path))
    assert (code, text) == (1, damaged_line(archive_path))


def test_every_page_damaged_after_the_third_is_one_line(archive_path: Path) -> None:
    pages = range(4, os.path.getsize(archive_path) // PAGE + 1)
    rng = random.Random(3)
    with open(archive_path, "r+b") as handle:
        for page in pages:
            handle.seek((page - 1) * PAGE + rng.randrange(PAGE - 300))
            handle.write(rng.randbytes(300))
    for command in (["search", "ferry"], ["stats"], ["sources"], ["reextract"]):
        code, text = run(*command, "--db", str(archive_path))
        assert code == 1, text
        assert text.startswith(f"Error: archive {archive_path} is damaged ("), text
        assert text.endswith("): restore it from a backup or an export\n"), text


def test_undecodable_text_in_the_archive_is_damage(archive_path: Path) -> None:
    conn = sqlite3.connect(archive_path)
    with conn:
        conn.execute("UPDATE articles SET section = CAST(x'4c6fff' AS TEXT)")
    conn.close()
    code, text = run("search", "harbour", "--db", str(archive_path))
    assert (code, text) == (1, damaged_line(archive_path, "a text value is not valid UTF-8"))


@pytest.mark.e2e
def test_crawl_into_a_damaged_archive_is_one_line_and_exit_1(damaged: Path) -> None:
    code, text = run("crawl", "http://127.0.0.1:1/", "--db", str(damaged))
    assert (code, text) == (1, damaged_line(damaged))


def test_text_file_is_still_not_an_archive(tmp_path: Path) -> None:
    notes = tmp_path / "notes.db"
    notes.write_text("hello\n" * 1000)
    code, text = run("fts", "rebuild", "--db", str(notes))
    assert (code, text) == (
        1,
        f"Error: {notes} is not a newscrawl archive (not a SQLite database)\n",
    )


@pytest.mark.parametrize(
    "command",
    [
        ["stats"],
        ["search", "x"],
        ["crawl", "http://127.0.0.1:1/"],
        ["import", "{jsonl}"],
    ],
)
def test_device_file_is_not_an_archive(tmp_path: Path, command: list[str]) -> None:
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    jsonl = tmp_path / "one.jsonl"
    jsonl.write_text('{"url": "https://gazette.example/a", "title": "A"}\n')
    args = [part.format(jsonl=jsonl) for part in command]
    code, text = run(*args, "--db", os.devnull)
    assert (code, text) == (
        1,
        f"Error: {os.devnull} is not a newscrawl archive: it is not a regular file\n",
    )
