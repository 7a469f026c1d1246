"""Rendering rows for the terminal: a plain table, JSON Lines or CSV (as sqlite-utils does)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

import click

FORMATS = ("table", "json", "csv")


def output_options(func: Any) -> Any:
    """Add the shared ``--json`` / ``--csv`` switches (table is the default)."""
    func = click.option("--csv", "fmt", flag_value="csv", help="Output CSV with a header row.")(
        func
    )
    func = click.option(
        "--json", "fmt", flag_value="json", help="Output JSON, one object per line."
    )(func)
    return func


def _cell(value: Any, width: int | None) -> str:
    if value is None:
        text = ""
    elif isinstance(value, (list, tuple)):
        text = ", ".join(str(v) for v in value)
    elif isinstance(value, float):
        text = f"{value:.3f}"
    else:
        text = str(value)
    text = " ".join(text.split())
    if width is not None and len(text) > width:
        text = text[: max(1, width - 1)] + "…"
    return text


def format_table(
    rows: Sequence[dict[str, Any]], columns: Sequence[str], widths: dict[str, int] | None = None
) -> str:
    """A plain aligned text table with a header and a rule, long cells folded with an ellipsis."""
    widths = widths or {}
    cells = [[_cell(row.get(c), widths.get(c)) for c in columns] for row in rows]
    sizes = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(sizes[i]) for i, c in enumerate(columns)).rstrip()]
    lines.append("  ".join("-" * s for s in sizes))
    for r in cells:
        lines.append("  ".join(v.ljust(sizes[i]) for i, v in enumerate(r)).rstrip())
    return "\n".join(lines)


def render(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[str],
    fmt: str | None,
    widths: dict[str, int] | None = None,
) -> str:
    """Rows as a table (default), JSON Lines (all keys) or CSV (the given columns)."""
    if fmt == "json":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(
                [
                    json.dumps(row.get(c), ensure_ascii=False)
                    if isinstance(row.get(c), (list, dict))
                    else row.get(c)
                    for c in columns
                ]
            )
        return buffer.getvalue()
    return format_table(rows, columns, widths) + "\n"
