"""``computecost simulate``: percentiles converge to analytic values; seeds reproduce; distributions are checked."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from compute_cli import pipeline
from compute_cli.analysis import simulate
from compute_cli.errors import ExitCode, InputError, UsageError
from compute_cli.profiles.catalog import Catalog
from compute_cli.profiles.distributions import parse_spec
from compute_cli.profiles.overrides import parse_assignment
from compute_cli.profiles.yamlio import parse

TOY = ("-C", "tests/data/extra", "-C", "tests/data/profiles")
EXPLORE = ("-C", "tests/data/explore", "-C", "tests/data/profiles")
POWER = ("site.electricity_usd_per_kwh", parse_spec("uniform:0.05:0.15"))


@pytest.fixture(scope="module")
def explore_catalog():
    return Catalog(["tests/data/explore", "tests/data/profiles"], environ={})


def test_percentiles_converge_to_the_analytic_values_of_a_linear_metric(wide_catalog):
    """The energy line item is (avg W / 1000 x PUE) x price: uniform price -> uniform energy cost,
    whose q-quantile is E x (0.05 + 0.1 q) and whose mean is E x 0.1."""
    y = pipeline.evaluate(wide_catalog, ["toy-own"], "toy-dense", [parse_assignment("site.electricity_usd_per_kwh=1")]).y
    e = float(y["energy_usd_per_gpu_hour"][0])  # USD/h per USD/kWh
    result = simulate.run(wide_catalog, "toy-own", "toy-dense", cli_dists=[POWER], samples=200_000, seed=7,
                          metrics=("energy_usd_per_gpu_hour", "cost_usd_per_gpu_hour"))
    s = result["metrics"]["energy_usd_per_gpu_hour"]
    for key, q in (("p5", 0.05), ("p50", 0.5), ("p95", 0.95)):
        assert s[key] == pytest.approx(e * (0.05 + 0.1 * q), rel=5e-3), key
    assert s["mean"] == pytest.approx(e * 0.1, rel=2e-3)
    assert s["not_computed"] == 0
    # everything else is fixed, so the total moves one for one with the energy item
    t = result["metrics"]["cost_usd_per_gpu_hour"]
    # (each percentile is rounded to 6 significant digits: ~1e-5 USD on a ~2.6 USD total)
    assert t["p95"] - t["p5"] == pytest.approx(s["p95"] - s["p5"], abs=2e-5)


def test_same_seed_same_answer_whatever_the_chunk_size(wide_catalog):
    run = {"cli_dists": [POWER, ("utilization", parse_spec("triangular:0.3:0.5:0.9"))], "samples": 5_000}
    a = simulate.run(wide_catalog, "toy-own", "toy-dense", seed=3, **run)
    b = simulate.run(wide_catalog, "toy-own", "toy-dense", seed=3, chunk=777, **run)
    c = simulate.run(wide_catalog, "toy-own", "toy-dense", seed=4, **run)
    assert a == b
    assert a["metrics"] != c["metrics"]


def test_adding_an_uncertain_key_keeps_the_draws_of_the_others():
    rng_a, rng_b = simulate.stream(1, "utilization"), simulate.stream(1, "utilization")
    assert np.array_equal(rng_a.random(10), rng_b.random(10))
    assert not np.array_equal(simulate.stream(1, "utilization").random(10), simulate.stream(1, "site.pue").random(10))


def test_distributions_declared_in_yaml_are_used(explore_catalog):
    result = simulate.run(explore_catalog, "toy-own-uncertain", "toy-dense", samples=20_000, seed=1)
    inputs = {u["parameter"]: u for u in result["inputs"]}
    assert set(inputs) == {"site.electricity_usd_per_kwh", "site.pue", "utilization"}
    assert inputs["site.pue"]["distribution"] == {"triangular": {"low": 1.1, "mode": 1.25, "high": 1.6}}
    assert inputs["site.electricity_usd_per_kwh"]["declared_in"] == "tests/data/explore/sites/toy-site-uncertain.yaml:7"
    # normal(0.5, 0.3) leaves 0..1 about 10 % of the time: clipped to the bound and counted
    util = inputs["utilization"]
    assert 1_000 < util["clipped_samples"] < 3_000
    s = result["metrics"]["cost_usd_per_million_output_tokens"]
    assert s["not_computed"] > 0  # utilization clipped to 0 gives no cost per token
    assert s["p5"] < s["p50"] < s["p95"]


def test_set_fixes_a_value_and_dist_adds_or_replaces(explore_catalog):
    result = simulate.run(explore_catalog, "toy-own-uncertain", "toy-dense", samples=1_000, seed=1,
                          assignments=[parse_assignment("site.electricity_usd_per_kwh=0.2")],
                          cli_dists=[("site.pue", parse_spec("uniform:1.2:1.3")),
                                     ("accelerator.price_usd", parse_spec("lognormal:20000:0.2"))])
    inputs = {u["parameter"]: u for u in result["inputs"]}
    assert "site.electricity_usd_per_kwh" not in inputs
    assert inputs["site.pue"] == {**inputs["site.pue"], "distribution": {"uniform": {"low": 1.2, "high": 1.3}},
                                  "declared_in": "--dist"}
    assert inputs["accelerator.price_usd"]["inputs_moved"] == ["price_usd"]


def test_lognormal_is_parameterised_by_the_mean_of_the_value():
    d = parse_spec("lognormal:50:0.5")
    v = simulate.draw(d, np.random.default_rng(0), 400_000)
    assert v.mean() == pytest.approx(50, rel=5e-3)
    assert np.median(v) == pytest.approx(50 * np.exp(-0.125), rel=5e-3)
    assert simulate.quantile(d, 0.5) == pytest.approx(50 * np.exp(-0.125))


def test_triangular_quantile_matches_draws():
    d = parse_spec("triangular:1:2:5")
    v = simulate.draw(d, np.random.default_rng(0), 200_000)
    for q in (0.05, 0.3, 0.9):
        assert np.quantile(v, q) == pytest.approx(simulate.quantile(d, q), rel=5e-3)


def test_keys_whose_inputs_multiply_are_refused(wide_catalog):
    # KV bytes per token = 2 x kv_heads x head_dim x bytes x layers: a product, not a sum
    with pytest.raises(InputError, match="not their sum"):
        simulate.run(wide_catalog, "toy-own", "toy-dense", samples=10,
                     cli_dists=[("model.kv_heads", parse_spec("uniform:4:16")),
                                ("model.layers", parse_spec("uniform:30:50"))])


def test_keys_that_add_up_are_accepted(wide_catalog):
    result = simulate.run(wide_catalog, "toy-own", "toy-dense", samples=10, cli_dists=[
        ("finance.insurance_fraction_per_year", parse_spec("uniform:0:0.02")),
        ("finance.property_tax_fraction_per_year", parse_spec("uniform:0:0.02"))])
    assert len(result["inputs"]) == 2


def test_a_kinked_input_is_refused(wide_catalog):
    # sliding-window layers count only when the window is > 0: the KV bytes per token jump at 0
    with pytest.raises(InputError, match="not a straight line"):
        simulate.run(wide_catalog, "toy-own", "toy-dense", [parse_assignment("model.sliding_window_layers=2")],
                     samples=10, cli_dists=[("model.sliding_window", parse_spec("uniform:0:64"))])


def test_no_distributions_is_an_input_error(wide_catalog):
    with pytest.raises(InputError, match="no uncertain figures"):
        simulate.run(wide_catalog, "toy-own", "toy-dense", samples=10)


@pytest.mark.parametrize("spec, fragment", [
    ("triangle:1:2:3", "did you mean 'triangular'"),
    ("uniform:1", "uniform takes 2 numbers"),
    ("uniform:2:1", "greater than low"),
    ("normal:1:0", "sd must be > 0"),
    ("lognormal:-1:0.2", "mean must be > 0"),
    ("uniform:a:b", "must be numbers"),
])
def test_bad_dist_specs(spec, fragment):
    with pytest.raises(UsageError, match=fragment):
        parse_spec(spec)


@pytest.mark.parametrize("dist, fragment, line", [
    ("{uniform: {low: 0.2, high: 0.3}}", "value 0.1 lies outside [low, high]", 3),
    ("{uniform: {low: 0.05, high: 0.3, mode: 0.1}}", "unknown parameter", 3),
    ("{uniform: {low: 0.05, high: yes}}", "must be a finite number", 3),
    ("[0.05, 0.3]", "expected one shape", 3),
    ("{normal: {mean: 0.1, sd: 0.01}, uniform: {low: 0, high: 1}}", "expected one shape", 3),
])
def test_yaml_distribution_errors_name_file_line_and_key(dist, fragment, line):
    text = f"id: s\nelectricity_usd_per_kwh:\n  {{value: 0.1, assumption: x, distribution: {dist}}}\n"
    with pytest.raises(InputError) as err:
        parse(text, "site.yaml")
    assert fragment in str(err.value)
    assert str(err.value).startswith(f"site.yaml:{line}: electricity_usd_per_kwh.distribution")


# ----------------------------------------------------------------------- CLI
def test_cli_json_has_percentiles_per_metric(cli):
    result = cli(*TOY, "simulate", "toy-own", "--model", "toy-dense", "--samples", "2000", "--seed", "1",
                 "--dist", "site.electricity_usd_per_kwh=uniform:0.05:0.15", "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert data["samples"] == 2000 and data["seed"] == 1
    for metric, s in data["metrics"].items():
        assert {"p5", "p50", "p95", "mean"} <= set(s), metric
    assert sum(data["histogram"]["counts"]) + data["histogram"]["below"] + data["histogram"]["above"] == 2000
    again = cli(*TOY, "simulate", "toy-own", "--model", "toy-dense", "--samples", "2000", "--seed", "1",
                "--dist", "site.electricity_usd_per_kwh=uniform:0.05:0.15", "-f", "json")
    assert again.stdout == result.stdout


def test_cli_table_histogram_csv_and_clip_warning(cli):
    args = (*EXPLORE, "simulate", "toy-own-uncertain", "--model", "toy-dense", "--samples", "3000")
    table = cli(*args)
    assert table.exit_code == 0
    assert "Monte Carlo: toy-own-uncertain, toy-dense; 3,000 samples, seed 0" in table.stdout
    assert "cost_usd_per_million_output_tokens: p5 " in table.stdout and "█" in table.stdout
    assert "warning: utilization:" in table.stderr and "clipped" in table.stderr
    rows = list(csv.DictReader(io.StringIO(cli(*args, "-f", "csv").stdout)))
    assert rows[0].keys() >= {"metric", "p5", "p50", "p95", "mean"}


@pytest.mark.parametrize("args, code, fragment", [
    (("--dist", "site.pue"), ExitCode.USAGE, "expected PATH=SHAPE:PARAMS"),
    (("--dist", "site.pue=uniform:2:1"), ExitCode.USAGE, "greater than low"),
    (("--dist", "site.peu=uniform:1:2"), ExitCode.INVALID_INPUT, "did you mean 'pue'"),
    (("--samples", "0", "--dist", "site.pue=uniform:1:2"), ExitCode.USAGE, "--samples"),
    ((), ExitCode.INVALID_INPUT, "no uncertain figures"),
])
def test_cli_errors(cli, args, code, fragment):
    result = cli(*TOY, "simulate", "toy-own", "--model", "toy-dense", *args)
    assert result.exit_code == code, result.output
    assert fragment in result.stderr and result.stdout == ""


def test_cli_plot(cli, tmp_path):
    pytest.importorskip("matplotlib")
    result = cli(*TOY, "simulate", "toy-own", "--model", "toy-dense", "--samples", "500", "-f", "json",
                 "--dist", "site.electricity_usd_per_kwh=uniform:0.05:0.15", "--plot", tmp_path / "h.png")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "h.png").read_bytes()[:4] == b"\x89PNG"
