"""fts check notices an index out of step with its table; rebuild mends it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from newscrawl.archive import Archive
from newscrawl.archive.fts import check, rebuild


def _desync(path: Path) -> None:
    """Replace a row with triggers unable to see the delete, as INSERT OR REPLACE does."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA recursive_triggers = OFF")
    conn.execute(
        "INSERT OR REPLACE INTO articles (id, url, title, text) "
        "SELECT id, url, 'Replaced', 'nothing here' FROM articles WHERE source = 'tribune'"
    )
    conn.commit()
    conn.close()


def test_check_passes_on_a_healthy_archive(archive: Archive) -> None:
    report = check(archive.conn)
    assert report.ok
    assert report.rows == 3


def test_check_catches_a_desynchronised_index(archive_path: Path) -> None:
    _desync(archive_path)
    with Archive.open(archive_path) as archive:
        report = check(archive.conn)
    assert not report.ok
    assert report.stale_tokens > 0
    assert "out of sync" in report.message


def test_rebuild_mends_the_index(archive_path: Path) -> None:
    _desync(archive_path)
    with Archive.open(archive_path) as archive:
        with archive.transaction() as conn:
            rebuild(conn)
        assert check(archive.conn).ok
        stale = archive.conn.execute(
            "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'commuters'"
        ).fetchone()[0]
    assert stale == 0
