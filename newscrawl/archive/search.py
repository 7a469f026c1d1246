"""Full-text search over the archive: safe query building, bm25 ranking, snippets, filters.

Any text a user types is turned into a valid FTS5 query: words, "quoted phrases", ``-word``
exclusions, ``OR`` between terms and a trailing ``*`` for prefixes work as in a web search box;
everything else FTS5 would reject is quoted or dropped. ``raw=True`` passes FTS5 syntax through.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from newscrawl.archive.errors import InvalidQueryError
from newscrawl.archive.schema import FTS_WEIGHTS

SORTS = ("relevance", "newest", "oldest")
_TOKEN = re.compile(r'-?"[^"]*"|\S+')


def clean_text(value: str) -> str:
    """User text made safe for SQLite: no NUL, no lone surrogates."""
    value = value.replace("\x00", " ")
    return value.encode("utf-8", "replace").decode("utf-8")


def _has_word(term: str) -> bool:
    return any(ch.isalnum() for ch in term)


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _phrase(raw: str) -> str | None:
    """One FTS5 phrase for a user term, or None when it holds no searchable word."""
    prefix = raw.endswith("*") and not raw.startswith('"')
    body = raw.strip('"').rstrip("*") if prefix else raw.strip('"')
    if not _has_word(body):
        return None
    return _quote(body) + ("*" if prefix else "")


def build_fts_query(text: str) -> str | None:
    """An FTS5 MATCH expression for what a user typed, or None when nothing is searchable.

    >>> build_fts_query('kim "military parade" -drill')
    '("kim") AND ("military parade") NOT "drill"'
    """
    text = clean_text(text)
    # An odd number of quotes: the last one is unbalanced, so drop it.
    if text.count('"') % 2:
        head, _, tail = text.rpartition('"')
        text = head + " " + tail
    groups: list[list[str]] = []
    excluded: list[str] = []
    join_next = False
    for token in _TOKEN.findall(text):
        if token == "OR":
            join_next = bool(groups)
            continue
        if token.startswith("-") and len(token) > 1:
            phrase = _phrase(token[1:])
            if phrase:
                excluded.append(phrase)
            join_next = False
            continue
        phrase = _phrase(token)
        if phrase is None:
            continue
        if join_next and groups:
            groups[-1].append(phrase)
        else:
            groups.append([phrase])
        join_next = False
    if not groups:
        return None
    query = " AND ".join("(" + " OR ".join(g) + ")" for g in groups)
    for phrase in excluded:
        query += f" NOT {phrase}"
    return query


def format_utc(moment: datetime) -> str:
    """An aware datetime as ISO-8601 UTC with Z, to the second, as the archive stores dates.

    The year always has four digits (``strftime("%Y")`` gives ``999`` for 999, which sorts
    after ``2025``).
    """
    m = moment.astimezone(timezone.utc)
    return f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}Z"


def parse_when(value: str, *, end_of_day: bool = False) -> str:
    """A user date (``2025-09-02`` or ISO-8601 timestamp) as ISO-8601 UTC with Z.

    A bare day given as an upper bound means the end of that day (the next midnight, exclusive).
    Raises `InvalidQueryError` for text that is no date and for a moment that falls outside the
    years 1 to 9999 in UTC (the end of 9999-12-31, or an offset past either end).
    """
    value = clean_text(value).strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            day = date.fromisoformat(value)
            moment = datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
            if end_of_day:
                moment += timedelta(days=1)
        else:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=timezone.utc)
        moment = moment.astimezone(timezone.utc)
    except ValueError:
        raise InvalidQueryError(
            f"invalid date {value!r}: use YYYY-MM-DD or an ISO-8601 timestamp"
        ) from None
    except OverflowError:
        raise InvalidQueryError(
            f"date {value!r} is out of range: the bound falls outside the years 1 to 9999 (UTC)"
        ) from None
    return format_utc(moment)


@dataclass
class Filters:
    """Filters shared by search and export; every field is optional."""

    source: str | None = None
    since: str | None = None
    until: str | None = None
    language: str | None = None
    author: str | None = None

    def to_sql(self, alias: str = "articles") -> tuple[str, list[Any]]:
        """SQL conditions (joined with AND, or ``1`` when empty) and their parameters."""
        clauses: list[str] = []
        params: list[Any] = []
        if self.source:
            clauses.append(f"{alias}.source = ?")
            params.append(clean_text(self.source))
        if self.since:
            clauses.append(f"{alias}.published >= ?")
            params.append(parse_when(self.since))
        if self.until:
            # A bare day includes the whole day; an exact timestamp is itself included.
            bare_day = re.fullmatch(r"\d{4}-\d{2}-\d{2}", self.until.strip()) is not None
            clauses.append(f"{alias}.published {'<' if bare_day else '<='} ?")
            params.append(parse_when(self.until, end_of_day=True))
        if self.language:
            lang = clean_text(self.language).strip().lower()
            clauses.append(f"(lower({alias}.language) = ? OR lower({alias}.language) LIKE ?)")
            params.extend([lang, lang + "-%"])
        if self.author:
            clauses.append(
                f"EXISTS (SELECT 1 FROM json_each({alias}.authors) "
                "WHERE lower(value) LIKE '%' || lower(?) || '%')"
            )
            params.append(clean_text(self.author))
        return (" AND ".join(clauses) or "1"), params

    def as_dict(self) -> dict[str, str]:
        """The filters that are set, for manifests and messages."""
        return {k: v for k, v in vars(self).items() if v}


@dataclass
class SearchResult:
    """Hits for one query, with the FTS5 expression actually run and an optional note."""

    query: str | None
    hits: list[dict[str, Any]] = field(default_factory=list)
    note: str | None = None
    #: True when the query matched more than the cap and only the newest matches were ranked.
    bounded: bool = False


#: Matches ranked at most per query: a query matching more ranks (and filters) only the most
#: recently archived this many (by rowid) and says so in its note. Chosen so that no query takes
#: more than about a second on a 1M-article archive (bench/RESULTS.md, "Search latency").
MAX_RANKED = 20_000
#: Matches ranked at most for a query with a phrase: ranking a phrase match reads the words'
#: positions (~25 us a match at 1M articles, ten times a word's), so a common phrase ranks fewer.
MAX_RANKED_PHRASE = 5_000
#: An FTS5 string ("..." with "" for a quote inside), read left to right so quotes pair up.
_FTS_STRING = re.compile(r'"(?:[^"]|"")*"')


#: A word the query excludes ("-sport").
_EXCLUDED_WORD = re.compile(r"(?:^|\s)-\w")


def _has_phrase(fts_query: str) -> bool:
    """Tell whether an FTS5 query holds a phrase: a quoted string of more than one word."""
    return any(len(m.group(0).split()) > 1 for m in _FTS_STRING.finditer(fts_query))


#: Seconds the match count may take. A query that cannot even be counted that fast (a phrase of
#: very common words, which FTS5 checks position by position) searches only the newest
#: `WINDOW_ARTICLES` articles instead, and says so.
COUNT_BUDGET = 0.15
#: Articles (the most recently archived) searched by a query too costly to count.
WINDOW_ARTICLES = 100_000

_HIT_COLUMNS = "a.id, a.url, a.title, a.source, a.authors, a.published, a.language, a.section"


class _TooSlow(Exception):
    """The bounded count ran out of its time budget."""


def count_matches(
    conn: sqlite3.Connection,
    fts_query: str,
    cap: int,
    budget: float | None = None,
    where: str = "1",
    params: Sequence[Any] = (),
) -> int:
    """How many articles match `fts_query` (and the filters `where` on ``articles a``),
    counting no further than ``cap + 1``.

    With a `budget` (seconds), raises `_TooSlow` when the count takes longer.
    """
    if where == "1":
        matches = "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?"
    else:
        matches = (
            "SELECT articles_fts.rowid FROM articles_fts JOIN articles a "
            f"ON a.id = articles_fts.rowid WHERE articles_fts MATCH ? AND {where}"
        )
    sql = f"SELECT count(*) FROM ({matches} LIMIT ?)"
    args = (fts_query, *params, int(cap) + 1)
    if budget is None:
        return int(conn.execute(sql, args).fetchone()[0])
    deadline = time.monotonic() + budget
    expired = [False]

    def check() -> int:
        expired[0] = time.monotonic() > deadline
        return int(expired[0])

    conn.set_progress_handler(check, 20_000)
    try:
        return int(conn.execute(sql, args).fetchone()[0])
    except sqlite3.OperationalError:
        if expired[0]:
            raise _TooSlow from None
        raise
    finally:
        conn.set_progress_handler(None, 0)


def _ranked_ids(
    conn: sqlite3.Connection,
    fts_query: str,
    where: str,
    params: list[Any],
    order: str,
    limit: int,
    offset: int,
    cap: int | None,
    min_rowid: int | None = None,
) -> list[tuple[int, float]]:
    """(id, bm25) of one page of hits, without snippets.

    With `cap`, only the newest `cap` matches that pass the filters are ranked; with
    `min_rowid`, only articles from that rowid on are searched.
    """
    weights = ", ".join(str(w) for w in FTS_WEIGHTS)
    rank = f"bm25(articles_fts, {weights}) AS rank"
    args: list[Any] = [fts_query]
    window = ""
    if min_rowid is not None:
        window = "AND articles_fts.rowid >= ? "
        args.append(int(min_rowid))
    filtered = where != "1" or "a." in order
    if filtered:
        # Filters inside the candidates: bm25 is computed only for the articles they keep, and
        # a cap counts the matches they keep.
        candidates = (
            f"SELECT articles_fts.rowid AS id, {rank} FROM articles_fts "
            "JOIN articles a ON a.id = articles_fts.rowid "
            f"WHERE articles_fts MATCH ? {window}AND {where} "
        )
        args.extend(params)
        sql_join = "JOIN articles a ON a.id = c.id "
    else:
        # Ranked by relevance alone, without filters: the FTS index answers by itself (a join
        # to `articles` per match made a 10k-match word ~4x slower).
        candidates = (
            f"SELECT articles_fts.rowid AS id, {rank} FROM articles_fts "
            f"WHERE articles_fts MATCH ? {window}"
        )
        sql_join = ""
    if cap is not None:
        # FTS5 walks the matches newest first and stops at the cap.
        candidates += "ORDER BY articles_fts.rowid DESC LIMIT ?"
        args.append(int(cap))
    sql = f"SELECT c.id, c.rank FROM ({candidates}) AS c {sql_join}"
    sql += f"ORDER BY {order}, c.id DESC LIMIT ? OFFSET ?"
    rows = conn.execute(sql, [*args, max(0, int(limit)), max(0, int(offset))]).fetchall()
    return [(int(r[0]), float(r[1])) for r in rows]


def _hits(
    conn: sqlite3.Connection,
    fts_query: str,
    ranked: list[tuple[int, float]],
    highlight: tuple[str, str],
) -> list[dict[str, Any]]:
    """The hit rows (with snippets) of already ranked ids, in their ranked order."""
    if not ranked:
        return []
    marks = ", ".join("?" for _ in ranked)
    rows = conn.execute(
        f"SELECT {_HIT_COLUMNS}, snippet(articles_fts, -1, ?, ?, '…', 16) AS snippet "
        "FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
        f"WHERE articles_fts MATCH ? AND articles_fts.rowid IN ({marks})",
        [clean_text(highlight[0]), clean_text(highlight[1]), fts_query, *(i for i, _ in ranked)],
    ).fetchall()
    by_id = {int(r["id"]): r for r in rows}
    hits = []
    for article_id, rank in ranked:
        row = by_id.get(article_id)
        if row is None:  # deleted between the two queries
            continue
        hit = dict(row)
        hit["authors"] = json.loads(hit["authors"] or "[]")
        hit["rank"] = rank
        hit["snippet"] = " ".join((hit["snippet"] or "").split())
        hits.append(hit)
    return hits


def search(
    conn: sqlite3.Connection,
    text: str,
    *,
    raw: bool = False,
    filters: Filters | None = None,
    sort: str = "relevance",
    limit: int = 20,
    offset: int = 0,
    highlight: tuple[str, str] = ("[", "]"),
    max_ranked: int | None = None,
) -> SearchResult:
    """Search the archive; ranked by bm25 with title over description, authors and body.

    A query matching more than `max_ranked` articles (default `MAX_RANKED`, or
    `MAX_RANKED_PHRASE` for a query with a phrase; 0 for no cap) is answered from its most
    recently archived `max_ranked` matches only, and the result's note says so. Raises
    `InvalidQueryError` only for raw FTS5 syntax errors and bad filter values.
    """
    if sort not in SORTS:
        raise InvalidQueryError(f"invalid sort {sort!r}: use one of {', '.join(SORTS)}")
    filters = filters or Filters()
    where, params = filters.to_sql("a")
    fts_query = clean_text(text).strip() if raw else build_fts_query(text)
    if not fts_query:
        empty = "nothing to search for: the query has no words"
        if not raw and _EXCLUDED_WORD.search(text):
            empty = "nothing to search for: -word only leaves articles out; add a word to look for"
        return SearchResult(query=None, note=empty)
    order = {
        "relevance": "c.rank",
        "newest": "a.published IS NULL, a.published DESC, c.rank",
        "oldest": "a.published IS NULL, a.published ASC, c.rank",
    }[sort]
    if max_ranked is not None:
        cap = max(0, int(max_ranked))
    else:
        cap = MAX_RANKED_PHRASE if _has_phrase(fts_query) else MAX_RANKED
    started = not conn.in_transaction
    if started:  # one read snapshot for the count, the ranking and the snippets
        conn.execute("BEGIN")
    note = None
    try:
        bounded, min_rowid = False, None
        if cap:
            try:
                bounded = count_matches(conn, fts_query, cap, COUNT_BUDGET, where, params) > cap
            except _TooSlow:
                top = conn.execute("SELECT coalesce(max(rowid), 0) FROM articles").fetchone()[0]
                min_rowid = int(top) - WINDOW_ARTICLES + 1
                note = (
                    "this query is too costly to run over the whole archive: only the "
                    f"{WINDOW_ARTICLES:,} most recently archived articles were searched (their "
                    f"{cap:,} most recent matches ranked); use fewer very common words"
                )
        if bounded:
            note = (
                f"more than {cap:,} articles match: only the {cap:,} most recently archived "
                "of them were ranked; add words or filters to narrow the search"
            )
        ranked = _ranked_ids(
            conn,
            fts_query,
            where,
            params,
            order,
            limit,
            offset,
            cap if bounded or min_rowid is not None else None,
            min_rowid,
        )
        hits = _hits(conn, fts_query, ranked, highlight)
    except sqlite3.OperationalError as exc:
        if raw:
            raise InvalidQueryError(f"invalid search query {fts_query!r}: {exc}") from None
        raise
    finally:
        if started and conn.in_transaction:
            conn.execute("COMMIT")
    bounded = bounded or min_rowid is not None
    return SearchResult(query=fts_query, hits=hits, note=note, bounded=bounded)
