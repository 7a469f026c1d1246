"""Article versions: every distinct state of an article, which fields changed and a diff.

The `articles` row always holds the latest version; `article_versions` holds them all (version 1
is the first capture), so stealth edits and corrections stay findable.
"""

from __future__ import annotations

import difflib
import json
import sqlite3
from collections.abc import Mapping
from typing import Any

from newscrawl.archive.schema import VERSION_COLUMNS, VERSIONED_FIELDS
from newscrawl.items import LIST_FIELDS

#: Why a version was made: a crawl, a re-check of a known article, or a re-extraction.
REASONS = ("crawl", "recheck", "reextract")


def _normal(name: str, value: Any) -> Any:
    if name in LIST_FIELDS:
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                return value
        return list(value or [])
    return value if value not in ("",) else None


def changed_fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """The versioned fields whose values differ between two article rows."""
    return [
        name
        for name in VERSIONED_FIELDS
        if _normal(name, old.get(name)) != _normal(name, new.get(name))
    ]


def unified_diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    """A unified diff of title and body text between two versions."""

    def lines(row: Mapping[str, Any]) -> list[str]:
        return [f"# {row.get('title') or ''}", ""] + (row.get("text") or "").splitlines()

    return "\n".join(
        difflib.unified_diff(lines(old), lines(new), "before", "after", lineterm="", n=1)
    )


#: Columns of a version copied as they are from the article row.
COPIED_FIELDS = tuple(
    c
    for c in VERSION_COLUMNS
    if c not in ("id", "url", "version", "reason", "fetched_at", "changed", "diff", "content_hash")
)
_INSERT_COLUMNS = tuple(c for c in VERSION_COLUMNS if c != "id")
_INSERT_SQL = (
    f"INSERT INTO article_versions ({', '.join(_INSERT_COLUMNS)}) "
    f"VALUES ({', '.join(':' + c for c in _INSERT_COLUMNS)})"
)


def insert_version(
    conn: sqlite3.Connection,
    row: Mapping[str, Any],
    version: int,
    reason: str,
    changed: list[str],
    diff: str | None,
) -> None:
    """Record one version of an article (inside the caller's transaction)."""
    values = {name: row.get(name) for name in (*COPIED_FIELDS, "url", "content_hash")}
    values.update(
        version=version,
        reason=reason,
        fetched_at=row.get("last_seen"),
        changed=json.dumps(changed),
        diff=diff,
    )
    conn.execute(_INSERT_SQL, values)


def list_versions(conn: sqlite3.Connection, url: str) -> list[dict[str, Any]]:
    """Every version of an article, oldest first, JSON columns decoded."""
    rows = conn.execute(
        "SELECT * FROM article_versions WHERE url = ? ORDER BY version", (url,)
    ).fetchall()
    out = []
    for row in rows:
        item = dict(row)
        for name in ("changed", "authors", "tags"):
            if isinstance(item.get(name), str):
                item[name] = json.loads(item[name])
        out.append(item)
    return out
