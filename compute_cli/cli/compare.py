"""``computecost compare``."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from compute_cli.cli.common import (DEFAULT_RANGE_SAMPLES, InputTokensOption, MaxTpotOption, MaxTtftOption,
                                    MinTpsOption, OutputTokensOption, ROW_FORMATS, RangesOption, RowFormatOption,
                                    RuntimeOption, SamplesOption, SeedOption, SetOption, WorkloadOption, app,
                                    catalog, check_format, check_staleness, handle_errors, parse_sets, range_options,
                                    run_options, setup_arguments)


@app.command()
@handle_errors
def compare(
    setups: Annotated[Optional[list[str]], typer.Argument(help="Setup ids or setup files (a path, or - for one on "
                      "stdin); default: the shipped default comparison.")] = None,
    model: Annotated[Optional[str], typer.Option("--model", "-m", help="Model id to serve (default: the model "
                                                 "the setups declare, else llama-3.1-70b).")] = None,
    workload: WorkloadOption = None,
    runtime: RuntimeOption = None,
    input_tokens: InputTokensOption = None,
    output_tokens: OutputTokensOption = None,
    max_ttft_ms: MaxTtftOption = None,
    max_tpot_ms: MaxTpotOption = None,
    min_tokens_per_s_per_user: MinTpsOption = None,
    fmt: RowFormatOption = None,
    set_: SetOption = None,
    ranges: RangesOption = False,
    samples: SamplesOption = DEFAULT_RANGE_SAMPLES,
    seed: SeedOption = 0,
    transpose: Annotated[bool, typer.Option("--transpose", "-t", help="A row per setup and a column per metric "
                                            "(table and markdown), for many setups.")] = False,
):
    """Compare setups side by side: $/GPU-hour and its breakdown, tokens/s, $/M tokens, J/token, each at its
    operating point (the highest-throughput concurrency that meets the workload's latency targets).

    With --ranges, each setup's $/GPU-hour and $/M tokens also as p50 (p5-p95) of a seeded Monte
    Carlo over the distributions its profiles declare.
    """
    from compute_cli.analysis import compare as compare_mod
    from compute_cli.render import compare as render_compare

    fmt = check_format(fmt, ROW_FORMATS)
    options = run_options(workload, input_tokens, output_tokens, max_ttft_ms, max_tpot_ms,
                          min_tokens_per_s_per_user, runtime)
    cat, sets = catalog(), parse_sets(set_)
    result = compare_mod.run(cat, setup_arguments(cat, setups), model, sets, options,
                             ranges=range_options(ranges, samples, seed))
    check_staleness(cat)
    render_compare.render(result, fmt, sys.stdout, transpose=transpose)
