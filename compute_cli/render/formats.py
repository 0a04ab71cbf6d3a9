"""Shared writers: JSON, CSV, Markdown and plain/rich tables from rows of cells."""

from __future__ import annotations

import csv
import io
import json
import os
import sys

FORMATS = ("table", "json", "csv", "markdown")


def to_json(data) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def flatten(row: dict, prefix: str = "") -> dict:
    """``{"a": {"b": 1}}`` -> ``{"a.b": 1}`` for CSV headers.

    >>> flatten({"id": "x", "breakdown": {"energy": 1.0}})
    {'id': 'x', 'breakdown.energy': 1.0}
    """
    out = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, name + "."))
        else:
            out[name] = value
    return out


def to_csv(rows: list[dict]) -> str:
    flat = [flatten(r) for r in rows]
    header: list[str] = []
    for r in flat:
        header += [k for k in r if k not in header]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    for r in flat:
        writer.writerow({k: _csv_cell(v) for k, v in r.items()})
    return buf.getvalue()


def _csv_cell(value):
    """CSV cell: empty for null, JSON spelling for booleans."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def to_markdown(header: list[str], rows: list[list[str]]) -> str:
    def esc(cell: str) -> str:
        return str(cell).replace("|", "\\|")

    lines = ["| " + " | ".join(esc(h) for h in header) + " |"]
    lines.append("|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|")
    lines += ["| " + " | ".join(esc(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def to_plain(header: list[str], rows: list[list[str]], sections: set[int] = frozenset(), left: int = 1) -> str:
    """Aligned text columns: the first ``left`` columns left-aligned, the rest right;
    a blank line before each row index in ``sections``."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells):
        out = [str(c).ljust(w) if i < left else str(c).rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))]
        return "  ".join(out).rstrip()

    out = [line(header), "  ".join("-" * w for w in widths)]
    for i, r in enumerate(rows):
        if i in sections and i:
            out.append("")
        out.append(line(r))
    return "\n".join(out) + "\n"


def use_rich(stream=None) -> bool:
    """Rich tables and colour only on a terminal, and never with NO_COLOR set... for colour."""
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


def rich_table(title: str | None, header: list[str], rows: list[list[str]], sections: set[int] = frozenset(),
               caption: str | None = None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(no_color=bool(os.environ.get("NO_COLOR")), highlight=False)
    table = Table(title=title, caption=caption, show_lines=False, header_style="bold")
    table.add_column(header[0], style="bold" if not os.environ.get("NO_COLOR") else None, no_wrap=True)
    for h in header[1:]:
        table.add_column(h, justify="right")
    for i, r in enumerate(rows):
        table.add_row(*[str(c) for c in r], end_section=(i + 1) in sections)
    console.print(table)
