"""Progress figures and lines computed from crawl stats."""

from __future__ import annotations

from rich.console import Console

from newscrawl.extensions.progress import format_progress, progress_figures, progress_table

STATS = {
    "newscrawl/fetched": 120,
    "newscrawl/articles_new": 40,
    "newscrawl/articles_updated": 2,
    "newscrawl/duplicates": 3,
    "newscrawl/failed/http_404": 4,
    "newscrawl/failed/timeout": 1,
}


def test_figures_add_up_failures_and_rate() -> None:
    figures = progress_figures(STATS, 60.0)
    assert figures == {
        "elapsed_s": 60.0,
        "fetched": 120,
        "new": 40,
        "updated": 2,
        "duplicates": 3,
        "errors": 5,
        "pages_per_min": 120.0,
    }


def test_progress_line_for_logs() -> None:
    assert format_progress(progress_figures(STATS, 60.0)) == (
        "120 pages fetched (120.0/min), articles: 40 new, 2 updated, 3 duplicates; "
        "5 errors; 60.0s elapsed"
    )


def test_live_table_shows_every_figure() -> None:
    console = Console(width=100, record=True)
    console.print(progress_table(progress_figures(STATS, 60.0)))
    text = console.export_text()
    assert "fetched" in text and "pages/min" in text
    assert text.splitlines()[1].split() == ["120", "40", "2", "3", "5", "120.0", "60s"]
