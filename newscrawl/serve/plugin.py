"""The Datasette plugin behind ``newscrawl serve``: SQL functions, cells, pages and links.

It is registered programmatically (`newscrawl.serve.app.register_plugin`) and stays inert in any
Datasette instance whose metadata does not name it under ``plugins``, so a plain ``datasette``
started in the same process behaves as usual.
"""

from __future__ import annotations

import json
import re
import sqlite3
from typing import Any
from urllib.parse import quote

from datasette import hookimpl
from datasette.utils import urlsafe_components
from datasette.utils.asgi import Response
from markupsafe import Markup, escape

from newscrawl.serve.charts import articles_per_day, render_svg
from newscrawl.serve.config import (
    CSS_PATH,
    PLUGIN_NAME,
    STATS_PATH,
    VERSIONS_TABLE,
    search_query_name,
    stealth_edits_query,
)
from newscrawl.serve.functions import MARK_END, MARK_START, register_functions

_HIGHLIGHT = re.compile(re.escape(MARK_START) + "(.*?)" + re.escape(MARK_END), re.DOTALL)
JSON_LIST_COLUMNS = ("authors", "tags", "changed")

CSS = """
.newscrawl-article { max-width: 46em; }
.newscrawl-article .byline { color: #555; }
.newscrawl-article .body p { line-height: 1.55; }
.newscrawl-links a { margin-right: 1em; }
body.table.table-articles td.col-text, body.table.table-articles td.col-description {
  white-space: normal; min-width: 22em; max-width: 36em;
}
body.query td.col-snippet { min-width: 22em; max-width: 36em; }
body.table-articles td.col-title, body.query td.col-title { min-width: 14em; }
body.table td.col-url, body.table td.col-fetched_url, body.table td.col-duplicate_of,
body.query td.col-url { word-break: break-all; min-width: 12em; max-width: 22em; }
body.row.table-articles .rows-and-columns thead { display: none; }
body.row.table-articles .rows-and-columns tr,
body.row.table-articles .rows-and-columns td { display: block; border: none; }
body.row.table-articles .rows-and-columns td {
  display: grid; grid-template-columns: 11em minmax(0, 1fr); padding: 0.25em 0;
}
body.row.table-articles .rows-and-columns td:before {
  margin-left: 0; font-size: 0.9em; font-weight: bold; color: #555;
}
body.row.table-articles td.col-text { white-space: pre-wrap; max-width: 60em; }
td.col-diff { white-space: pre-wrap; font-family: monospace; font-size: 0.85em; min-width: 24em; }
td.col-snippet mark { background: #ffe58a; padding: 0 1px; }
.newscrawl-chart .bar:hover { opacity: 0.8; }
form.sql select { font-size: 1em; padding: 2px; }
"""

SEARCH_FORM_JS = """
(function () {
  var form = document.querySelector('form.sql');
  if (!form) { return; }
  var sort = form.querySelector('input[name="sort"]');
  if (sort) {
    var select = document.createElement('select');
    select.name = 'sort'; select.id = sort.id;
    ['relevance', 'newest', 'oldest'].forEach(function (value) {
      var option = document.createElement('option');
      option.value = value; option.textContent = value;
      if ((sort.value || 'relevance').trim().toLowerCase() === value) { option.selected = true; }
      select.appendChild(option);
    });
    sort.replaceWith(select);
  }
  var hints = {words: 'words to find', since: 'YYYY-MM-DD', until: 'YYYY-MM-DD',
               language: 'e.g. en', source: 'source name'};
  Object.keys(hints).forEach(function (name) {
    var input = form.querySelector('input[name="' + name + '"]');
    if (input) { input.placeholder = hints[name]; }
  });
  var words = form.querySelector('input[name="words"]');
  if (words) { words.size = 50; if (!words.value) { words.focus(); } }
  var submit = form.querySelector('input[type="submit"]');
  if (submit) { submit.value = 'Search'; }
})();
"""


def _databases(datasette: Any) -> list[str] | None:
    """The archive databases this plugin serves, or None when it is not enabled here."""
    config = datasette.plugin_config(PLUGIN_NAME)
    if not isinstance(config, dict):
        return None
    return list(config.get("databases") or [])


def _enabled_for(datasette: Any, database: str | None) -> bool:
    names = _databases(datasette)
    return names is not None and database in names


def highlight_html(value: str) -> Markup:
    """Snippet text escaped for HTML with its highlight markers turned into <mark> elements."""
    escaped = str(escape(" ".join(value.split())))
    marked = _HIGHLIGHT.sub(lambda m: f"<mark>{m.group(1)}</mark>", escaped)
    return Markup(marked.replace(MARK_START, "").replace(MARK_END, ""))


def json_list_html(value: str) -> Markup | None:
    """A JSON array of strings shown as a comma-separated list, or None when it is not one."""
    try:
        items = json.loads(value)
    except ValueError:
        return None
    if not isinstance(items, list):
        return None
    if not items:
        return Markup("&nbsp;")
    return Markup(", ".join(str(escape(str(item))) for item in items))


@hookimpl
def prepare_connection(conn: sqlite3.Connection, database: str, datasette: Any) -> None:
    """Register the safe-search SQL functions on archive connections."""
    if _enabled_for(datasette, database):
        register_functions(conn)


@hookimpl
def render_cell(
    row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any
) -> Markup | None:
    """Highlighted snippets, readable author/tag lists and titles linking to the article."""
    if not isinstance(value, str) or not _enabled_for(datasette, database):
        return None
    if column == "snippet" and table is None:
        return highlight_html(value)
    if (
        column in JSON_LIST_COLUMNS
        and table in (None, "articles", VERSIONS_TABLE)
        and (value.startswith("["))
    ):
        return json_list_html(value)
    if column == "title" and table is None:
        keys = row.keys() if hasattr(row, "keys") else []
        if "id" in keys and "url" in keys and row["id"] is not None:
            href = datasette.urls.row(database, "articles", quote(str(row["id"])))
            return Markup(f'<a href="{escape(href)}">{escape(value or "(untitled)")}</a>')
    return None


@hookimpl
def extra_css_urls(datasette: Any) -> list[str]:
    """The plugin's small stylesheet."""
    if _databases(datasette) is None:
        return []
    return [datasette.urls.path(CSS_PATH)]


@hookimpl
def extra_body_script(
    template: str, database: str | None, view_name: str, request: Any, datasette: Any
) -> str:
    """Friendlier search form: a sort menu, placeholders and a Search button."""
    if template != "query.html" or not _enabled_for(datasette, database) or request is None:
        return ""
    if request.url_vars.get("table") != search_query_name():
        return ""
    return SEARCH_FORM_JS


@hookimpl
def menu_links(datasette: Any) -> list[dict[str, str]]:
    """Links to the search page and the stats page in Datasette's menu."""
    names = _databases(datasette)
    if not names:
        return []
    return [
        {"href": datasette.urls.query(names[0], search_query_name()), "label": "Search articles"},
        {"href": datasette.urls.path(STATS_PATH), "label": "Articles per day"},
    ]


async def _table_columns(db: Any, table: str) -> list[str]:
    if not await db.table_exists(table):
        return []
    return list(await db.table_columns(table))


@hookimpl
def canned_queries(datasette: Any, database: str) -> Any:
    """Recent stealth edits, offered only when an ``article_versions`` table exists."""
    if not _enabled_for(datasette, database):
        return None

    async def inner() -> dict[str, Any]:
        columns = await _table_columns(datasette.get_database(database), VERSIONS_TABLE)
        query = stealth_edits_query(columns) if columns else None
        return {"recent_stealth_edits": query} if query else {}

    return inner


async def _article_context(datasette: Any, database: str, request: Any) -> dict[str, Any]:
    """What the article view shows above the raw fields: text, byline and links."""
    pks = urlsafe_components(request.url_vars.get("pks", ""))
    if len(pks) != 1:
        return {}
    db = datasette.get_database(database)
    result = await db.execute(
        "select id, title, url, authors, source, section, language, published, modified, "
        "description, text, duplicate_of from articles where id = ?",
        [pks[0]],
    )
    row = result.first()
    if row is None:
        return {}
    article = dict(row)
    try:
        authors = json.loads(article.get("authors") or "[]")
    except ValueError:
        authors = []
    url = article.get("url") or ""
    context: dict[str, Any] = {
        "article": article,
        "authors": [str(a) for a in authors] if isinstance(authors, list) else [],
        "paragraphs": [p.strip() for p in (article.get("text") or "").split("\n") if p.strip()],
        "original_url": url if url.startswith(("http://", "https://")) else None,
        "versions_url": None,
        "versions": 0,
        "duplicate_url": None,
    }
    columns = await _table_columns(db, VERSIONS_TABLE)
    if "url" in columns:
        count = (
            await db.execute(f"select count(*) from [{VERSIONS_TABLE}] where url = ?", [url])
        ).first()[0]
        context["versions"] = int(count)
        context["versions_url"] = (
            datasette.urls.table(database, VERSIONS_TABLE)
            + "?url="
            + quote(url, safe="")
            + "&_sort=version"
        )
    if article.get("duplicate_of"):
        canonical = (
            await db.execute("select id from articles where url = ?", [article["duplicate_of"]])
        ).first()
        if canonical is not None:
            context["duplicate_url"] = datasette.urls.row(
                database, "articles", quote(str(canonical[0]))
            )
    return context


@hookimpl
def extra_template_vars(
    view_name: str, database: str | None, table: str | None, request: Any, datasette: Any
) -> Any:
    """The article view's context (``newscrawl_article``) on an article's row page."""
    if view_name != "row" or table != "articles" or request is None:
        return {}
    if not _enabled_for(datasette, database):
        return {}

    async def inner() -> dict[str, Any]:
        return {"newscrawl_article": await _article_context(datasette, str(database), request)}

    return inner


async def stats_page(datasette: Any, request: Any) -> Response:
    """Articles per day and source as a stacked bar chart, with per-source totals."""
    sections = []
    for name in _databases(datasette) or []:
        db = datasette.get_database(name)
        data = await db.execute_fn(lambda conn: articles_per_day(conn))
        totals = await db.execute(
            "select coalesce(source, '') as source, count(*) as articles, "
            "min(published) as oldest, max(published) as newest "
            "from articles group by 1 order by articles desc, source"
        )
        sections.append(
            {
                "database": name,
                "svg": Markup(render_svg(data)),
                "unit": data.unit,
                "sources": [dict(r) for r in totals.rows],
                "per_day_url": datasette.urls.query(name, "articles_per_source_per_day"),
                "articles_url": datasette.urls.table(name, "articles"),
            }
        )
    html = await datasette.render_template(
        "newscrawl_stats.html", {"sections": sections}, request=request
    )
    return Response.html(html)


async def stylesheet(datasette: Any) -> Response:
    """The plugin's CSS."""
    return Response(CSS, content_type="text/css; charset=utf-8")


@hookimpl
def register_routes(datasette: Any) -> list[tuple[str, Any]]:
    """The stats page and the stylesheet."""
    if datasette is None or _databases(datasette) is None:
        return []
    return [
        ("^" + re.escape(STATS_PATH) + "$", stats_page),
        ("^" + re.escape(CSS_PATH) + "$", stylesheet),
    ]
