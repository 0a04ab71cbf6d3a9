"""Issue 16, items 3 and 8: NaN, infinities and non-numbers never pass a gate or reach the engine.

Every numeric option is a finite number within its bounds (cli/numbers.py), or exit 2 with one
line; ``diff`` reads strict JSON, and a watched metric that stops being a number is a breach.
"""

from __future__ import annotations

import copy
import json

import pytest

from compute_cli.cli.numbers import parse_number, within
from compute_cli.errors import ExitCode

from .conftest import REPO

TOY = ("-C", "tests/data/profiles")
BASE = REPO / "tests" / "data" / "diff" / "base.json"
WATCHED = "cost_usd_per_million_output_tokens"


def _one_line(result) -> bool:
    return result.stderr.count("\n") == 1 and result.stderr.startswith("error: ") and "Traceback" not in result.stderr


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "1e999", "", "x", "0x10", "1" * 5000])
@pytest.mark.parametrize("args", [
    ("check", "--max-usd-per-million-output-tokens"),
    ("check", "--max-usd-per-gpu-hour"),
    ("check", "--min-tokens-per-joule"),
    ("invest", "toy-own", "--years"),
    ("invest", "toy-own", "--token-price-decline-per-year"),
    ("invest", "toy-own", "--sell-price-usd-per-million-tokens"),
    ("invest", "toy-own", "--price-scale"),
    ("invest", "toy-own", "--rent-out-usd-per-gpu-hour"),
    ("fleet", "--power-mw"),
    ("fleet", "--power-mw", "1", "--utilization"),
    ("fleet", "--power-mw", "1", "--batch"),
    ("sensitivity", "toy-own", "--swing"),
    ("throughput", "--model", "toy-dense", "--hardware", "toy-gpu", "--batch"),
    ("throughput", "--model", "toy-dense", "--hardware", "toy-gpu", "--context"),
    ("throughput", "--model", "toy-dense", "--hardware", "toy-gpu", "--gpus"),
    ("breakeven", "toy-own", "toy-rent", "--vary", "utilization", "--range"),
])
def test_non_numbers_in_numeric_options_are_usage_errors(cli, args, value):
    if args[-1] == "--range":
        value = f"0:{value}"
    result = cli(*TOY, *args, value)
    assert result.exit_code == ExitCode.USAGE, (result.exit_code, result.stderr)
    assert _one_line(result) and result.stdout == ""


def test_a_nan_limit_never_passes_a_gate(cli):
    """The issue's case: `check --max-usd-per-million-output-tokens nan` printed ok and exited 0."""
    result = cli("-q", "check", "--max-usd-per-million-output-tokens", "nan")
    assert result.exit_code == ExitCode.USAGE and "expected a finite number" in result.stderr


def test_the_library_checks_refuse_nan_too(toy_catalog):
    from compute_cli.analysis import economics
    from compute_cli.errors import UsageError

    with pytest.raises(UsageError, match="--years"):
        economics.invest(toy_catalog, "toy-own", model_id="toy-dense", years=float("nan"))
    with pytest.raises(UsageError, match="--power-mw"):
        economics.fleet(toy_catalog, float("inf"), model_id="toy-dense")
    with pytest.raises(UsageError, match="--sell-price"):
        economics.invest(toy_catalog, "toy-own", model_id="toy-dense", sell_price_usd_per_million_tokens=float("nan"))


def test_parse_number():
    assert parse_number("1e3", ge=0) == 1000.0 and parse_number("7", integer=True) == 7
    for bad in ("nan", "inf", "1.5", "1e999"):
        with pytest.raises(ValueError):
            parse_number(bad, integer=bad == "1.5")
    assert not within(float("nan"), ge=0) and not within(float("nan"), le=0)


@pytest.mark.parametrize("command", ["breakeven", "rent-or-buy"])
def test_the_same_setup_twice_is_a_usage_error(cli, command):
    extra = ("--vary", "utilization") if command == "breakeven" else ()
    result = cli(*TOY, command, "toy-own", "toy-own", "--model", "toy-dense", *extra)
    assert result.exit_code == ExitCode.USAGE and _one_line(result) and "given twice" in result.stderr


# ------------------------------------------------------------------------- diff
def _diff(cli, tmp_path, new, *extra):
    path = tmp_path / "new.json"
    path.write_text(new if isinstance(new, str) else json.dumps(new))
    return cli("diff", BASE, path, *extra)


def _base():
    return json.loads(BASE.read_text())


@pytest.mark.parametrize("value", ["a string", True, False, None])
def test_a_watched_metric_that_stops_being_a_number_is_a_breach(cli, tmp_path, value):
    new = _base()
    new["setups"][0][WATCHED] = value
    result = _diff(cli, tmp_path, new, "--fail-on-increase", "5%")
    assert result.exit_code == ExitCode.THRESHOLD, result.stdout + result.stderr
    assert f"breach: {new['setups'][0]['id']}: {WATCHED} was" in result.stdout


def test_a_watched_metric_that_disappears_is_a_breach(cli, tmp_path):
    new = _base()
    del new["setups"][0][WATCHED]
    result = _diff(cli, tmp_path, new, "--fail-on-increase", "5%")
    assert result.exit_code == ExitCode.THRESHOLD and "can no longer be computed" in result.stdout


def test_the_same_file_passes(cli, tmp_path):
    result = _diff(cli, tmp_path, _base(), "--fail-on-increase", "5%")
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("setups", [[], "others"])
def test_a_gate_that_compared_nothing_is_an_error(cli, tmp_path, setups):
    new = _base()
    if setups == "others":
        for row in new["setups"]:
            row["id"] += "-renamed"
    else:
        new["setups"] = []
    result = _diff(cli, tmp_path, new, "--fail-on-increase", "5%")
    assert result.exit_code == ExitCode.INVALID_INPUT and _one_line(result) and "nothing was compared" in result.stderr
    assert _diff(cli, tmp_path, new).exit_code == 0  # without a gate it is a report


@pytest.mark.parametrize("spelling, fragment", [
    ("NaN", "NaN is not a JSON number"), ("Infinity", "Infinity is not a JSON number"),
    ("-Infinity", "-Infinity is not a JSON number"), ("1e400", "beyond the range"),
    (str(10**400), "larger than any compare output"), ("9" * 5000, "larger than any compare output"),
])
def test_non_finite_and_huge_numbers_in_json_are_refused(cli, tmp_path, spelling, fragment):
    text = BASE.read_text()
    key = f'"{WATCHED}": '
    start = text.index(key) + len(key)
    end = min(text.index(",", start), text.index("\n", start))
    result = _diff(cli, tmp_path, text[:start] + spelling + text[end:], "--fail-on-increase", "5%", "-f", "json")
    assert result.exit_code == ExitCode.INVALID_INPUT and _one_line(result) and fragment in result.stderr


@pytest.mark.parametrize("opening, closing", [('{"a":', "}"), ("[", "]")])
def test_deep_nesting_in_json_is_refused(cli, tmp_path, opening, closing):
    new = copy.deepcopy(_base())
    deep = opening * 2000 + "1" + closing * 2000
    text = json.dumps(new)[:-1] + ', "deep": ' + deep + "}"
    result = _diff(cli, tmp_path, text)
    assert result.exit_code == ExitCode.INVALID_INPUT and _one_line(result) and "nesting deeper" in result.stderr
