"""Exports never overwrite the archive, fail with one clear message and leave nothing half-written.

The disk-full tests mount a tiny tmpfs in a private user and mount namespace (``unshare``) and
run the export there in a child process; they are skipped where namespaces are not allowed.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import newscrawl
from newscrawl.archive import Archive, ArchiveError, Filters, StorageError
from newscrawl.archive.export import export, export_stream
from newscrawl.cli.main import cli

REPO = Path(newscrawl.__file__).resolve().parents[1]
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _archive_intact(path: Path, before: bytes) -> None:
    assert path.read_bytes() == before
    with Archive.open(path, create=False) as reopened:
        assert reopened.count_articles() == 3


# -- the archive itself is never an output ----------------------------------------------------


def test_export_onto_the_archive_is_refused(archive: Archive, archive_path: Path) -> None:
    before = archive_path.read_bytes()
    with pytest.raises(ArchiveError, match="it is the archive"):
        export(archive, "jsonl", str(archive_path))
    _archive_intact(archive_path, before)
    assert not Path(f"{archive_path}.manifest.json").exists()


def test_export_onto_the_archive_through_a_symlink_is_refused(
    archive: Archive, archive_path: Path, tmp_path: Path
) -> None:
    link = tmp_path / "link.db"
    link.symlink_to(archive_path)
    before = archive_path.read_bytes()
    with pytest.raises(ArchiveError, match="it is the archive"):
        export(archive, "sqlite", str(link))
    _archive_intact(archive_path, before)
    assert link.is_symlink()


def test_export_onto_the_archive_by_a_relative_path_is_refused(
    archive: Archive, archive_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    before = archive_path.read_bytes()
    with pytest.raises(ArchiveError, match="it is the archive"):
        export(archive, "csv", os.path.join("..", "sub", "..", archive_path.name))
    _archive_intact(archive_path, before)


def test_export_onto_a_hard_link_to_the_archive_is_refused(
    archive: Archive, archive_path: Path, tmp_path: Path
) -> None:
    hard = tmp_path / "hard.db"
    os.link(archive_path, hard)
    before = archive_path.read_bytes()
    with pytest.raises(ArchiveError, match="it is the same file as"):
        export(archive, "jsonl", str(hard))
    _archive_intact(archive_path, before)


def test_export_onto_the_write_ahead_log_is_refused(archive: Archive, archive_path: Path) -> None:
    wal = Path(f"{archive_path}-wal")
    assert wal.exists()
    before = wal.read_bytes()
    with pytest.raises(ArchiveError, match="wal file of the archive"):
        export(archive, "jsonl", str(wal))
    assert wal.read_bytes() == before


def test_export_into_the_warc_folder_is_refused(archive: Archive, tmp_path: Path) -> None:
    (tmp_path / "warc").mkdir()
    with pytest.raises(ArchiveError, match="WARC folder"):
        export(archive, "warc", str(tmp_path / "warc" / "all.warc.gz"))
    assert os.listdir(tmp_path / "warc") == []


def test_cli_export_onto_the_default_archive_is_refused(
    archive_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NEWSCRAWL_DB", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "archive").mkdir()
    shutil.copy(archive_path, tmp_path / "archive" / "news.db")
    before = (tmp_path / "archive" / "news.db").read_bytes()
    result = CliRunner().invoke(cli, ["export", "--format", "jsonl", "-o", "archive/news.db"])
    assert result.exit_code == 1
    assert result.output == (
        "Error: cannot export to archive/news.db: it is the archive archive/news.db; "
        "choose another output file\n"
    )
    _archive_intact(tmp_path / "archive" / "news.db", before)


# -- a folder that cannot be written ----------------------------------------------------------

_CHILD = """
import json, os, resource, signal, sys
from newscrawl.archive import Archive, ArchiveError, Filters
from newscrawl.archive.export import export

args = json.loads(sys.argv[1])
archive = Archive.open(args["db"], create=False)
if args.get("fsize"):
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (args["fsize"], args["fsize"]))
if args.get("uid") is not None:
    os.setgroups([])
    os.setgid(args["uid"])
    os.setuid(args["uid"])
result = {}
try:
    export(archive, args["fmt"], args["out"], filters=Filters(**args.get("filters", {})))
    result["ok"] = True
except ArchiveError as exc:
    result["error"] = [type(exc).__name__, str(exc)]
result["left"] = sorted(os.listdir(os.path.dirname(args["out"]) or "."))
if args.get("again"):
    # The archive's connection is still usable: no transaction left open, nothing attached.
    result["again"] = export(archive, "jsonl", args["again"]).rows
print(json.dumps(result))
"""


def _child(
    args: dict[str, Any], cwd: Path, tiny: Path | None = None, fill: bool = False
) -> dict[str, Any]:
    """Run one export in a child process; with `tiny`, on a tiny tmpfs mounted there (filled
    to the last byte first when `fill`)."""
    command = [sys.executable, "-c", _CHILD, json.dumps(args)]
    if tiny is not None:
        filler = 'head -c 1048576 /dev/zero > "$0/fill" 2>/dev/null; ' if fill else ""
        command = [*_UNSHARE, f'{_MOUNT} && {filler}exec "$@"', str(tiny), *command]
    paths = [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    proc = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])


def test_output_under_a_regular_file_is_one_storage_error(archive: Archive, tmp_path: Path) -> None:
    (tmp_path / "somefile").write_text("")
    out = tmp_path / "somefile" / "out.jsonl"
    with pytest.raises(StorageError) as caught:
        export(archive, "jsonl", str(out))
    assert (
        str(caught.value) == f"cannot write {out}: {tmp_path / 'somefile'} is a file, not a folder"
    )


@pytest.mark.skipif(IS_ROOT, reason="root writes into read-only folders")
def test_read_only_folder_is_one_storage_error(
    archive: Archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rodir").mkdir()
    (tmp_path / "rodir").chmod(0o555)
    try:
        with pytest.raises(StorageError) as caught:
            export(archive, "jsonl", "rodir/out.jsonl")
        assert str(caught.value) == "cannot write rodir/out.jsonl: Permission denied"
        assert os.listdir(tmp_path / "rodir") == []
    finally:
        (tmp_path / "rodir").chmod(0o755)


@pytest.mark.skipif(not IS_ROOT, reason="needs root to run the export as another user")
def test_folder_of_another_user_is_one_storage_error(archive_path: Path, tmp_path: Path) -> None:
    tmp_path.chmod(0o711)  # the child reaches rodir by a path relative to tmp_path
    (tmp_path / "rodir").mkdir(mode=0o755)
    result = _child(
        {"db": str(archive_path), "fmt": "jsonl", "out": "rodir/out.jsonl", "uid": 65534},
        cwd=tmp_path,
    )
    assert result == {
        "error": ["StorageError", "cannot write rodir/out.jsonl: Permission denied"],
        "left": [],
    }


# -- a full disk ------------------------------------------------------------------------------

_UNSHARE = ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c"]
_MOUNT = 'mount -t tmpfs -o size=32k tmpfs "$0"'


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """A folder where a child process run by `_child(..., tiny=...)` has a 32 KiB disk."""
    folder = tmp_path / "tiny"
    folder.mkdir()
    if shutil.which("unshare") is None:
        pytest.skip("no unshare here")
    probe = subprocess.run([*_UNSHARE, _MOUNT, str(folder)], capture_output=True, timeout=30)
    if probe.returncode != 0:
        pytest.skip("cannot mount a tmpfs in a user namespace here")
    return folder


def test_full_disk_sqlite_snapshot_names_the_output(
    archive_path: Path, tmp_path: Path, tiny: Path
) -> None:
    out = tiny / "out.sqlite"
    result = _child(
        {"db": str(archive_path), "fmt": "sqlite", "out": str(out), "again": "again.jsonl"},
        cwd=tmp_path,
        tiny=tiny,
    )
    assert result == {
        "error": ["StorageError", f"cannot write {out}: the disk is full"],
        "left": [],
        "again": 3,
    }


def test_full_disk_filtered_sqlite_snapshot_names_the_output(
    archive_path: Path, tmp_path: Path, tiny: Path
) -> None:
    out = tiny / "out.sqlite"
    args = {"db": str(archive_path), "fmt": "sqlite", "out": str(out), "again": "again.jsonl"}
    result = _child({**args, "filters": {"source": "tribune"}}, cwd=tmp_path, tiny=tiny)
    assert result == {
        "error": ["StorageError", f"cannot write {out}: the disk is full"],
        "left": [],
        "again": 3,
    }


def test_full_disk_jsonl_leaves_no_temporary_file(
    archive_path: Path, tmp_path: Path, tiny: Path
) -> None:
    out = tiny / "out.jsonl"
    result = _child(
        {"db": str(archive_path), "fmt": "jsonl", "out": str(out)},
        cwd=tmp_path,
        tiny=tiny,
        fill=True,
    )
    assert result == {
        "error": ["StorageError", f"cannot write {out}: the disk is full"],
        "left": ["fill"],
    }


def test_file_size_limit_keeps_the_earlier_snapshot(archive: Archive, tmp_path: Path) -> None:
    (tmp_path / "exports").mkdir()
    out = tmp_path / "exports" / "snap.db"
    export(archive, "sqlite", str(out))
    before = (out.read_bytes(), Path(f"{out}.manifest.json").read_bytes())
    result = _child(
        {"db": str(tmp_path / "news.db"), "fmt": "sqlite", "out": str(out), "fsize": 8192},
        cwd=tmp_path,
    )
    assert result["error"][0] == "StorageError"
    assert result["error"][1].startswith(f"cannot write {out}: ")
    assert result["left"] == ["snap.db", "snap.db.manifest.json"]
    assert (out.read_bytes(), Path(f"{out}.manifest.json").read_bytes()) == before


# -- text that is not valid UTF-8 -------------------------------------------------------------


def test_undecodable_byte_in_the_query_leaves_a_valid_manifest(
    archive: Archive, tmp_path: Path
) -> None:
    out = tmp_path / "q.jsonl"
    result = export(archive, "jsonl", str(out), query="harbour\udcff")
    manifest = json.loads(Path(f"{out}.manifest.json").read_text(encoding="utf-8"))
    assert manifest["query"] == "harbour?"
    assert manifest["rows"] == result.rows


def test_undecodable_byte_in_a_filter_leaves_a_valid_manifest(
    archive: Archive, tmp_path: Path
) -> None:
    out = tmp_path / "s.csv"
    export(archive, "csv", str(out), filters=Filters(source="\udcff"))
    manifest = json.loads(Path(f"{out}.manifest.json").read_text(encoding="utf-8"))
    assert (manifest["filters"], manifest["rows"]) == ({"source": "?"}, 0)


def test_undecodable_output_name_is_refused(archive: Archive, tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    with pytest.raises(ArchiveError) as caught:
        export(archive, "jsonl", str(tmp_path / "out" / "n\udcff.jsonl"))
    assert str(caught.value) == (
        f"cannot write {tmp_path / 'out'}/n\\xff.jsonl: the file name is not valid UTF-8; "
        "choose another name"
    )
    assert os.listdir(tmp_path / "out") == []


# -- file modes -------------------------------------------------------------------------------


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet", "warc"])
@pytest.mark.usefixtures("umask_022")
def test_new_export_has_mode_0644_under_umask_022(
    archive: Archive, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"out.{fmt}"
    export(archive, fmt, str(out))
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    assert stat.S_IMODE(Path(f"{out}.manifest.json").stat().st_mode) == 0o644


@pytest.mark.usefixtures("umask_022")
def test_replaced_export_keeps_its_mode(archive: Archive, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("old\n")
    out.chmod(0o640)
    export(archive, "jsonl", str(out))
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert len(out.read_text().splitlines()) == 3


# -- streams (for ``-o -``) -------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_stream_export_writes_what_a_file_export_writes(
    archive: Archive, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"out.{fmt}"
    export(archive, fmt, str(out), filters=Filters(language="en"))
    stream = io.BytesIO()
    assert export_stream(archive, fmt, stream, filters=Filters(language="en")) == 2
    assert stream.getvalue() == out.read_bytes()


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_stream_export_to_a_full_device_is_one_storage_error(archive: Archive) -> None:
    with open("/dev/full", "wb", buffering=0) as full, pytest.raises(StorageError) as caught:
        export_stream(archive, "jsonl", full)
    assert str(caught.value) == "cannot write /dev/full: the disk is full"


def test_stream_export_onto_the_archive_is_refused(archive: Archive, archive_path: Path) -> None:
    before = archive_path.read_bytes()
    with open(archive_path, "ab") as appending, pytest.raises(ArchiveError, match="archive"):
        export_stream(archive, "jsonl", appending)
    _archive_intact(archive_path, before)
