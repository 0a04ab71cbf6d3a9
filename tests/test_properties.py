"""Properties of compare.run that must hold for any input (Hypothesis).

Overrides go through the same path as ``--set``: compute_cli.profiles.overrides.parse_assignment
and compare.run(..., assignments). Values are written in fixed-point notation because
``--set`` does not read exponents (see test_profiles.py::test_set_accepts_exponent_notation).
"""

from __future__ import annotations

import math

import pytest

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compute_cli.analysis import compare
from compute_cli.profiles.overrides import Assignment, parse_assignment

OWN = ["toy-own", "toy-own-building"]
RENT = ["toy-rent", "toy-rent-single"]
ALL = OWN + RENT
MODELS = ["toy-dense", "toy-moe", "toy-huge"]

COST_KEYS = (
    "cost_usd_per_gpu_hour",
    "cost_usd_per_million_input_tokens",
    "cost_usd_per_million_output_tokens",
    "cost_usd_per_million_tokens_blended",
    "price_usd_per_million_output_tokens",
    "price_usd_per_million_tokens_blended",
    "capex_usd_per_gpu",
    "energy_j_per_output_token",
    "energy_j_per_input_token",
    "avg_power_w_per_gpu",
)
PER_TOKEN = ("cost_usd_per_million_input_tokens", "cost_usd_per_million_output_tokens",
             "cost_usd_per_million_tokens_blended")

fast = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def fixed(x: float, digits: int = 6) -> str:
    return f"{x:.{digits}f}"


def setting(path: str, value: str) -> Assignment:
    return parse_assignment(f"{path}={value}")


def by_id(result):
    return {s["id"]: s for s in result["setups"]}


fractions = st.floats(min_value=0.0, max_value=1.0)
positive_fractions = st.floats(min_value=0.01, max_value=1.0)
money = st.floats(min_value=0.0, max_value=1e6)


@st.composite
def overrides(draw):
    """A random but valid set of --set assignments touching every cost input."""
    out = [
        setting("site.electricity_usd_per_kwh", fixed(draw(st.floats(0.0, 2.0)))),
        setting("site.pue", fixed(draw(st.floats(1.0, 3.0)), 3)),
        setting("site.colocation_usd_per_kw_month", fixed(draw(st.floats(0.0, 1000.0)), 2)),
        setting("finance.cost_of_capital_per_year", fixed(draw(st.floats(0.0, 0.5)), 4)),
        setting("finance.economic_life_years", fixed(draw(st.floats(0.5, 30.0)), 2)),
        setting("finance.residual_value_fraction", fixed(draw(fractions), 3)),
        setting("finance.maintenance_fraction_per_year", fixed(draw(st.floats(0.0, 0.3)), 4)),
        setting("accelerator.price_usd", fixed(draw(st.floats(0.0, 1e5)), 0)),
        setting("utilization", fixed(draw(positive_fractions), 3)),
        setting("batch", str(draw(st.integers(1, 4096)))),
        setting("context_tokens", str(draw(st.integers(1, 200_000)))),
        setting("staff_usd_per_year", fixed(draw(money), 0)),
        setting("input_tokens_per_output_token", fixed(draw(st.floats(0.0, 50.0)), 2)),
        setting("margin_fraction", fixed(draw(st.floats(0.0, 0.9)), 3)),
        setting("offer.usd_per_gpu_hour.on_demand", fixed(draw(st.floats(0.0, 20.0)), 3)),
    ]
    return draw(st.lists(st.sampled_from(out), unique_by=lambda a: a.path, max_size=len(out)))


@fast
@given(assignments=overrides(), model=st.sampled_from(MODELS))
def test_costs_are_never_negative(wide_catalog, assignments, model):
    result = compare.run(wide_catalog, ALL, model, assignments)
    for s in result["setups"]:
        for key in COST_KEYS:
            value = s[key]
            assert value is None or value >= 0, (s["id"], key, value)
        for item, value in s["breakdown_usd_per_gpu_hour"].items():
            assert value is not None and value >= 0, (s["id"], item, value)
        # a number is missing only when the model does not fit
        if s["fits"]:
            assert all(s[k] is not None for k in PER_TOKEN), s
        assert s["cost_usd_per_gpu_hour"] is not None


@fast
@given(
    low=st.floats(min_value=0.0, max_value=1.0),
    extra=st.floats(min_value=0.0, max_value=1.0),
    model=st.sampled_from(["toy-dense", "toy-moe"]),
    base=overrides(),
)
def test_dearer_electricity_never_makes_a_token_cheaper(wide_catalog, low, extra, model, base):
    base = [a for a in base if a.path != ("site", "electricity_usd_per_kwh")]
    cheap = Assignment(f"site.electricity_usd_per_kwh={low}", ("site", "electricity_usd_per_kwh"), low)
    dear = Assignment(f"site.electricity_usd_per_kwh={low + extra}", ("site", "electricity_usd_per_kwh"), low + extra)
    a = by_id(compare.run(wide_catalog, ALL, model, [*base, cheap]))
    b = by_id(compare.run(wide_catalog, ALL, model, [*base, dear]))
    for sid in ALL:
        for key in ("cost_usd_per_gpu_hour", *PER_TOKEN, "price_usd_per_million_tokens_blended"):
            if a[sid][key] is None:
                assert b[sid][key] is None
                continue
            assert b[sid][key] >= a[sid][key], (sid, key, a[sid][key], b[sid][key])
        if sid in RENT:  # a renter does not pay the electricity bill
            assert b[sid] == a[sid]


def test_dearer_electricity_strictly_dearer_for_owned(wide_catalog):
    a = by_id(compare.run(wide_catalog, ALL, "toy-dense", [setting("site.electricity_usd_per_kwh", "0.05")]))
    b = by_id(compare.run(wide_catalog, ALL, "toy-dense", [setting("site.electricity_usd_per_kwh", "0.50")]))
    for sid in OWN:
        assert b[sid]["cost_usd_per_million_output_tokens"] > a[sid]["cost_usd_per_million_output_tokens"]
        # energy is linear in the price: 10 x
        assert math.isclose(b[sid]["breakdown_usd_per_gpu_hour"]["energy"],
                            10 * a[sid]["breakdown_usd_per_gpu_hour"]["energy"], rel_tol=1e-5)


@fast
@given(order=st.permutations(ALL), model=st.sampled_from(MODELS), base=overrides())
def test_setup_order_does_not_change_results(wide_catalog, order, model, base):
    reference = by_id(compare.run(wide_catalog, ALL, model, base))
    shuffled = compare.run(wide_catalog, list(order), model, base)
    assert [s["id"] for s in shuffled["setups"]] == list(order)
    for s in shuffled["setups"]:
        assert s == reference[s["id"]]


@fast
@given(order=st.permutations(ALL), subset=st.sets(st.sampled_from(ALL), min_size=1))
def test_each_setup_is_independent_of_its_companions(wide_catalog, order, subset):
    ids = [i for i in order if i in subset]
    alone = {sid: compare.run(wide_catalog, [sid], "toy-dense")["setups"][0] for sid in ids}
    together = by_id(compare.run(wide_catalog, ids, "toy-dense"))
    assert together == alone


@fast
@given(
    u1=st.floats(min_value=0.01, max_value=1.0),
    u2=st.floats(min_value=0.01, max_value=1.0),
    model=st.sampled_from(["toy-dense", "toy-moe"]),
    price=st.floats(min_value=0.0, max_value=20.0),
)
def test_higher_utilization_never_raises_cost_per_token_when_renting(wide_catalog, u1, u2, model, price):
    low, high = sorted((u1, u2))
    rate = setting("offer.usd_per_gpu_hour.on_demand", fixed(price, 3))
    a = by_id(compare.run(wide_catalog, RENT, model, [rate, setting("utilization", fixed(low, 4))]))
    b = by_id(compare.run(wide_catalog, RENT, model, [rate, setting("utilization", fixed(high, 4))]))
    for sid in RENT:
        # the used hour costs the same whatever the utilization (on demand: paid per used hour)
        assert b[sid]["cost_usd_per_used_gpu_hour"] == pytest.approx(a[sid]["cost_usd_per_used_gpu_hour"], rel=2e-6)
        for key in PER_TOKEN:
            assert b[sid][key] <= a[sid][key] * (1 + 2e-6), (sid, key, low, high)


@fast
@given(
    u1=st.floats(min_value=0.01, max_value=1.0),
    u2=st.floats(min_value=0.01, max_value=1.0),
    electricity=st.floats(min_value=0.0, max_value=2.0),
)
def test_higher_utilization_never_raises_cost_per_token_when_owning(wide_catalog, u1, u2, electricity):
    # Energy per hour rises with utilization, but never faster than the tokens it buys.
    low, high = sorted((u1, u2))
    power = setting("site.electricity_usd_per_kwh", fixed(electricity, 4))
    a = by_id(compare.run(wide_catalog, OWN, "toy-dense", [power, setting("utilization", fixed(low, 4))]))
    b = by_id(compare.run(wide_catalog, OWN, "toy-dense", [power, setting("utilization", fixed(high, 4))]))
    for sid in OWN:
        for key in PER_TOKEN:
            assert b[sid][key] <= a[sid][key] * (1 + 1e-5), (sid, key, low, high)
