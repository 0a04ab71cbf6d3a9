"""What every command shares: the app, global state, options, error handling and warnings.

Command modules (``cli/<command>.py``) import from here and register themselves on
``app``; ``cli/__init__.py`` imports them and runs the app. Nothing here imports a
command module, so the imports flow one way.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from compute_cli import __version__
from compute_cli.cli.process import Group as ClickErrorsOnOneLine
from compute_cli.errors import ComputeCostError, ExitCode

class Group(ClickErrorsOnOneLine):
    """The command groups: Click's errors on one line (``process.Group``), and each command listed with
    its whole summary (wrapped, never cut with '...')."""

    def get_command(self, ctx, name):
        """The command, with the examples of cli/examples.py under its help."""
        cmd = super().get_command(ctx, name)
        if cmd is not None and not getattr(cmd, "commands", None) and not cmd.epilog:
            from compute_cli.cli.examples import epilog

            path = " ".join(ctx.command_path.split()[1:] + [name])
            cmd.epilog = epilog(path)
        return cmd

    def format_commands(self, ctx, formatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is not None and not cmd.hidden:
                rows.append((name, cmd.get_short_help_str(limit=10_000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


CONTEXT = {"help_option_names": ["-h", "--help"]}


def group(**kwargs) -> typer.Typer:
    """A command group (``profiles``, ``schema``, ...) with the house settings."""
    return typer.Typer(cls=Group, context_settings=CONTEXT, no_args_is_help=True, rich_markup_mode=None, **kwargs)


app = typer.Typer(
    name="computecost",
    help="The economics of AI compute: $/GPU-hour, $/M tokens and J/token for owning, renting and reselling, "
    "with every figure's source.",
    cls=Group,
    context_settings=CONTEXT,
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
profiles_app = group(help="List, show, validate profiles, and print their JSON Schema.")
app.add_typer(profiles_app, name="profiles")
prices_app = group(help="Refresh prices from published price lists (prices import), and list the prices due "
                   "for a refresh (prices stale).")
app.add_typer(prices_app, name="prices")

# profiles.schema.KINDS, written out so help text costs no import (tests/test_conventions.py keeps them equal)
MAX_AGE_DAYS = 100_000  # --max-age-days: 270 years; a date that far back still exists
KIND_NAMES = ("hardware", "systems", "sites", "finance", "offers", "models", "setups", "workloads", "markets", "scenarios",
              "runtimes")


DEFAULT_MAX_AGE_DAYS = 365  # profiles.staleness.DEFAULT_MAX_AGE_DAYS, kept here so start-up imports nothing more


class State:
    config_dirs: list[Path] = []
    debug: bool = False
    quiet: bool = False  # no warnings
    max_age_days: int = DEFAULT_MAX_AGE_DAYS  # a price older than this is stale
    strict: bool = False  # a stale price is an error (exit 3)
    warned: set = set()  # warning messages printed in this run
    model: str | None = None  # computecost.toml: the model when a command is given none
    format: str | None = None  # computecost.toml: the --format when a command is given none


state = State()


def fail(message: str, code: ExitCode) -> None:
    from compute_cli.errors import printable

    typer.echo(f"error: {printable(message)}", err=True)
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
            raise typer.Exit(0) from None
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            raise typer.Exit(130) from None
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
        bool, typer.Option("--version", "-V", callback=version_callback, is_eager=True,
                           help="Print the version and exit.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No warnings on stderr (errors still show).")] = False,
    max_age_days: Annotated[Optional[int], typer.Option("--max-age-days", min=0, max=MAX_AGE_DAYS, metavar="N",
                            help="Warn when a price a run uses is older than N days by its as_of date "
                                 "(default 365, or max_age_days in computecost.toml).")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Stale prices are errors: list them and exit 3.")] = False,
):
    import warnings

    from compute_cli.errors import ComputeCostWarning

    state.debug = debug
    state.warned = set()
    warnings.simplefilter("always", ComputeCostWarning)
    warnings.showwarning = _show_warning
    settings = _settings()
    state.config_dirs = list(config_dir or []) + list(settings.config_dirs)
    state.quiet, state.strict = quiet, strict
    state.max_age_days = max_age_days if max_age_days is not None else (
        settings.max_age_days if settings.max_age_days is not None else DEFAULT_MAX_AGE_DAYS)
    state.model, state.format = settings.model, settings.format


def _settings():
    """The computecost.toml settings; a bad file is one error line and exit 3, as for any command."""
    from compute_cli import settings
    from compute_cli.errors import ComputeCostError

    try:
        return settings.load()
    except ComputeCostError as exc:
        fail(str(exc), exc.exit_code)


def catalog():
    from compute_cli.profiles.catalog import Catalog

    return Catalog(state.config_dirs, default_model=state.model)


def setup_arguments(cat, args) -> list[str]:
    """Setup ids from arguments that may also be setup files, or - for one on stdin."""
    from compute_cli.profiles.files import setup_ids

    return setup_ids(cat, args or [], getattr(sys.stdin, "buffer", None))


def setups_for_run(args: list[str]):
    """(catalog, setup ids) for a command's setup arguments (ids or setup files)."""
    cat = catalog()
    return cat, setup_arguments(cat, args)


def warn(message: str) -> None:
    """A warning on stderr, unless --quiet."""
    if not state.quiet:
        from compute_cli.errors import printable

        typer.echo(f"warning: {printable(message)}", err=True)


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """The library's warnings (``errors.ComputeCostWarning``) as ``warning:`` lines, its notes
    (``errors.ComputeCostNote``) as ``note:`` lines; each message once per run."""
    from compute_cli.errors import ComputeCostNote

    text = str(message)
    if text not in state.warned:
        state.warned.add(text)
        if issubclass(category, ComputeCostNote):
            if not state.quiet:
                from compute_cli.errors import printable

                typer.echo(f"note: {printable(text)}", err=True)
        else:
            warn(text)


def check_staleness(cat) -> None:
    """Warn about stale prices among the figures the run used; with --strict list them and exit 3.

    Call it after the computation and before printing anything, so a --strict run prints no result.
    """
    from compute_cli.profiles import staleness

    stale = staleness.stale_figures(cat.figures_used(), staleness.today(), state.max_age_days)
    if stale and state.strict:
        for s in stale:
            from compute_cli.errors import printable

            typer.echo(f"error: {printable(s.describe(state.max_age_days))}", err=True)
        fail(f"{len(stale)} stale price{'s' if len(stale) > 1 else ''} (--strict); update the as_of dates "
             "with current figures, or raise --max-age-days", ExitCode.INVALID_INPUT)
    if stale:
        warn(staleness.summary(stale, state.max_age_days))


def parse_sets(values):
    from compute_cli.profiles.overrides import parse_assignment

    return [parse_assignment(v) for v in values or []]


ROW_FORMATS = ("table", "json", "csv", "jsonl", "markdown")  # what every command that prints a result takes


def check_format(fmt: str | None, allowed=ROW_FORMATS) -> str:
    """The --format to use: the one given, else computecost.toml's when this command prints it, else table."""
    if fmt is None:
        return state.format if state.format in allowed else "table"
    if fmt not in allowed:
        from compute_cli.render.columns import BINARY_FORMATS, not_written_here

        if fmt in BINARY_FORMATS:  # Parquet and Arrow: say which commands write them
            raise not_written_here(fmt, allowed)
    return choice("--format", fmt, allowed)


FormatOption = Annotated[Optional[str], typer.Option("--format", "-f", metavar="table|json|csv|jsonl|markdown",
                                                     help="table (default), json (one document), csv or jsonl (one "
                                                          "row per line, the same rows), markdown.")]
RowFormatOption = FormatOption  # one option set for every command
SetOption = Annotated[
    Optional[list[str]],
    typer.Option("--set", "-s", help="Override a field for every setup: PATH=VALUE, e.g. "
                 "site.electricity_usd_per_kwh=0.03 or utilization=0.6 (repeatable)."),
]


DEFAULT_RANGE_SAMPLES = 10_000  # analysis.ranges.DEFAULT_SAMPLES, kept here so --help imports no numpy
RangesOption = Annotated[bool, typer.Option("--ranges", help="Also give p50 (p5-p95) of each result over the "
                                            "distributions declared in the profiles (a seeded Monte Carlo).")]
SamplesOption = Annotated[int, typer.Option("--samples", "-n", min=1, max=10_000_000,
                                            help="Monte Carlo samples for --ranges.")]
SeedOption = Annotated[int, typer.Option("--seed", min=0, help="Random seed for --ranges: the same seed gives "
                                         "the same answer, byte for byte.")]


def range_options(ranges: bool, samples: int, seed: int):
    """``analysis.ranges.RangeOptions`` when --ranges is given, else None."""
    if not ranges:
        return None
    from compute_cli.analysis.ranges import RangeOptions

    return RangeOptions(samples=samples, seed=seed)


def choice(option: str, value: str, allowed) -> str:
    if value not in allowed:
        from compute_cli.errors import UsageError, did_you_mean

        raise UsageError(f"{option} '{value}': expected one of {', '.join(allowed)}{did_you_mean(value, allowed)}")
    return value


def positive_int(option: str, value: str, most: int) -> int:
    from compute_cli.cli.numbers import parse_number
    from compute_cli.errors import UsageError

    try:
        return parse_number(value, ge=1, le=most, integer=True)
    except ValueError:
        raise UsageError(f"{option} '{value[:40]}': expected a whole number from 1 to {most:,}, or 'auto'") from None


# ------------------------------------------------------------ the operating point
RuntimeOption = Annotated[Optional[str], typer.Option("--runtime", "-r", metavar="R", help="Serving engine for "
                          "every setup (a runtimes/ profile: vllm, sglang, tensorrt-llm, llama.cpp, tinygrad, mlx); "
                          "default: each setup's own, else the hardware class's factors.")]
WorkloadOption = Annotated[Optional[str], typer.Option("--workload", "-w", metavar="W", help="Workload profile for "
                           "every setup (tokens per request and latency targets), e.g. chat, reasoning, "
                           "offline-batch; default: each setup's own.")]
InputTokensOption = Annotated[Optional[int], typer.Option("--input-tokens", min=1, metavar="N", help="Prompt tokens "
                              "per request (with --output-tokens: a workload without targets).")]
OutputTokensOption = Annotated[Optional[int], typer.Option("--output-tokens", min=1, metavar="N",
                               help="Generated tokens per request (with --input-tokens).")]
MaxTtftOption = Annotated[Optional[float], typer.Option("--max-ttft-ms", metavar="X",
                          help="Latency target: time to first token [ms] (replaces the workload's).")]
MaxTpotOption = Annotated[Optional[float], typer.Option("--max-tpot-ms", metavar="Y",
                          help="Latency target: time per output token [ms] (replaces the workload's).")]
MinTpsOption = Annotated[Optional[float], typer.Option("--min-tokens-per-s-per-user",
                         metavar="Z", help="Latency target as a speed: output tokens/s each user gets, i.e. TPOT "
                         "<= 1000/Z ms (replaces the workload's).")]


def run_options(workload=None, input_tokens=None, output_tokens=None, max_ttft_ms=None, max_tpot_ms=None,
                min_tokens_per_s_per_user=None, runtime=None):
    """The ``inputs.RunOptions`` of the shared serving options (the operating point and the runtime), checked:
    --workload or --input/--output-tokens, not both."""
    from compute_cli.errors import UsageError

    if workload is not None and (input_tokens is not None or output_tokens is not None):
        raise UsageError("give --workload or --input-tokens/--output-tokens, not both")
    if (input_tokens is None) != (output_tokens is None):
        raise UsageError("--input-tokens and --output-tokens go together (a workload of that shape)")
    import math

    for option, value in (("--max-ttft-ms", max_ttft_ms), ("--max-tpot-ms", max_tpot_ms),
                          ("--min-tokens-per-s-per-user", min_tokens_per_s_per_user)):
        if value is not None and not (math.isfinite(value) and value > 0):
            raise UsageError(f"{option} {value:g}: expected a number > 0")
    from compute_cli import inputs

    return inputs.RunOptions(workload=workload, input_tokens=input_tokens, output_tokens=output_tokens,
                             max_ttft_ms=max_ttft_ms, max_tpot_ms=max_tpot_ms,
                             min_tokens_per_s_per_user=min_tokens_per_s_per_user, runtime=runtime)
