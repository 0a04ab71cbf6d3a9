"""``computecost sweep``, ``sensitivity`` and ``simulate``: explore a setup beyond one point.

numpy-heavy analysis and rich are imported inside the commands, so ``computecost --help``
and every other command start without them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from compute_cli.cli.common import (RuntimeOption, FormatOption, InputTokensOption, MaxTpotOption, MaxTtftOption, MinTpsOption,
                                    OutputTokensOption, SetOption, WorkloadOption, app, check_format, check_staleness,
                                    handle_errors, parse_sets, run_options, setups_for_run, warn)
from compute_cli.cli.numbers import number

ModelOption = Annotated[Optional[str], typer.Option("--model", "-m", help="Model id to serve (default: the model "
                                                    "the setup declares, else llama-3.1-70b).")]
OutputOption = Annotated[Optional[Path], typer.Option("--output", "-o", metavar="FILE", help="Write to FILE instead "
                         "of stdout; the file is replaced only when the run succeeds.")]
PlotOption = Annotated[Optional[Path], typer.Option("--plot", metavar="FILE.png|svg", help="Also draw the chart to "
                       "an image (needs the plot extra: pip install 'computecost[plot]').")]
SweepFormatOption = Annotated[Optional[str], typer.Option("--format", "-f",
                              metavar="table|json|csv|jsonl|markdown|parquet|arrow",
                              help="table (default), json (one document), csv or jsonl (one row per line), markdown, "
                              "or with --output FILE parquet or arrow (an Arrow IPC file; both need the arrow extra: "
                              "pip install 'computecost[arrow]').")]

SWEEP_CHART_METRIC = "cost_usd_per_million_output_tokens"
CHART_MAX_POINTS = 4_000_000  # values kept for a sweep's chart


def check_options(fmt: str | None, formats, plot, binary_hint: str | None = None, output=None) -> str:
    """The --format to use; refuse a bad one, a bad --plot file name or --output target, before any work is done.

    ``binary_hint`` says where the command writes Parquet and Arrow, when not with --format.
    """
    from compute_cli.render.columns import BINARY_FORMATS, not_written_here

    if fmt in BINARY_FORMATS and fmt not in formats:
        raise not_written_here(fmt, formats, binary_hint)
    fmt = check_format(fmt, formats)
    if output is not None:
        from compute_cli.render.output import target

        target(output)
    if plot is not None:
        from compute_cli.render.output import target
        from compute_cli.render.plots import check_path

        target(check_path(plot), "--plot")
    return fmt


def one_setup(setup: str, set_):
    """(catalog, setup id, --set assignments) for a command over one setup id or setup file."""
    sets = parse_sets(set_)
    cat, (setup_id,) = setups_for_run([setup])
    return cat, setup_id, sets


@app.command()
@handle_errors
def sweep(
    setup: Annotated[str, typer.Argument(help="Setup id.")],
    vary: Annotated[list[str], typer.Option("--vary", metavar="PATH=START:STOP:STEPS",
                    help="A numeric key (paths as in --set) and the values to take, e.g. "
                    "site.electricity_usd_per_kwh=0.02:0.12:11 (repeatable: a cartesian grid, the last --vary "
                    "changing fastest).")],
    model: ModelOption = None,
    set_: SetOption = None,
    metric: Annotated[Optional[list[str]], typer.Option("--metric", "-M", help="Output column after the varied "
                      "values (repeatable; 'all' for every engine output). The first one is charted.")] = None,
    fmt: SweepFormatOption = None,
    output: OutputOption = None,
    plot: PlotOption = None,
    chunk_rows: Annotated[int, typer.Option("--chunk-rows", min=0, max=1 << 24, hidden=True,
                          help="Rows per evaluated block (memory bound; for tests).")] = 0,
    workload: WorkloadOption = None,
    input_tokens: InputTokensOption = None,
    output_tokens: OutputTokensOption = None,
    max_ttft_ms: MaxTtftOption = None,
    max_tpot_ms: MaxTpotOption = None,
    min_tokens_per_s_per_user: MinTpsOption = None,
    runtime: RuntimeOption = None,
):
    """Evaluate a setup over a grid of values: one row per combination, streamed (CSV, JSON Lines, JSON, a table,
    Parquet or Arrow). Each row runs at its own operating point (the highest-throughput concurrency meeting the
    targets)."""
    import math

    import numpy as np

    from compute_cli.analysis import sweep as sweep_mod
    from compute_cli.render import charts
    from compute_cli.render.columns import BINARY_FORMATS, binary_output, check_binary_target
    from compute_cli.render.output import output_stream, progress
    from compute_cli.render.sweep import FORMATS, open_writer

    fmt = check_options(fmt, FORMATS, plot, output=output)
    binary = fmt in BINARY_FORMATS
    if binary:
        check_binary_target(output, f"--format {fmt}", fmt)
    varies = [sweep_mod.parse_vary(v) for v in vary]
    if plot is not None and len(varies) > 2:
        from compute_cli.errors import UsageError

        raise UsageError("--plot draws a sweep of one --vary (a line) or two (a heatmap); this one has "
                         f"{len(varies)}")
    options = run_options(workload, input_tokens, output_tokens, max_ttft_ms, max_tpot_ms,
                          min_tokens_per_s_per_user, runtime)
    cat, setup, sets = one_setup(setup, set_)
    grid = sweep_mod.plan(cat, setup, model, sets, varies, metric or (), options)
    check_staleness(cat)
    if plot is not None and grid.size > CHART_MAX_POINTS:
        from compute_cli.errors import UsageError

        raise UsageError(f"--plot: {grid.size:,} points are too many to draw (at most {CHART_MAX_POINTS:,}); "
                         "use fewer STEPS")
    chart_metric = grid.metrics[0] if metric and metric != ["all"] else SWEEP_CHART_METRIC
    want_chart = (fmt == "table" or plot is not None) and len(grid.axes) <= 2 and grid.size <= CHART_MAX_POINTS
    kept = []
    chunk = chunk_rows or sweep_mod.CHUNK_ROWS
    header = grid.header()
    opened = binary_output(output) if binary else output_stream(output)
    with opened as out, progress(grid.size, "sweep", min_total=8 * chunk) as bar:
        with open_writer(header, [a.name for a in grid.axes], list(grid.metrics), fmt, out,
                         grid.column_types() if binary else None) as writer:
            for shape, block in grid.open_blocks(chunk):
                n = math.prod(shape)
                if want_chart and chart_metric in grid.metrics:
                    kept.append(np.broadcast_to(np.asarray(block[chart_metric], dtype=float), shape).reshape(n))
                writer.write(block, shape)
                bar.advance(n)
        if want_chart and chart_metric not in grid.metrics:
            kept = _chart_values(grid, chart_metric, chunk)
        a = grid.axes
        if want_chart:
            values = np.concatenate(kept).reshape(grid.shape)
            if fmt == "table":
                if len(a) == 1:
                    out.write("\n" + charts.line(a[0].values, values, x_label=a[0].name, y_label=chart_metric,
                                                 x_base=a[0].base_value))
                else:
                    out.write("\n" + charts.heatmap(a[1].values, a[0].values, values, x_label=a[1].name,
                                                    y_label=a[0].name, z_label=chart_metric))
    if plot is not None:
        from compute_cli.render import plots

        title = f"{grid.setup_id}, {grid.model_id}"
        if len(a) == 1:
            plots.line(plot, title, a[0].values, values, a[0].name, chart_metric)
        else:
            plots.heatmap(plot, title, a[1].values, a[0].values, values, a[1].name, a[0].name, chart_metric)


def _chart_values(grid, metric: str, chunk: int) -> list:
    """The chart's metric when it is not one of the written columns (a second, cheap pass)."""
    import dataclasses

    g = dataclasses.replace(grid, metrics=(metric,))
    return [block[metric] for block in g.blocks(chunk)]


@app.command()
@handle_errors
def sensitivity(
    setup: Annotated[str, typer.Argument(help="Setup id.")],
    model: ModelOption = None,
    set_: SetOption = None,
    metric: Annotated[str, typer.Option("--metric", "-M", help="Engine output to explain.")] =
    "cost_usd_per_million_output_tokens",
    swing: Annotated[float, typer.Option("--swing", parser=number(gt=0, lt=1), help="Move each input down and up "
                     "by this fraction (0.2: -20 % and +20 %), unless its profile declares a range.")] = 0.2,
    no_declared: Annotated[bool, typer.Option("--no-declared-ranges", help="Use --swing for every input, "
                           "ignoring the distributions the profiles declare.")] = False,
    runtime: RuntimeOption = None,
    fmt: FormatOption = None,
    output: OutputOption = None,
    plot: PlotOption = None,
):
    """Tornado: each numeric input of a setup moved down and up, sorted by its effect on one metric."""
    from compute_cli.analysis import sensitivity as sensitivity_mod
    from compute_cli.render.explore import FORMATS, render_sensitivity
    from compute_cli.render.output import output_stream

    fmt = check_options(fmt, FORMATS, plot, output=output)
    cat, setup, sets = one_setup(setup, set_)
    result = sensitivity_mod.run(cat, setup, model, sets, metric=metric, swing=swing,
                                 use_declared=not no_declared, options=run_options(runtime=runtime))
    check_staleness(cat)
    with output_stream(output) as out:
        render_sensitivity(result, fmt, out)
    if plot is not None:
        from compute_cli.render import plots

        top = result["parameters"][:20]
        plots.tornado(plot, f"{result['setup']}, {result['model']}", result["metric"], result["metric_at_base"],
                      [p["parameter"] for p in top], [p["metric_at_low"] for p in top],
                      [p["metric_at_high"] for p in top])


@app.command()
@handle_errors
def simulate(
    setup: Annotated[str, typer.Argument(help="Setup id.")],
    samples: Annotated[int, typer.Option("--samples", "-n", min=1, max=100_000_000,
                       help="Scenarios to draw.")] = 100_000,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Random seed: the same seed gives the same answer.")] = 0,
    dist: Annotated[Optional[list[str]], typer.Option("--dist", "-D", metavar="PATH=SHAPE:PARAMS", help="Make a key "
                    "uncertain, or replace its declared distribution: PATH=triangular:LOW:MODE:HIGH, uniform:LOW:HIGH, "
                    "normal:MEAN:SD or lognormal:MEAN:SIGMA (repeatable).")] = None,
    model: ModelOption = None,
    set_: SetOption = None,
    metric: Annotated[Optional[list[str]], typer.Option("--metric", "-M", help="Metric to summarise (repeatable; "
                      "'all' for every engine output). The first one is drawn as a histogram.")] = None,
    runtime: RuntimeOption = None,
    fmt: FormatOption = None,
    output: OutputOption = None,
    plot: PlotOption = None,
    samples_output: Annotated[Optional[Path], typer.Option("--samples-output", metavar="FILE", help="Also write "
                              "every sample to FILE, one row each: sample, the drawn inputs, the metrics. CSV, JSON "
                              "Lines, Parquet or Arrow by the suffix (.csv, .jsonl, .parquet, .arrow); Parquet and "
                              "Arrow need the arrow extra: pip install 'computecost[arrow]'.")] = None,
    samples_format: Annotated[Optional[str], typer.Option("--samples-format", metavar="csv|jsonl|parquet|arrow",
                                                          help="Format of --samples-output: "
                              "csv, jsonl, parquet or arrow (default: from its suffix).")] = None,
):
    """Monte Carlo over the distributions declared in the profiles: p5, p50, p95 and mean of every metric."""
    import contextlib

    from compute_cli.analysis import simulate as simulate_mod
    from compute_cli.profiles.distributions import parse_spec
    from compute_cli.render.columns import BINARY_FORMATS, pyarrow
    from compute_cli.render.explore import FORMATS, SamplesWriter, render_simulate, samples_format as format_of
    from compute_cli.render.output import atomic_output, output_stream, progress

    fmt = check_options(fmt, FORMATS, plot, "simulate writes its samples to one with --samples-output FILE", output)
    sample_fmt = None
    if samples_output is not None:
        sample_fmt = format_of(samples_output, samples_format)
        if sample_fmt in BINARY_FORMATS:
            pyarrow(f"--samples-output {samples_output}", sample_fmt)
    elif samples_format is not None:
        from compute_cli.errors import UsageError

        raise UsageError("--samples-format needs --samples-output FILE")
    cli_dists = [_parse_dist(text, parse_spec) for text in dist or []]
    chart_metric = metric[0] if metric and metric != ["all"] else simulate_mod.DEFAULT_HISTOGRAM_METRIC
    cat, setup, sets = one_setup(setup, set_)
    with contextlib.ExitStack() as stack:
        sink = None
        if samples_output is not None:
            fh = stack.enter_context(atomic_output(samples_output, binary=sample_fmt in BINARY_FORMATS))
            sink = SamplesWriter(sample_fmt, fh)
        bar = stack.enter_context(progress(samples, "simulate", min_total=8 * simulate_mod.CHUNK_SAMPLES))
        if sink is not None:
            stack.enter_context(sink)
        result = simulate_mod.run(cat, setup, model, sets, cli_dists, samples=samples, seed=seed,
                                  metrics=metric or (), histogram_metric=chart_metric, on_progress=bar.advance,
                                  on_samples=sink, options=run_options(runtime=runtime))
    check_staleness(cat)
    with output_stream(output) as out:
        render_simulate(result, fmt, out)
    for u in result["inputs"]:
        if u["clipped_samples"]:
            warn(f"{u['parameter']}: {u['clipped_samples']:,} of {samples:,} draws fell outside what "
                 "the key allows and were clipped to its bound")
    if plot is not None:
        from compute_cli.render import plots

        h = result["histogram"]
        marks = {k: result["metrics"][h["metric"]][k] for k in ("p5", "p50", "p95")}
        plots.histogram(plot, f"{result['setup']}, {result['model']}: {samples:,} samples", h["metric"],
                        h["counts"], h["edges"], marks)


def _parse_dist(text: str, parse_spec):
    from compute_cli.errors import UsageError

    key, sep, spec = text.partition("=")
    if not sep or not key.strip():
        raise UsageError(f"--dist '{text}': expected PATH=SHAPE:PARAMS, e.g. "
                         "--dist site.electricity_usd_per_kwh=triangular:0.03:0.05:0.08")
    return key.strip(), parse_spec(spec, f"--dist {key.strip()}")
