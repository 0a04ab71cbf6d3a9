"""Shared writers: JSON, CSV, Markdown and plain/rich tables from rows of cells."""

from __future__ import annotations

import json
import os
import sys

from compute_cli.errors import printable

FORMATS = ("table", "json", "csv", "markdown")


def to_json(data) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def to_jsonl(rows: list[dict]) -> str:
    """JSON Lines: one compact object per row, the rows CSV would print, for jq and streams.

    >>> to_jsonl([{"id": "a", "x": None}, {"id": "b", "x": 1.5}])
    '{"id":"a","x":null}\\n{"id":"b","x":1.5}\\n'
    """
    return "".join(json.dumps(r, ensure_ascii=False, allow_nan=False, separators=(",", ":")) + "\n" for r in rows)


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


def to_csv(rows: list[dict], columns: list[str] | None = None) -> str:
    """CSV of ``rows`` (nested keys flattened with '.'): ``columns`` first (the output schema's, so the
    header does not depend on the data), then any other key the rows have."""
    import csv
    import io

    flat = [flatten(r) for r in rows]
    header: list[str] = list(columns or [])
    for r in flat:
        header += [k for k in r if k not in header]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    for r in flat:
        writer.writerow({k: _csv_cell(v) for k, v in r.items()})
    return buf.getvalue()


def _csv_cell(value):
    """CSV cell: empty for null, JSON spelling for booleans; a list of ids as one cell of space-separated ids,
    any other list as JSON text.

    >>> _csv_cell(None), _csv_cell(True), _csv_cell(["a.b", "c"]), _csv_cell([0.06, None])
    ('', 'true', 'a.b c', '[0.06, null]')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        if isinstance(value, list) and all(isinstance(v, str) and " " not in v for v in value):
            return " ".join(value)
        return json.dumps(value, ensure_ascii=False, allow_nan=False)
    return value


def to_markdown(header: list[str], rows: list[list[str]], left: int = 1) -> str:
    """A Markdown table: the first ``left`` columns left-aligned, the rest right."""

    def esc(cell: str) -> str:
        return printable(str(cell)).replace("|", "\\|")

    lines = ["| " + " | ".join(esc(h) for h in header) + " |"]
    lines.append("|" + "|".join(["---"] * left + ["---:"] * (len(header) - left)) + "|")
    lines += ["| " + " | ".join(esc(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def to_plain(header: list[str], rows: list[list[str]], sections: set[int] = frozenset(), left: int = 1) -> str:
    """Aligned text columns: the first ``left`` columns left-aligned, the rest right;
    a blank line before each row index in ``sections``."""
    header = [printable(str(c)) for c in header]
    rows = [[printable(str(c)) for c in r] for r in rows]
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


def terminal_width(stream=None) -> int | None:
    """The width of the terminal ``stream`` writes to; None when it is no terminal (a pipe, a file, a test),
    where nothing is wrapped or fitted.

    >>> import io; terminal_width(io.StringIO()) is None
    True
    """
    if not use_rich(stream):
        return None
    import shutil

    return shutil.get_terminal_size((80, 24)).columns


ANSI = {"red": "31", "green": "32"}


def paint(text: str, colour: str, stream=None) -> str:
    """``text`` in an ANSI colour on a terminal; plain when piped or when NO_COLOR is set (no-color.org)."""
    if not use_rich(stream) or os.environ.get("NO_COLOR"):
        return text
    return f"\x1b[{ANSI[colour]}m{text}\x1b[0m"


def number(value) -> str:
    """A number short enough for a line or a cell, precise enough to see a change.

    >>> [number(v) for v in (None, 3.11507, 0.000123, 5435.03, 28019200000.0, -0.62)]
    ['n/a', '3.115', '0.000123', '5,435', '28.02B', '-0.62']
    """
    if value is None:
        return "n/a"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    for unit, scale in (("T", 1e12), ("B", 1e9), ("M", 1e6)):
        if abs(value) >= scale:
            return f"{value / scale:.4g}{unit}"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def count(value) -> str:
    """A large count in a table cell at 3 significant digits: ``55.7B`` tokens a day, ``5,454`` accelerators.

    >>> [count(v) for v in (None, 1.3123e12, 9.77e10, 5454.0, 12.0)]
    ['n/a', '1.31T', '97.7B', '5.45k', '12']
    """
    if value is None:
        return "n/a"
    for unit, scale in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(value) >= scale:
            return f"{value / scale:.3g}{unit}"
    return f"{value:.3g}"


def money(value) -> str:
    """US dollars for a table cell: whole dollars from $100, cents from $1, tenths of a cent below;
    millions and billions shortened; the sign before the dollar sign.

    >>> [money(v) for v in (None, 0, 0.0123, 3.57083, 6155.0, 46_880_000.0, -28_797.4, 2.5e9)]
    ['n/a', '$0', '$0.012', '$3.57', '$6,155', '$46.88M', '-$28,797', '$2.50B']
    """
    if value is None:
        return "n/a"
    if value < 0:
        return "-" + money(-value)
    if value == 0:
        return "$0"
    if value >= 1e15:  # no column of digits for a number no budget has
        return f"${value:.3g}"
    for unit, scale in (("B", 1e9), ("M", 1e6)):
        if value >= scale:
            return f"${value / scale:,.2f}{unit}"
    if value >= 100:
        return f"${value:,.0f}"
    if value >= 1:
        return f"${value:,.2f}"
    return f"${value:.3f}"


def say(stream, text: str) -> None:
    """One line of prose under a table (``note: ...``, ``holds at: ...``): wrapped to the terminal's width
    on a terminal, with a hanging indent; one line as it is anywhere else (a pipe, a file, a test).

    >>> import io
    >>> out = io.StringIO(); say(out, "holds at: " + "word " * 30); out.getvalue().count("\\n")
    1
    """
    width = terminal_width(stream)
    if width is not None:
        import textwrap

        text = textwrap.fill(text, max(width - 1, 40), subsequent_indent="  ", break_on_hyphens=False)
    stream.write(text + "\n")


def emit_table(title: str | None, header: list[str], rows: list[list[str]], fmt: str, stream, left: int = 1) -> None:
    """A titled table as Markdown, a rich table on a terminal, or aligned plain text."""
    if fmt == "markdown":
        stream.write((f"**{title}**\n\n" if title else "") + to_markdown(header, rows))
    elif use_rich(stream):
        rich_table(title, header, rows, left=left, stream=stream)
    else:
        stream.write((title + "\n\n" if title else "") + to_plain(header, rows, left=left))


def column_chunks(widths: list[int], width: int, keep: int = 1, gap: int = 3) -> list[list[int]]:
    """Split the columns after the first ``keep`` into runs that fit ``width`` beside the kept ones.

    Each run is shown as its own table, the kept columns (the labels) repeated, so a
    narrow terminal cuts no id and no number. ``gap`` is the space a column takes
    beyond its text (padding and rule).

    >>> column_chunks([10, 8, 8, 8], 40)
    [[1, 2], [3]]
    >>> column_chunks([10, 50], 40)  # one column wider than the screen still gets a table of its own
    [[1]]
    """
    fixed = sum(w + gap for w in widths[:keep]) + 1
    chunks: list[list[int]] = []
    used = fixed
    for i in range(keep, len(widths)):
        need = widths[i] + gap
        if chunks and used + need <= width:
            chunks[-1].append(i)
            used += need
        else:
            chunks.append([i])
            used = fixed + need
    return chunks or [[]]


def rich_table(title: str | None, header: list[str], rows: list[list[str]], sections: set[int] = frozenset(),
               caption: str | None = None, left: int = 1, stream=None) -> None:
    """A rich table on the terminal; when it is wider than the terminal, several tables, each with the
    label columns and as many of the others as fit (nothing is cut)."""
    from rich.console import Console
    from rich.table import Table

    # NO_COLOR: no escape codes at all (rich's no_color keeps bold and italic)
    console = Console(file=stream, color_system=None if os.environ.get("NO_COLOR") else "auto", highlight=False)
    header = [printable(str(c)) for c in header]
    rows = [[printable(str(c)) for c in r] for r in rows]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    keep = max(1, min(left, len(header)))
    chunks = column_chunks(widths, console.width, keep=keep)
    for n, chunk in enumerate(chunks):
        columns = list(range(keep)) + chunk
        # text columns after the first (the values of a metric-value table) wrap when the row is wider than
        # the terminal; ids and numbers never do
        wrap = sum(widths[i] + 3 for i in columns) + 1 > console.width
        table = Table(title=title if n == 0 else None, caption=caption if n == len(chunks) - 1 else None,
                      show_lines=False, header_style="bold")
        for i in columns:
            text = wrap and 0 < i < left
            table.add_column(header[i], style="bold" if i == 0 and not os.environ.get("NO_COLOR") else None,
                             no_wrap=not text, justify="left" if i < left else "right",
                             min_width=None if text else widths[i], overflow="fold" if text else "ellipsis")
        for k, r in enumerate(rows):
            table.add_row(*[str(r[i]) for i in columns], end_section=(k + 1) in sections)
        if n:
            console.print()
        console.print(table)
