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
    path = tmp_path / "a.db"
    attempts = 0
    for _ in range(5):
        frontier = _frontier(path)
        frontier.discover([Discovered("https://x.example/a", "x")])
        claimed = frontier.claim(10)
        attempts += len(claimed)
        for c in claimed:
            frontier.mark(c.url, "failed", "http_500")
        _finish(frontier)
    assert attempts == 3


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
