"""``computecost sensitivity``: a tornado whose signs match known directions, with clipping said out loud."""

from __future__ import annotations

import csv
import io
import json

import pytest

from compute_cli.analysis import compare, sensitivity
from compute_cli.errors import ExitCode, UsageError
from compute_cli.profiles.catalog import Catalog
from compute_cli.profiles.overrides import parse_assignment

TOY = ("-C", "tests/data/extra", "-C", "tests/data/profiles")
EXPLORE = ("-C", "tests/data/explore", "-C", "tests/data/profiles")


def by_name(result) -> dict:
    return {p["parameter"]: p for p in result["parameters"]}


def test_dearer_power_raises_cost_and_higher_utilization_lowers_it(wide_catalog):
    rows = by_name(sensitivity.run(wide_catalog, "toy-own", "toy-dense"))
    power = rows["site.electricity_usd_per_kwh"]
    assert power["low_value"] == pytest.approx(0.08) and power["high_value"] == pytest.approx(0.12)
    assert power["metric_at_high"] > power["metric_at_low"]
    util = rows["utilization"]
    assert util["metric_at_high"] < util["metric_at_low"]
    for key in ("accelerator.price_usd", "site.pue", "staff_usd_per_year", "site.colocation_usd_per_kw_month"):
        assert rows[key]["metric_at_high"] > rows[key]["metric_at_low"], key
    assert rows["accelerator.memory_bandwidth_tb_per_s"]["metric_at_high"] < \
        rows["accelerator.memory_bandwidth_tb_per_s"]["metric_at_low"]


def test_each_end_equals_compare_with_set(wide_catalog):
    result = sensitivity.run(wide_catalog, "toy-own", "toy-dense", metric="cost_usd_per_gpu_hour")
    row = by_name(result)["site.electricity_usd_per_kwh"]
    for side in ("low", "high"):
        sets = [parse_assignment(f"site.electricity_usd_per_kwh={row[side + '_value']!r}")]
        want = compare.run(wide_catalog, ["toy-own"], "toy-dense", sets)["setups"][0]["cost_usd_per_gpu_hour"]
        assert row[f"metric_at_{side}"] == want


def test_rows_sorted_by_effect_and_unused_keys_listed_apart(wide_catalog):
    result = sensitivity.run(wide_catalog, "toy-own", "toy-dense")
    effects = [abs(p["metric_at_high"] - p["metric_at_low"]) for p in result["parameters"]]
    assert effects == sorted(effects, reverse=True)
    assert result["metric_at_base"] > 0
    skipped = {s["parameter"]: s["reason"] for s in result["not_swung"]}
    assert skipped["accelerator.launch_year"] == "not used by the engine for this setup"
    assert "zero" in skipped["finance.residual_value_fraction"]
    assert "accelerator.launch_year" not in by_name(result)


def test_fractions_and_pue_are_clipped_and_the_clip_is_reported(wide_catalog):
    rows = by_name(sensitivity.run(wide_catalog, "toy-rent", "toy-dense"))  # utilization 1.0
    util = rows["utilization"]
    assert util["high_value"] == 1.0 and util["low_value"] == pytest.approx(0.8)
    assert "high clipped to 1 (>= 0 and <= 1)" in util["clipped"]
    rows = by_name(sensitivity.run(wide_catalog, "toy-own", "toy-dense", swing=0.5))  # pue 1.25
    pue = rows["site.pue"]
    assert pue["low_value"] == 1.0 and "low clipped to 1" in pue["clipped"]
    assert pue["high_value"] == pytest.approx(1.875)
    assert rows["staff_usd_per_year"]["clipped"] is None
    assert rows["batch"]["low_value"] == 1 and "low clipped to 1" in rows["batch"]["clipped"]  # batch 1: 0.5 -> 1


def test_declared_ranges_replace_the_swing(cli):
    cat = Catalog(["tests/data/explore", "tests/data/profiles"], environ={})
    rows = by_name(sensitivity.run(cat, "toy-own-uncertain", "toy-dense"))
    power = rows["site.electricity_usd_per_kwh"]
    assert (power["low_value"], power["high_value"], power["range"]) == (0.05, 0.15, "distribution")
    util = rows["utilization"]  # normal(0.5, 0.3): p5..p95 = 0.5 -/+ 1.645 x 0.3
    assert util["range"] == "distribution"
    assert (util["low_value"], util["high_value"]) == pytest.approx((0.00654391, 0.993456))
    plain = by_name(sensitivity.run(cat, "toy-own-uncertain", "toy-dense", use_declared=False))
    assert plain["site.electricity_usd_per_kwh"]["range"] == "swing"
    fixed = by_name(sensitivity.run(cat, "toy-own-uncertain", "toy-dense",
                                    [parse_assignment("site.electricity_usd_per_kwh=0.2")]))
    assert fixed["site.electricity_usd_per_kwh"]["range"] == "swing"
    assert fixed["site.electricity_usd_per_kwh"]["high_value"] == pytest.approx(0.24)


@pytest.mark.parametrize("kwargs, fragment", [
    ({"swing": 1.5}, "--swing 1.5"),
    ({"swing": 0.0}, "--swing 0"),
    ({"metric": "cost_per_token"}, "not an output of the engine"),
])
def test_bad_options(wide_catalog, kwargs, fragment):
    with pytest.raises(UsageError, match=fragment):
        sensitivity.run(wide_catalog, "toy-own", "toy-dense", **kwargs)


# ----------------------------------------------------------------------- CLI
def test_cli_table_with_tornado(cli):
    result = cli(*TOY, "sensitivity", "toy-own", "--model", "toy-dense")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    out = result.stdout
    assert out.startswith("sensitivity of cost_usd_per_million_output_tokens: toy-own, toy-dense; base ")
    assert "░ input lowered   █ input raised" in out
    assert "not swung" in out


def test_cli_json_rows_carry_the_issue_keys(cli):
    result = cli(*TOY, "sensitivity", "toy-own", "--model", "toy-dense", "--metric", "cost_usd_per_gpu_hour",
                 "--swing", "0.1", "-f", "json")
    data = json.loads(result.stdout)
    assert data["metric"] == "cost_usd_per_gpu_hour" and data["swing"] == 0.1
    for row in data["parameters"]:
        assert {"parameter", "low_value", "high_value", "metric_at_low", "metric_at_high"} <= set(row)


def test_cli_csv_and_markdown(cli):
    rows = list(csv.DictReader(io.StringIO(cli(*TOY, "sensitivity", "toy-own", "--model", "toy-dense",
                                               "-f", "csv").stdout)))
    assert rows and rows[0]["setup"] == "toy-own" and "metric_at_high" in rows[0]
    md = cli(*TOY, "sensitivity", "toy-own", "--model", "toy-dense", "-f", "markdown").stdout
    assert md.startswith("**sensitivity of") and "| parameter |" in md


def test_cli_errors_and_plot(cli, tmp_path):
    bad = cli(*TOY, "sensitivity", "toy-own", "--model", "toy-dense", "--swing", "2")
    assert bad.exit_code == ExitCode.USAGE and "'--swing': '2'" in bad.stderr and bad.stdout == ""
    missing = cli(*TOY, "sensitivity", "nope")
    assert missing.exit_code == ExitCode.INVALID_INPUT and "no setup profile 'nope'" in missing.stderr
    pytest.importorskip("matplotlib")
    ok = cli(*TOY, "sensitivity", "toy-own", "--model", "toy-dense", "-f", "json", "--plot", tmp_path / "t.svg")
    assert ok.exit_code == 0, ok.stderr
    assert b"<svg" in (tmp_path / "t.svg").read_bytes()[:1000]
