"""``computecost check | diff | schema``: cost gates for CI, and the JSON Schemas."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from compute_cli.cli.common import (InputTokensOption, MaxTpotOption, MaxTtftOption, MinTpsOption, OutputTokensOption,
                                    RuntimeOption, SetOption, WorkloadOption, app, catalog, check_format,
                                    check_staleness, group, handle_errors, parse_sets, run_options,
                                    setup_arguments, warn)
from compute_cli.cli.numbers import number
from compute_cli.errors import ExitCode, UsageError

schema_app = group(help="JSON Schemas: of every JSON output, and of the profile format.")
app.add_typer(schema_app, name="schema")


@app.command()
@handle_errors
def check(
    setups: Annotated[Optional[list[str]], typer.Argument(
        help="Setup ids, setup files (a path, or - for stdin); default: the default comparison.")] = None,
    model: Annotated[Optional[str], typer.Option("--model", "-m", help="Model id (default: the policy's, "
                     "else the setups' own).")] = None,
    max_usd_per_million_output_tokens: Annotated[Optional[float], typer.Option(
        "--max-usd-per-million-output-tokens", parser=number(ge=0), metavar="X",
        help="Limit on cost_usd_per_million_output_tokens [USD].")] = None,
    max_usd_per_gpu_hour: Annotated[Optional[float], typer.Option(
        "--max-usd-per-gpu-hour", parser=number(ge=0), metavar="Y", help="Limit on cost_usd_per_gpu_hour [USD/GPU-h].")] = None,
    min_tokens_per_joule: Annotated[Optional[float], typer.Option(
        "--min-tokens-per-joule", parser=number(ge=0), metavar="Z", help="Floor on tokens_per_joule [tokens/J].")] = None,
    policy: Annotated[Optional[str], typer.Option("--policy", metavar="FILE",
                      help="YAML file of rules: metric, max and/or min, optional setups.")] = None,
    workload: WorkloadOption = None,
    input_tokens: InputTokensOption = None,
    output_tokens: OutputTokensOption = None,
    max_ttft_ms: MaxTtftOption = None,
    max_tpot_ms: MaxTpotOption = None,
    min_tokens_per_s_per_user: MinTpsOption = None,
    runtime: RuntimeOption = None,
    fmt: Annotated[Optional[str], typer.Option("--format", "-f", metavar="table|json|csv|jsonl|markdown",
                   help="table (breaches and a summary), json (every result), csv or jsonl (one result per row), "
                        "markdown (every result, a pull-request comment).")] = None,
    set_: SetOption = None,
):
    """Exit 4 when a setup breaches a limit: one line per breach, then a summary. Errors exit 2 or 3, never 4.
    Latency targets choose each setup's operating point, as in compare, and are limits too."""
    from compute_cli.analysis import check as check_mod
    from compute_cli.render import check as render_check

    fmt = check_format(fmt)
    options = run_options(workload, input_tokens, output_tokens, max_ttft_ms, max_tpot_ms,
                          min_tokens_per_s_per_user, runtime)
    cat = catalog()
    sets = parse_sets(set_)
    limits = {"--max-usd-per-million-output-tokens": max_usd_per_million_output_tokens,
              "--max-usd-per-gpu-hour": max_usd_per_gpu_hour, "--min-tokens-per-joule": min_tokens_per_joule}
    result = check_mod.run(cat, setup_arguments(cat, setups), model, sets, limits=limits, policy_path=policy,
                           options=options)
    check_staleness(cat)
    render_check.render(result, fmt, sys.stdout)
    if not result["results"]:
        warn("no rule applies to the setups checked (each rule's setups: list names none of them)")
    if result["breaches"]:
        raise typer.Exit(int(ExitCode.THRESHOLD))


@app.command()
@handle_errors
def diff(
    base: Annotated[str, typer.Argument(metavar="BASE.json", help="compare --format json output before the change "
                    "(- for stdin).")],
    new: Annotated[str, typer.Argument(metavar="NEW.json", help="compare --format json output after it (- for stdin).")],
    fmt: Annotated[Optional[str], typer.Option("--format", "-f", metavar="table|json|csv|jsonl|markdown",
                   help="table (default), json, csv or jsonl (one change per row), markdown (a pull-request "
                        "comment).")] = None,
    fail_on_increase: Annotated[Optional[str], typer.Option(
        "--fail-on-increase", metavar="PERCENT",
        help="Exit 4 when a watched metric rises by more than this, e.g. 5%.")] = None,
    watch: Annotated[Optional[list[str]], typer.Option(
        "--watch", metavar="METRIC", help="Metric --fail-on-increase applies to (repeatable; default: every "
        "cost_usd_per_* metric).")] = None,
):
    """What changed between two compare outputs, per setup and metric; exit 4 when a cost rises past the limit."""
    from compute_cli.analysis import diff as diff_mod
    from compute_cli.render import diff as render_diff

    fmt = check_format(fmt)
    limit = diff_mod.parse_percent(fail_on_increase) if fail_on_increase is not None else None
    if base == new == diff_mod.STDIN:
        raise UsageError("'-' (stdin) can be given once")
    stdin = getattr(sys.stdin, "buffer", None)
    base_doc, base_name = diff_mod.read(base, stdin)
    new_doc, new_name = diff_mod.read(new, stdin)
    result = diff_mod.run(base_doc, new_doc, base_name, new_name, fail_on_increase=limit, watch=watch)
    render_diff.render(result, fmt, sys.stdout)
    if result["breaches"]:
        raise typer.Exit(int(ExitCode.THRESHOLD))


@schema_app.command("output")
@handle_errors
def schema_output(
    name: Annotated[Optional[str], typer.Argument(help="One definition, e.g. compare, check_result "
                    "(default: all, as $defs).")] = None,
):
    """JSON Schema of every JSON computecost prints (versioned by schema_version)."""
    from compute_cli.errors import did_you_mean
    from compute_cli.render.formats import to_json
    from compute_cli.render.output_schema import OUTPUTS, output_schema

    if name is not None and name not in OUTPUTS:
        raise UsageError(f"no output named '{name}'{did_you_mean(name, OUTPUTS)}; outputs: {', '.join(OUTPUTS)}")
    sys.stdout.write(to_json(output_schema(name)))


@schema_app.command("profiles")
@handle_errors
def schema_profiles(
    kind: Annotated[Optional[str], typer.Argument(help="One kind (default: all, as $defs).")] = None,
):
    """JSON Schema of the profile format, for editors (the same as 'profiles schema')."""
    from compute_cli.profiles import inspect
    from compute_cli.render.formats import to_json

    sys.stdout.write(to_json(inspect.json_schema(kind)))
