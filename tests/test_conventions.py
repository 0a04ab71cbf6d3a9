"""One convention across commands: tables that fit the terminal without cutting ids, ..."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
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


# Every command that prints a result, with arguments that make one (toy profiles where they serve, else shipped).
ROW_COMMANDS = {
    "compare": ("-C", "tests/data/profiles", "compare", "toy-own", "toy-rent", "--model", "toy-dense"),
    "throughput": ("-C", "tests/data/profiles", "throughput", "--hardware", "toy-gpu", "--model", "toy-dense"),
    "frontier": ("frontier", "tinybox-red-v2-oregon"),
    "check": ("-C", "tests/data/profiles", "check", "toy-own", "toy-rent", "--model", "toy-dense",
              "--max-usd-per-gpu-hour", "2.8"),
    "diff": ("diff", "tests/data/diff/base.json", "tests/data/diff/new.json"),
    "invest": ("invest", "tinybox-red-v2-oregon"),
    "rent-or-buy": ("rent-or-buy", "tinybox-red-v2-oregon", "aws-p5-ondemand"),
    "fleet": ("fleet", "--power-mw", "1", "--hardware", "h100-sxm", "--hardware", "rx-9070-xt"),
    "breakeven": ("breakeven", "hyperscaler-hgx-h100-campus", "aws-p5-ondemand", "--vary", "utilization"),
    "sweep": ("-C", "tests/data/profiles", "sweep", "toy-own", "--model", "toy-dense", "--vary", "utilization=0.2:1:3"),
    "sensitivity": ("-C", "tests/data/profiles", "sensitivity", "toy-own", "--model", "toy-dense"),
    "simulate": ("simulate", "tinybox-red-v2-oregon", "--samples", "300"),
    "scenario list": ("scenario", "list"),
    "scenario run": ("scenario", "run", "compute-rich-resale"),
    "profiles list": ("profiles", "list", "hardware"),
    "profiles show": ("profiles", "show", "h100-sxm"),
    "prices stale": ("prices", "stale", "--max-age-days", "0"),
}


def test_every_command_that_prints_a_result_is_listed_here():
    import typer.main

    from compute_cli.cli import app

    def walk(cmd, path=()):
        for name, sub in getattr(cmd, "commands", {}).items():
            yield from walk(sub, (*path, name))
        if any("--format" in p.opts for p in getattr(cmd, "params", [])):
            yield " ".join(path)

    assert set(walk(typer.main.get_command(app))) - {"prices import"} == set(ROW_COMMANDS)


@pytest.mark.parametrize("command", sorted(ROW_COMMANDS))
def test_every_command_takes_the_same_formats_and_prints_the_same_rows_as_csv_and_jsonl(cli, command):
    """table, json, csv, jsonl and markdown everywhere; csv and jsonl are the same rows, one per line."""
    import csv

    args = ("-q", *ROW_COMMANDS[command])
    out = {}
    for fmt in ("table", "json", "csv", "jsonl", "markdown"):
        result = cli(*args, "-f", fmt)
        assert result.exit_code in (0, 4) and result.stderr == "", (fmt, result.stderr)
        assert result.stdout.strip(), fmt
        out[fmt] = result.stdout
    json.loads(out["json"])
    lines = [json.loads(line) for line in out["jsonl"].splitlines()]
    table = list(csv.DictReader(io.StringIO(out["csv"])))
    assert len(table) == len(lines) > 0
    from compute_cli.render.formats import flatten

    for line, row in zip(lines, table, strict=True):
        flat = flatten(line)
        for key, value in flat.items():  # every value of a line is in its CSV row, spelt as CSV spells it
            if isinstance(value, float):
                assert float(row[key]) == pytest.approx(value, rel=1e-12), key
            elif value is None:
                assert row[key] == "", key
            elif isinstance(value, bool):
                assert row[key] == ("true" if value else "false"), key
            elif not isinstance(value, list):
                assert row[key] == str(value), key
    assert out["markdown"] != out["table"]  # a Markdown table, or the scenario's answer as a Markdown section


def _leaf_options():
    import typer.main

    from compute_cli.cli import app

    def walk(cmd, path=()):
        for name, sub in getattr(cmd, "commands", {}).items():
            yield from walk(sub, (*path, name))
        if not getattr(cmd, "commands", None):
            for p in getattr(cmd, "params", []):
                yield " ".join(path), p

    return list(walk(typer.main.get_command(app)))


def test_an_option_has_the_same_short_form_in_every_command():
    seen: dict[str, dict] = {}
    for command, p in _leaf_options():
        for name in (o for o in p.opts if o.startswith("--")):
            seen.setdefault(name, {})[command] = sorted(o for o in p.opts if not o.startswith("--"))
    mixed = {name: by for name, by in seen.items() if len({tuple(v) for v in by.values()}) > 1}
    assert not mixed


def test_no_command_has_an_option_named_like_a_global_one():
    """So that a global option after the command can be moved before it (cli.global_options_first)."""
    from compute_cli.cli import GLOBAL_FLAGS, GLOBAL_OPTIONS_WITH_VALUE

    clashes = [(c, o) for c, p in _leaf_options() for o in (*p.opts, *p.secondary_opts)
               if o in GLOBAL_FLAGS + GLOBAL_OPTIONS_WITH_VALUE]
    # prices stale's --max-age-days defaults to the global one and means the same: moved, it changes nothing
    assert clashes == [("prices stale", "--max-age-days")]


@pytest.mark.parametrize("args", [("compare", "-q", "--strict"), ("compare", "--strict", "--", "-q")])
def test_global_options_after_the_command_act_as_before_it(args):
    """`compare --strict` fails on stale prices as `--strict compare` does; nothing after `--` moves."""
    exe = Path(sys.executable).parent / "computecost"
    after = subprocess.run([str(exe), "-C", "tests/data/profiles", *args], capture_output=True, text=True, cwd=ROOT,
                           timeout=60, env={**os.environ, "COMPUTECOST_TODAY": "2030-01-01"})
    if "--" in args:
        assert after.returncode == 3 and "no setup profile '-q'" in after.stderr  # a setup id, not the option
    else:
        before = subprocess.run([str(exe), "-C", "tests/data/profiles", "-q", "--strict", "compare"],
                                capture_output=True, text=True, cwd=ROOT, timeout=60,
                                env={**os.environ, "COMPUTECOST_TODAY": "2030-01-01"})
        assert after.returncode == before.returncode == 3 and after.stderr == before.stderr


def test_every_command_has_examples_that_run(cli, tmp_path, monkeypatch):
    """Each command's --help ends with examples; each one runs on the shipped profiles (exit 0, or 4 for a gate)."""
    import shlex

    from compute_cli.cli.examples import EXAMPLES, NEEDS_A_FILE

    commands = {c for c, _ in _leaf_options()}
    assert set(EXAMPLES) == commands
    monkeypatch.chdir(tmp_path)  # report writes report.html here
    for command, lines in EXAMPLES.items():
        help_text = cli(*command.split(), "--help").stdout
        assert "Examples:" in help_text and all(line in help_text for line in lines), command
        for line in lines:
            assert len(line) <= 76, line  # under 80 columns with its indent
            if command not in NEEDS_A_FILE:
                result = cli("-q", *shlex.split(line)[1:])
                assert result.exit_code in (0, 4), (line, result.stderr)


def _on_a_terminal(args, columns: int = 80) -> str:
    """What ``computecost ARGS`` shows on a terminal ``columns`` wide (a real pseudo-terminal), escapes removed."""
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {**os.environ, "COLUMNS": str(columns), "LINES": "50"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen([str(Path(sys.executable).parent / "computecost"), "-q", *args], stdout=slave,
                            stderr=subprocess.DEVNULL, env=env, cwd=ROOT, close_fds=True)
    os.close(slave)
    out = b""
    while True:
        try:
            data = os.read(master, 1 << 16)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        out += data
    os.close(master)
    assert proc.wait(timeout=120) in (0, 4)
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out.decode()).replace("\r", "")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a Linux pseudo-terminal")
@pytest.mark.parametrize("command", sorted(ROW_COMMANDS))
def test_every_command_fits_an_80_column_terminal_and_cuts_nothing(command):
    text = _on_a_terminal(ROW_COMMANDS[command])
    assert text.strip()
    long = [line for line in text.splitlines() if len(line) > 80]
    assert not long and "…" not in text, long[:3]


def test_compare_transposed_shows_the_same_cells_a_row_per_setup(cli):
    plain = cli("-q", "compare", "-f", "markdown").stdout
    across = cli("-q", "compare", "--transpose", "-f", "markdown").stdout
    ids = [s["id"] for s in compare.run(Catalog(environ={}), [], None)["setups"]]
    body = [line for line in across.splitlines() if line.startswith("| ") and not line.startswith("| setup")]
    assert [line.split(" | ")[0][2:] for line in body] == ids  # a row per setup, in order

    def cells(text):
        return sorted(c.strip() for line in text.splitlines() if line.startswith("| ") for c in line.split("|")[1:-1])

    assert cells(plain) == sorted("metric" if c == "setup" else c for c in cells(across))  # the same cells, turned


def test_runtime_moves_every_command_that_takes_it(cli):
    """--runtime serves every setup of the run with that engine's figures: the answer moves wherever it is taken."""
    takes = {c for c, p in _leaf_options() if "--runtime" in p.opts}
    assert takes == {"compare", "frontier", "throughput", "check", "invest", "sweep", "fleet", "sensitivity",
                     "simulate"}
    for command in sorted(takes):
        args = ("-q", *ROW_COMMANDS[command], "-f", "json")
        base, other = cli(*args).stdout, cli(*args, "--runtime", "llama.cpp").stdout
        assert json.loads(base) != json.loads(other), command
