"""The crawl frontier: every discovered URL with its state, kept in the archive's SQLite file.

The frontier is both the seen-set and the queue: URLs are discovered into it, claimed from it in
batches (``pending`` -> ``inflight``), and end as ``done``, ``failed`` or ``skipped`` with a reason.
Because it lives beside the articles, an article's row and its frontier state change in one
transaction, so a crawl killed at any moment resumes without losing or duplicating articles.

Re-visiting rules: articles that are done are never fetched again; hubs (home, section, tag
pages), feeds and sitemaps are fetched again once per run when discovered again; failed articles
are tried again in later runs (see "Failed articles" below).

Failed articles. Each claim counts one attempt. What happens next depends on why it failed:

- refused without a request (`REFUSALS`: the host asked to be left alone with ``Retry-After``, or
  its robots.txt is unavailable): the attempt is given back, and the URL is due again on the next
  run (the host's pause itself is kept by `newscrawl.middlewares.retryafter`);
- a transient failure (`is_transient`: 5xx, 429, 408, timeouts, connection errors): due again
  once a back-off has passed since the failure, growing with its attempts (`RETRY_DELAYS`:
  1 h, 4 h, 16 h, then daily), and given up after `max_attempts` attempts, but never within
  `RETRY_WINDOW` (a day) of its discovery: quick runs during an outage cannot use up its
  attempts, and a site down for a day loses nothing;
- any other failure (404, 410, too large, blocked, extraction errors): tried again when
  discovered again, until `max_attempts`.

Due failed articles are put back in the queue at the start of a run (`requeue_failed`, called by
`requeue_rechecks`), also when no page links them any more, and when discovered again.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sqlite3
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from newscrawl.archive.store import Archive
from newscrawl.isotime import utc_now
from newscrawl.processes import pid_alive

logger = logging.getLogger(__name__)

PENDING, INFLIGHT, DONE, FAILED, SKIPPED = "pending", "inflight", "done", "failed", "skipped"
KINDS = ("article", "hub", "feed", "sitemap", "start", "robots")

#: Failure reasons of requests refused before they were sent (`newscrawl.failures`): the host is
#: backing off (Retry-After), or its robots.txt is unavailable. They use no attempt.
REFUSALS = frozenset({"backoff", "robots_unavailable"})
#: Failure reasons a server or the network may get over (besides every ``http_5xx``).
TRANSIENT = frozenset(
    {
        "http_408",
        "http_425",
        "http_429",
        "timeout",
        "dns",
        "connection_refused",
        "connection_lost",
        "no_response",
        "response_failed",
        "data_loss",
    }
)
#: Seconds a transiently failed URL waits before its next try, by the attempts it has had
#: (the last one for every later attempt).
RETRY_DELAYS: tuple[float, ...] = (3600.0, 4 * 3600.0, 16 * 3600.0, 24 * 3600.0)
#: Seconds after its discovery during which a transiently failing URL is never given up.
RETRY_WINDOW = 24 * 3600.0


def is_transient(reason: str | None) -> bool:
    """Whether a failure reason names a failure the server or network may get over (as the
    frontier's SQL decides it)."""
    return reason is not None and (
        reason in TRANSIENT or re.fullmatch(r"http_5[0-9][0-9]", reason) is not None
    )


def _quoted(values: Iterable[str]) -> str:
    return ", ".join(f"'{v}'" for v in sorted(values))


def _retriable_sql(steps: int) -> str:
    """SQL: whether a failed article row (``frontier.``) may be fetched again now; its named
    parameters are `Frontier._retry_params`."""
    due = f":retry_due_{steps}"
    if steps > 1:
        whens = " ".join(
            f"WHEN frontier.attempts <= {n} THEN :retry_due_{n}" for n in range(1, steps)
        )
        due = f"CASE {whens} ELSE {due} END"
    return (
        "(CASE"
        f" WHEN frontier.reason IN ({_quoted(REFUSALS)}) THEN 1"
        f" WHEN frontier.reason IN ({_quoted(TRANSIENT)})"
        "  OR frontier.reason GLOB 'http_5[0-9][0-9]' THEN"
        f"  coalesce(frontier.fetched_at, '') <= {due}"
        "  AND (frontier.attempts < :max_attempts"
        "   OR coalesce(frontier.discovered_at, '') >= :retry_window)"
        " ELSE frontier.attempts < :max_attempts END)"
    )


@dataclass
class Discovered:
    """A URL found by discovery, waiting to be written to the frontier."""

    url: str
    source: str
    kind: str = "article"
    depth: int = 0
    priority: int = 0
    referrer: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    #: The sitemap's <lastmod> for this URL: a later one than our last fetch means "changed".
    lastmod: str | None = None


@dataclass
class Claimed:
    """A URL taken from the frontier to be fetched in this run."""

    url: str
    source: str
    kind: str
    depth: int
    referrer: str | None
    meta: dict[str, Any]


_DISCOVER_SQL = """
INSERT INTO frontier (url, source, kind, state, depth, priority, attempts, referrer, meta,
                      discovered_at, last_run, lastmod)
VALUES (:url, :source, :kind, 'pending', :depth, :priority, 0, :referrer, :meta, :now, NULL,
        :lastmod)
ON CONFLICT(url) DO UPDATE SET
  meta = CASE WHEN {changed} THEN json_set(coalesce(frontier.meta, '{{}}'), '$.recheck', 1)
              ELSE coalesce(frontier.meta, excluded.meta) END,
  priority = CASE WHEN {revisit} OR {changed} THEN excluded.priority ELSE frontier.priority END,
  depth = CASE WHEN {revisit} THEN min(frontier.depth, excluded.depth) ELSE frontier.depth END,
  state = CASE WHEN {revisit} OR {changed} THEN 'pending' ELSE frontier.state END,
  lastmod = coalesce(excluded.lastmod, frontier.lastmod)
"""
# An archived article whose sitemap <lastmod> is later than our last fetch has changed.
_CHANGED = (
    "(frontier.kind = 'article' AND frontier.state = 'done' AND excluded.lastmod IS NOT NULL"
    " AND excluded.lastmod > coalesce(frontier.fetched_at, '')"
    " AND coalesce(frontier.last_run, 0) < :run)"
)
_REVISIT = (
    "((frontier.kind != 'article' AND frontier.state IN ('done', 'skipped', 'failed')"
    "  AND coalesce(frontier.last_run, 0) < :run)"
    " OR (frontier.kind = 'article' AND frontier.state = 'failed'"
    "  AND coalesce(frontier.last_run, 0) < :run AND {retriable}))"
)


def _upsert_sql(steps: int) -> str:
    return _DISCOVER_SQL.format(
        revisit=_REVISIT.format(retriable=_retriable_sql(steps)), changed=_CHANGED
    )


_MARK_SQL = (
    "UPDATE frontier SET state = :state, reason = :reason, fetched_at = :now, "
    "kind = coalesce(:kind, kind), "
    # A request refused before it was sent gives its claim's attempt back (once).
    "attempts = CASE WHEN :refused AND state = 'inflight' AND last_run = :run AND attempts > 0 "
    "THEN attempts - 1 ELSE attempts END "
    "WHERE url = :url "
    # An archived article stays done whatever a later duplicate says.
    "AND NOT (state = 'done' AND kind = 'article' AND :state = 'skipped')"
)
#: Discoveries a frontier remembers having written in this run (bounded: memory stays flat).
SENT_LIMIT = 20_000


class Frontier:
    """The frontier of one crawl run, writing through the archive's connection in batches."""

    def __init__(
        self,
        archive: Archive,
        run_id: int,
        *,
        max_attempts: int = 3,
        batch_size: int = 500,
        retry_delays: Sequence[float] = RETRY_DELAYS,
        retry_window: float = RETRY_WINDOW,
    ) -> None:
        self.archive = archive
        self.run_id = run_id
        self.max_attempts = max_attempts
        self.batch_size = batch_size
        #: Back-off of transiently failed URLs by attempts (see the module docstring).
        self.retry_delays = tuple(float(d) for d in retry_delays) or (0.0,)
        self.retry_window = float(retry_window)
        self._upsert = _upsert_sql(len(self.retry_delays))
        self._discovered: list[dict[str, Any]] = []
        self._marks: list[dict[str, Any]] = []
        # Discoveries already written in this run: the same one again would change nothing.
        self._sent: OrderedDict[tuple[Any, ...], None] = OrderedDict()

    # -- recovery -------------------------------------------------------------------------------

    def recover(self) -> int:
        """Mark dead runs interrupted and put their in-flight URLs back to pending."""
        with self.archive.transaction() as conn:
            running = conn.execute(
                "SELECT id, pid FROM runs WHERE status = 'running' AND id != ?", (self.run_id,)
            ).fetchall()
            for run in running:
                # A run is dead when the process that started it is, and none of its crawl
                # processes lives on (they outlive a scheduler killed with kill -9).
                workers = conn.execute(
                    "SELECT pid FROM run_workers WHERE run_id = ? AND status = 'running'",
                    (run["id"],),
                ).fetchall()
                if not pid_alive(run["pid"]) and not any(pid_alive(w["pid"]) for w in workers):
                    conn.execute(
                        "UPDATE runs SET status = 'interrupted', ended = coalesce(ended, ?) "
                        "WHERE id = ?",
                        (utc_now(), run["id"]),
                    )
            cur = conn.execute(
                "UPDATE frontier SET state = 'pending' WHERE state = 'inflight' AND "
                "coalesce(last_run, 0) NOT IN (SELECT id FROM runs WHERE status = 'running')"
            )
            return int(cur.rowcount)

    # -- writes (buffered) ----------------------------------------------------------------------

    def discover(self, items: Iterable[Discovered]) -> None:
        """Queue newly found URLs; they reach the database at the next flush.

        A discovery identical to one this run already queued (same URL, source, kind, depth,
        priority, meta and lastmod: every page of a site links its sections and home page again)
        is skipped: once written, repeating it changes nothing within the run, since a row only
        changes afterwards by being claimed in this run, which the upsert then leaves alone.
        """
        now = utc_now()
        sent = self._sent
        for item in items:
            meta = json.dumps(item.meta, sort_keys=True, default=str) if item.meta else None
            key = (item.url, item.source, item.kind, item.depth, item.priority, meta, item.lastmod)
            if key in sent:
                sent.move_to_end(key)
                continue
            sent[key] = None
            if len(sent) > SENT_LIMIT:
                sent.popitem(last=False)
            self._discovered.append(
                {
                    "url": item.url,
                    "source": item.source,
                    "kind": item.kind,
                    "depth": item.depth,
                    "priority": item.priority,
                    "referrer": item.referrer,
                    "meta": meta,
                    "now": now,
                    "lastmod": item.lastmod,
                }
            )
        if len(self._discovered) >= self.batch_size:
            self.flush()

    def mark(
        self, url: str, state: str, reason: str | None = None, kind: str | None = None
    ) -> None:
        """Record the outcome for a URL (written at the next flush)."""
        self._marks.append(
            {
                "url": url,
                "state": state,
                "reason": reason,
                "kind": kind,
                "now": utc_now(),
                "refused": state == FAILED and reason in REFUSALS,
                "run": self.run_id,
            }
        )
        if len(self._marks) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        """Write buffered discoveries and outcomes in one transaction."""
        if not self._discovered and not self._marks:
            return
        discovered, marks = self._discovered, self._marks
        self._discovered, self._marks = [], []
        extra = {"run": self.run_id, **self._retry_params()}
        try:
            with self.archive.transaction() as conn:
                conn.executemany(self._upsert, [{**row, **extra} for row in discovered])
                conn.executemany(_MARK_SQL, marks)
        except BaseException:
            # Not written: these discoveries may be made again.
            for row in discovered:
                self._forget(row)
            raise

    def _retry_params(self, now: datetime | None = None) -> dict[str, Any]:
        """The named parameters of `_retriable_sql`: for each number of attempts, the latest
        failure time that is due again now; the earliest discovery still within the window."""
        now = now or datetime.now(timezone.utc)

        def before(seconds: float) -> str:
            moment = now.replace(microsecond=0) - timedelta(seconds=seconds)
            return moment.isoformat().replace("+00:00", "Z")

        params: dict[str, Any] = {
            f"retry_due_{n}": before(delay) for n, delay in enumerate(self.retry_delays, 1)
        }
        params["retry_window"] = before(self.retry_window)
        params["max_attempts"] = self.max_attempts
        return params

    def _forget(self, row: dict[str, Any]) -> None:
        key = tuple(
            row[k] for k in ("url", "source", "kind", "depth", "priority", "meta", "lastmod")
        )
        self._sent.pop(key, None)

    # -- reads ----------------------------------------------------------------------------------

    def claim(
        self, limit: int, sources: Sequence[str] | None = None, budget: int | None = None
    ) -> list[Claimed]:
        """Take up to `limit` pending URLs (best priority first) for this run.

        With a `budget`, the URLs these sources have had claimed this run (by any worker) count
        against it, checked in the same write transaction so that two workers cannot both fill it.
        """
        self.flush()
        if limit <= 0:
            return []
        params: list[Any] = [self.run_id]
        where = "state = 'pending'"
        if sources is not None:
            if not sources:
                return []
            where += f" AND source IN ({', '.join('?' for _ in sources)})"
        inner_params: list[Any] = list(sources or [])
        sql = (
            "UPDATE frontier SET state = 'inflight', last_run = ?, attempts = attempts + 1, "
            "claimed_by = ? "
            f"WHERE rowid IN (SELECT rowid FROM frontier WHERE {where} "
            "ORDER BY priority DESC, depth, rowid LIMIT ?) "
            "RETURNING url, source, kind, depth, referrer, meta, priority"
        )
        with self.archive.transaction() as conn:
            if budget is not None:
                used = conn.execute(
                    "SELECT count(*) FROM frontier WHERE last_run = ? AND state != 'pending'"
                    + (f" AND source IN ({', '.join('?' for _ in sources)})" if sources else ""),
                    [self.run_id, *(sources or [])],
                ).fetchone()[0]
                limit = min(limit, budget - int(used))
            rows = (
                conn.execute(sql, [*params, os.getpid(), *inner_params, int(limit)]).fetchall()
                if limit > 0
                else []
            )
        rows = sorted(rows, key=lambda r: (-int(r["priority"] or 0), int(r["depth"] or 0)))
        return [
            Claimed(
                url=r["url"],
                source=r["source"],
                kind=r["kind"],
                depth=int(r["depth"] or 0),
                referrer=r["referrer"],
                meta=json.loads(r["meta"]) if r["meta"] else {},
            )
            for r in rows
        ]

    def claimed_this_run(self) -> dict[str, int]:
        """URLs claimed by this run so far (by any of its workers), per source."""
        rows = self.archive.conn.execute(  # uses idx_frontier_run: this run's rows only
            "SELECT source, count(*) FROM frontier WHERE last_run = ? AND state != 'pending' "
            "GROUP BY source",
            (self.run_id,),
        ).fetchall()
        return {str(r[0]): int(r[1]) for r in rows}

    def work_left(self, sources: Sequence[str]) -> bool:
        """True while any URL of these sources waits, or is being fetched by a live worker.

        Rows claimed by a worker process that died are put back to pending (and count as work).
        """
        self.flush()
        if not sources:
            return False
        marks = ", ".join("?" for _ in sources)
        # Two index searches in one read snapshot: any pending URL at all (not a count of every
        # pending URL), then the workers with URLs of this run in flight.
        with self.archive.snapshot() as conn:
            if conn.execute(
                f"SELECT 1 FROM frontier WHERE source IN ({marks}) AND state = 'pending' LIMIT 1",
                list(sources),
            ).fetchone():
                return True
            rows = conn.execute(
                f"SELECT DISTINCT claimed_by FROM frontier WHERE source IN ({marks}) "
                "AND state = 'inflight' AND last_run = ?",
                [*sources, self.run_id],
            ).fetchall()
        dead = []
        for (pid,) in rows:
            if pid == os.getpid():
                continue  # our own: fetched, waiting for our last archive batch
            if pid_alive(pid):
                return True
            dead.append(pid)
        if dead:
            with self.archive.transaction() as conn:
                conn.executemany(
                    "UPDATE frontier SET state = 'pending' WHERE state = 'inflight' "
                    "AND last_run = ? AND claimed_by = ?",
                    [(self.run_id, pid) for pid in dead],
                )
            return True
        return False

    def pending_count(self, sources: Sequence[str] | None = None) -> int:
        """How many URLs wait to be fetched (after writing buffered discoveries)."""
        self.flush()
        sql = "SELECT count(*) FROM frontier WHERE state = 'pending'"
        params: list[Any] = []
        if sources is not None:
            sql += f" AND source IN ({', '.join('?' for _ in sources)})"
            params = list(sources)
        return int(self.archive.conn.execute(sql, params).fetchone()[0])

    def requeue_failed(self, sources: Sequence[str]) -> int:
        """Put the failed articles of `sources` that are due for another try back in the queue
        (see the module docstring), whether or not a page links them again; return how many.

        Called once at the start of a run (by `requeue_rechecks`): URLs that fail in this run
        wait for a later one.
        """
        self.flush()
        if not sources:
            return 0
        params = {**self._retry_params(), "run": self.run_id}
        params.update({f"source_{i}": name for i, name in enumerate(sources)})
        marks = ", ".join(f":source_{i}" for i in range(len(sources)))
        failed = (
            f"frontier.source IN ({marks}) AND frontier.state = 'failed' "
            "AND frontier.kind = 'article' AND coalesce(frontier.last_run, 0) < :run"
        )
        retriable = _retriable_sql(len(self.retry_delays))
        with self.archive.transaction() as conn:
            requeued = int(
                conn.execute(
                    f"UPDATE frontier SET state = 'pending' WHERE {failed} AND {retriable}",
                    params,
                ).rowcount
            )
            waiting = int(
                conn.execute(
                    f"SELECT count(*) FROM frontier WHERE {failed} AND NOT {retriable} AND ("
                    f"frontier.reason IN ({_quoted(TRANSIENT)}) "
                    "OR frontier.reason GLOB 'http_5[0-9][0-9]') "
                    "AND (frontier.attempts < :max_attempts "
                    "OR coalesce(frontier.discovered_at, '') >= :retry_window)",
                    params,
                ).fetchone()[0]
            )
        if requeued:
            logger.info("Trying %d failed URLs again", requeued)
        if waiting:
            logger.info(
                "%d URLs that failed with a transient error wait for their back-off", waiting
            )
        return requeued

    def requeue_rechecks(self, sources: Sequence[str], now: str, everything: bool = False) -> int:
        """Put archived articles due for a re-check (or all of them) back in the queue; return
        how many. Failed articles due for another try are put back too (`requeue_failed`, not
        counted): this is called once, at the start of a run."""
        if not sources:
            return 0
        self.requeue_failed(sources)
        marks = ", ".join("?" for _ in sources)
        due = "1" if everything else "(next_check IS NOT NULL AND next_check <= ?)"
        params: list[Any] = list(sources) + ([] if everything else [now])
        with self.archive.transaction() as conn:
            cur = conn.execute(
                "UPDATE frontier SET state = 'pending', priority = 50, "
                "meta = json_set(coalesce(meta, '{}'), '$.recheck', 1) "
                "WHERE kind = 'article' AND state = 'done' AND url IN "
                f"(SELECT url FROM articles WHERE source IN ({marks}) AND {due})",
                params,
            )
            return int(cur.rowcount)

    def validators(self, url: str) -> tuple[str | None, str | None]:
        """The ETag and Last-Modified last seen for a feed, sitemap or page."""
        row = self.archive.conn.execute(
            "SELECT etag, last_modified FROM frontier WHERE url = ?", (url,)
        ).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def set_validators(
        self, url: str, source: str, kind: str, etag: str | None, last_modified: str | None
    ) -> None:
        """Remember a response's validators for the next conditional request."""
        self.flush()
        now = utc_now()
        with self.archive.transaction() as conn:
            conn.execute(
                "INSERT INTO frontier (url, source, kind, state, depth, priority, attempts, "
                "discovered_at, fetched_at, last_run, etag, last_modified) "
                "VALUES (?, ?, ?, 'done', 0, 0, 1, ?, ?, ?, ?, ?) "
                "ON CONFLICT(url) DO UPDATE SET etag = excluded.etag, "
                "last_modified = excluded.last_modified",
                (url, source, kind, now, now, self.run_id, etag, last_modified),
            )

    def watermark(self, url: str) -> str | None:
        """For a news sitemap: the start of the last completed run that read it."""
        row = self.archive.conn.execute(
            "SELECT watermark FROM frontier WHERE url = ?", (url,)
        ).fetchone()
        return str(row[0]) if row and row[0] else None

    def set_watermark(self, urls: Iterable[str], started: str) -> None:
        """Move the watermark of news sitemaps read by a run that completed."""
        self.flush()
        with self.archive.transaction() as conn:
            conn.executemany(
                "UPDATE frontier SET watermark = ? WHERE url = ?", [(started, u) for u in urls]
            )

    def known(self, urls: Iterable[str]) -> set[str]:
        """The URLs of `urls` the frontier already holds (discovered before, in any state)."""
        self.flush()
        wanted = list(dict.fromkeys(urls))
        found: set[str] = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(
                row[0]
                for row in self.archive.conn.execute(
                    f"SELECT url FROM frontier WHERE url IN ({marks})", chunk
                )
            )
        return found

    def state_of(self, url: str) -> str | None:
        """The stored state of a URL, or None if it was never discovered."""
        self.flush()
        row = self.archive.conn.execute(
            "SELECT state FROM frontier WHERE url = ?", (url,)
        ).fetchone()
        return str(row[0]) if row else None


def mark_done(
    conn: sqlite3.Connection, urls: Iterable[str], source: str | None, kind: str = "article"
) -> None:
    """Mark URLs done inside the caller's transaction (the one that archived their articles).

    URLs not in the frontier yet (an article's canonical URL found only on its page) are added as
    done, so that discovering them later does not fetch the article again.
    """
    now = utc_now()
    conn.executemany(
        "INSERT INTO frontier (url, source, kind, state, depth, priority, attempts, discovered_at, "
        "fetched_at) VALUES (?, ?, ?, 'done', 0, 0, 1, ?, ?) "
        "ON CONFLICT(url) DO UPDATE SET state = 'done', reason = NULL, "
        "fetched_at = excluded.fetched_at, kind = excluded.kind",
        [(url, source, kind, now, now) for url in urls],
    )


def state_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Number of frontier URLs in each state."""
    rows = conn.execute("SELECT state, count(*) FROM frontier GROUP BY state").fetchall()
    return {str(r[0]): int(r[1]) for r in rows}


def pending_up_to(conn: sqlite3.Connection, sources: Sequence[str], limit: int) -> int:
    """How many URLs of `sources` wait to be fetched, counted up to `limit` (a bounded read of
    the state index, however large the frontier)."""
    marks = ", ".join("?" for _ in sources)
    row = conn.execute(
        "SELECT count(*) FROM (SELECT 1 FROM frontier "
        f"WHERE state = 'pending' AND source IN ({marks}) LIMIT ?)",
        [*sources, limit],
    ).fetchone()
    return int(row[0])


def never_fetched(conn: sqlite3.Connection, sources: Sequence[str]) -> list[str]:
    """The `sources` of which no URL was fetched yet: their first crawl lies ahead."""
    return [
        name
        for name in sources
        if conn.execute(
            "SELECT 1 FROM frontier WHERE source = ? AND state != 'pending' LIMIT 1", (name,)
        ).fetchone()
        is None
    ]
