"""`newscrawl export` to a place it cannot write: one line naming the output, exit 1."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from newscrawl.cli.main import cli


def export(db: Path, output: Path) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli, ["export", "--db", str(db), "--format", "jsonl", "--output", str(output)]
    )
    return result.exit_code, result.output


def test_read_only_folder_is_one_line(archive_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("chmod does not restrict this user (root)")
        code, text = export(archive_path, folder / "x.jsonl")
    finally:
        folder.chmod(0o755)
    assert code == 1
    assert text.startswith(f"Error: cannot write {folder / 'x.jsonl'}: "), text
    assert len(text.splitlines()) == 1, text
    assert os.listdir(folder) == []


def test_output_under_a_regular_file_is_one_line(archive_path: Path, tmp_path: Path) -> None:
    somefile = tmp_path / "somefile.txt"
    somefile.write_text("not a folder\n")
    code, text = export(archive_path, somefile / "x.jsonl")
    assert code == 1
    assert text.startswith(f"Error: cannot write {somefile / 'x.jsonl'}: "), text
    assert len(text.splitlines()) == 1, text


def test_manifest_that_cannot_be_written_is_one_line(archive_path: Path, tmp_path: Path) -> None:
    output = tmp_path / "x.jsonl"
    (tmp_path / "x.jsonl.manifest.json").mkdir()  # fails for root too
    code, text = export(archive_path, output)
    assert code == 1
    assert text.startswith("Error: cannot write "), text
    assert len(text.splitlines()) == 1, text
