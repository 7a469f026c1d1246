"""Articles per day: counts with gaps filled, the inline SVG chart and the PNG plot."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest

from newscrawl.archive import Archive
from newscrawl.serve.charts import (
    OTHER_SOURCES,
    MissingExtraError,
    articles_per_day,
    plot_articles_per_day,
    render_svg,
)


def test_counts_per_day_fill_gaps(web_archive_path: Path) -> None:
    with Archive.open(web_archive_path, readonly=True) as archive:
        data = articles_per_day(archive.conn)
    assert data.unit == "day"
    assert data.buckets == ["2025-09-02", "2025-09-03", "2025-09-04", "2025-09-05"]
    assert data.counts["tribune"] == [0, 1, 0, 1]
    assert data.totals() == [2, 2, 0, 1]
    assert data.sources[0] == "tribune"


def test_long_spans_become_weeks_and_months(tmp_path: Path) -> None:
    path = tmp_path / "long.db"
    articles = [
        {
            "url": f"https://s{i % 12}.example/{i}",
            "source": f"s{i % 12}",
            "title": "t",
            "published": f"{2020 + i // 12:04d}-{i % 12 + 1:02d}-15T00:00:00Z",
        }
        for i in range(48)
    ]
    with Archive.open(path) as archive:
        archive.upsert_articles(articles)
        months = articles_per_day(archive.conn)
        weeks = articles_per_day(archive.conn, max_buckets=400)
    assert months.unit == "month" and months.buckets[0] == "2020-01"
    assert len(months.buckets) == 48 and sum(months.totals()) == 48
    assert weeks.unit == "week" and weeks.buckets[0] == "2020-01-13"
    assert len(months.sources) == 10 and months.sources[-1] == OTHER_SOURCES


def test_svg_chart_has_one_bar_per_nonzero_count(web_archive_path: Path) -> None:
    with Archive.open(web_archive_path, readonly=True) as archive:
        svg = render_svg(articles_per_day(archive.conn))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count('class="bar"') == 5
    assert "2025-09-05 · tribune: 1" in svg
    assert "No dated articles" in render_svg(
        articles_per_day(
            sqlite3.connect(":memory:")
            .execute("create table articles(published, source)")
            .connection
        )
    )


def test_plot_writes_a_png(web_archive_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "per-day.png"
    with Archive.open(web_archive_path, readonly=True) as archive:
        plot_articles_per_day(archive.conn, out)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    print(f"plot: {out}")


def test_plot_without_matplotlib_says_what_to_install(
    web_archive_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with (
        Archive.open(web_archive_path, readonly=True) as archive,
        pytest.raises(MissingExtraError, match=r"pip install 'newscrawl\[plot\]'"),
    ):
        plot_articles_per_day(archive.conn, tmp_path / "x.png")


def test_plot_writes_svg_for_an_svg_name(web_archive_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "per-day.svg"
    with Archive.open(web_archive_path, readonly=True) as archive:
        plot_articles_per_day(archive.conn, out)
    assert b"<svg" in out.read_bytes()[:500]


def test_plot_refuses_an_extension_it_cannot_write(web_archive_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "per-day.jpg"
    with (
        Archive.open(web_archive_path, readonly=True) as archive,
        pytest.raises(ValueError, match=r"cannot write a \.jpg chart: use \.png, \.svg, \.pdf"),
    ):
        plot_articles_per_day(archive.conn, out)
    assert not out.exists()
