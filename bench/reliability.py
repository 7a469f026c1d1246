"""Reliability bench (issue 6): the long versions of tests/reliability, one table at the end.

    .venv/bin/python bench/reliability.py                 # 200 kill -9 rounds, 20,000 queries,
                                                          # 5 minutes of concurrent load
    .venv/bin/python bench/reliability.py --kill-rounds 10 --queries 2000 --load-seconds 30

Everything runs on 127.0.0.1. Columns: cases survived (of cases run), lost and duplicated
articles, uncaught exceptions, `database is locked` errors (seen by readers or logged by a
crawl). Under the table, the most common exception and crawl error messages, if any.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "reliability"))

from faultserver import FaultSite, RequestLog, news_site  # noqa: E402
from helpers import article_urls, integrity, last_run, run_crawl  # noqa: E402
from killresume import kill_rounds  # noqa: E402
from loads import LoadReport, fuzz_search, hammer  # noqa: E402

from newscrawl.archive import Archive  # noqa: E402


def bad_input(folder: Path) -> dict[str, Any]:
    """One crawl of the fault site: cases survived = good articles archived + bad cases counted."""
    db = folder / "fault.db"
    with FaultSite(maxsize=1 << 20) as site:
        done = run_crawl(
            site.start_urls(),
            db,
            {
                "DOWNLOAD_MAXSIZE": 1 << 20,
                "DOWNLOAD_TIMEOUT": 3,
                "NEWSCRAWL_GUARD_RESOLVER": "stub_resolver.resolve",
            },
        )
        urls = article_urls(db)
        failed = last_run(db)["counters"].get("failed_by_reason", {})
        expected = site.expect
        counted = sum(min(failed.get(k, 0), v) for k, v in expected.failed.items())
        cases = len(expected.archived) + sum(expected.failed.values())
        return {
            "bench": "bad-input crawl",
            "cases": cases,
            "survived": len(set(urls) & expected.archived) + counted,
            "lost": len(expected.archived - set(urls)),
            "duplicated": len(urls) - len(set(urls)),
            "exceptions": int(done.returncode != 0) + done.stderr.count("Traceback"),
            "lock_errors": done.stderr.count("database is locked"),
        }


def kill9(folder: Path, rounds: int, seed: int) -> dict[str, Any]:
    """`rounds` kill -9 at random moments, then a resume; a fresh site every 20 rounds."""
    rng = random.Random(seed)
    totals = {"lost": 0, "duplicated": 0, "bad_integrity": 0, "stuck": 0, "killed": 0}
    done = 0
    batch = 0
    while done < rounds:
        step = min(20, rounds - done)
        log = RequestLog()
        server = news_site(log, 40, delay=0.1).start()
        try:
            expected = {server.url(f"/news/2025/09/03/story-{i}") for i in range(40)}
            report = kill_rounds(server, folder / f"kill-{batch}.db", expected, step, rng)
        finally:
            server.stop()
        totals["lost"] += report.lost
        totals["duplicated"] += report.duplicated
        totals["bad_integrity"] += int(report.integrity != "ok" or not report.fts_ok)
        totals["stuck"] += report.stuck
        totals["killed"] += report.killed
        done += step
        batch += 1
        print(f"  kill -9: {done}/{rounds} rounds, {totals}", flush=True)
    return {
        "bench": f"kill -9 + resume ({totals['killed']} killed)",
        "cases": rounds,
        "survived": rounds
        if not (
            totals["lost"] or totals["duplicated"] or totals["bad_integrity"] or totals["stuck"]
        )
        else 0,
        "lost": totals["lost"],
        "duplicated": totals["duplicated"],
        "exceptions": totals["bad_integrity"] + totals["stuck"],
        "lock_errors": 0,
    }


def fuzz(folder: Path, queries: int, seed: int) -> dict[str, Any]:
    """`queries` arbitrary search strings (plain and raw) against a small archive."""
    db = folder / "fuzz.db"
    with Archive.open(db) as archive:
        archive.upsert_articles(
            [
                {"url": f"https://f.example/{i}", "title": f"Story {i}", "text": "harbour " * 40}
                for i in range(20)
            ]
        )
    report = LoadReport()
    fuzz_search(db, queries, random.Random(seed), report)
    return {
        "bench": "fuzzed search queries",
        "cases": queries,
        "survived": queries - len(report.exceptions),
        "lost": 0,
        "duplicated": 0,
        "exceptions": len(report.exceptions),
        "lock_errors": report.lock_errors,
        "errors": report.exceptions,
    }


def load(folder: Path, seconds: float, seed: int) -> dict[str, Any]:
    """Crawls (one after another) while 3 readers search and export, for `seconds`."""
    db = folder / "load.db"
    Archive.open(db, create=True).close()
    report = LoadReport()
    stop = threading.Event()
    readers = [
        threading.Thread(
            target=hammer, args=(db, folder / f"r{i}", stop, random.Random(seed + i), report)
        )
        for i in range(3)
    ]
    for reader in readers:
        reader.start()
    crawls = lost = dup = crawls_failed = crawl_exceptions = crawl_locks = 0
    crawl_lines: list[str] = []
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            server = news_site(RequestLog(), 60, delay=0.02)
            # A new port each time: a new source with 60 new articles.
            server.start()
            try:
                done = run_crawl([server.url("/")], db, {"NEWSCRAWL_BATCH_SIZE": 2})
            finally:
                server.stop()
            crawls += 1
            locks = done.stderr.count("database is locked")
            crawl_locks += locks
            crawl_exceptions += int(done.returncode != 0) + done.stderr.count("Traceback")
            crawls_failed += int(done.returncode != 0 or locks > 0)
            crawl_lines += _error_lines(done.stderr, done.returncode)
            urls = article_urls(db)
            expected = {server.url(f"/news/2025/09/03/story-{i}") for i in range(60)}
            lost += len(expected - set(urls))
            dup += len(urls) - len(set(urls))
    finally:
        stop.set()
        for reader in readers:
            reader.join(120)
    ok, fts = integrity(db)
    # Cases: each search, each export, each crawl, and each reader round that raised before it
    # could count its searches and exports.
    failed_rounds = len(report.exceptions)
    return {
        "bench": f"concurrent load ({crawls} crawls, {report.exports} exports)",
        "cases": report.searches + report.exports + crawls + failed_rounds,
        "survived": report.searches
        + report.exports
        + crawls
        - crawls_failed
        - report.inconsistent_snapshots,
        "lost": lost,
        "duplicated": dup,
        "exceptions": failed_rounds + crawl_exceptions + int(ok != "ok" or not fts),
        "lock_errors": report.lock_errors + crawl_locks,
        "errors": report.exceptions + crawl_lines,
    }


_CLOCK = re.compile(r"^\d\d:\d\d:\d\d(,\d+)? ")


def _error_lines(stderr: str, returncode: int) -> list[str]:
    """A crawl's error lines (clock removed, so repeats group), for the summary under the table."""
    lines = [
        "crawl: " + _CLOCK.sub("", line.strip())
        for line in stderr.splitlines()
        if "database is locked" in line or "Error" in line or "Traceback" in line
    ]
    if returncode != 0:
        lines.append(f"crawl: exit status {returncode}")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Run the benches and print the table; exit 1 if anything was lost, doubled or raised."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kill-rounds", type=int, default=200)
    parser.add_argument("--queries", type=int, default=20_000)
    parser.add_argument("--load-seconds", type=float, default=300.0)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument(
        "--skip", action="append", default=[], choices=["bad-input", "kill", "fuzz", "load"]
    )
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="newscrawl-bench-") as tmp:
        folder = Path(tmp)
        steps = [
            ("bad-input", lambda: bad_input(folder)),
            ("kill", lambda: kill9(folder, args.kill_rounds, args.seed)),
            ("fuzz", lambda: fuzz(folder, args.queries, args.seed)),
            ("load", lambda: load(folder, args.load_seconds, args.seed)),
        ]
        for name, step in steps:
            if name in args.skip:
                continue
            started = time.monotonic()
            print(f"running {name}...", flush=True)
            row = step()
            row["seconds"] = round(time.monotonic() - started, 1)
            rows.append(row)
    columns = [
        "bench",
        "cases",
        "survived",
        "lost",
        "duplicated",
        "exceptions",
        "lock_errors",
        "seconds",
    ]
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in columns}
    print()
    print("  ".join(c.ljust(widths[c]) for c in columns))
    print("  ".join("-" * widths[c] for c in columns))
    for row in rows:
        print("  ".join(str(row[c]).ljust(widths[c]) for c in columns))
    for row in rows:
        errors = Counter(row.get("errors") or [])
        if errors:
            print(f"\n{row['bench']}: {sum(errors.values())} exceptions, most common first:")
            for text, times in errors.most_common(5):
                print(f"  {times:>7}  {text[:300]}")
    bad = any(r["lost"] or r["duplicated"] or r["exceptions"] or r["lock_errors"] for r in rows)
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
