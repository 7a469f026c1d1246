"""`newscrawl export -o -`: JSONL or CSV on standard output, the count on standard error."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from newscrawl.cli.main import cli


def test_jsonl_goes_to_standard_output(archive_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["export", "--format", "jsonl", "-o", "-", "--db", str(archive_path)]
    )
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows and all(row["url"] for row in rows)
    assert result.stderr.strip() == f"Exported {len(rows)} articles to standard output"
    assert not Path("-").exists()


def test_sqlite_cannot_go_to_standard_output(archive_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["export", "--format", "sqlite", "-o", "-", "--db", str(archive_path)]
    )
    assert result.exit_code == 2
    assert "cannot go to standard output" in result.stderr
