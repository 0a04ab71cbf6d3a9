"""``computecost frontier``: throughput per GPU against tokens/s per user, over concurrency."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from compute_cli.cli.common import (ROW_FORMATS, InputTokensOption, MaxTpotOption, MaxTtftOption, MinTpsOption,
                                    OutputTokensOption, RowFormatOption, SetOption, WorkloadOption, RuntimeOption, app, catalog,
                                    check_format, check_staleness, handle_errors, parse_sets, run_options,
                                    setup_arguments)


@app.command()
@handle_errors
def frontier(
    setups: Annotated[Optional[list[str]], typer.Argument(help="Setup ids or setup files (- for one on stdin); "
                      "default: the shipped default comparison.")] = None,
    model: Annotated[Optional[str], typer.Option("--model", "-m", help="Model id to serve (default: the model "
                                                 "the setups declare, else llama-3.1-70b).")] = None,
    workload: WorkloadOption = None,
    runtime: RuntimeOption = None,
    input_tokens: InputTokensOption = None,
    output_tokens: OutputTokensOption = None,
    max_ttft_ms: MaxTtftOption = None,
    max_tpot_ms: MaxTpotOption = None,
    min_tokens_per_s_per_user: MinTpsOption = None,
    fmt: RowFormatOption = "table",
    plot: Annotated[Optional[Path], typer.Option("--plot", metavar="FILE.png|svg", help="Also draw the frontier "
                    "to an image (needs the plot extra: pip install 'computecost[plot]').")] = None,
    set_: SetOption = None,
):
    """Each setup's points over concurrency and GPUs per replica: tokens/s per user, output tokens/s per GPU,
    TTFT, TPOT and $/M tokens, its Pareto frontier and the operating point compare uses."""
    from compute_cli.analysis import frontier as frontier_mod
    from compute_cli.render import frontier as render_frontier

    check_format(fmt, ROW_FORMATS)
    if plot is not None:
        from compute_cli.render.plots import check_path

        check_path(plot)
    options = run_options(workload, input_tokens, output_tokens, max_ttft_ms, max_tpot_ms,
                          min_tokens_per_s_per_user, runtime)
    cat, sets = catalog(), parse_sets(set_)
    result = frontier_mod.run(cat, setup_arguments(cat, setups), model, sets, options)
    check_staleness(cat)
    render_frontier.render(result, fmt, sys.stdout)
    if plot is not None:
        from compute_cli.render import plots

        series = [(s["id"], [p["tokens_per_s_per_user"] for p in s["points"] if p["pareto"]],
                   [p["output_tokens_per_s_per_gpu"] for p in s["points"] if p["pareto"]]) for s in result["setups"]]
        marks = [next(((p["tokens_per_s_per_user"], p["output_tokens_per_s_per_gpu"]) for p in s["points"]
                       if p["chosen"]), None) for s in result["setups"]]
        plots.frontier(plot, f"{result['model']['id']}: throughput per GPU against interactivity", series,
                       render_frontier.X_LABEL, render_frontier.Y_LABEL, marks)
