"""`newscrawl demo`: offline, repeatable, leaves nothing running."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from newscrawl.cli.main import cli

pytestmark = pytest.mark.e2e


def test_demo_twice_archives_once_and_says_nothing_new(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSCRAWL_DB", raising=False)
    threads_before = threading.active_count()
    first = CliRunner().invoke(cli, ["demo"])
    second = CliRunner().invoke(cli, ["demo"])
    assert (first.exit_code, second.exit_code) == (0, 0), first.output + second.output
    assert "Run 1 completed" in first.output
    assert 'Example search: newscrawl search "ferry"' in first.output
    assert "Port Alder council approves ferry terminal" in first.output
    assert "[ferry]" in first.output
    assert "Nothing new: the archive already holds the 31 articles" in second.output
    db = tmp_path / "archive" / "news.db"
    conn = sqlite3.connect(db)
    articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    runs = conn.execute("SELECT status, articles_new FROM runs ORDER BY id").fetchall()
    conn.close()
    assert articles == 31
    assert runs == [("completed", 31), ("completed", 0)]
    assert threading.active_count() == threads_before
