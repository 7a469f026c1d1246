"""The configured Datasette in-process: search page, facets, hidden tables, article view."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path
from urllib.parse import quote

import pytest
from datasette.app import Datasette
from serve_data import COUNCIL_URL, GAZETTE_EDITED, GAZETTE_TITLE, GAZETTE_URL, Client

from newscrawl.archive import Archive
from newscrawl.serve.app import create_datasette
from newscrawl.serve.functions import MARK_END, MARK_START, fts_query, since_bound, until_bound

HOSTILE = [
    '"unbalanced NEAR( col:x *',
    "NEAR(a b",
    "title:bridge",
    "*",
    '"',
    "-",
    "OR AND NOT",
    "a\x00b",
    "'); DROP TABLE articles; --",
    "^caret {braces} [brackets] col:",
    "",
]


def search(web: Client, words: str, **params: str) -> list[dict]:
    query = "&".join(f"{k}={quote(v)}" for k, v in {"words": words, **params}.items())
    response = web.get(f"/news/search.json?{query}&_shape=array")
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("text", HOSTILE)
def test_search_accepts_any_text(web: Client, text: str) -> None:
    search(web, text)
    page = web.get(f"/news/search?words={quote(text)}")
    assert page.status_code == 200
    assert "message-error" not in page.text


def test_search_accepts_invalid_utf8(web: Client) -> None:
    for raw in ("%ED%A0%80", "%FF%FE", "%00", "%22%ED%A0%80*"):
        response = web.get(f"/news/search.json?words={raw}&source={raw}&since={raw}")
        assert response.status_code == 200, response.text
        page = web.get(f"/news/search?words={raw}")
        assert page.status_code == 200 and "message-error" not in page.text


def test_hostile_dates_and_filters_give_no_error(web: Client) -> None:
    rows = search(web, "parade", since="next tuesday", until="'; --", language="%", sort="?")
    assert rows == []
    assert len(search(web, "parade", source="nobody", language="_")) == 0


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("until", "9999-12-31"),
        ("until", "9999-12-31T23:59:59Z"),
        ("since", "9999-12-31T23:59:59-23:59"),
        ("since", "0001-01-01T00:00:00+23:59"),
    ],
)
def test_out_of_range_dates_give_no_error(web: Client, name: str, value: str) -> None:
    assert search(web, "parade", **{name: value}) == []
    assert (since_bound if name == "since" else until_bound)(value) is None


def test_ranking_puts_the_title_match_first(web: Client) -> None:
    rows = search(web, "parade")
    assert rows[0]["url"] == GAZETTE_URL
    assert {r["url"] for r in rows} >= {GAZETTE_URL, COUNCIL_URL}
    assert MARK_START + "parade" + MARK_END in rows[0]["snippet"]


def test_newest_first_and_filters(web: Client) -> None:
    assert search(web, "parade", sort="newest")[0]["url"] == COUNCIL_URL
    assert search(web, "parade", sort="oldest")[0]["published"] == "2025-09-02T06:00:00Z"
    assert [r["source"] for r in search(web, "parade", source="tribune")] == ["tribune"]
    assert [r["url"] for r in search(web, "parade", since="2025-09-05")] == [COUNCIL_URL]
    rows = search(web, "parade", until="2025-09-02")
    assert {r["source"] for r in rows} == {"gazette", "mirror"}
    assert search(web, "parade", until="2025-09-02T06:00:00Z")[0]["url"] == GAZETTE_URL
    assert len(search(web, "parade", until="2025-09-02T06:00:00Z")) == 1
    assert [r["source"] for r in search(web, "bridge", language="en")] == ["tribune"]
    assert search(web, "défilé", language="fr")[0]["source"] == "courrier"


def test_search_page_highlights_snippet_and_links_title(web: Client) -> None:
    page = web.get("/news/search?words=parade")
    assert page.status_code == 200
    assert "<mark>parade</mark>" in page.text
    assert MARK_START not in page.text
    assert f">{GAZETTE_TITLE}</a>" in page.text
    assert 'href="/news/articles/1"' in page.text
    assert "Jane Doe, Min-jun Park" in page.text


def test_articles_table_has_facets_and_sorts_newest_first(web: Client) -> None:
    data = web.get("/news/articles.json?_extra=facet_results").json()
    facets = data["facet_results"]
    assert {"source", "section", "language", "authors", "published"} <= set(facets)
    authors = {r["value"] for r in facets["authors"]["results"]}
    assert {"Jane Doe", "Tom Baker"} <= authors
    assert facets["authors"]["type"] == "array"
    assert facets["published"]["type"] == "date"
    rows = web.get("/news/articles.json?_shape=array").json()
    published = [r["published"] for r in rows]
    assert published == sorted(published, reverse=True)


def test_internal_tables_are_hidden(web: Client) -> None:
    tables = {t["name"]: t["hidden"] for t in web.get("/news.json").json()["tables"]}
    for name in ("frontier", "article_signatures", "article_bands", "articles_fts"):
        assert tables[name] is True, name
    assert [n for n, hidden in tables.items() if not hidden] == [
        "article_versions",
        "articles",
        "runs",
    ]
    page = web.get("/news").text
    assert "article_bands" not in page.split("hidden table")[0]


def test_article_view_shows_full_text_and_original_url(web: Client) -> None:
    page = web.get("/news/articles/1").text
    assert "<p>He then boarded his armoured train to Beijing for the military parade.</p>" in page
    assert f'href="{GAZETTE_URL}"' in page and "Original article" in page
    assert ">1 version</a>" in page.split("All fields")[0]


def test_duplicate_links_to_its_canonical_article(web: Client) -> None:
    mirror_id = search(web, "agency copy")[0]["id"]
    page = web.get(f"/news/articles/{mirror_id}").text
    assert 'class="duplicate-of" href="/news/articles/1"' in page
    clusters = web.get("/news/duplicate_clusters.json?_shape=array").json()
    assert clusters[0]["canonical_url"] == GAZETTE_URL
    assert clusters[0]["duplicates"] == 1
    assert "mirror: https://mirror.example/agency/kim-drill-copy" in clusters[0]["duplicate_urls"]


def test_articles_per_source_per_day(web: Client) -> None:
    rows = web.get("/news/articles_per_source_per_day.json?_shape=array").json()
    assert rows[0] == {"day": "2025-09-05", "source": "tribune", "articles": 1}
    assert {"day": "2025-09-02", "source": "gazette", "articles": 1} in rows


def test_no_stealth_edits_query_without_versions(old_archive_path: Path) -> None:
    client = Client(create_datasette(old_archive_path))
    assert client.get("/news/recent_stealth_edits.json").status_code == 404
    assert "stealth" not in client.get("/news").text.lower()
    page = client.get("/news/articles/1").text
    assert "Original article" in page and "article_versions" not in page
    assert client.get("/news/search.json?words=parade").status_code == 200


def test_stealth_edits_list_silent_changes(web: Client, versions_archive_path: Path) -> None:
    rows = web.get("/news/recent_stealth_edits.json?_shape=array").json()
    assert [(r["url"], r["version"], r["edited_at"]) for r in rows] == [
        (GAZETTE_URL, 2, "2025-09-07T00:00:00Z")
    ]
    assert json.loads(rows[0]["changed"]) == ["text"]
    assert "+An earlier version of this article" in rows[0]["diff"]
    assert web.get("/news/recent_stealth_edits.json?source=tribune&_shape=array").json() == []
    page = web.get("/news/articles/1").text
    assert "/news/article_versions?url=" + quote(GAZETTE_URL, safe="") in page
    assert "2 versions<" in page
    versions = web.get("/news/article_versions.json?_shape=array&url=" + quote(GAZETTE_URL))
    assert [v["version"] for v in versions.json()] == [2, 1]


def test_stats_page_draws_a_chart(web: Client) -> None:
    page = web.get("/-/newscrawl/stats")
    assert page.status_code == 200
    assert "<svg" in page.text and 'class="bar"' in page.text
    assert "2025-09-02 · gazette: 1" in page.text
    assert web.get("/-/newscrawl/newscrawl.css").headers["content-type"].startswith("text/css")


def test_menu_and_index_link_the_search_page(web: Client) -> None:
    page = web.get("/").text
    assert 'href="/news/search"' in page
    assert 'href="/-/newscrawl/stats"' in page


def test_served_read_only(web_archive_path: Path) -> None:
    ds = create_datasette(web_archive_path)
    db = ds.databases["news"]
    assert db.is_mutable  # opened with ?mode=ro, so rows a running crawl adds show up
    conn = db.connect()
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        conn.execute("insert into runs (status) values ('x')")
    client = Client(ds)
    response = client.get("/news.json?sql=" + quote("insert into runs (status) values ('x')"))
    assert response.status_code == 400
    immutable = create_datasette(web_archive_path, immutable=True)
    assert immutable.databases["news"].is_mutable is False
    assert immutable.setting("sql_time_limit_ms") == 2000


def test_time_limit_is_applied(web_archive_path: Path) -> None:
    ds = create_datasette(web_archive_path, sql_time_limit_ms=50)
    slow = (
        "with recursive n(i) as (select 1 union all select i + 1 from n where i < 100000000) "
        "select count(*) from n"
    )
    response = Client(ds).get("/news.json?sql=" + quote(slow))
    assert response.status_code == 400
    assert "interrupted" in response.text.lower() or "time limit" in response.text.lower()


def test_plain_datasette_is_unaffected(web_archive_path: Path, web: Client) -> None:
    async def fetch() -> tuple[int, list, int]:
        ds = Datasette([str(web_archive_path)])
        canned = await ds.client.get("/news/search.json")
        found = await ds.client.get("/news/articles.json?_search=harbour&_shape=array")
        func = await ds.client.get("/news.json?sql=select+newscrawl_fts_query('x')")
        return canned.status_code, found.json(), func.status_code

    canned_status, found, func_status = asyncio.run(fetch())
    assert canned_status == 404
    assert [r["source"] for r in found] == ["tribune"]
    assert func_status == 400


def test_sql_functions_directly() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(a)")
    for text in HOSTILE:
        conn.execute("SELECT * FROM t WHERE t MATCH ?", [fts_query(text)]).fetchall()
    assert fts_query("***") == '""' and fts_query(None) == '""'
    assert since_bound(" 2025-09-02 ") == "2025-09-02T00:00:00Z"
    assert since_bound("soon") is None and since_bound("") is None
    assert until_bound("2025-09-02") == "2025-09-03T00:00:00Z"
    assert until_bound("2025-09-02T06:00:00Z") == "2025-09-02T06:00:01Z"
    conn.close()


def test_stealth_edits_leave_out_reextractions(web: Client, versions_archive_path: Path) -> None:
    reread = {**GAZETTE_EDITED, "title": GAZETTE_EDITED["title"] + " (re-read)"}
    with Archive.open(versions_archive_path) as archive:
        archive.upsert_articles(
            [{**reread, "version_reason": "reextract"}], now="2025-09-08T00:00:00Z"
        )
    rows = web.get("/news/recent_stealth_edits.json?_shape=array").json()
    assert [(r["version"], r["edited_at"]) for r in rows] == [(2, "2025-09-07T00:00:00Z")]
