"""Sweep rows, streamed: CSV, JSON Lines, one JSON document, or an aligned text table.

Each block of rows is formatted with one ``%`` operation over the whole block
(C speed, no Python loop per row). Varied values keep 12 significant digits
(enough for any START:STOP:STEPS, free of binary noise like 0.30000000000000004);
metrics 6, as every other command prints them. A metric that cannot be computed
(a model that does not fit) is an empty CSV cell, ``null`` in JSON, ``n/a`` in a table.
"""

from __future__ import annotations

import json

import numpy as np

FORMATS = ("table", "csv", "jsonl", "json")
VALUE_FMT = "%.12g"
METRIC_FMT = "%.6g"
ROWS_PER_WRITE = 1 << 14  # rows formatted at once: bounds the Python floats and text alive at a time


def _stack(block: dict, columns: list[str]) -> np.ndarray:
    return np.column_stack([block[c] for c in columns]) if columns else np.empty((0, 0))


class SweepWriter:
    """Write a sweep's rows to ``stream`` block by block in one of FORMATS."""

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
            self.row_fmt = ",".join(fmts) + "\n"
        elif fmt in ("jsonl", "json"):
            indent = "    " if fmt == "json" else ""
            self.row_fmt = indent + "{" + ", ".join(f"{json.dumps(c)}: {f}" for c, f in zip(self.columns, fmts,
                                                                                          strict=True)) + "}"
        else:
            self.widths = [max(len(c), 12) for c in self.columns]
            self.row_fmt = "  ".join(f.replace("%", f"%{w}") for f, w in zip(fmts, self.widths, strict=True)) + "\n"

    def begin(self) -> None:
        h = self.header
        if self.fmt == "csv":
            self.stream.write(",".join(self.columns) + "\n")
        elif self.fmt == "json":
            text = json.dumps({k: v for k, v in h.items()}, indent=2, ensure_ascii=False, allow_nan=False)
            self.stream.write(text[:-2] + ',\n  "rows": [\n')
        elif self.fmt == "table":
            title = f"setup: {h['setup']}  model: {h['model']}"
            if h.get("overrides"):
                title += "  (--set " + ", ".join(h["overrides"]) + ")"
            self.stream.write(f"{title}\n{h['row_count']:,} rows\n\n")
            self.stream.write("  ".join(c.rjust(w) for c, w in zip(self.columns, self.widths, strict=True)) + "\n")
            self.stream.write("  ".join("-" * w for w in self.widths) + "\n")

    def write(self, block: dict) -> None:
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
        if self.fmt == "json":
            self.stream.write("\n  ]\n}\n")


def _missing(text: str, fmt: str) -> str:
    """Spell NaN and infinities as each format spells a missing value.

    Only numbers are formatted into ``text`` (keys are identifiers followed by ``": "``),
    so the words can be replaced without touching anything else.
    """
    if fmt in ("json", "jsonl"):
        for word in ("-inf", "inf", "nan"):
            text = text.replace(f": {word}", ": null")
        return text
    if fmt == "csv":
        return text.replace("-inf", "").replace("inf", "").replace("nan", "")
    return text.replace("nan", "n/a")
