"""Issue 7 guarantees: the same answer every time, and a clear result or error on numerical edge cases."""

import json

import pytest

from compute_cli.errors import ExitCode


def _json(cli, *args):
    result = cli(*args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("args", [
    ("compare",),
    ("compare", "--model", "llama-3.1-8b", "--set", "site.electricity_usd_per_kwh=0.03"),
    ("throughput", "--hardware", "h200", "--model", "deepseek-v3", "--precision", "fp8", "--gpus", "8"),
    ("invest", "tinybox-red-v2-oregon"),
    ("fleet", "--power-mw", "5", "--hardware", "h100-sxm", "--hardware", "mi300x"),
    ("simulate", "tinybox-red-v2-oregon", "--samples", "20000", "--seed", "7"),
    ("scenario", "run", "power-constrained"),
])
def test_same_inputs_give_byte_identical_json(cli, args):
    assert _json(cli, *args) == _json(cli, *args)


def _finite(value):
    """Every number in a JSON document is finite (json.loads would give inf/nan for them)."""
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, list):
        return all(_finite(v) for v in value)
    if isinstance(value, float):
        return value == value and abs(value) != float("inf")
    return True


@pytest.mark.parametrize("args", [
    ("compare", "--set", "utilization=0"),
    ("compare", "--set", "finance.cost_of_capital_per_year=0"),
    ("compare", "--set", "finance.economic_life_years=0.25"),
    ("compare", "--set", "batch=100000"),
    ("compare", "--model", "llama-3.1-405b"),
    ("compare", "--set", "site.electricity_usd_per_kwh=0", "--set", "accelerator.price_usd=0"),
    ("throughput", "--hardware", "rtx-4090", "--model", "llama-3.1-8b", "--batch", "100000"),
    ("invest", "hyperscaler-hgx-h100-campus", "--years", "0.5"),
    ("invest", "neocloud-hgx-h100-colo", "--set", "finance.cost_of_capital_per_year=0", "--rent-out-usd-per-gpu-hour", "0"),
    ("fleet", "--power-mw", "0"),
    ("rent-or-buy", "neocloud-hgx-h100-colo", "coreweave-h100-ondemand", "--set", "utilization=0.01"),
])
def test_edge_cases_give_finite_json_or_null(cli, args):
    data = json.loads(_json(cli, *args))
    assert _finite(data)


def test_model_larger_than_the_system_is_a_clear_result_in_compare(cli):
    data = json.loads(_json(cli, "compare", "tinybox-red-v2-oregon", "--model", "llama-3.1-405b"))
    row = data["setups"][0]
    assert row["fits"] is False and row["cost_usd_per_million_output_tokens"] is None
    assert "does not fit" in row["note"]


def test_model_larger_than_the_system_is_a_clear_error_in_throughput(cli):
    result = cli("throughput", "--system", "tinybox-red-v2", "--model", "llama-3.1-405b")
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert "does not fit" in result.stderr and "short by" in result.stderr and result.stdout == ""


def test_zero_power_budget_is_zero_accelerators(cli):
    data = json.loads(_json(cli, "fleet", "--power-mw", "0", "--hardware", "h100-sxm"))
    row = data["rows"][0]
    assert row["accelerators"] == 0 and row["tokens_per_day"] == 0 and row["tokens_per_joule"] is None


def test_internal_error_is_one_line_and_debug_shows_the_traceback(cli, monkeypatch):
    from compute_cli.analysis import compare

    def boom(*args, **kwargs):
        raise ZeroDivisionError("synthetic")

    monkeypatch.setattr(compare, "run", boom)
    result = cli("compare")
    assert result.exit_code == ExitCode.INTERNAL
    assert result.stderr.count("\n") == 1 and "bug" in result.stderr and "--debug" in result.stderr
    debug = cli("--debug", "compare")
    assert debug.exit_code != 0 and isinstance(debug.exception, ZeroDivisionError)


def test_failed_run_leaves_an_existing_output_file_untouched(cli, tmp_path):
    target = tmp_path / "results.csv"
    target.write_text("precious\n")
    result = cli("sweep", "tinybox-red-v2-oregon", "--vary", "site.pue=0.5:1.5:3", "--output", target)
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert target.read_text() == "precious\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.csv"]
