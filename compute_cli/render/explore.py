"""``sensitivity`` and ``simulate`` results as a table with a terminal chart, JSON, CSV or Markdown."""

from __future__ import annotations

from compute_cli.render import charts
from compute_cli.render import rows as rows_mod
from compute_cli.render.columns import RowsWriter
from compute_cli.render.formats import (
    emit_table,
    rich_table,
    say,
    terminal_width,
    to_markdown,
    to_plain,
    use_rich,
)

FORMATS = ("table", "json", "csv", "jsonl", "markdown")
SAMPLE_FORMATS = ("csv", "jsonl", "parquet", "arrow")  # --samples-output
SAMPLE_SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet", ".arrow": "arrow",
                   ".feather": "arrow", ".ipc": "arrow"}
TORNADO_ROWS = 15  # rows drawn in the terminal tornado (the table lists them all)


def _cell(value) -> str:
    return charts.number(value) if isinstance(value, int | float) and not isinstance(value, bool) else (
        "n/a" if value is None else str(value))


def _table(title: str, header: list[str], rows: list[list[str]], stream, left: int = 1) -> None:
    emit_table(title, header, rows, "table", stream, left)


def render_sensitivity(result: dict, fmt: str, stream) -> None:
    params = result["parameters"]
    if rows_mod.data("sensitivity", result, fmt, stream):
        return
    header = ["parameter", "base", "low", "high", "metric at low", "metric at high", "range"]
    rows = [[p["parameter"], _cell(p["base_value"]), _cell(p["low_value"]), _cell(p["high_value"]),
             _cell(p["metric_at_low"]), _cell(p["metric_at_high"]),
             p["range"] if p["range"] == "distribution" else f"±{result['swing']:.0%}"] for p in params]
    title = (f"sensitivity of {result['metric']}: {result['setup']}, {result['model']}; "
             f"base {_cell(result['metric_at_base'])}")
    if result.get("overrides"):
        title += "  (--set " + ", ".join(result["overrides"]) + ")"
    notes = [f"{p['parameter']}: {p['clipped']}" for p in params if p["clipped"]]
    unused = [s["parameter"] for s in result["not_swung"]]
    if fmt == "markdown":
        stream.write(f"**{title}**\n\n" + to_markdown(header, rows))
        for n in notes:
            stream.write(f"\n> clipped: {n}\n")
        return
    _table(title, header, rows, stream)
    top = params[:TORNADO_ROWS]
    if top:
        labels = [p["parameter"] for p in top]
        bars = charts.TORNADO_WIDTH
        columns = terminal_width(stream)
        if columns is not None:  # the bars shrink to fit the terminal beside the labels
            bars = max(8, min(bars, (columns - 1 - max(len(s) for s in labels) - 3) // 2))
        stream.write("\n" + charts.tornado(labels, result["metric_at_base"], [p["metric_at_low"] for p in top],
                                           [p["metric_at_high"] for p in top], width=bars))
    for n in notes:
        stream.write(f"clipped: {n}\n")
    if unused:
        say(stream, f"not swung ({len(unused)}: unused by the engine for this setup, or zero): {', '.join(unused)}")


def render_simulate(result: dict, fmt: str, stream) -> None:
    metrics = result["metrics"]
    if rows_mod.data("simulate", result, fmt, stream):
        return
    header = ["metric", "p5", "p50", "p95", "mean", "base"]
    rows = [[m, *(_cell(s[k]) for k in ("p5", "p50", "p95", "mean", "base"))] for m, s in metrics.items()]
    title = (f"Monte Carlo: {result['setup']}, {result['model']}; {result['samples']:,} samples, "
             f"seed {result['seed']}")
    if result.get("overrides"):
        title += "  (--set " + ", ".join(result["overrides"]) + ")"
    in_header = ["uncertain input", "distribution", "base", "declared in", "clipped"]
    in_rows = [[u["parameter"], _dist_text(u["distribution"]), _cell(u["base_value"]), u["declared_in"],
                f"{u['clipped_samples']:,}"] for u in result["inputs"]]
    if fmt == "markdown":
        stream.write(f"**{title}**\n\n" + to_markdown(in_header, in_rows) + "\n" + to_markdown(header, rows))
        return
    _table(title, in_header, in_rows, stream, left=2)
    stream.write("\n")
    if use_rich(stream):
        rich_table(None, header, rows, stream=stream)
    else:
        stream.write(to_plain(header, rows))
    missing = {m: s["not_computed"] for m, s in metrics.items() if s["not_computed"]}
    if missing:
        stream.write(f"note: {max(missing.values()):,} samples have no value (the model does not fit)\n")
    h = result["histogram"]
    if h["counts"]:
        m = metrics[h["metric"]]
        stream.write(f"\n{h['metric']}: p5 {_cell(m['p5'])}  p50 {_cell(m['p50'])}  p95 {_cell(m['p95'])}  "
                     f"mean {_cell(m['mean'])}\n")
        stream.write(charts.histogram(h["counts"], h["edges"]))
        tails = []
        if h["below"]:
            tails.append(f"{h['below']:,} below")
        if h["above"]:
            tails.append(f"{h['above']:,} above")
        if tails:
            stream.write(f"({' and '.join(tails)} the range drawn: the outer 1 % of samples)\n")


def _dist_text(d: dict) -> str:
    (kind, params), = d.items()
    return f"{kind}(" + ", ".join(f"{k}={charts.number(v)}" for k, v in params.items()) + ")"


def samples_format(path, fmt: str | None) -> str:
    """The format of ``--samples-output FILE``: ``--samples-format`` if given, else FILE's suffix.

    >>> samples_format("draws.parquet", None), samples_format("draws.txt", "csv")
    ('parquet', 'csv')
    """
    from pathlib import Path

    from compute_cli.errors import UsageError, did_you_mean

    if fmt is not None:
        if fmt not in SAMPLE_FORMATS:
            raise UsageError(f"--samples-format '{fmt}': expected one of {', '.join(SAMPLE_FORMATS)}"
                             f"{did_you_mean(fmt, SAMPLE_FORMATS)}")
        return fmt
    suffix = Path(path).suffix.lower()
    if suffix not in SAMPLE_SUFFIXES:
        raise UsageError(f"--samples-output {path}: no format for the suffix '{suffix}'; name the file "
                         f"{', '.join(SAMPLE_SUFFIXES)} or give --samples-format {'|'.join(SAMPLE_FORMATS)}")
    return SAMPLE_SUFFIXES[suffix]


class SamplesWriter(RowsWriter):
    """``simulate --samples-output``: every sample as a row (sample, drawn inputs, metrics), chunk by chunk.

    Called as ``simulate.run``'s ``on_samples``; the writer opens on the first chunk, when
    the columns and their types are known. CSV and JSON Lines spell the drawn inputs with
    12 significant digits and the metrics with 6, as sweep does; Parquet and Arrow keep
    full precision, with the run's header as the file's metadata.
    """

    def __init__(self, fmt: str, stream):
        self.fmt = fmt
        self.stream = stream
        self.writer = None

    def __call__(self, header: dict, inputs: dict, metrics: dict) -> None:
        from compute_cli.render.columns import column_type
        from compute_cli.render.sweep import open_writer

        if self.writer is None:
            types = {name: column_type(v) for name, v in (*inputs.items(), *metrics.items())}
            self.writer = open_writer(header, list(inputs), list(metrics), self.fmt, self.stream, types,
                                      command="simulate")
            self.writer.begin()
        self.writer.write({**inputs, **metrics})

    def end(self) -> None:
        if self.writer is not None:
            self.writer.end()

    def abort(self) -> None:
        if self.writer is not None:
            self.writer.abort()
