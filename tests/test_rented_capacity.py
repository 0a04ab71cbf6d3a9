"""One rule for rented capacity (docs/methodology.md, "Rented and owned capacity").

On demand and spot are paid per hour used; a reservation is paid for every hour of its term. The
rule lives in the engine's rent line, so compare, rent-or-buy, breakeven and invest all see it.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compute_cli import pipeline
from compute_cli.engine import evaluate
from compute_cli.profiles.catalog import Catalog
from compute_cli.profiles.overrides import parse_assignment

SHIPPED = Catalog(environ={})
METRIC = "cost_usd_per_million_output_tokens"


@pytest.fixture(scope="module")
def p5():
    """AWS p5 on demand and, through ``--set offer.term``, the same instance on a 3-year reservation."""
    on_demand = pipeline.evaluate(SHIPPED, ["aws-p5-ondemand"], "llama-3.1-70b")
    reserved = pipeline.evaluate(SHIPPED, ["aws-p5-ondemand"], "llama-3.1-70b", [parse_assignment("offer.term=reserved_3y")])
    return on_demand, reserved


def _at(run, utilization):
    x = {k: np.asarray(v).copy() for k, v in run.x.items()}
    x["utilization"] = np.asarray(utilization, dtype=float)
    return evaluate.evaluate(x)


@settings(max_examples=40, deadline=None)
@given(a=st.floats(min_value=0.05, max_value=1.0), b=st.floats(min_value=0.05, max_value=1.0))
def test_reserved_cost_per_token_rises_as_utilization_falls_and_on_demand_does_not(p5, a, b):
    on_demand, reserved = p5
    lo, hi = sorted((a, b))
    od_lo, od_hi = (float(_at(on_demand, u)[METRIC][0]) for u in (lo, hi))
    rs_lo, rs_hi = (float(_at(reserved, u)[METRIC][0]) for u in (lo, hi))
    assert od_lo == pytest.approx(od_hi, rel=1e-12)  # paid per used hour: no idle hours to carry
    assert rs_lo >= rs_hi * (1 - 1e-12)  # paid every hour: idle hours land on the served ones
    if hi > lo * 1.01:
        assert rs_lo > rs_hi


def test_on_demand_is_the_list_price_per_used_hour_and_reserved_per_hour_of_the_term(p5):
    on_demand, reserved = p5
    # issue 12, problem 4: compare said $3.57/M for AWS p5 on demand (every hour charged at 70 %
    # utilization) while rent-or-buy said $2.50/M (the price per used hour): the rule gives the latter.
    # $6.88/h / 3600 x 4 GPUs x step / 64 sequences, at any utilization
    (od,) = on_demand.y["cost_usd_per_used_gpu_hour"]
    (rs,) = reserved.y["cost_usd_per_used_gpu_hour"]
    assert od == pytest.approx(6.88, rel=1e-9)
    assert rs == pytest.approx(2.972 / 0.7, rel=1e-9)  # AWS 3-year RI $2.972, billed every hour, 70 % used
    assert on_demand.y["rent_usd_per_gpu_hour"][0] == pytest.approx(6.88 * 0.7)  # per hour of the deployment


def test_offer_term_is_the_setups_term_and_is_reported(cli):
    import json

    out = json.loads(cli("compare", "aws-p5-ondemand", "--set", "offer.term=reserved_3y", "-f", "json").stdout)
    row = out["setups"][0]
    assert row["term"] == "reserved_3y"
    assert row["breakdown_usd_per_gpu_hour"]["rent"] == pytest.approx(2.972, rel=1e-6)
    same = json.loads(cli("compare", "aws-p5-ondemand", "--set", "term=reserved_3y", "-f", "json").stdout)
    assert same["setups"][0]["cost_usd_per_gpu_hour"] == row["cost_usd_per_gpu_hour"]


def test_offer_term_leaves_owned_setups_alone_and_says_so_for_none():
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pipeline.evaluate(SHIPPED, ["aws-p5-ondemand", "hyperscaler-hgx-h100-campus"], None,
                          [parse_assignment("offer.term=reserved_3y")])
    assert not [w for w in caught if "changes nothing" in str(w.message)]  # the owned setup has no offer
    from compute_cli.errors import InputError

    with pytest.raises(InputError, match="applies to none of the setups"):
        pipeline.evaluate(SHIPPED, ["hyperscaler-hgx-h100-campus"], None, [parse_assignment("offer.term=spot")])


@settings(max_examples=8, deadline=None)
@given(k=st.floats(min_value=1.05, max_value=4.0))
def test_owning_breaks_even_at_zero_utilization_against_a_reservation_dearer_than_owning(k):
    """Reserved capacity is paid every hour, like owned capacity: if the reservation's hour costs more
    than owning's hour (every hour counted), owning is cheaper at every utilization."""
    from compute_cli.analysis import economics
    from compute_cli.analysis.compare import run

    own = run(SHIPPED, ["neocloud-hgx-h100-colo"], None)["setups"][0]["cost_usd_per_gpu_hour"]
    price = k * own
    r = economics.rent_or_buy(SHIPPED, "neocloud-hgx-h100-colo", "aws-p5-ondemand",
                              assignments=[parse_assignment("offer.term=reserved_3y"),
                                           parse_assignment(f"offer.usd_per_gpu_hour.reserved_3y={price!r}")])
    assert r["breakeven_utilization"] == 0.0
    assert r["owning_cheaper_at_setup_utilization"] is True
