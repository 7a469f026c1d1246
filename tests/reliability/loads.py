"""Searches and exports hammering an archive while a crawl writes to it; fuzzed search input."""

from __future__ import annotations

import json
import random
import sqlite3
import string
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from newscrawl.archive import Archive, ArchiveError, search
from newscrawl.archive.export import export
from newscrawl.archive.fts import check

ALPHABET = string.printable + "äöü€日本語\u200b\u0000\"'*()-:^{}[]~NEAROR AND NOT"


@dataclass
class LoadReport:
    """What readers saw while the archive was being written."""

    searches: int = 0
    exports: int = 0
    exceptions: list[str] = field(default_factory=list)
    lock_errors: int = 0
    inconsistent_snapshots: int = 0


def random_query(rng: random.Random) -> str:
    """Arbitrary text: operators, quotes, control characters, Unicode, very long input."""
    size = rng.choice([0, 1, 2, 5, 20, 80, 500])
    return "".join(rng.choice(ALPHABET) for _ in range(size))


def _record(report: LoadReport, exc: BaseException) -> None:
    text = f"{type(exc).__name__}: {exc}"
    if "locked" in text.lower() or "busy" in text.lower():
        report.lock_errors += 1
    report.exceptions.append(text)


def fuzz_search(db: Path, queries: int, rng: random.Random, report: LoadReport) -> None:
    """Run `queries` arbitrary queries (plain and raw mode); count uncaught exceptions."""
    with Archive.open(db, create=False) as archive:
        for _ in range(queries):
            text = random_query(rng)
            try:
                search(archive.conn, text, limit=5)
                report.searches += 1
            except Exception as exc:  # noqa: BLE001 - counting is the point
                _record(report, exc)
            try:
                search(archive.conn, text, raw=True, limit=5)
            except ArchiveError:
                pass  # raw FTS5 syntax errors are reported to the user as such
            except Exception as exc:  # noqa: BLE001
                _record(report, exc)


def snapshot_consistent(path: Path, manifest_rows: int) -> bool:
    """A SQLite export: intact, FTS in sync, as many rows as its manifest says."""
    conn = sqlite3.connect(str(path))
    try:
        ok = conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
        fts_ok = (
            check(conn).ok
            if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'articles_fts'").fetchone()
            else True
        )
        return ok and fts_ok and rows == manifest_rows
    finally:
        conn.close()


def hammer(
    db: Path, folder: Path, until: threading.Event, rng: random.Random, report: LoadReport
) -> None:
    """Search, export JSONL and snapshot SQLite in a loop until `until` is set."""
    folder.mkdir(parents=True, exist_ok=True)
    n = 0
    while not until.is_set():
        n += 1
        try:
            with Archive.open(db, create=False) as archive:
                for word in ("story", "harbour", rng.choice(["ferry", '"day"', "x*", "a OR b"])):
                    search(archive.conn, word, limit=10)
                    report.searches += 1
                out = folder / f"snap-{n}.db"
                result = export(archive, "sqlite", str(out))
                if not snapshot_consistent(out, result.rows):
                    report.inconsistent_snapshots += 1
                jsonl = folder / f"e-{n}.jsonl"
                exported = export(archive, "jsonl", str(jsonl))
                lines = jsonl.read_text(encoding="utf-8").splitlines()
                if len(lines) != exported.rows or any(not json.loads(x) for x in lines):
                    report.inconsistent_snapshots += 1
                report.exports += 2
                for path in (out, jsonl):
                    path.unlink(missing_ok=True)
        except Exception as exc:  # noqa: BLE001
            _record(report, exc)
        time.sleep(0.01)
