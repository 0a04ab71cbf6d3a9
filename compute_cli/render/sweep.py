"""Sweep rows, streamed: CSV, JSON Lines, one JSON document, an aligned text table, a Markdown table,
Parquet or Arrow IPC.

CSV is formatted a whole column at a time (``render/columns.py``); JSON Lines, JSON and
the table with one ``%`` operation per block of rows. Varied values keep 12 significant digits
(enough for any START:STOP:STEPS, free of binary noise like 0.30000000000000004);
metrics 6, as every other command prints them. A metric that cannot be computed
(a model that does not fit) is an empty CSV cell, ``null`` in JSON and in Parquet and
Arrow, ``n/a`` in a table. Parquet and Arrow keep every value at full precision, typed:
int64 for integer keys (``batch``), bool for yes/no outputs (``fits``), float64 otherwise.
"""

from __future__ import annotations

import json
import math

import numpy as np

from compute_cli.render.columns import BINARY_FORMATS, CsvWriter, RowsWriter

FORMATS = ("table", "json", "csv", "jsonl", "markdown", *BINARY_FORMATS)
VALUE_DIGITS, METRIC_DIGITS = 12, 6
VALUE_FMT = f"%.{VALUE_DIGITS}g"
METRIC_FMT = f"%.{METRIC_DIGITS}g"
ROWS_PER_WRITE = 1 << 14  # rows formatted at once: bounds the Python floats and text alive at a time


# Column titles of the table format (the CSV, JSON and Parquet columns keep the full names).
SHORT = {
    "cost_usd_per_gpu_hour": "$/GPU-h",
    "decode_tokens_per_s_per_gpu": "tok/s/GPU",
    "cost_usd_per_million_input_tokens": "$/M in",
    "cost_usd_per_million_output_tokens": "$/M out",
    "cost_usd_per_million_tokens_blended": "$/M blend",
    "price_usd_per_million_tokens_blended": "sell $/M",
    "energy_j_per_output_token": "J/out tok",
    "output_tokens_per_day_per_mw": "tok/day/MW",
    "tokens_per_s_per_user": "tok/s/user",
    "ttft_ms": "TTFT ms",
    "tpot_ms": "TPOT ms",
}
TABLE_VALUE_FMT = "%.6g"
TABLE_METRIC_FMT = "%.4g"
TABLE_CELL = 10


def table_columns(varied: list[str], metrics: list[str], width: int | None) -> tuple[list[str], list[str]]:
    """The metrics a table of ``width`` characters shows beside the varied columns, and those it leaves out.

    >>> table_columns(["utilization"], ["cost_usd_per_gpu_hour", "cost_usd_per_million_output_tokens"], 30)
    (['cost_usd_per_gpu_hour'], ['cost_usd_per_million_output_tokens'])
    """
    if width is None:
        return list(metrics), []
    used = sum(max(len(v), TABLE_CELL) + 2 for v in varied)
    shown = []
    for m in metrics:
        w = max(len(SHORT.get(m, m)), TABLE_CELL) + 2
        if shown and used + w > width:
            break
        shown.append(m)
        used += w
    return shown, [m for m in metrics if m not in shown]


def _stack(block: dict, columns: list[str]) -> np.ndarray:
    return np.column_stack([block[c] for c in columns]) if columns else np.empty((0, 0))


class SweepWriter(RowsWriter):
    """Write a sweep's rows to ``stream`` block by block in one of the text FORMATS."""

    def __init__(self, header: dict, varied: list[str], metrics: list[str], fmt: str, stream):
        self.header = header
        self.varied = list(varied)
        self.metrics = list(metrics)
        self.columns = self.varied + self.metrics
        self.fmt = fmt
        self.stream = stream
        self.rows = 0
        fmts = [VALUE_FMT] * len(self.varied) + [METRIC_FMT] * len(self.metrics)
        if fmt == "csv":
            self.csv = CsvWriter(self.columns, [VALUE_DIGITS] * len(self.varied) + [METRIC_DIGITS] * len(self.metrics),
                                 stream)
        elif fmt in ("jsonl", "json"):
            indent = "    " if fmt == "json" else ""
            self.row_fmt = indent + "{" + ", ".join(f"{json.dumps(c)}: {f}" for c, f in zip(self.columns, fmts,
                                                                                          strict=True)) + "}"
        elif fmt == "markdown":  # every column under its full name: a page scrolls, a terminal does not
            fmts = [TABLE_VALUE_FMT] * len(self.varied) + [TABLE_METRIC_FMT] * len(self.metrics)
            self.row_fmt = "| " + " | ".join(fmts) + " |\n"
        else:
            from compute_cli.render.formats import terminal_width

            width = terminal_width(stream)
            self.metrics, self.left_out = table_columns(self.varied, self.metrics, width)
            self.columns = self.varied + self.metrics
            self.titles = self.varied + [SHORT.get(m, m) for m in self.metrics]
            fmts = [TABLE_VALUE_FMT] * len(self.varied) + [TABLE_METRIC_FMT] * len(self.metrics)
            self.widths = [max(len(t), TABLE_CELL) for t in self.titles]
            self.row_fmt = "  ".join(f.replace("%", f"%{w}") for f, w in zip(fmts, self.widths, strict=True)) + "\n"

    def begin(self) -> None:
        h = self.header
        if self.fmt == "csv":
            self.csv.begin()
        elif self.fmt == "json":
            text = json.dumps({k: v for k, v in h.items()}, indent=2, ensure_ascii=False, allow_nan=False)
            self.stream.write(text[:-2] + ',\n  "rows": [\n')
        elif self.fmt == "markdown":
            title = f"setup: `{h['setup']}`, model: `{h['model']}`"
            if h.get("overrides"):
                title += " (--set " + ", ".join(f"`{o}`" for o in h["overrides"]) + ")"
            self.stream.write(f"**{title}**, {h['row_count']:,} rows\n\n| " + " | ".join(self.columns) + " |\n|"
                              + "---:|" * len(self.columns) + "\n")
        elif self.fmt == "table":
            title = f"setup: {h['setup']}  model: {h['model']}"
            if h.get("overrides"):
                title += "  (--set " + ", ".join(h["overrides"]) + ")"
            self.stream.write(f"{title}\n{h['row_count']:,} rows\n")
            for m in self.metrics:
                if SHORT.get(m, m) != m:
                    self.stream.write(f"  {SHORT[m]}: {m}\n")
            if self.left_out:
                import textwrap

                note = f"(not shown at this width: {', '.join(self.left_out)}; -M picks, -f csv has all)"
                self.stream.write(textwrap.fill(note, 78, initial_indent="  ", subsequent_indent="   ") + "\n")
            self.stream.write("\n" + "  ".join(c.rjust(w) for c, w in zip(self.titles, self.widths, strict=True)) + "\n")
            self.stream.write("  ".join("-" * w for w in self.widths) + "\n")

    def write(self, block: dict, shape: tuple[int, ...] | None = None) -> None:
        """Rows of ``block`` (``{column: values}``): 1-D columns, or arrays broadcasting to ``shape``."""
        if self.fmt == "csv":
            self.csv.write([block[c] for c in self.columns], shape)
            self.rows = self.csv.rows
            return
        if shape is not None:
            n = math.prod(shape)
            block = {c: np.broadcast_to(np.asarray(block[c], dtype=float), shape).reshape(n) for c in self.columns}
        a = _stack(block, self.columns)
        for start in range(0, a.shape[0], ROWS_PER_WRITE):
            self._write(a[start:start + ROWS_PER_WRITE])

    def _write(self, a: np.ndarray) -> None:
        n = a.shape[0]
        if not n:
            return
        if self.fmt == "json":
            sep = ",\n" if self.rows else ""
            text = sep + ",\n".join([self.row_fmt] * n) % tuple(a.ravel().tolist())
        elif self.fmt == "jsonl":
            text = (self.row_fmt + "\n") * n % tuple(a.ravel().tolist())
        else:
            text = self.row_fmt * n % tuple(a.ravel().tolist())
        if not np.isfinite(a).all():
            text = _missing(text, self.fmt)
        self.stream.write(text)
        self.rows += n

    def end(self) -> None:
        if self.fmt == "csv":
            self.csv.end()
        elif self.fmt == "json":
            self.stream.write("\n  ]\n}\n")

    def abort(self) -> None:
        if self.fmt == "csv":
            self.csv.abort()


def _missing(text: str, fmt: str) -> str:
    """Spell NaN and infinities as each format spells a missing value.

    Only numbers are formatted into ``text`` (keys are identifiers followed by ``": "``),
    so the words can be replaced without touching anything else.
    """
    if fmt in ("json", "jsonl"):
        for word in ("-inf", "inf", "nan"):
            text = text.replace(f": {word}", ": null")
        return text
    return text.replace("nan", "n/a")


class ArrowRowsWriter(RowsWriter):
    """Rows (varied values or drawn inputs, then metrics) to a Parquet or Arrow IPC file.

    The run's header (its ``columns`` aside: the schema has them) is the file's key-value
    metadata, with ``command`` naming what made it.
    """

    def __init__(self, header: dict, varied: list[str], metrics: list[str], fmt: str, stream, types: dict,
                 command: str = "sweep"):
        from compute_cli.errors import UsageError
        from compute_cli.render.columns import ArrowWriter

        self.columns = list(varied) + list(metrics)
        twice = sorted({c for c in self.columns if self.columns.count(c) > 1})
        if twice:
            raise UsageError(f"--format {fmt}: the column '{twice[0]}' would appear twice (a varied path and an engine "
                             "output of that name); a Parquet or Arrow file needs unique column names, so list the "
                             "--metric columns without it")
        meta = {"command": command, **{k: v for k, v in header.items() if k != "columns"}}
        self.writer = ArrowWriter(stream, fmt, self.columns, [types[c] for c in self.columns], meta,
                                  statistics=varied)

    def write(self, block: dict, shape: tuple[int, ...] | None = None) -> None:
        self.writer.write([block[c] for c in self.columns], shape)

    def end(self) -> None:
        self.writer.end()

    def abort(self) -> None:
        self.writer.abort()


def open_writer(header: dict, varied: list[str], metrics: list[str], fmt: str, stream, types: dict | None = None,
                command: str = "sweep"):
    """The writer of one of FORMATS: ``with`` it (or ``begin()`` ... ``end()``), ``write(block, shape)`` per block.

    ``types`` (each column's type, see ``render/columns.TYPES``) is needed for Parquet and Arrow
    only, which keep min/max statistics for the ``varied`` columns.
    """
    if fmt in BINARY_FORMATS:
        return ArrowRowsWriter(header, varied, metrics, fmt, stream, types or {}, command)
    return SweepWriter(header, varied, metrics, fmt, stream)
