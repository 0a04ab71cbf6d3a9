"""One convention across commands: tables that fit the terminal without cutting ids, ..."""

from __future__ import annotations

import io
import re

import pytest

from compute_cli.analysis import compare
from compute_cli.profiles.catalog import Catalog
from compute_cli.render import compare as render_compare

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize("columns", [80, 100, 200])
def test_a_terminal_table_fits_its_width_and_cuts_no_id(monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.setenv("NO_COLOR", "1")
    result = compare.run(Catalog(environ={}), [], None)
    out = Terminal()
    render_compare.render(result, "table", out)
    text = ANSI.sub("", out.getvalue())
    assert max(len(line) for line in text.splitlines()) <= columns
    for s in result["setups"]:
        assert s["id"] in text, s["id"]  # whole, never 'aws-p5…'
    assert "…" not in text
    # every number of the plain table is shown too
    plain = io.StringIO()
    render_compare.render(result, "table", plain)
    for token in ("$6.88", "$0.203", "65.3B"):  # the default comparison at its chat operating points
        assert token in plain.getvalue() and token in text
