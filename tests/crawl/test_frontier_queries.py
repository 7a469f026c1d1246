"""The frontier's hot queries: rediscoveries skipped, indexes used, in-flight work seen."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from newscrawl.archive import Archive
from newscrawl.frontier import Discovered, Frontier


def _frontier(path: Path) -> Frontier:
    archive = Archive.open(path)
    return Frontier(archive, archive.start_run("crawl"))


def _plan(conn: sqlite3.Connection, sql: str, params: tuple[object, ...] = ()) -> str:
    return " | ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + sql, params))


def test_an_identical_rediscovery_in_a_run_is_not_written_again(tmp_path: Path) -> None:
    frontier = _frontier(tmp_path / "a.db")
    hub = Discovered("https://x.example/world", "x", kind="hub", depth=1, priority=100)
    frontier.discover([hub])
    frontier.flush()
    statements: list[str] = []
    frontier.archive.conn.set_trace_callback(statements.append)
    frontier.discover([hub, hub])
    frontier.flush()
    assert not [s for s in statements if "INSERT INTO frontier" in s]
    # Anything different is written: a lower depth, for instance.
    frontier.discover([Discovered("https://x.example/world", "x", kind="hub", depth=0)])
    frontier.flush()
    assert [s for s in statements if "INSERT INTO frontier" in s]
    frontier.archive.conn.set_trace_callback(None)


def test_rediscovery_rules_hold_with_skipping(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    hub = Discovered("https://x.example/world", "x", kind="hub")
    first = _frontier(path)
    first.discover([hub])
    assert [c.url for c in first.claim(10)] == [hub.url]
    first.mark(hub.url, "done", kind="hub")
    first.discover([hub])  # same run: not fetched again
    assert first.claim(10) == []
    first.flush()
    first.archive.finish_run(first.run_id, "completed")
    second = _frontier(path)  # a later run fetches the hub again once
    second.discover([hub])
    assert [c.url for c in second.claim(10)] == [hub.url]
    second.mark(hub.url, "done")
    second.discover([hub])
    assert second.claim(10) == []


def test_claim_walks_an_index_in_priority_order(tmp_path: Path) -> None:
    frontier = _frontier(tmp_path / "a.db")
    frontier.discover(
        Discovered(f"https://x.example/{i}", "x", depth=i % 3, priority=i % 5) for i in range(60)
    )
    expected = sorted(range(60), key=lambda i: (-(i % 5), i % 3, i))
    assert [c.url for c in frontier.claim(60, ["x"])] == [
        f"https://x.example/{i}" for i in expected
    ]
    conn = frontier.archive.conn
    plan = _plan(
        conn,
        "SELECT rowid FROM frontier WHERE state = 'pending' AND source IN (?) "
        "ORDER BY priority DESC, depth, rowid LIMIT ?",
        ("x", 5),
    )
    assert "idx_frontier_claim" in plan and "TEMP B-TREE" not in plan
    plan = _plan(
        conn,
        "SELECT source, count(*) FROM frontier WHERE last_run = ? AND state != 'pending' "
        "GROUP BY source",
        (1,),
    )
    assert "idx_frontier_run" in plan and "SCAN" not in plan


def test_claim_order_is_priority_then_depth_then_discovery(tmp_path: Path) -> None:
    frontier = _frontier(tmp_path / "a.db")
    frontier.discover(
        [
            Discovered("https://x.example/low", "x", priority=0),
            Discovered("https://x.example/deep", "x", priority=200, depth=2),
            Discovered("https://x.example/a", "x", priority=200, depth=1),
            Discovered("https://x.example/b", "x", priority=200, depth=1),
        ]
    )
    assert [c.url for c in frontier.claim(10)] == [
        "https://x.example/a",
        "https://x.example/b",
        "https://x.example/deep",
        "https://x.example/low",
    ]


def test_work_left_sees_pending_and_live_inflight_urls(tmp_path: Path) -> None:
    frontier = _frontier(tmp_path / "a.db")
    assert not frontier.work_left(["x"])
    frontier.discover([Discovered("https://x.example/a", "x")])
    assert frontier.work_left(["x"])
    frontier.claim(10)
    assert not frontier.work_left(["x"])  # in flight with us only
    frontier.archive.conn.execute("UPDATE frontier SET claimed_by = 999999999")  # a dead worker
    assert frontier.work_left(["x"])  # ... whose URL is put back
    assert [c.url for c in frontier.claim(10)] == ["https://x.example/a"]
    assert frontier.claimed_this_run() == {"x": 1}
