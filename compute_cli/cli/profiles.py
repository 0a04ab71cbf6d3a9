"""``computecost profiles list|show|validate|schema``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from compute_cli.cli.common import (KIND_NAMES, ROW_FORMATS, RowFormatOption, catalog, check_format, handle_errors, profiles_app,
                             state)
from compute_cli.errors import ExitCode


@profiles_app.command("list")
@handle_errors
def profiles_list(
    kind: Annotated[Optional[str], typer.Argument(help="One of: " + ", ".join(KIND_NAMES))] = None,
    fmt: RowFormatOption = None,
):
    """List profile ids by kind, with where each comes from."""
    from compute_cli.profiles import inspect
    from compute_cli.render import profiles as render_profiles

    fmt = check_format(fmt, ROW_FORMATS)
    render_profiles.render_listing(inspect.listing(catalog(), kind), fmt, sys.stdout)


@profiles_app.command("show")
@handle_errors
def profiles_show(
    profile_id: Annotated[str, typer.Argument(metavar="ID", help="Profile id, e.g. h100-sxm.")],
    kind: Annotated[Optional[str], typer.Option("--kind", "-k", help="Kind, when an id exists in several.")] = None,
    fmt: RowFormatOption = None,
):
    """Show one profile: every value with its source and date, or the assumption behind it."""
    from compute_cli.profiles import inspect
    from compute_cli.render import profiles as render_profiles

    fmt = check_format(fmt, ROW_FORMATS)
    render_profiles.render_detail(inspect.detail(catalog(), profile_id, kind), fmt, sys.stdout)


@profiles_app.command("validate")
@handle_errors
def profiles_validate(
    paths: Annotated[list[Path], typer.Argument(help="Profile directories (laid out like configs/), files, "
                     "or - for one profile on stdin.")],
    kind: Annotated[Optional[str], typer.Option("--kind", "-k", help="Kind of a profile on stdin (-, default "
                    "setups) or of a file outside a kind folder.")] = None,
):
    """Check profiles: types, ranges, unknown keys, and that every reference resolves. Exit 3 on any error.

    Example: computecost profiles validate my-profiles/ (or --kind setups my-setup.yaml)
    """
    from compute_cli.profiles import inspect

    if kind is not None:
        inspect.check_kind(kind)
    ok, errors = inspect.validate_paths(paths, state.config_dirs, stdin=getattr(sys.stdin, "buffer", None),
                                        stdin_kind=kind)
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
