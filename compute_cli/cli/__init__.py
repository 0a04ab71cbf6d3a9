"""The ``computecost`` command line: options, exit codes, and one library call per command."""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from compute_cli import __version__
from compute_cli.cli import process
from compute_cli.errors import ComputeCostError, ExitCode

app = typer.Typer(
    name="computecost",
    help="The economics of AI compute: $/GPU-hour, $/M tokens and J/token for owning, renting and reselling, "
    "with every figure's source.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    cls=process.Group,  # Click's errors on one line, like every other error
)
profiles_app = typer.Typer(help="List, show, validate profiles, and print their JSON Schema.", no_args_is_help=True)
app.add_typer(profiles_app, name="profiles")

KIND_NAMES = ("hardware", "systems", "sites", "finance", "offers", "models", "setups")
MAX_AGE_DAYS = 100_000  # --max-age-days: 270 years; a date that far back still exists


class State:
    config_dirs: list[Path] = []
    debug: bool = False
    quiet: bool = False  # no warnings
    max_age_days: int = 365  # a price older than this is stale
    strict: bool = False  # a stale price is an error (exit 3)


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
        bool, typer.Option("--version", callback=version_callback, is_eager=True, help="Print the version and exit.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No warnings on stderr (errors still show).")] = False,
    max_age_days: Annotated[int, typer.Option("--max-age-days", min=0, max=MAX_AGE_DAYS, metavar="N",
                            help="Warn when a price a run uses is older than N days by its as_of date.")] = 365,
    strict: Annotated[bool, typer.Option("--strict", help="Stale prices are errors: list them and exit 3.")] = False,
):
    state.config_dirs = list(config_dir or [])
    state.debug = debug
    state.quiet, state.max_age_days, state.strict = quiet, max_age_days, strict


def catalog():
    from compute_cli.profiles.catalog import Catalog

    return Catalog(state.config_dirs)


def setup_arguments(cat, args) -> list[str]:
    """Setup ids from arguments that may also be setup files, or - for one on stdin."""
    from compute_cli.profiles.files import setup_ids

    return setup_ids(cat, args or [], getattr(sys.stdin, "buffer", None))


def setups_for_run(args: list[str], assignments=()):
    """(catalog, setup ids) for a command's setup arguments (ids or setup files), warning about stale prices."""
    cat = catalog()
    ids = setup_arguments(cat, args)
    check_staleness(cat, ids, assignments)
    return cat, ids


def warn(message: str) -> None:
    """A warning on stderr, unless --quiet."""
    if not state.quiet:
        from compute_cli.errors import printable

        typer.echo(f"warning: {printable(message)}", err=True)


def check_staleness(cat, setup_ids, assignments=()) -> None:
    """Warn about stale prices the setups of a run used; with --strict list them and exit 3."""
    from compute_cli.profiles import staleness

    stale = staleness.stale_prices(cat, setup_ids, staleness.today(), state.max_age_days, assignments)
    if stale and state.strict:
        from compute_cli.errors import printable

        for s in stale:
            typer.echo(f"error: {printable(s.describe(state.max_age_days))}", err=True)
        fail(f"{len(stale)} stale price{'s' if len(stale) > 1 else ''} (--strict); update the as_of dates "
             "with current figures, or raise --max-age-days", ExitCode.INVALID_INPUT)
    if stale:
        warn(staleness.summary(stale, state.max_age_days))


def parse_sets(values):
    from compute_cli.profiles.overrides import parse_assignment

    return [parse_assignment(v) for v in values or []]


def check_format(fmt: str, allowed=("table", "json", "csv", "markdown")) -> str:
    return choice("--format", fmt, allowed)


FormatOption = Annotated[str, typer.Option("--format", "-f", help="table (default), json, csv or markdown.")]
ROW_FORMATS = ("table", "json", "csv", "jsonl", "markdown")  # for commands whose result is rows
RowFormatOption = Annotated[str, typer.Option("--format", "-f", help="table (default), json, csv, jsonl "
                                              "(one JSON object per row) or markdown.")]
SetOption = Annotated[
    Optional[list[str]],
    typer.Option("--set", "-s", help="Override a field for every setup: PATH=VALUE, e.g. "
                 "site.electricity_usd_per_kwh=0.03 or utilization=0.6 (repeatable)."),
]


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


# Command modules register themselves on `app` when imported.
from compute_cli.cli import compare, economics, explore, gates, profiles, scenario, throughput  # noqa: E402,F401


GLOBAL_OPTIONS_WITH_VALUE = ("-C", "--config-dir", "--max-age-days")


def keep_only_the_command(argv: list[str]) -> None:
    """Start-up: drop every command but the one ``argv`` runs before Typer builds them.

    Typer turns each registered command into a Click command on every call, evaluating
    all of its option annotations (~3 ms a command, tens of ms in all). Nothing changes
    when the command is not found (top-level --help, a typo that needs its did-you-mean)
    or when the shell asks for completions.
    """
    if any(k.endswith("_COMPLETE") for k in os.environ):
        return
    args = iter(argv)
    for arg in args:
        if arg in GLOBAL_OPTIONS_WITH_VALUE:
            next(args, None)
        elif not arg.startswith("-"):
            break
    else:
        return
    commands = [c for c in app.registered_commands
                if (c.name or c.callback.__name__.lower().replace("_", "-")) == arg]
    groups = [g for g in app.registered_groups if g.name == arg]
    if commands or groups:
        app.registered_commands[:] = commands
        app.registered_groups[:] = groups


def main() -> None:
    keep_only_the_command(sys.argv[1:])
    try:
        process.run(app)  # streams, signals and the exit code
    finally:
        # The run is over: spare the interpreter's last garbage collections, which would walk
        # every object of numpy, typer and the run (tens of ms) only to free memory the OS
        # reclaims anyway. Reference counting still frees what it frees; only cyclic garbage
        # is left unfinalized, and computecost writes its files in with-blocks.
        import gc

        gc.freeze()
