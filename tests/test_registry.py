"""The registry is the one place the engine's inputs, cost lines and outputs are declared; everything derives from it."""

from __future__ import annotations

import ast
import datetime as dt
import json
import warnings
from pathlib import Path

import pytest

from compute_cli import inputs, pipeline
from compute_cli.analysis import compare
from compute_cli.engine import costs, evaluate, registry
from compute_cli.errors import ComputeCostWarning, InputError
from compute_cli.profiles import staleness
from compute_cli.profiles.catalog import Catalog
from compute_cli.profiles.overrides import parse_assignment

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = Catalog(environ={})


@pytest.fixture(scope="module")
def shipped_run():
    return pipeline.evaluate(SHIPPED, SHIPPED.ids("setups"), "llama-3.1-70b")


def _moved(x, name, factor=1.37) -> dict:
    """``x`` with input ``name`` nudged: x factor (+0.37 where 0); flags flipped."""
    import numpy as np

    out = dict(x)
    v = np.asarray(x[name])
    out[name] = ~v if v.dtype == bool else np.where(v == 0, 0.37, v * factor)
    return out


def test_build_makes_exactly_the_declared_inputs_and_every_one_moves_an_output(shipped_run):
    """Every declared input is produced, and every one changes some output for some shipped setup
    (with a dense model, a sliding-window MoE model under expert parallelism, a latent-attention MoE
    model whose context window is unstated, and a hardware price decline, without which the age at sale
    does not move the terminal value), nudged up or down (a latency target moves the outputs only once
    it binds): none is dead, none is read under another name."""
    import numpy as np

    assert list(shipped_run.x) == list(registry.INPUTS)
    assert set(shipped_run.y) == set(registry.OUTPUTS)
    ids = SHIPPED.ids("setups")
    runs = [shipped_run,
            pipeline.evaluate(SHIPPED, ids, "gpt-oss-120b", options=inputs.RunOptions(parallelism="expert")),
            pipeline.evaluate(SHIPPED, ids, "deepseek-v3", [parse_assignment("model.max_context_tokens=0")]),
            pipeline.evaluate(SHIPPED, ids, None, [parse_assignment("finance.hardware_price_decline_per_year=0.2")])]
    dead = []
    for name in registry.INPUTS:
        moved = False
        for run in runs:
            for factor in (1.37, 1 / 1.37):
                y = evaluate.evaluate(_moved(run.x, name, factor))
                if any(not np.allclose(y[k], run.y[k], equal_nan=True, rtol=1e-12, atol=0) for k in y):
                    moved = True
                    break
            if moved:
                break
        if not moved:
            dead.append(name)
    assert dead == []


def test_a_missing_input_is_named():
    x = dict(pipeline.evaluate(SHIPPED, ["aws-p5-ondemand"], "llama-3.1-8b").x)
    del x["pue"]
    with pytest.raises(KeyError, match="engine inputs missing: pue"):
        evaluate.evaluate(x)


def test_every_cost_line_has_a_formula_of_inputs_and_intermediates():
    known = set(registry.INPUTS) | set(registry.INTERMEDIATES)
    for line in registry.COST_LINES:
        fn = getattr(costs, line.formula)
        code = fn.__code__
        params = set(code.co_varnames[:code.co_argcount])
        assert params <= known, (line.name, params - known)
        assert line.nature in (registry.CAPITAL, registry.OPERATING)
        assert fn.__doc__, f"{line.formula} needs a docstring with its unit"


def test_derived_and_read_inputs_are_exclusive():
    for name, spec in registry.INPUTS.items():
        assert (spec.read is None) == (name in inputs.DERIVED), name
    assert set(inputs.DERIVED) <= set(registry.INPUTS)


def test_total_is_the_sum_of_the_lines_and_opex_the_operating_ones(shipped_run):
    y = shipped_run.y
    lines = [y[f"{name}_usd_per_gpu_hour"] for name in registry.LINE_NAMES]
    assert sum(lines) == pytest.approx(y["cost_usd_per_gpu_hour"], rel=1e-12)
    operating = sum(y[f"{line.name}_usd_per_gpu_hour"] for line in registry.COST_LINES
                    if line.nature == registry.OPERATING)
    assert operating == pytest.approx(y["operating_usd_per_gpu_hour"], rel=1e-12)


def test_a_new_cost_line_reaches_every_output(monkeypatch):
    """What 'add a cost line' means: one registry entry and one formula; compare's JSON, its table, the
    total, the investment's opex and the output schema follow by themselves."""
    from compute_cli.render import compare as render_compare
    from compute_cli.render.output_schema import output_schema

    line = registry.CostLine("storage", "storage", "storage", registry.OPERATING, "storage_line")
    monkeypatch.setattr(registry, "COST_LINES", (*registry.COST_LINES, line))
    monkeypatch.setattr(evaluate, "COST_LINES", registry.COST_LINES)
    monkeypatch.setattr(costs, "storage_line", lambda owned: owned * 0.5, raising=False)
    monkeypatch.setattr(registry, "LINE_NAMES", (*registry.LINE_NAMES, "storage"))
    monkeypatch.setattr(compare, "LINE_NAMES", registry.LINE_NAMES)
    before = compare.run(SHIPPED, ["hyperscaler-hgx-h100-campus"], "llama-3.1-70b")["setups"][0]
    assert before["breakdown_usd_per_gpu_hour"]["storage"] == 0.5
    monkeypatch.undo()
    after = compare.run(SHIPPED, ["hyperscaler-hgx-h100-campus"], "llama-3.1-70b")["setups"][0]
    assert before["cost_usd_per_gpu_hour"] == pytest.approx(after["cost_usd_per_gpu_hour"] + 0.5, abs=2e-5)
    # the rows and the schema are built from the registry at import: they list every line of it
    rows = {label.strip() for label, *_ in filter(None, render_compare.ROWS)}
    assert {group for group, _ in registry.line_groups()} <= rows
    breakdown = output_schema("compare")["$defs"]["compare_setup"]["properties"]["breakdown_usd_per_gpu_hour"]
    assert set(breakdown["properties"]) == set(registry.LINE_NAMES)


# ------------------------------------------------------------------ origins
def test_every_figure_a_shipped_setup_reads_has_its_file_and_line(shipped_run):
    for record in shipped_run.origins:
        for path, origin in record.figures():
            if origin.basis == "engine":  # stand-in nodes of rented instances
                assert "stand-in" in origin.text, (record.setup, path)
                continue
            assert origin.file and origin.file.endswith(".yaml"), (record.setup, path)
            if origin.basis != "default":
                assert origin.line, (record.setup, path, origin)
            if origin.basis == "source":
                assert origin.as_of, (record.setup, path)


def test_origins_follow_the_rules_of_the_setup(shipped_run):
    by_id = {r.setup: r for r in shipped_run.origins}
    gas = by_id["neocloud-hgx-h100-gas"].reads()
    assert "site.onsite_lcoe_usd_per_kwh" in gas and "site.electricity_usd_per_kwh" not in gas
    grid = by_id["neocloud-hgx-h100-colo"].reads()
    assert "site.electricity_usd_per_kwh" in grid and "site.onsite_lcoe_usd_per_kwh" not in grid
    rented = by_id["aws-p5-ondemand"].reads()
    assert "offer.usd_per_gpu_hour.on_demand" in rented and "accelerator.price_usd" not in rented
    assert "accelerator.price_usd" in by_id["hyperscaler-hgx-h100-campus"].reads()
    assert by_id["aws-p5-ondemand"].ignored["accelerator.price_usd"].startswith("it rents")


def test_a_set_value_is_the_users_own(shipped_run):
    run = pipeline.evaluate(SHIPPED, ["neocloud-hgx-h100-colo"], None, [parse_assignment("site.pue=1.3")])
    (origin,) = run.origins[0].inputs["pue"]
    assert origin.basis == "--set" and origin.text == "site.pue=1.3" and origin.value == 1.3


def test_staleness_flags_only_figures_the_run_used():
    """On-site generation does not buy grid power, so an old grid price there is not stale (issue 10)."""
    cat = Catalog(environ={})
    pipeline.evaluate(cat, ["neocloud-hgx-h100-gas", "aws-p5-ondemand"], None)
    keys = {(Path(s.file).parent.name, s.key) for s in staleness.stale_figures(cat.figures_used(),
                                                                                 dt.date(2040, 1, 1), 0)}
    assert ("sites", "onsite_lcoe_usd_per_kwh") in keys
    assert ("sites", "electricity_usd_per_kwh") not in keys
    # the rented setup pays rent, not the accelerator's price; the owned one pays both capital and power
    assert ("offers", "usd_per_gpu_hour.on_demand") in keys
    assert ("hardware", "price_usd") in keys  # bought by the gas neocloud
    cat = Catalog(environ={})
    pipeline.evaluate(cat, ["aws-p5-ondemand"], None)
    assert "price_usd" not in {s.key for s in staleness.stale_figures(cat.figures_used(), dt.date(2040, 1, 1), 0)}


# ------------------------------------------------------- --set that does nothing
def _warnings_of(*args, **kwargs) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pipeline.evaluate(*args, **kwargs)
    return [str(w.message) for w in caught if issubclass(w.category, ComputeCostWarning)]


def test_a_set_that_changes_nothing_says_why():
    # the example of issue 10: a gas-fired site does not pay the grid price
    (message,) = _warnings_of(SHIPPED, ["neocloud-hgx-h100-gas"], None,
                              [parse_assignment("site.electricity_usd_per_kwh=5.0")])
    assert message == ("--set site.electricity_usd_per_kwh=5.0 changes nothing for neocloud-hgx-h100-gas: its site "
                       "generates on site (gas-turbine) and pays site.onsite_lcoe_usd_per_kwh")
    (message,) = _warnings_of(SHIPPED, ["aws-p5-ondemand"], None,
                              [parse_assignment("offer.usd_per_gpu_hour.reserved_1y=1")])
    assert message.endswith("aws-p5-ondemand: it rents at term on_demand")
    (message,) = _warnings_of(SHIPPED, ["hyperscaler-hgx-h100-campus"], None,
                              [parse_assignment("site.carbon_kg_per_kwh=0.5")])
    assert message.endswith("the engine does not use this key")


def test_a_set_that_changes_something_is_silent_and_free_text_is_not_flagged():
    assert _warnings_of(SHIPPED, ["neocloud-hgx-h100-colo", "neocloud-hgx-h100-gas"], None,
                        [parse_assignment("site.pue=1.3"), parse_assignment("site.name=x")]) == []
    # the rented setup has no site at all: the documented rule leaves it as it is, silently
    assert _warnings_of(SHIPPED, ["neocloud-hgx-h100-colo", "aws-p5-ondemand"], None,
                        [parse_assignment("site.electricity_usd_per_kwh=0.2")]) == []


def test_a_set_that_applies_to_no_setup_is_still_an_error():
    with pytest.raises(InputError, match="applies to none of the setups"):
        pipeline.evaluate(SHIPPED, ["aws-p5-ondemand"], None, [parse_assignment("site.pue=1.3")])


def test_cli_prints_the_warning_once_and_quiet_hides_it(cli):
    args = ("compare", "neocloud-hgx-h100-gas", "--set", "site.electricity_usd_per_kwh=5.0", "-f", "json")
    res = cli(*args)
    assert res.exit_code == 0
    lines = [line for line in res.stderr.splitlines() if "changes nothing" in line]
    assert lines == ["warning: --set site.electricity_usd_per_kwh=5.0 changes nothing for neocloud-hgx-h100-gas: "
                     "its site generates on site (gas-turbine) and pays site.onsite_lcoe_usd_per_kwh"]
    low = json.loads(cli("compare", "neocloud-hgx-h100-gas", "--set", "site.electricity_usd_per_kwh=0.01",
                         "-f", "json").stdout)
    high = json.loads(res.stdout)
    assert low["setups"][0]["breakdown_usd_per_gpu_hour"] == high["setups"][0]["breakdown_usd_per_gpu_hour"]
    assert "changes nothing" not in cli("-q", *args).stderr


# ------------------------------------------------------------- structure
def test_no_engine_function_is_longer_than_80_lines():
    for path in sorted((ROOT / "compute_cli" / "engine").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef):
                assert node.end_lineno - node.lineno < 80, f"{path.name}: {node.name}"


def test_no_module_below_the_cli_imports_the_cli_and_the_cli_has_no_circle():
    for path in sorted((ROOT / "compute_cli").rglob("*.py")):
        text = path.read_text()
        rel = path.relative_to(ROOT / "compute_cli")
        if rel.name == "__main__.py":
            continue  # ``python -m compute_cli`` runs the CLI
        if rel.parts[0] != "cli":
            assert "compute_cli.cli" not in text, rel
        elif rel.name != "__init__.py":
            assert "from compute_cli.cli import" not in text, f"{rel}: import from cli.common, not the package"


def test_schema_version_is_declared_once():
    hits = [p for p in (ROOT / "compute_cli").rglob("*.py") if "SCHEMA_VERSION = " in p.read_text()]
    assert [p.name for p in hits] == ["contract.py"]
