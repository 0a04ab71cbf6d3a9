"""The ``computecost`` command line: one library call per command (see cli/common.py for what they share)."""

from __future__ import annotations

import os
import sys

# Importing a command module registers its commands on `app`.
from compute_cli.cli import (compare, economics, explore, frontier, gates, prices, profiles, report,  # noqa: F401
                             scenario, throughput)
from compute_cli.cli.common import app, state  # noqa: F401  (re-exported for tests and the entry point)

GLOBAL_OPTIONS_WITH_VALUE = ("-C", "--config-dir", "--max-age-days")
GLOBAL_FLAGS = ("-q", "--quiet", "--strict", "--debug", "-V", "--version")


def global_options_first(argv: list[str]) -> list[str]:
    """``argv`` with the global options given after the command moved before it: ``compare -q`` runs as
    ``-q compare``. No command has an option of the same name (tests/test_conventions.py), and nothing
    after ``--`` moves.

    >>> global_options_first(["compare", "a", "-q", "--max-age-days", "30", "-f", "json"])
    ['-q', '--max-age-days', '30', 'compare', 'a', '-f', 'json']
    >>> global_options_first(["-C", "dir", "profiles", "list", "--strict", "--", "-q"])
    ['-C', 'dir', '--strict', 'profiles', 'list', '--', '-q']
    """
    i, n = 0, len(argv)
    while i < n and argv[i].startswith("-") and argv[i] != "--":  # the global options already in front
        i += 2 if argv[i] in GLOBAL_OPTIONS_WITH_VALUE else 1
    if i >= n or argv[i] == "--":
        return list(argv)
    front, rest = list(argv[:i]), []
    args = iter(argv[i:])
    for arg in args:
        if arg == "--":
            rest += [arg, *args]
            break
        if arg in GLOBAL_FLAGS:
            front.append(arg)
        elif arg in GLOBAL_OPTIONS_WITH_VALUE:
            front += [arg, *[v for v in [next(args, None)] if v is not None]]
        elif arg.split("=", 1)[0] in ("--config-dir", "--max-age-days") and "=" in arg:
            front.append(arg)
        else:
            rest.append(arg)
    return front + rest


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
    if any(k.endswith("_COMPLETE") for k in os.environ):  # the shell asks what to complete
        import typer.main

        from compute_cli.cli.completion import install

        command = typer.main.get_command(app)
        install(command)
        command(prog_name="computecost")
        return
    sys.argv[1:] = global_options_first(sys.argv[1:])
    keep_only_the_command(sys.argv[1:])
    from compute_cli.cli import process

    try:
        process.run(app)  # streams, signals and the exit code
    finally:
        # The run is over: spare the interpreter's last garbage collections, which would walk
        # every object of numpy, typer and the run (tens of ms) only to free memory the OS
        # reclaims anyway. Reference counting still frees what it frees; only cyclic garbage
        # is left unfinalized, and computecost writes its files in with-blocks.
        import gc

        gc.freeze()
