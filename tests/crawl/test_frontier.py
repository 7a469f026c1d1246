"""The SQLite frontier: discovery, claiming, revisiting rules and crash recovery."""

from __future__ import annotations

from pathlib import Path

from newscrawl.archive import Archive
from newscrawl.frontier import Discovered, Frontier, mark_done, state_counts


def _frontier(path: Path, command: str = "crawl") -> Frontier:
    archive = Archive.open(path)
    run_id = archive.start_run(command)
    return Frontier(archive, run_id)


def _finish(frontier: Frontier) -> None:
    frontier.flush()
    frontier.archive.finish_run(frontier.run_id, "completed")


def test_discovered_urls_are_claimed_once_best_priority_first(tmp_path: Path) -> None:
    frontier = _frontier(tmp_path / "a.db")
    frontier.discover(
        [
            Discovered("https://x.example/a", "x", priority=0),
            Discovered("https://x.example/feed", "x", kind="feed", priority=200),
            Discovered("https://x.example/a", "x", priority=0),
        ]
    )
    first = frontier.claim(10)
    assert [c.url for c in first] == ["https://x.example/feed", "https://x.example/a"]
    assert frontier.claim(10) == []


def test_claim_only_takes_the_given_sources(tmp_path: Path) -> None:
    frontier = _frontier(tmp_path / "a.db")
    frontier.discover(
        [Discovered("https://x.example/a", "x"), Discovered("https://y.example/a", "y")]
    )
    assert [c.url for c in frontier.claim(10, ["y"])] == ["https://y.example/a"]


def test_a_budget_counts_what_other_workers_of_the_run_claimed(tmp_path: Path) -> None:
    """Two workers of one run share a source's page budget, even when both read it at once."""
    path = tmp_path / "a.db"
    first = _frontier(path)
    first.discover([Discovered(f"https://x.example/{n}", "x") for n in range(6)])
    first.flush()
    second = Frontier(Archive.open(path), first.run_id)
    assert len(first.claim(2, ["x"], budget=3)) == 2
    assert len(second.claim(3, ["x"], budget=3)) == 1
    assert first.claim(3, ["x"], budget=3) == []
    assert first.claimed_this_run() == {"x": 3}


def test_done_article_is_not_fetched_again_in_a_later_run(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    first = _frontier(path)
    first.discover([Discovered("https://x.example/a", "x")])
    first.claim(10)
    with first.archive.transaction() as conn:
        mark_done(conn, ["https://x.example/a"], "x")
    _finish(first)
    second = _frontier(path)
    second.discover([Discovered("https://x.example/a", "x")])
    assert second.claim(10) == []


def test_hub_is_fetched_again_once_per_run(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    first = _frontier(path)
    first.discover([Discovered("https://x.example/world", "x", kind="hub")])
    first.claim(10)
    first.mark("https://x.example/world", "done", kind="hub")
    _finish(first)
    second = _frontier(path)
    second.discover([Discovered("https://x.example/world", "x", kind="hub")])
    assert [c.url for c in second.claim(10)] == ["https://x.example/world"]
    second.mark("https://x.example/world", "done")
    second.discover([Discovered("https://x.example/world", "x", kind="hub")])
    assert second.claim(10) == []


def test_failed_article_is_retried_until_max_attempts(tmp_path: Path) -> None:
    """A permanent failure (404) is tried again when discovered again, until max_attempts."""
    path = tmp_path / "a.db"
    attempts = 0
    for _ in range(5):
        frontier = _frontier(path)
        frontier.discover([Discovered("https://x.example/a", "x")])
        claimed = frontier.claim(10)
        attempts += len(claimed)
        for c in claimed:
            frontier.mark(c.url, "failed", "http_404")
        _finish(frontier)
    assert attempts == 3


def _age(frontier: Frontier, hours: float, column: str = "fetched_at") -> None:
    """Move the failure (or discovery) times of the frontier `hours` into the past."""
    assert column in ("fetched_at", "discovered_at")
    with frontier.archive.transaction() as conn:
        conn.execute(
            f"UPDATE frontier SET {column} = strftime('%Y-%m-%dT%H:%M:%SZ', {column}, ?)",
            (f"-{hours * 3600:.0f} seconds",),
        )


def _attempts(frontier: Frontier, url: str) -> int:
    row = frontier.archive.conn.execute(
        "SELECT attempts FROM frontier WHERE url = ?", (url,)
    ).fetchone()
    return int(row[0])


def _run(path: Path, outcome: tuple[str, str], *, discover: bool = True, **kw: object) -> int:
    """One run: requeue due failures, discover the article, claim, record `outcome`; return
    how many URLs it claimed."""
    archive = Archive.open(path)
    frontier = Frontier(archive, archive.start_run("crawl"), **kw)  # type: ignore[arg-type]
    frontier.requeue_rechecks(["x"], "2000-01-01T00:00:00Z")
    if discover:
        frontier.discover([Discovered("https://x.example/a", "x")])
    claimed = frontier.claim(10)
    for c in claimed:
        frontier.mark(c.url, *outcome)
    _finish(frontier)
    archive.close()
    return len(claimed)


def test_refusals_without_a_request_use_no_attempt(tmp_path: Path) -> None:
    """A host backing off, or robots.txt unavailable: the URL is due again on the next run,
    however many runs refuse it, with or without a page linking it again."""
    path = tmp_path / "a.db"
    for n in range(6):
        reason = "backoff" if n % 2 else "robots_unavailable"
        assert _run(path, ("failed", reason), discover=n < 3) == 1
    frontier = _frontier(path)
    assert _attempts(frontier, "https://x.example/a") == 0
    frontier.discover([Discovered("https://x.example/a", "x")])
    assert [c.url for c in frontier.claim(10)] == ["https://x.example/a"]


def test_a_refusal_gives_back_one_attempt_only(tmp_path: Path) -> None:
    frontier = _frontier(tmp_path / "a.db")
    frontier.discover([Discovered("https://x.example/a", "x")])
    frontier.claim(10)
    frontier.mark("https://x.example/a", "failed", "backoff")
    frontier.mark("https://x.example/a", "failed", "backoff")
    frontier.flush()
    assert _attempts(frontier, "https://x.example/a") == 0
    assert frontier.state_of("https://x.example/a") == "failed"
    assert frontier.pending_count() == 0  # not claimed again in the same run
    assert not frontier.work_left(["x"])


def test_a_transient_failure_waits_for_its_back_off(tmp_path: Path) -> None:
    """Quick runs while a site answers 503 do not use up an article's attempts: it is due again
    only once its back-off (1 h after the first failure, then longer) has passed."""
    path = tmp_path / "a.db"
    assert _run(path, ("failed", "http_503")) == 1
    for _ in range(4):
        assert _run(path, ("failed", "http_503")) == 0
    frontier = _frontier(path)
    assert _attempts(frontier, "https://x.example/a") == 1
    _age(frontier, 0.9)
    assert _run(path, ("failed", "http_503")) == 0
    _age(frontier, 0.2)  # 1.1 h since the failure: due, even with no page linking it
    assert _run(path, ("failed", "timeout"), discover=False) == 1
    _age(frontier, 2)  # the second back-off is longer (4 h)
    assert _run(path, ("failed", "timeout")) == 0
    _age(frontier, 2.5)
    assert _run(path, ("done", "")) == 1


def test_a_transient_failure_is_given_up_after_its_attempts_and_a_day(tmp_path: Path) -> None:
    """Within a day of its discovery an article failing transiently is tried on after
    max_attempts; after that day, max_attempts attempts are the end of it."""
    path = tmp_path / "a.db"
    claims = 0
    for _ in range(4):  # within the day: a fourth attempt although max_attempts is 3
        claims += _run(path, ("failed", "connection_refused"))
        _age(_frontier(path), 17)
    assert claims == 4
    frontier = _frontier(path)
    _age(frontier, 25, "discovered_at")
    _age(frontier, 48)
    assert _run(path, ("failed", "http_503")) == 0
    assert _attempts(frontier, "https://x.example/a") == 4


def test_a_transient_failure_past_the_day_keeps_max_attempts(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    frontier = _frontier(path)
    frontier.discover([Discovered("https://x.example/a", "x")])
    _finish(frontier)
    _age(frontier, 30, "discovered_at")  # found long ago, fetched only now
    claims = 0
    for _ in range(5):
        claims += _run(path, ("failed", "http_502"))
        _age(frontier, 25)
    assert claims == 3


def test_which_failures_are_transient() -> None:
    from newscrawl.frontier import is_transient

    for reason in ("http_500", "http_503", "http_599", "http_429", "timeout", "dns"):
        assert is_transient(reason), reason
    for reason in (None, "http_404", "http_410", "http_5000", "too_large", "backoff", "robots"):
        assert not is_transient(reason), reason


def test_inflight_urls_of_a_dead_run_become_pending(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    dead = _frontier(path)
    dead.discover([Discovered("https://x.example/a", "x")])
    dead.claim(10)
    dead.archive.conn.execute("UPDATE runs SET pid = 999999999 WHERE id = ?", (dead.run_id,))
    resumed = _frontier(path)
    assert resumed.recover() == 1
    assert [c.url for c in resumed.claim(10)] == ["https://x.example/a"]
    status = resumed.archive.conn.execute(
        "SELECT status FROM runs WHERE id = ?", (dead.run_id,)
    ).fetchone()[0]
    assert status == "interrupted"
    assert state_counts(resumed.archive.conn) == {"inflight": 1}


def test_a_run_whose_crawl_processes_outlive_its_starter_is_not_dead(tmp_path: Path) -> None:
    """A scheduler killed with kill -9 leaves its crawl processes running: their run goes on."""
    import os

    path = tmp_path / "a.db"
    orphaned = _frontier(path)
    orphaned.discover([Discovered("https://x.example/a", "x")])
    orphaned.claim(10)
    conn = orphaned.archive.conn
    conn.execute("UPDATE runs SET pid = 999999999 WHERE id = ?", (orphaned.run_id,))
    conn.execute(
        "INSERT INTO run_workers (run_id, worker, pid, status, started) "
        "VALUES (?, 0, ?, 'running', '2025-09-01T00:00:00Z')",
        (orphaned.run_id, os.getpid()),  # a live process stands for the orphaned worker
    )
    resumed = _frontier(path)
    assert resumed.recover() == 0
    status = resumed.archive.conn.execute(
        "SELECT status FROM runs WHERE id = ?", (orphaned.run_id,)
    ).fetchone()[0]
    assert status == "running"
    conn.execute("UPDATE run_workers SET pid = 999999999 WHERE run_id = ?", (orphaned.run_id,))
    assert _frontier(path).recover() == 1
