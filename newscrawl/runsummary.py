"""Turning a crawl's stats into the run's counters and per-source summary (stored in `runs`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PREFIX = "newscrawl/"
SOURCE_PREFIX = "newscrawl/source/"

#: Counters kept per source, in the order the summary table shows them.
SUMMARY_FIELDS = (
    "discovered",
    "fetched",
    "articles_new",
    "articles_updated",
    "articles_unchanged",
    "duplicates",
    "non_articles",
    "robots",
    "failed",
)


def _collect(values: Mapping[str, Any], target: dict[str, Any]) -> None:
    failed: dict[str, int] = {}
    dropped: dict[str, int] = {}
    for key, value in values.items():
        if not isinstance(value, int):
            continue
        if key.startswith("failed/"):
            failed[key.split("/", 1)[1]] = value
        elif key.startswith("dropped/"):
            dropped[key.split("/", 1)[1]] = value
        else:
            target[key] = value
    target["failed"] = sum(failed.values())
    target["failed_by_reason"] = failed
    target["dropped_by_reason"] = dropped


def summarise(stats: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """(run counters, per-source summary) from a Scrapy stats dict."""
    totals: dict[str, Any] = {}
    per_source_raw: dict[str, dict[str, Any]] = {}
    for key, value in stats.items():
        if key.startswith(SOURCE_PREFIX):
            name, _, counter = key[len(SOURCE_PREFIX) :].partition("/")
            per_source_raw.setdefault(name, {})[counter] = value
        elif key.startswith(PREFIX):
            totals[key[len(PREFIX) :]] = value
    counters: dict[str, Any] = {}
    _collect(totals, counters)
    for name in SUMMARY_FIELDS:
        counters.setdefault(name, 0)
    counters["pages_fetched"] = counters.get("fetched", 0)
    summary: dict[str, dict[str, Any]] = {}
    for name, values in sorted(per_source_raw.items()):
        row: dict[str, Any] = {}
        _collect(values, row)
        for field in SUMMARY_FIELDS:
            row.setdefault(field, 0)
        summary[name] = row
    return counters, summary


def summary_rows(summary: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One table row per source, failures spelled out by reason."""
    rows = []
    for name, values in summary.items():
        row: dict[str, Any] = {"source": name}
        for field in SUMMARY_FIELDS:
            row[field] = values.get(field, 0)
        reasons = values.get("failed_by_reason") or {}
        row["failed_by_reason"] = ", ".join(f"{k} {v}" for k, v in sorted(reasons.items()))
        rows.append(row)
    return rows
