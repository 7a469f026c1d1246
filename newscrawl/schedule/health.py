"""Per-source health, read from the archive: last success, articles per day, failure streak, drift.

A run counts as a success for a source when it completed and fetched at least one page of it;
the failure streak counts the failed runs since the last success (stopped runs do not count).
Drift compares the latest run(s) of a source with its earlier runs: the share of article pages
dropped for an empty body (``runs.summary``: ``dropped_by_reason`` ``empty``/``no_title``), the
share of new articles without a publication date and the median word count of new articles (from
the `articles` rows first seen during each run). A jump usually means the site changed its layout.
"""

from __future__ import annotations

import bisect
import json
import sqlite3
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from newscrawl.schedule.cadence import CadenceError, cadence_for
from newscrawl.sources import Source

#: Runs of a source looked at (newest first).
HISTORY = 40
#: Latest runs pooled into "recent" until they hold this many article pages...
RECENT_MIN_SAMPLE = 5
#: ...but never more than this many runs.
RECENT_MAX_RUNS = 3
#: Earlier article pages needed before a comparison is made.
BASELINE_MIN_SAMPLE = 10
#: A rate must grow by at least this much (absolute) and double to count as drift.
RATE_JUMP = 0.2
#: The median word count must fall below this share of the earlier median to count as drift.
WORDS_DROP = 0.5

#: Run endings that are neither a success nor a failure of the source (a stop was asked for).
NEUTRAL = ("stopped", "interrupted")

HEALTH_COLUMNS = (
    "source",
    "cadence",
    "last_run",
    "last_status",
    "last_success",
    "failure_streak",
    "articles",
    "per_day_7d",
    "empty_rate",
    "undated_rate",
    "warnings",
)


@dataclass
class RunSample:
    """What one run tells about one source."""

    run_id: int
    started: str
    ended: str | None
    status: str
    fetched: int = 0
    kept: int = 0
    empty: int = 0
    new_articles: int = 0
    undated: int = 0
    words: list[int] = field(default_factory=list)

    @property
    def success(self) -> bool:
        """Completed and fetched something of the source."""
        return self.status == "completed" and self.fetched > 0

    @property
    def article_pages(self) -> int:
        """Pages taken for articles: kept, plus dropped as empty."""
        return self.kept + self.empty


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _source_counters(summary: Mapping[str, Any], source: str) -> Mapping[str, Any]:
    values = summary.get(source)
    return values if isinstance(values, Mapping) else {}


def load_runs(conn: sqlite3.Connection, source: str, limit: int = HISTORY) -> list[RunSample]:
    """The latest finished (not skipped, not running) runs that included `source`, newest first."""
    rows = conn.execute(
        "SELECT runs.id, runs.started, runs.ended, runs.status, runs.summary FROM runs, "
        "json_each(runs.sources) WHERE json_each.value = ? "
        "AND runs.status NOT IN ('skipped', 'running') ORDER BY runs.id DESC LIMIT ?",
        (source, limit),
    ).fetchall()
    samples = []
    for row in rows:
        try:
            summary = json.loads(row[4] or "{}")
        except ValueError:
            summary = {}
        counters = _source_counters(summary if isinstance(summary, dict) else {}, source)
        dropped = counters.get("dropped_by_reason") or {}
        sample = RunSample(
            run_id=int(row[0]),
            started=str(row[1]),
            ended=row[2],
            status=str(row[3]),
            fetched=int(counters.get("fetched", 0) or 0),
            kept=sum(
                int(counters.get(k, 0) or 0)
                for k in ("articles_new", "articles_updated", "articles_unchanged")
            ),
            empty=int(dropped.get("empty", 0) or 0) + int(dropped.get("no_title", 0) or 0),
        )
        samples.append(sample)
    _attach_articles(conn, source, samples)
    return samples


def _attach_articles(conn: sqlite3.Connection, source: str, samples: list[RunSample]) -> None:
    """Count the articles first seen during each run (one query; runs of a source never overlap)."""
    windows = sorted((s for s in samples if s.ended), key=lambda s: s.started)
    if not windows:
        return
    starts = [s.started for s in windows]
    rows = conn.execute(
        "SELECT first_seen, published IS NULL, word_count FROM articles "
        "WHERE source = ? AND first_seen >= ?",
        (source, starts[0]),
    )
    for first_seen, undated, words in rows:
        index = bisect.bisect_right(starts, first_seen) - 1
        if index < 0:
            continue
        sample = windows[index]
        if first_seen > (sample.ended or ""):
            continue
        sample.new_articles += 1
        sample.undated += 1 if undated else 0
        if words is not None:
            sample.words.append(int(words))


def _split(runs: Sequence[RunSample], size: Any) -> tuple[list[RunSample], list[RunSample]]:
    """(recent runs, earlier runs): recent pools the newest runs until `size` is large enough."""
    recent: list[RunSample] = []
    for run in runs:
        if len(recent) >= RECENT_MAX_RUNS or sum(size(r) for r in recent) >= RECENT_MIN_SAMPLE:
            break
        recent.append(run)
    return recent, list(runs[len(recent) :])


def _jumped(recent: float | None, earlier: float | None) -> bool:
    if recent is None or earlier is None:
        return False
    return recent - earlier >= RATE_JUMP and recent >= 2 * earlier


def drift_warnings(runs: Sequence[RunSample]) -> tuple[list[str], dict[str, float | None]]:
    """Warnings when the latest run(s) differ sharply from earlier ones, and the recent rates."""
    warnings: list[str] = []
    rates: dict[str, float | None] = {"empty_rate": None, "undated_rate": None}
    recent, earlier = _split(runs, lambda r: r.article_pages)
    pages_now = sum(r.article_pages for r in recent)
    pages_before = sum(r.article_pages for r in earlier)
    empty_now = _rate(sum(r.empty for r in recent), pages_now)
    rates["empty_rate"] = empty_now
    if pages_now >= RECENT_MIN_SAMPLE and pages_before >= BASELINE_MIN_SAMPLE:
        empty_before = _rate(sum(r.empty for r in earlier), pages_before)
        if _jumped(empty_now, empty_before):
            warnings.append(f"empty bodies {_pct(empty_now)} (was {_pct(empty_before)})")
    recent, earlier = _split(runs, lambda r: r.new_articles)
    new_now = sum(r.new_articles for r in recent)
    new_before = sum(r.new_articles for r in earlier)
    undated_now = _rate(sum(r.undated for r in recent), new_now)
    rates["undated_rate"] = undated_now
    if new_now >= RECENT_MIN_SAMPLE and new_before >= BASELINE_MIN_SAMPLE:
        undated_before = _rate(sum(r.undated for r in earlier), new_before)
        if _jumped(undated_now, undated_before):
            warnings.append(f"missing dates {_pct(undated_now)} (was {_pct(undated_before)})")
        words_now = [w for r in recent for w in r.words]
        words_before = [w for r in earlier for w in r.words]
        if words_now and words_before:
            median_now = statistics.median(words_now)
            median_before = statistics.median(words_before)
            if median_before > 0 and median_now < WORDS_DROP * median_before:
                warnings.append(
                    f"median words {median_now:.0f} (was {median_before:.0f}): thinner articles"
                )
    return warnings, rates


def _cadence_text(source: Source | None, default_every: str) -> str | None:
    if source is None:
        return None
    try:
        return cadence_for(source, default_every).text
    except CadenceError:
        return "invalid"


def _names(conn: sqlite3.Connection, sources: Iterable[Source]) -> list[str]:
    names = [s.name for s in sources]
    seen = set(names)
    found = conn.execute(
        "SELECT DISTINCT value FROM runs, json_each(runs.sources) "
        "UNION SELECT DISTINCT source FROM articles WHERE source IS NOT NULL ORDER BY 1"
    ).fetchall()
    for (name,) in found:
        if name and name not in seen:
            names.append(str(name))
            seen.add(str(name))
    return names


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def source_health(
    conn: sqlite3.Connection,
    sources: Sequence[Source] = (),
    *,
    now: datetime | None = None,
    default_every: str = "1h",
) -> list[dict[str, Any]]:
    """One health row per source: those of `sources` first, then any other the archive knows."""
    by_name = {s.name: s for s in sources}
    moment = now or datetime.now(timezone.utc)
    week_ago = _iso(moment - timedelta(days=7))
    rows = []
    for name in _names(conn, sources):
        runs = load_runs(conn, name)
        last_any = conn.execute(
            "SELECT runs.started, runs.status FROM runs, json_each(runs.sources) "
            "WHERE json_each.value = ? ORDER BY runs.id DESC LIMIT 1",
            (name,),
        ).fetchone()
        streak = 0
        for run in runs:
            if run.success:
                break
            if run.status not in NEUTRAL:
                streak += 1
        success = next((r for r in runs if r.success), None)
        total, recent = conn.execute(
            "SELECT count(*), coalesce(sum(first_seen >= ?), 0) FROM articles WHERE source = ?",
            (week_ago, name),
        ).fetchone()
        warnings, rates = drift_warnings(runs)
        if streak >= 3:
            warnings.insert(0, f"{streak} failed runs in a row")
        rows.append(
            {
                "source": name,
                "cadence": _cadence_text(by_name.get(name), default_every),
                "last_run": last_any[0] if last_any else None,
                "last_status": last_any[1] if last_any else None,
                "last_success": (success.ended or success.started) if success else None,
                "failure_streak": streak,
                "articles": int(total),
                "per_day_7d": round(int(recent) / 7, 1),
                "empty_rate": _round(rates["empty_rate"]),
                "undated_rate": _round(rates["undated_rate"]),
                "warnings": warnings,
                "runs": len(runs),
            }
        )
    return rows
