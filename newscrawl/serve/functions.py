"""SQL functions the web UI's queries use: safe FTS5 expressions and lenient date bounds.

They are registered on every Datasette connection (`prepare_connection`), so a stored query can
turn whatever a person typed into valid SQL values without ever raising an error page.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime, timedelta, timezone

from newscrawl.archive.errors import InvalidQueryError
from newscrawl.archive.search import build_fts_query, clean_text, format_utc, parse_when

#: Matches nothing: the FTS5 expression used when the text holds no searchable word.
MATCH_NOTHING = '""'
#: Snippet highlight markers (Unicode private use); `highlight_html` turns them into <mark>.
MARK_START = "\ue000"
MARK_END = "\ue001"

_BARE_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def fts_query(text: object) -> str:
    """A valid FTS5 MATCH expression for any user text (`build_fts_query`), never an error."""
    if text is None:
        return MATCH_NOTHING
    return build_fts_query(str(text)) or MATCH_NOTHING


def since_bound(text: object) -> str | None:
    """The ISO-8601 UTC lower bound for a user date, or None when it is empty or unusable
    (unreadable, or outside the years 1 to 9999 in UTC)."""
    value = clean_text(str(text or "")).strip()
    if not value:
        return None
    try:
        return parse_when(value)
    except InvalidQueryError:
        return None


def until_bound(text: object) -> str | None:
    """An exclusive ISO-8601 UTC upper bound (a bare day includes the whole day), or None
    when it is empty or unusable (unreadable, or its end outside the years 1 to 9999 in UTC).

    A timestamp bound includes that second: stored dates have second precision, so the bound
    returned is one second later, to be compared with ``<``.
    """
    value = clean_text(str(text or "")).strip()
    if not value:
        return None
    try:
        bound = parse_when(value, end_of_day=True)
    except InvalidQueryError:
        return None
    if _BARE_DAY.fullmatch(value):
        return bound
    moment = datetime.strptime(bound, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    try:
        return format_utc(moment + timedelta(seconds=1))
    except OverflowError:  # 9999-12-31T23:59:59Z: the second after it has no datetime
        return None


def register_functions(conn: sqlite3.Connection) -> None:
    """Register ``newscrawl_fts_query``, ``newscrawl_since`` and ``newscrawl_until`` on `conn`."""
    conn.create_function("newscrawl_fts_query", 1, fts_query, deterministic=True)
    conn.create_function("newscrawl_since", 1, since_bound, deterministic=True)
    conn.create_function("newscrawl_until", 1, until_bound, deterministic=True)
