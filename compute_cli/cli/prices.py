"""``computecost prices import | stale``: refresh prices from published price lists, and see what is due."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from compute_cli.cli.common import MAX_AGE_DAYS, FormatOption, catalog, check_format, handle_errors, prices_app, state
from compute_cli.errors import ExitCode


@prices_app.command("import")
@handle_errors
def prices_import(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="OpenRouter /api/v1/models JSON, LiteLLM's "
                    "model_prices_and_context_window.json, or a CSV provider,gpu,usd_per_gpu_hour,term,as_of,source.")],
    kind: Annotated[Optional[str], typer.Option("--kind", "-k", metavar="markets|offers",
                                                help="markets (token prices, from JSON) or offers "
                    "(rental prices, from CSV); default: from the file.")] = None,
    as_of: Annotated[Optional[str], typer.Option("--as-of", metavar="DATE", help="Date of the prices "
                     "(YYYY-MM-DD); default: the JSON file's modification date, or each CSV row's as_of.")] = None,
    into: Annotated[Optional[Path], typer.Option("--into", metavar="DIR", help="Profile directory to write "
                    "(default: the user config directory, $XDG_CONFIG_HOME/computecost, which every command "
                    "reads).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace profiles that already exist in DIR.")] = False,
    model: Annotated[Optional[list[str]], typer.Option("--model", "-m", metavar="NAME=ID", help="Map a model name "
                     "of the file to a model id (repeatable); a lone ID maps every entry.")] = None,
    gpu: Annotated[Optional[list[str]], typer.Option("--gpu", metavar="NAME=ID", help="Map a gpu name of the CSV "
                   "to a hardware id (repeatable); a lone ID maps every row.")] = None,
    fmt: FormatOption = None,
):
    """Write market or offer profiles from a price list, each price with its source and date.

    Names are mapped to computecost ids by normalised name; what cannot be mapped is listed.
    Nothing is written when the file is malformed (exit 3), or when a profile exists and
    --force is not given (exit 2).
    """
    from compute_cli.profiles import imports
    from compute_cli.render import prices as render_prices
    from compute_cli.settings import user_config_dir

    fmt = check_format(fmt)
    target = into or user_config_dir()
    if target is None:
        from compute_cli.errors import UsageError

        raise UsageError("no user config directory (neither XDG_CONFIG_HOME nor HOME is set); give --into DIR")
    result = imports.run(catalog(), str(file), kind=kind, as_of=as_of, into=target, force=force,
                         models=model or (), gpus=gpu or ())
    render_prices.render_import(result, fmt, sys.stdout)


@prices_app.command("stale")
@handle_errors
def prices_stale(
    max_age_days: Annotated[Optional[int], typer.Option("--max-age-days", min=0, max=MAX_AGE_DAYS, metavar="N",
                            help="Due when older than N days (default: the global --max-age-days, 365).")] = None,
    fail: Annotated[bool, typer.Option("--fail", help="Exit 4 when any price is due.")] = False,
    fmt: FormatOption = None,
):
    """Dated prices in the profiles older than the limit, by file:line, oldest first."""
    from compute_cli.analysis import prices
    from compute_cli.profiles import staleness
    from compute_cli.render import prices as render_prices

    fmt = check_format(fmt)
    limit = max_age_days if max_age_days is not None else state.max_age_days
    result = prices.stale(catalog(), staleness.today(), limit)
    render_prices.render_stale(result, fmt, sys.stdout)
    if fail and result["due"]:
        raise typer.Exit(int(ExitCode.THRESHOLD))
