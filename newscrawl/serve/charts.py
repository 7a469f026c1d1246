"""Articles per day per source: the counts, an inline SVG chart and a PNG (matplotlib).

The SVG needs nothing beyond the standard library; the PNG needs the optional ``matplotlib``
(``pip install 'newscrawl[plot]'``), imported only when a PNG is asked for.
"""

from __future__ import annotations

import math
import os
import sqlite3
from dataclasses import dataclass, field
from datetime import date, timedelta
from html import escape

#: Tableau 10: distinct colours that read well on white; the last one is for "other sources".
PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
)
OTHER_SOURCES = "other sources"


class MissingExtraError(RuntimeError):
    """An optional dependency is not installed; the message says which extra to install."""


@dataclass
class DailyCounts:
    """Article counts per time bucket (day, week or month) and source, ready to chart."""

    unit: str = "day"
    buckets: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    counts: dict[str, list[int]] = field(default_factory=dict)

    def totals(self) -> list[int]:
        """Articles per bucket over all sources."""
        return [sum(self.counts[s][i] for s in self.sources) for i in range(len(self.buckets))]


def _bucket_start(day: date, unit: str) -> date:
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return day


def _next_bucket(start: date, unit: str) -> date:
    if unit == "week":
        return start + timedelta(days=7)
    if unit == "month":
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start + timedelta(days=1)


def _label(start: date, unit: str) -> str:
    return start.strftime("%Y-%m") if unit == "month" else start.isoformat()


def articles_per_day(
    conn: sqlite3.Connection, *, max_sources: int = 9, max_buckets: int = 120
) -> DailyCounts:
    """Articles per publication day and source; weeks or months when there are too many days.

    The `max_sources` largest sources keep their own series, the rest become "other sources".
    """
    rows = conn.execute(
        "SELECT substr(published, 1, 10), coalesce(source, ''), count(*) FROM articles "
        "WHERE published IS NOT NULL GROUP BY 1, 2"
    ).fetchall()
    per_day: list[tuple[date, str, int]] = []
    for day_text, source, count in rows:
        try:
            per_day.append((date.fromisoformat(day_text), source, int(count)))
        except (TypeError, ValueError):
            continue
    if not per_day:
        return DailyCounts()
    first = min(d for d, _, _ in per_day)
    last = max(d for d, _, _ in per_day)
    span = (last - first).days + 1
    unit = "day"
    if span > max_buckets:
        unit = "week" if span / 7 <= max_buckets else "month"
    starts: list[date] = []
    cursor = _bucket_start(first, unit)
    while cursor <= last:
        starts.append(cursor)
        cursor = _next_bucket(cursor, unit)
    index = {start: i for i, start in enumerate(starts)}
    totals: dict[str, int] = {}
    for _, source, count in per_day:
        totals[source] = totals.get(source, 0) + count
    ranked = sorted(totals, key=lambda s: (-totals[s], s))
    kept = ranked[:max_sources] if len(ranked) > max_sources + 1 else ranked
    sources = kept + ([OTHER_SOURCES] if len(kept) < len(ranked) else [])
    counts = {s: [0] * len(starts) for s in sources}
    for day, source, count in per_day:
        series = source if source in kept else OTHER_SOURCES
        counts[series][index[_bucket_start(day, unit)]] += count
    return DailyCounts(
        unit=unit,
        buckets=[_label(s, unit) for s in starts],
        sources=[s or "(no source)" for s in sources],
        counts={(s or "(no source)"): v for s, v in counts.items()},
    )


def _nice_step(top: int, ticks: int = 5) -> int:
    raw = max(1.0, top / ticks)
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= raw:
            return int(factor * magnitude)
    return int(10 * magnitude)


def render_svg(data: DailyCounts, *, width: int = 960, height: int = 360) -> str:
    """A stacked bar chart (one colour per source) as a standalone, accessible SVG element."""
    if not data.buckets:
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="60" '
            'aria-label="No dated articles yet"><text x="10" y="35">No dated articles yet.</text>'
            "</svg>"
        )
    left, right, top_pad, bottom = 48, 16, 40, 56
    plot_w = width - left - right
    plot_h = height - top_pad - bottom
    totals = data.totals()
    step = _nice_step(max(totals) or 1)
    top_value = step * math.ceil((max(totals) or 1) / step)
    slot = plot_w / len(data.buckets)
    bar_w = max(1.0, slot * 0.8)
    y_scale = plot_h / top_value
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="newscrawl-chart" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-label="Articles per {data.unit} and source" font-family="sans-serif" '
        'font-size="11">',
        f"<title>Articles per {escape(data.unit)} and source</title>",
    ]
    for value in range(0, top_value + 1, step):
        y = top_pad + plot_h - value * y_scale
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
            'stroke="#ddd" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#555">{value}</text>'
        )
    label_every = max(1, math.ceil(len(data.buckets) / 12))
    for i, bucket in enumerate(data.buckets):
        x = left + i * slot + (slot - bar_w) / 2
        base = float(top_pad + plot_h)
        for n, source in enumerate(data.sources):
            count = data.counts[source][i]
            if not count:
                continue
            h = count * y_scale
            base -= h
            colour = PALETTE[min(n, len(PALETTE) - 1)]
            parts.append(
                f'<rect class="bar" x="{x:.1f}" y="{base:.1f}" width="{bar_w:.1f}" '
                f'height="{h:.1f}" fill="{colour}"><title>{escape(bucket)} · '
                f"{escape(source)}: {count}</title></rect>"
            )
        if i % label_every == 0:
            cx = left + i * slot + slot / 2
            parts.append(
                f'<text x="{cx:.1f}" y="{top_pad + plot_h + 16}" text-anchor="middle" '
                f'fill="#555">{escape(bucket)}</text>'
            )
    parts.append(
        f'<line x1="{left}" x2="{width - right}" y1="{top_pad + plot_h}" '
        f'y2="{top_pad + plot_h}" stroke="#888"/>'
    )
    x = float(left)
    for n, source in enumerate(data.sources):
        colour = PALETTE[min(n, len(PALETTE) - 1)]
        parts.append(
            f'<rect x="{x:.1f}" y="12" width="12" height="12" fill="{colour}"/>'
            f'<text x="{x + 16:.1f}" y="22" fill="#222">{escape(source)}</text>'
        )
        x += 28 + 7 * len(source)
    parts.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 12}" text-anchor="middle" '
        f'fill="#555">articles per {escape(data.unit)} (publication date, UTC)</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


#: Chart files `plot_articles_per_day` writes, by file name extension (no extension: PNG).
PLOT_FORMATS = ("png", "svg", "pdf")


def plot_format(path: str | os.PathLike[str]) -> str:
    """The chart format a file name asks for; ValueError for an extension not in PLOT_FORMATS."""
    suffix = os.path.splitext(os.fspath(path))[1].lower().lstrip(".")
    if not suffix:
        return "png"
    if suffix not in PLOT_FORMATS:
        raise ValueError(
            f"cannot write a .{suffix} chart: use " + ", ".join(f".{f}" for f in PLOT_FORMATS)
        )
    return suffix


def plot_articles_per_day(conn: sqlite3.Connection, path: str | os.PathLike[str]) -> None:
    """Write a chart of articles per day and source to `path` (matplotlib, Agg backend), as
    PNG, SVG or PDF by its extension (`plot_format`).

    Raises `MissingExtraError` when matplotlib is not installed.
    """
    fmt = plot_format(path)
    try:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib import pyplot as plt
        from matplotlib.ticker import MaxNLocator
    except ImportError:
        raise MissingExtraError(
            "plotting needs matplotlib: pip install 'newscrawl[plot]'"
        ) from None
    data = articles_per_day(conn)
    fig, ax = plt.subplots(figsize=(10, 4), dpi=100)
    try:
        if not data.buckets:
            ax.text(0.5, 0.5, "No dated articles yet", ha="center", va="center")
            ax.set_axis_off()
        else:
            positions = list(range(len(data.buckets)))
            bottom = [0] * len(data.buckets)
            for n, source in enumerate(data.sources):
                values = data.counts[source]
                ax.bar(
                    positions,
                    values,
                    bottom=bottom,
                    label=source,
                    color=PALETTE[min(n, len(PALETTE) - 1)],
                    width=0.8,
                )
                bottom = [b + v for b, v in zip(bottom, values, strict=True)]
            every = max(1, math.ceil(len(positions) / 12))
            ax.set_xticks(positions[::every])
            ax.set_xticklabels(data.buckets[::every], rotation=45, ha="right")
            ax.set_ylabel("articles")
            ax.set_title(f"Articles per {data.unit} and source")
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
            ax.legend(loc="upper left", fontsize="small", ncol=min(5, len(data.sources)))
        fig.tight_layout()
        fig.savefig(os.fspath(path), format=fmt)
    finally:
        plt.close(fig)
