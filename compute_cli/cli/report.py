"""``computecost report``: one self-contained HTML page to share."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from compute_cli.cli.common import SetOption, app, catalog, check_staleness, handle_errors, parse_sets, setup_arguments, state

DEFAULT_OUTPUT = "report.html"


def check_output(output: str) -> Path | None:
    """The file to write (None: stdout), refused before any work when it cannot be written."""
    from compute_cli.errors import UsageError

    if output == "-":
        if getattr(sys.stdout, "isatty", lambda: False)():
            raise UsageError("--output -: stdout is a terminal; redirect it (> report.html) or give a file name")
        return None
    path = Path(output)
    if path.is_dir():
        raise UsageError(f"--output {output}: is a directory; give a file name, e.g. {path / DEFAULT_OUTPUT}")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"--output {output}: no such directory '{folder}'")
    return path


def _command_line(setups, model, sets) -> str:
    """The command that makes the same page, for its footer."""
    import shlex

    words = ["computecost"] + [w for d in state.config_dirs for w in ("-C", str(d))] + ["report", *(setups or [])]
    if model:
        words += ["--model", model]
    for a in sets:
        words += ["--set", a.text]
    return shlex.join(words)


@app.command()
@handle_errors
def report(
    setups: Annotated[Optional[list[str]], typer.Argument(help="Setup ids or setup files (a path, or - for one on "
                      "stdin); default: the shipped default comparison.")] = None,
    model: Annotated[Optional[str], typer.Option("--model", "-m", help="Model id to serve (default: the model "
                                                 "the setups declare, else llama-3.1-70b).")] = None,
    set_: SetOption = None,
    output: Annotated[str, typer.Option("--output", "-o", metavar="FILE", help="Where to write the page "
                      f"(default: {DEFAULT_OUTPUT} in the working directory); replaced only when the run succeeds. "
                      "'-' writes to stdout, which must then be a pipe or a file.")] = DEFAULT_OUTPUT,
):
    """A self-contained HTML report to share: comparison, cost breakdown, tornado, investment and every source.

    One file with its styles and charts inline: it fetches nothing, and reads the same
    on a phone, a laptop and paper. Example: computecost report tinybox-red-v2-oregon aws-p5-ondemand -o tiny.html
    """
    from compute_cli.analysis import report as report_mod
    from compute_cli.render import report as render_report
    from compute_cli.render.output import atomic_output

    path = check_output(output)
    cat, sets = catalog(), parse_sets(set_)
    data = report_mod.gather(cat, setup_arguments(cat, setups), model, sets, max_age_days=state.max_age_days)
    check_staleness(cat)
    page = render_report.render(data, command=_command_line(setups, model, sets))
    if path is None:
        sys.stdout.write(page)
        return
    with atomic_output(path) as fh:
        fh.write(page)
    if not state.quiet:
        setups, figures = len(data["setups"]), len(data["sections"]["sources"]["figures"])
        typer.echo(f"wrote {output}: {setups} setup{'s' if setups != 1 else ''}, {figures} figures with their sources",
                   err=True)
