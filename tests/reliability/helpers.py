"""Running crawls of the fault site and checking archives, for the reliability tests and bench."""

from __future__ import annotations

import json
import os
import resource
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
#: Settings every test crawl uses.
FAST = {
    "AUTOTHROTTLE_ENABLED": "false",
    "NEWSCRAWL_PROGRESS_INTERVAL": "0",
}


def crawl_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a crawl process: this folder importable (for the resolver stub)."""
    env = dict(os.environ)
    parts = [str(HERE)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(parts)
    env.setdefault("PYTHONUNBUFFERED", "1")
    env.update(extra or {})
    return env


def crawl_command(
    urls: list[str], db: Path | str, settings: dict[str, Any] | None = None
) -> list[str]:
    """``newscrawl crawl URL... --db DB -s NAME=VALUE...`` as an argv."""
    merged = {**FAST, **(settings or {})}
    args = [sys.executable, "-m", "newscrawl.cli.main", "crawl", *urls, "--db", str(db)]
    for name, value in merged.items():
        args += ["-s", f"{name}={value}"]
    return args


def run_crawl(
    urls: list[str],
    db: Path | str,
    settings: dict[str, Any] | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """Run a crawl to its end in a child process."""
    return subprocess.run(
        crawl_command(urls, db, settings),
        env=crawl_env(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def run_crawl_with_file_limit(
    urls: list[str], db: Path | str, limit: int, settings: dict[str, Any] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a crawl whose processes may not write a file past `limit` bytes (RLIMIT_FSIZE): a
    write beyond it fails with EFBIG, as on a full disk."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(
        crawl_command(urls, db, settings),
        env=crawl_env(),
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        preexec_fn=cap,  # noqa: PLW1509 - only sets a resource limit
    )


def connect(db: Path | str) -> sqlite3.Connection:
    """A read connection to an archive."""
    conn = sqlite3.connect(str(db), timeout=30)
    conn.row_factory = sqlite3.Row
    return conn


def article_urls(db: Path | str) -> list[str]:
    """Every archived URL (with repeats, if any)."""
    with connect(db) as conn:
        return [r[0] for r in conn.execute("SELECT url FROM articles")]


def last_run(db: Path | str) -> dict[str, Any]:
    """The last `runs` row, counters decoded."""
    with connect(db) as conn:
        row = dict(conn.execute("SELECT * FROM runs ORDER BY id DESC LIMIT 1").fetchone())
    row["counters"] = json.loads(row.get("counters") or "{}")
    return row


def integrity(db: Path | str) -> tuple[str, bool]:
    """(PRAGMA integrity_check result, FTS index in sync)."""
    from newscrawl.archive.fts import check

    with connect(db) as conn:
        result = conn.execute("PRAGMA integrity_check").fetchone()[0]
        fts = check(conn)
    return str(result), bool(fts.ok)


def stuck_claims(db: Path | str) -> int:
    """Frontier rows still claimed (``inflight``)."""
    with connect(db) as conn:
        return int(
            conn.execute("SELECT count(*) FROM frontier WHERE state = 'inflight'").fetchone()[0]
        )
