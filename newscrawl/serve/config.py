"""Datasette configuration for an archive: metadata, stored queries, facets and settings.

Nothing here imports Datasette; `newscrawl.serve.app` passes these dictionaries to it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from newscrawl.archive.schema import FTS_WEIGHTS

#: The plugin's name in Datasette's metadata ("plugins") and its plugin manager.
PLUGIN_NAME = "newscrawl"
#: Tables a reader never needs: the frontier, near-duplicate signatures, crawl workers.
INTERNAL_TABLES = (
    "frontier",
    "article_signatures",
    "article_bands",
    "run_workers",
)
#: Where the stats page with the articles-per-day chart lives.
STATS_PATH = "/-/newscrawl/stats"
#: Where the plugin's stylesheet is served.
CSS_PATH = "/-/newscrawl/newscrawl.css"
#: The optional table of earlier versions of articles (made by a later schema migration).
VERSIONS_TABLE = "article_versions"
#: At most this many hits on the search page.
SEARCH_LIMIT = 100

DEFAULT_SETTINGS: dict[str, Any] = {
    "sql_time_limit_ms": 2000,
    "facet_time_limit_ms": 1000,
    "default_page_size": 50,
    "truncate_cells_html": 240,
    "suggest_facets": False,
}

SEARCH_PARAMS = ("words", "source", "since", "until", "language", "sort")


def database_name(db_path: str | Path) -> str:
    """The name Datasette gives a database file (its stem, as plain ``datasette`` does)."""
    return Path(db_path).stem


def search_sql(limit: int = SEARCH_LIMIT) -> str:
    """The search page's query: safe MATCH, filters, bm25 (title weighted most) or date order."""
    weights = ", ".join(str(w) for w in FTS_WEIGHTS)
    return f"""select
  a.id,
  a.title,
  snippet(articles_fts, -1, char(57344), char(57345), '…', 24) as snippet,
  a.source,
  a.authors,
  a.published,
  a.url
from articles_fts
join articles a on a.id = articles_fts.rowid
where articles_fts match newscrawl_fts_query(:words)
  and (trim(:source) = '' or a.source = trim(:source))
  and (trim(:since) = '' or a.published >= newscrawl_since(:since))
  and (trim(:until) = '' or a.published < newscrawl_until(:until))
  and (
    trim(:language) = ''
    or lower(a.language) = lower(trim(:language))
    or substr(lower(a.language), 1, length(trim(:language)) + 1) = lower(trim(:language)) || '-'
  )
order by
  case when lower(trim(:sort)) = 'newest' then coalesce(a.published, '') end desc,
  case when lower(trim(:sort)) = 'oldest' then coalesce(a.published, '9999') end asc,
  bm25(articles_fts, {weights})
limit {int(limit)}"""


PER_SOURCE_PER_DAY_SQL = """select
  substr(published, 1, 10) as day,
  coalesce(source, '') as source,
  count(*) as articles
from articles
where published is not null
  and (trim(:source) = '' or source = trim(:source))
group by day, source
order by day desc, articles desc, source"""

DUPLICATE_CLUSTERS_SQL = """select
  d.duplicate_of as canonical_url,
  c.id as canonical_id,
  c.title as canonical_title,
  c.source as canonical_source,
  count(*) as duplicates,
  group_concat(coalesce(d.source, '?') || ': ' || d.url, char(10)) as duplicate_urls
from articles d
left join articles c on c.url = d.duplicate_of
where d.duplicate_of is not null and d.duplicate_of != ''
group by d.duplicate_of
order by duplicates desc, canonical_url"""

#: Columns of `article_versions` the stealth-edits query reads.
STEALTH_EDIT_COLUMNS = frozenset({"url", "version", "changed", "fetched_at", "diff"})
#: Changed fields that make an edit worth noticing (the content a reader sees).
CONTENT_FIELDS = ("title", "text", "description")


def stealth_edits_sql(columns: Iterable[str]) -> str | None:
    """Recent silent edits: later versions whose content changed while ``modified`` did not
    (re-extractions by newscrawl itself left out).

    None when `article_versions` lacks the columns needed (`STEALTH_EDIT_COLUMNS`).
    """
    if not set(columns) >= STEALTH_EDIT_COLUMNS:
        return None
    content = ", ".join(f"'{name}'" for name in CONTENT_FIELDS)
    # A re-extraction changes what newscrawl read, not what the publisher wrote.
    ours = "\n  and coalesce(v.reason, '') <> 'reextract'" if "reason" in set(columns) else ""
    return f"""select
  a.id,
  a.title,
  a.source,
  v.version,
  v.fetched_at as edited_at,
  v.changed,
  a.modified,
  a.url,
  v.diff
from article_versions v
join articles a on a.url = v.url
where v.version > 1
  and json_valid(v.changed)
  and exists (select 1 from json_each(v.changed) where value in ({content}))
  and not exists (select 1 from json_each(v.changed) where value = 'modified'){ours}
  and (trim(:source) = '' or a.source = trim(:source))
order by v.fetched_at desc, v.id desc
limit 200"""


SEARCH_DESCRIPTION = (
    '<p>Words must all appear; use <code>"quotes"</code> for a phrase, <code>-word</code> to '
    "exclude, <code>OR</code> between alternatives and <code>word*</code> for a prefix. Any text "
    "is accepted.</p><p>Optional: <b>source</b> (its name), <b>since</b>/<b>until</b> "
    "(<code>YYYY-MM-DD</code> or ISO-8601), <b>language</b> (e.g. <code>en</code>) and "
    "<b>sort</b>: <code>relevance</code> (default), <code>newest</code> or <code>oldest</code>.</p>"
)


def search_query_name() -> str:
    """The stored query behind the search page."""
    return "search"


def canned_queries() -> dict[str, dict[str, Any]]:
    """The stored queries every archive gets (stealth edits are added when versions exist)."""
    return {
        search_query_name(): {
            "title": "Search articles",
            "sql": search_sql(),
            "params": list(SEARCH_PARAMS),
            "hide_sql": True,
            "description_html": SEARCH_DESCRIPTION,
        },
        "articles_per_source_per_day": {
            "title": "Articles per source per day",
            "sql": PER_SOURCE_PER_DAY_SQL,
            "params": ["source"],
            "hide_sql": True,
            "description": "How many articles each source published each day, newest day first.",
        },
        "duplicate_clusters": {
            "title": "Duplicate clusters",
            "sql": DUPLICATE_CLUSTERS_SQL,
            "hide_sql": True,
            "description": "Articles grouped by the canonical article they duplicate.",
        },
    }


def stealth_edits_query(columns: Iterable[str]) -> dict[str, Any] | None:
    """The stored query for recent stealth edits, when `article_versions` has what it needs."""
    sql = stealth_edits_sql(columns)
    if sql is None:
        return None
    return {
        "title": "Recent stealth edits",
        "sql": sql,
        "params": ["source"],
        "hide_sql": True,
        "description": "Later versions of articles whose title, text or description changed "
        "while the site's stated modification date did not, most recent first.",
    }


def build_metadata(db_name: str, route: str | None = None) -> dict[str, Any]:
    """Datasette metadata for the archive database named `db_name` (URL path part `route`)."""
    route = route or db_name
    tables: dict[str, Any] = {
        "articles": {
            "title": "Articles",
            "description": "One row per canonical URL. Open a row for the full text.",
            "facets": [
                "source",
                "section",
                "language",
                {"array": "authors"},
                {"date": "published"},
            ],
            "sort_desc": "published",
            "label_column": "title",
            "fts_table": "articles_fts",
            "fts_pk": "id",
            "size": 50,
        },
        "runs": {
            "title": "Crawl runs",
            "sort_desc": "started",
        },
        VERSIONS_TABLE: {
            "title": "Article versions",
            "description": "Every distinct state of an article; version 1 is the first capture.",
            "sort_desc": "fetched_at",
            "facets": ["reason", {"array": "changed"}],
        },
    }
    for name in INTERNAL_TABLES:
        tables[name] = {"hidden": True}
    return {
        "title": "newscrawl archive",
        "description_html": (
            f'<a href="/{route}/{search_query_name()}">Search articles</a> · '
            f'<a href="/{route}/articles">Browse articles</a> · '
            f'<a href="{STATS_PATH}">Articles per day</a>'
        ),
        "plugins": {PLUGIN_NAME: {"databases": [db_name]}},
        "databases": {
            db_name: {
                "title": "News archive",
                "tables": tables,
                "queries": canned_queries(),
            }
        },
    }
