"""One convention across commands: tables that fit the terminal without cutting ids, ..."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from compute_cli.analysis import compare
from compute_cli.profiles.catalog import Catalog
from compute_cli.render import compare as render_compare

ROOT = Path(__file__).resolve().parent.parent

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
    number = re.compile(r"\$?-?[\d,]+(?:\.\d+)?[BMK%]?")
    shown = sorted(number.findall(ANSI.sub("", plain.getvalue())))
    assert len(shown) > 100 and sorted(number.findall(text)) == shown


def test_the_kinds_named_in_help_are_the_profile_kinds():
    from compute_cli.cli.common import KIND_NAMES
    from compute_cli.profiles.schema import KINDS

    assert KIND_NAMES == tuple(KINDS)


def test_a_standalone_file_validates_with_its_kind_as_compare_reads_it(cli, tmp_path):
    text = (ROOT / "configs" / "setups" / "aws-p5-ondemand.yaml").read_text().replace("id: aws-p5-ondemand", "id: mine")
    (tmp_path / "mine.yaml").write_text(text)
    assert cli("profiles", "validate", "--kind", "setups", tmp_path / "mine.yaml").exit_code == 0
    assert cli("-q", "compare", tmp_path / "mine.yaml").exit_code == 0
    alone = cli("profiles", "validate", tmp_path / "mine.yaml")
    assert alone.exit_code == 3 and "--kind setups" in alone.stderr


@pytest.mark.parametrize("words, cword, expected", [
    ("computecost compare aws", 2, ["aws-p5-ondemand"]),
    ("computecost compare --model llama-3.1-", 3, ["llama-3.1-405b", "llama-3.1-70b", "llama-3.1-8b"]),
    ("computecost throughput --precision f", 3, ["fp8"]),
    ("computecost fleet --power-mw 1 --rank-by tokens_per_", 5, ["tokens_per_day", "tokens_per_joule"]),
    ("computecost frontier --workload mlperf-llama2-70b-i", 3, ["mlperf-llama2-70b-interactive"]),
    ("computecost profiles show h100-s", 3, ["h100-sxm"]),
    ("computecost profiles list w", 3, ["workloads"]),
])
def test_the_shell_completes_ids_and_choices(words, cword, expected):
    import os
    import subprocess
    import sys

    env = {**os.environ, "_COMPUTECOST_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(cword)}
    env.pop("COMPUTECOST_PATH", None)
    exe = Path(sys.executable).parent / "computecost"
    out = subprocess.run([str(exe)], env=env, capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert out.stdout.split() == expected, out.stderr


def test_csv_columns_come_from_the_schema_not_the_data(cli):
    """A note on one setup used to add a column (42 vs 43): the header is the schema's, whatever the rows."""
    with_note = cli("-q", "compare", "aws-p5-ondemand", "--model", "llama-3.1-405b", "--set", "accelerator.memory_gb=1",
                    "-f", "csv").stdout.splitlines()[0]
    plain = cli("-q", "compare", "aws-p5-ondemand", "-f", "csv").stdout.splitlines()[0]
    assert with_note == plain and plain.split(",")[-2:] == ["note", "model"]
