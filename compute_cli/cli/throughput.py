"""``computecost throughput``."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from compute_cli.cli.common import (ROW_FORMATS, RowFormatOption, RuntimeOption, SetOption, app, catalog, check_format,
                                    choice, handle_errors, parse_sets, positive_int, warn)
from compute_cli.cli.numbers import number
from compute_cli.profiles.limits import MAX_ACCELERATORS_PER_SYSTEM, MAX_BATCH, MAX_CONTEXT_TOKENS


@app.command()
@handle_errors
def throughput(
    model: Annotated[str, typer.Option("--model", "-m", help="Model id.")],
    hardware: Annotated[Optional[str], typer.Option("--hardware", help="Accelerator id (one device, or --gpus N).")] = None,
    system: Annotated[Optional[str], typer.Option("--system", help="System id (a box or node).")] = None,
    precision: Annotated[str, typer.Option("--precision", "-p", metavar="bf16|fp8|int8|int4",
                                           help="Weight format: bf16, fp8, int8 or int4.")] = "bf16",
    kv_precision: Annotated[str, typer.Option("--kv-precision", metavar="bf16|fp8",
                                              help="KV-cache format: bf16 or fp8.")] = "bf16",
    batch: Annotated[int, typer.Option("--batch", "-b", parser=number(ge=1, le=MAX_BATCH, integer=True),
                                       help="Sequences decoding together.")] = 1,
    context: Annotated[int, typer.Option("--context", parser=number(ge=1, le=MAX_CONTEXT_TOKENS, integer=True),
                                         help="Tokens already in each sequence's KV cache.")] = 1024,
    prompt_tokens: Annotated[Optional[int], typer.Option("--prompt-tokens", parser=number(ge=1, le=MAX_CONTEXT_TOKENS,
                                                                                          integer=True),
                             help="Prompt length for the prefill figures (default: --context).")] = None,
    gpus: Annotated[str, typer.Option("--gpus", help="Accelerators serving the model, or 'auto' "
                                      "(the fewest that fit).")] = "auto",
    parallelism: Annotated[str, typer.Option("--parallelism", metavar="tensor|pipeline|expert",
                                             help="tensor (split every layer), pipeline "
                           "(layers split across devices, run one after another, as llama.cpp does) or expert "
                           "(attention data-parallel, MoE experts spread over the devices).")] = "tensor",
    runtime: RuntimeOption = None,
    fmt: RowFormatOption = None,
    set_: SetOption = None,
):
    """Decode and prefill tokens/s, energy per token and memory fit from a roofline of bytes and FLOPs."""
    from compute_cli.analysis import throughput as throughput_mod
    from compute_cli.render import throughput as render_throughput

    fmt = check_format(fmt, ROW_FORMATS)
    choice("--precision", precision, ("bf16", "fp8", "int8", "int4"))
    choice("--kv-precision", kv_precision, ("bf16", "fp8"))
    choice("--parallelism", parallelism, ("tensor", "pipeline", "expert"))
    n = 0 if gpus == "auto" else positive_int("--gpus", gpus, MAX_ACCELERATORS_PER_SYSTEM)
    result = throughput_mod.run(catalog(), model, hardware_id=hardware, system_id=system, precision=precision,
                                kv_precision=kv_precision, batch=batch, context=context, prompt_tokens=prompt_tokens,
                                prefill_batch=batch, gpus=n, parallelism=parallelism, runtime_id=runtime,
                                assignments=parse_sets(set_))
    render_throughput.render(result, fmt, sys.stdout)
    if result.get("note"):
        warn(result["note"])
