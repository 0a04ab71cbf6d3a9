"""``computecost scenario list | run``: the shipped questions and their answers."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from compute_cli.cli.common import FormatOption, app, catalog, check_format, check_staleness, group, handle_errors

scenario_app = group(help="Shipped scenarios: a question each, answered with numbers and sources.")
app.add_typer(scenario_app, name="scenario")


@scenario_app.command("list")
@handle_errors
def scenario_list(fmt: FormatOption = None):
    """List the shipped scenarios and the question each answers."""
    from compute_cli.analysis import scenario
    from compute_cli.render import scenario as render_scenario

    fmt = check_format(fmt)
    render_scenario.render_listing(scenario.listing(catalog()), fmt, sys.stdout)


@scenario_app.command("run")
@handle_errors
def scenario_run(
    name: Annotated[str, typer.Argument(help="Scenario id (see 'computecost scenario list').")],
    fmt: FormatOption = None,
):
    """Run a scenario: its commands, then the answer in a sentence with the numbers behind it."""
    from compute_cli.analysis import scenario
    from compute_cli.render import scenario as render_scenario

    fmt = check_format(fmt)
    cat = catalog()
    result = scenario.run(cat, name)
    check_staleness(cat)  # the figures its steps read, as every other command
    render_scenario.render_run(result, fmt, sys.stdout)
