"""Kill -9 a crawl at random moments, resume, repeat; then check nothing was lost or doubled."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from faultserver import FaultServer
from helpers import article_urls, crawl_command, crawl_env, integrity, run_crawl, stuck_claims


@dataclass
class KillReport:
    """What the kill -9 rounds left behind."""

    rounds: int
    killed: int
    expected: int
    archived: int
    lost: int
    duplicated: int
    integrity: str
    fts_ok: bool
    stuck: int


def kill_rounds(
    server: FaultServer,
    db: Path,
    expected: set[str],
    rounds: int,
    rng: random.Random,
    window: tuple[float, float] = (0.5, 4.0),
    after_fetches: tuple[int, int] | None = None,
) -> KillReport:
    """`rounds` crawls each killed (SIGKILL, whole process group) at a random moment, then one
    crawl left to finish.

    The moment is a random time within `window`, or, with `after_fetches=(lo, hi)`, right after
    the server has answered a random number (lo to hi) of this round's article requests: mid-crawl
    however fast the machine.
    """
    killed = 0
    for _ in range(rounds):
        fetched_before = _article_fetches(server)
        child = subprocess.Popen(
            crawl_command([server.url("/")], db),
            env=crawl_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        if after_fetches is None:
            time.sleep(rng.uniform(*window))
        else:
            target = fetched_before + rng.randint(*after_fetches)
            deadline = time.monotonic() + 120
            while (
                child.poll() is None
                and _article_fetches(server) < target
                and time.monotonic() < deadline
            ):
                time.sleep(0.01)
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)  # the CLI and its crawl workers, mid-write
            killed += 1
        child.wait()
    final = run_crawl([server.url("/")], db, timeout=300)
    assert final.returncode == 0, final.stderr[-2000:]
    urls = article_urls(db)
    result, fts_ok = integrity(db)
    return KillReport(
        rounds=rounds,
        killed=killed,
        expected=len(expected),
        archived=len(set(urls)),
        lost=len(expected - set(urls)),
        duplicated=len(urls) - len(set(urls)) + len(set(urls) - expected),
        integrity=result,
        fts_ok=fts_ok,
        stuck=stuck_claims(db),
    )


def _article_fetches(server: FaultServer) -> int:
    """Article pages the server has been asked for so far."""
    return sum(1 for path in server.log.paths() if path.startswith("/news/"))
