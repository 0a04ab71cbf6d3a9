"""The ``computecost`` command line: options, exit codes, and one library call per command."""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from compute_cli import __version__
from compute_cli.errors import ComputeCostError, ExitCode

app = typer.Typer(
    name="computecost",
    help="The economics of AI compute: $/GPU-hour, $/M tokens and J/token for owning, renting and reselling, "
    "with every figure's source.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
profiles_app = typer.Typer(help="List, show, validate profiles, and print their JSON Schema.", no_args_is_help=True)
app.add_typer(profiles_app, name="profiles")

KIND_NAMES = ("hardware", "systems", "sites", "finance", "offers", "models", "setups")


class State:
    config_dirs: list[Path] = []
    debug: bool = False


state = State()


def fail(message: str, code: ExitCode) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(int(code))


def handle_errors(func):
    """Turn library errors into one stderr line and their exit code; bugs into exit 1."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except typer.Exit:
            raise
        except ComputeCostError as exc:
            fail(str(exc), exc.exit_code)
        except BrokenPipeError:
            sys.stderr.close()
            raise typer.Exit(0)
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            raise typer.Exit(130)
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            if state.debug or os.environ.get("COMPUTECOST_DEBUG"):
                raise
            fail(
                f"internal error ({type(exc).__name__}: {exc}). This is a bug in computecost {__version__}; "
                "rerun with --debug and report the traceback with the command you ran.",
                ExitCode.INTERNAL,
            )

    return wrapper


def version_callback(value: bool):
    if value:
        typer.echo(f"computecost {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    config_dir: Annotated[
        Optional[list[Path]],
        typer.Option("--config-dir", "-C", metavar="DIR", help="Directory of user profiles laid out like configs/ (repeatable; "
                     "searched before COMPUTECOST_PATH and the shipped profiles)."),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for internal errors.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=version_callback, is_eager=True, help="Print the version and exit.")
    ] = False,
):
    state.config_dirs = list(config_dir or [])
    state.debug = debug


def catalog():
    from compute_cli.profiles.catalog import Catalog

    return Catalog(state.config_dirs)


def parse_sets(values):
    from compute_cli.profiles.overrides import parse_assignment

    return [parse_assignment(v) for v in values or []]


def check_format(fmt: str, allowed=("table", "json", "csv", "markdown")) -> str:
    return choice("--format", fmt, allowed)


FormatOption = Annotated[str, typer.Option("--format", "-f", help="table (default), json, csv or markdown.")]
SetOption = Annotated[
    Optional[list[str]],
    typer.Option("--set", "-s", help="Override a field for every setup: PATH=VALUE, e.g. "
                 "site.electricity_usd_per_kwh=0.03 or utilization=0.6 (repeatable)."),
]


@app.command()
@handle_errors
def compare(
    setups: Annotated[Optional[list[str]], typer.Argument(help="Setup ids (default: every setup).")] = None,
    model: Annotated[str, typer.Option("--model", "-m", help="Model id to serve.")] = "llama-3.1-70b",
    fmt: FormatOption = "table",
    set_: SetOption = None,
):
    """Compare setups side by side: $/GPU-hour and its breakdown, tokens/s, $/M tokens, J/token."""
    from compute_cli.analysis import compare as compare_mod
    from compute_cli.render import compare as render_compare

    check_format(fmt)
    result = compare_mod.run(catalog(), setups or [], model, parse_sets(set_))
    render_compare.render(result, fmt, sys.stdout)


@app.command()
@handle_errors
def throughput(
    model: Annotated[str, typer.Option("--model", "-m", help="Model id.")],
    hardware: Annotated[Optional[str], typer.Option("--hardware", help="Accelerator id (one device, or --gpus N).")] = None,
    system: Annotated[Optional[str], typer.Option("--system", help="System id (a box or node).")] = None,
    precision: Annotated[str, typer.Option("--precision", "-p", help="Weight format: bf16, fp8, int8 or int4.")] = "bf16",
    kv_precision: Annotated[str, typer.Option("--kv-precision", help="KV-cache format: bf16 or fp8.")] = "bf16",
    batch: Annotated[int, typer.Option("--batch", "-b", min=1, help="Sequences decoding together.")] = 1,
    context: Annotated[int, typer.Option("--context", min=1, help="Tokens already in each sequence's KV cache.")] = 1024,
    prompt_tokens: Annotated[Optional[int], typer.Option("--prompt-tokens", min=1,
                             help="Prompt length for the prefill figures (default: --context).")] = None,
    gpus: Annotated[str, typer.Option("--gpus", help="Accelerators serving the model, or 'auto' (the fewest that fit).")] = "auto",
    parallelism: Annotated[str, typer.Option("--parallelism", help="tensor (split every layer) or pipeline "
                           "(layers split across devices, run one after another, as llama.cpp does).")] = "tensor",
    fmt: FormatOption = "table",
    set_: SetOption = None,
):
    """Decode and prefill tokens/s, energy per token and memory fit from a roofline of bytes and FLOPs."""
    from compute_cli.analysis import throughput as throughput_mod
    from compute_cli.render import throughput as render_throughput

    check_format(fmt)
    choice("--precision", precision, ("bf16", "fp8", "int8", "int4"))
    choice("--kv-precision", kv_precision, ("bf16", "fp8"))
    choice("--parallelism", parallelism, ("tensor", "pipeline"))
    n = 0 if gpus == "auto" else positive_int("--gpus", gpus)
    result = throughput_mod.run(catalog(), model, hardware_id=hardware, system_id=system, precision=precision,
                                kv_precision=kv_precision, batch=batch, context=context, prompt_tokens=prompt_tokens,
                                prefill_batch=batch, gpus=n, parallelism=parallelism, assignments=parse_sets(set_))
    render_throughput.render(result, fmt, sys.stdout)
    if result.get("note"):
        typer.echo(f"warning: {result['note']}", err=True)


def choice(option: str, value: str, allowed) -> str:
    if value not in allowed:
        from compute_cli.errors import UsageError, did_you_mean

        raise UsageError(f"{option} '{value}': expected one of {', '.join(allowed)}{did_you_mean(value, allowed)}")
    return value


def positive_int(option: str, value: str) -> int:
    from compute_cli.errors import UsageError

    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise UsageError(f"{option} '{value}': expected a whole number >= 1 or 'auto'")
    return n


@profiles_app.command("list")
@handle_errors
def profiles_list(
    kind: Annotated[Optional[str], typer.Argument(help="One of: " + ", ".join(KIND_NAMES))] = None,
    fmt: FormatOption = "table",
):
    """List profile ids by kind, with where each comes from."""
    from compute_cli.profiles import inspect
    from compute_cli.render import profiles as render_profiles

    check_format(fmt)
    render_profiles.render_listing(inspect.listing(catalog(), kind), fmt, sys.stdout)


@profiles_app.command("show")
@handle_errors
def profiles_show(
    profile_id: Annotated[str, typer.Argument(metavar="ID", help="Profile id, e.g. h100-sxm.")],
    kind: Annotated[Optional[str], typer.Option("--kind", "-k", help="Kind, when an id exists in several.")] = None,
    fmt: FormatOption = "table",
):
    """Show one profile: every value with its source and date, or the assumption behind it."""
    from compute_cli.profiles import inspect
    from compute_cli.render import profiles as render_profiles

    check_format(fmt)
    render_profiles.render_detail(inspect.detail(catalog(), profile_id, kind), fmt, sys.stdout)


@profiles_app.command("validate")
@handle_errors
def profiles_validate(
    paths: Annotated[list[Path], typer.Argument(help="Profile directories (laid out like configs/) or files.")],
):
    """Check profiles: types, ranges, unknown keys, and that every reference resolves. Exit 3 on any error."""
    from compute_cli.profiles import inspect

    ok, errors = inspect.validate_paths(paths, state.config_dirs)
    for line in ok:
        typer.echo(line)
    for line in errors:
        typer.echo(f"error: {line}", err=True)
    if errors:
        raise typer.Exit(int(ExitCode.INVALID_INPUT))


@profiles_app.command("schema")
@handle_errors
def profiles_schema(
    kind: Annotated[Optional[str], typer.Argument(help="One kind (default: all, as $defs).")] = None,
):
    """Print the JSON Schema of the profile format, for editors."""
    from compute_cli.profiles import inspect
    from compute_cli.render.formats import to_json

    sys.stdout.write(to_json(inspect.json_schema(kind)))


def main() -> None:
    try:
        app(prog_name="computecost")
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(0)
