"""``computecost invest | rent-or-buy | fleet | breakeven``: investment questions."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from compute_cli.cli.common import (DEFAULT_RANGE_SAMPLES, FormatOption, InputTokensOption, MaxTpotOption,
                                    MaxTtftOption, MinTpsOption, OutputTokensOption, RangesOption, RuntimeOption, SamplesOption,
                                    SeedOption, SetOption, WorkloadOption, app, catalog, check_format, check_staleness,
                                    handle_errors, parse_sets, range_options, run_options, setups_for_run)
from compute_cli.cli.numbers import number
from compute_cli.profiles.limits import MAX_BATCH, MAX_CONTEXT_TOKENS, MAX_POWER_MW

ModelOption = Annotated[Optional[str], typer.Option("--model", "-m", help="Model id (default: the setup's own model, "
                                                    "else llama-3.1-70b).")]


def _render(kind: str, result: dict, fmt: str) -> None:
    from compute_cli.render import economics as render_economics

    render_economics.render(kind, result, fmt, sys.stdout)


@app.command()
@handle_errors
def invest(
    setup: Annotated[str, typer.Argument(help="Setup id.")],
    years: Annotated[Optional[float], typer.Option("--years", parser=number(gt=0, le=30), help="Horizon [years], "
                                                   "up to 30 (default: the hardware's economic life; 5 for a "
                                                   "rented setup).")] = None,
    decline: Annotated[float, typer.Option("--token-price-decline-per-year", "--price-decline-per-year",
                                           parser=number(gt=-1, lt=1),
                                           help="Yearly fall of the selling price (0.3 = -30 %/yr).")] = 0.3,
    sell_price: Annotated[Optional[float], typer.Option("--sell-price-usd-per-million-tokens", parser=number(ge=0),
                                                        help="Price per million tokens, input and output alike "
                                                             "(default: the market median for the model).")] = None,
    market: Annotated[Optional[str], typer.Option("--market", help="Price the output at this model's market "
                                                  "(default: the served model's).")] = None,
    price_scale: Annotated[float, typer.Option("--price-scale", parser=number(gt=0), help="Multiply today's price (0.5 = a crash "
                                               "to half).")] = 1.0,
    rent_out: Annotated[Optional[float], typer.Option("--rent-out-usd-per-gpu-hour", parser=number(ge=0),
                                                      help="Sell GPU-hours at this price instead of tokens "
                                                           "(a neocloud).")] = None,
    model: ModelOption = None,
    workload: WorkloadOption = None,
    input_tokens: InputTokensOption = None,
    output_tokens: OutputTokensOption = None,
    max_ttft_ms: MaxTtftOption = None,
    max_tpot_ms: MaxTpotOption = None,
    min_tokens_per_s_per_user: MinTpsOption = None,
    runtime: RuntimeOption = None,
    fmt: FormatOption = None,
    set_: SetOption = None,
    ranges: RangesOption = False,
    samples: SamplesOption = DEFAULT_RANGE_SAMPLES,
    seed: SeedOption = 0,
):
    """Cash flows of an investment: NPV, IRR, payback and the price decline that strands it, with the output
    served at the setup's operating point.

    With --ranges, NPV and IRR also as p50 (p5-p95) of a seeded Monte Carlo over the distributions
    declared for the setup's figures and the market's quotes.
    """
    from compute_cli.analysis import economics

    fmt = check_format(fmt)
    options = run_options(workload, input_tokens, output_tokens, max_ttft_ms, max_tpot_ms,
                          min_tokens_per_s_per_user, runtime)
    sets = parse_sets(set_)
    cat, (setup,) = setups_for_run([setup])
    result = economics.invest(cat, setup, model_id=model, years=years, price_decline_per_year=decline,
                              sell_price_usd_per_million_tokens=sell_price, market_model=market,
                              price_scale=price_scale, rent_out_usd_per_gpu_hour=rent_out,
                              assignments=sets, ranges=range_options(ranges, samples, seed), options=options)
    check_staleness(cat)
    _render("invest", result, fmt)


@app.command("rent-or-buy")
@handle_errors
def rent_or_buy(
    own: Annotated[str, typer.Argument(help="An owned setup.")],
    rent: Annotated[str, typer.Argument(help="A rented setup.")],
    model: ModelOption = None,
    fmt: FormatOption = None,
    set_: SetOption = None,
):
    """The utilization, and the months, at which owning beats renting per token served."""
    from compute_cli.analysis import economics

    fmt = check_format(fmt)
    sets = parse_sets(set_)
    cat, (own, rent) = setups_for_run([own, rent])
    result = economics.rent_or_buy(cat, own, rent, model_id=model, assignments=sets)
    check_staleness(cat)
    _render("rent-or-buy", result, fmt)


@app.command()
@handle_errors
def fleet(
    power_mw: Annotated[float, typer.Option("--power-mw", parser=number(ge=0, le=MAX_POWER_MW),
                                            help="Site power budget [MW], all-in (IT x PUE).")],
    hardware: Annotated[Optional[list[str]], typer.Option("--hardware", help="Accelerator ids (repeatable; "
                                                          "default: all).")] = None,
    model: Annotated[Optional[str], typer.Option("--model", "-m", help="Model id (default: llama-3.1-70b, or "
                                                 "model in computecost.toml).")] = None,
    site: Annotated[str, typer.Option("--site", help="Site id.")] = "hyperscale-campus",
    finance: Annotated[str, typer.Option("--finance", help="Finance id.")] = "hyperscaler",
    utilization: Annotated[float, typer.Option("--utilization", parser=number(gt=0, le=1.0),
                                               help="Share of hours serving paid traffic (0..1).")] = 0.7,
    precision: Annotated[Optional[str], typer.Option("--precision", "-p", metavar="bf16|fp8|int8|int4",
                                                     help="Force a weight format (default: the "
                                                     "first of fp8, int8, bf16, int4 the accelerator runs natively "
                                                     "and fits).")] = None,
    batch: Annotated[Optional[int], typer.Option("--batch", "-b", parser=number(ge=1, le=MAX_BATCH, integer=True),
                     help="Sequences decoding together (capped by memory; default: each accelerator's operating "
                          "point for the workload).")] = None,
    context: Annotated[Optional[int], typer.Option("--context", parser=number(ge=1, le=MAX_CONTEXT_TOKENS,
                       integer=True), help="Tokens in each sequence's KV cache, with 3 prompt tokens per output "
                                       "token, instead of a workload.")] = None,
    workload: Annotated[Optional[str], typer.Option("--workload", "-w", metavar="W", help="Workload profile: "
                        "tokens per request and latency targets (default: chat).")] = None,
    input_tokens: InputTokensOption = None,
    output_tokens: OutputTokensOption = None,
    max_ttft_ms: MaxTtftOption = None,
    max_tpot_ms: MaxTpotOption = None,
    min_tokens_per_s_per_user: MinTpsOption = None,
    rank_by: Annotated[str, typer.Option("--rank-by", metavar="tokens_per_day|tokens_per_joule|margin_usd_per_year",
                                         help="tokens_per_day (what the power budget buys), "
                                         "tokens_per_joule or margin_usd_per_year.")] = "tokens_per_day",
    runtime: RuntimeOption = None,
    fmt: FormatOption = None,
    set_: SetOption = None,
):
    """For a fixed power budget: accelerators of each kind, tokens/day, tokens per joule, $/M tokens, margin,
    each kind at its operating point for the workload."""
    from compute_cli.analysis import economics
    from compute_cli.cli.common import choice
    from compute_cli.pipeline import DEFAULT_MODEL

    fmt = check_format(fmt)
    options = run_options(workload, input_tokens, output_tokens, max_ttft_ms, max_tpot_ms,
                          min_tokens_per_s_per_user, runtime)
    if precision:
        choice("--precision", precision, ("bf16", "fp8", "int8", "int4"))
    cat = catalog()
    result = economics.fleet(cat, power_mw, hardware_ids=hardware or [], model_id=model or cat.default_model or
                             DEFAULT_MODEL, site_id=site,
                             finance_id=finance, utilization=utilization, precision=precision, batch=batch,
                             context=context, rank_by=rank_by, assignments=parse_sets(set_), options=options)
    check_staleness(cat)
    _render("fleet", result, fmt)


@app.command()
@handle_errors
def breakeven(
    setup_a: Annotated[str, typer.Argument(help="First setup.")],
    setup_b: Annotated[str, typer.Argument(help="Second setup.")],
    vary: Annotated[str, typer.Option("--vary", help="Numeric path to solve for, e.g. site.electricity_usd_per_kwh.")],
    metric: Annotated[str, typer.Option("--metric", "-M", help="Output metric to equalise (a compare JSON key).")] = \
        "cost_usd_per_million_output_tokens",
    value_range: Annotated[Optional[str], typer.Option("--range", help="LOW:HIGH to search (default 0 to 10x the "
                                                       "current value).")] = None,
    model: ModelOption = None,
    fmt: FormatOption = None,
    set_: SetOption = None,
):
    """The value of a parameter at which two setups cost the same per token."""
    from compute_cli.analysis import economics
    from compute_cli.errors import UsageError

    fmt = check_format(fmt)
    bounds = None
    if value_range:
        from compute_cli.cli.numbers import parse_number

        try:
            lo, hi = (parse_number(v) for v in value_range.split(":"))
        except ValueError:
            raise UsageError(f"--range '{value_range}': expected LOW:HIGH, finite numbers, e.g. 0:0.5") from None
        if not lo < hi:
            raise UsageError(f"--range '{value_range}': LOW must be below HIGH")
        bounds = (lo, hi)
    sets = parse_sets(set_)
    cat, (setup_a, setup_b) = setups_for_run([setup_a, setup_b])
    result = economics.breakeven(cat, setup_a, setup_b, vary, model_id=model, metric=metric,
                                 value_range=bounds, assignments=sets)
    check_staleness(cat)
    _render("breakeven", result, fmt)
