"""Re-extraction: run the current extractor over archived raw captures, offline.

Extractors improve; the WARC captures keep what was served. `reextract` reads each article's
capture back, extracts it again with the same page object and cleaning as a crawl, and writes the
articles whose fields change as new versions (reason ``reextract``). Nothing is fetched.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from newscrawl.archive.search import Filters
from newscrawl.archive.store import Archive, row_to_article
from newscrawl.archive.warc import read_capture, warc_folder
from newscrawl.extract import RESULT_KEYS
from newscrawl.items import ARTICLE_FIELDS
from newscrawl.pages import FetchedPage, article_from_page
from newscrawl.pipelines.clean import clean_article

logger = logging.getLogger(__name__)

#: Fields a re-extraction may change; everything else (URL, source, first/last seen, validators,
#: duplicate links, re-check times) stays as the crawl recorded it.
EXTRACTED_FIELDS = (
    *(k for k in RESULT_KEYS if k in ARTICLE_FIELDS and k != "page_type"),
    "extractor_version",
)


@dataclass
class ReextractReport:
    """What a re-extraction did."""

    examined: int = 0
    changed: int = 0
    unchanged: int = 0
    no_capture: int = 0
    failed: int = 0


def reextract(
    archive: Archive,
    filters: Filters | None = None,
    *,
    batch_size: int = 100,
    future_tolerance: float = 86400,
) -> ReextractReport:
    """Re-extract the (filtered) archived articles from their captures; return the counts."""
    report = ReextractReport()
    folder = warc_folder(archive.path)
    where, params = (filters or Filters()).to_sql("articles")
    rows = [
        row_to_article(r)
        for r in archive.conn.execute(
            f"SELECT * FROM articles WHERE {where} ORDER BY id", params
        ).fetchall()
    ]
    batch: list[dict[str, Any]] = []
    for row in rows:
        report.examined += 1
        if not row.get("warc_file") or row.get("warc_offset") is None:
            report.no_capture += 1
            continue
        try:
            capture = read_capture(folder, row["warc_file"], int(row["warc_offset"]))
            provenance = row.get("provenance") or {}
            page = FetchedPage(
                url=capture.url,
                body=capture.body,
                headers=capture.headers,
                source=row.get("source"),
                default_language=row.get("language")
                if provenance.get("language") == "source"
                else None,
                hints=context_hints(row),
                reason="reextract",
            )
            fresh = vars(article_from_page(page))
        except (OSError, ValueError, StopIteration) as exc:
            report.failed += 1
            logger.warning("Cannot re-extract %s: %s", row["url"], exc)
            continue
        clean_article(fresh, timedelta(seconds=future_tolerance))
        updated = {k: v for k, v in row.items() if k not in ("id", "version", "content_hash")}
        for name in EXTRACTED_FIELDS:
            updated[name] = fresh.get(name)
        updated["version_reason"] = "reextract"
        batch.append(updated)
        if len(batch) >= batch_size:
            _write(archive, batch, report)
            batch = []
    _write(archive, batch, report)
    return report


def context_hints(row: dict[str, Any]) -> dict[str, Any]:
    """Rebuild the hints a crawl had beside the page (the feed entry, the news sitemap entry)
    from an archived row: re-extraction must not drop a title, date or byline the page itself
    never gave. Authors archived without a provenance came from a feed entry (crawls before
    the provenance was recorded)."""
    provenance = row.get("provenance") or {}
    hints: dict[str, Any] = {"news": row.get("news") or {}}
    if provenance.get("title") == "feed":
        hints["title"] = row.get("title")
    if provenance.get("published") == "feed":
        hints["published"] = row.get("published")
        hints["published_raw"] = row.get("published_raw")
    if row.get("authors") and provenance.get("authors", "feed") == "feed":
        hints["authors"] = row.get("authors")
    return hints


def _write(archive: Archive, batch: list[dict[str, Any]], report: ReextractReport) -> None:
    if not batch:
        return
    result = archive.upsert_articles(batch, now=None)
    report.changed += len(result.updated)
    report.unchanged += len(result.unchanged) + len(result.new)
