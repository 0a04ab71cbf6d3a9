"""Investment maths (engine/investment.py, engine/finance.py) against numpy-financial, hand-built cases and
properties: NPV falls with a faster price decline, resale never exceeds the price paid, IRR finds every root."""

import math

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compute_cli.engine import finance, investment

ages = st.floats(min_value=0.0, max_value=30.0)
curves = st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=1, max_size=8).map(lambda v: sorted(v, reverse=True))


# ------------------------------------------------------------------ resale
@settings(max_examples=300, deadline=None)
@given(curve=curves, a=ages, b=ages, decline=st.floats(min_value=-0.5, max_value=0.99))
def test_resale_never_exceeds_the_price_paid_and_never_rises_with_age(curve, a, b, decline):
    points = list(enumerate(curve, start=1))
    lo, hi = sorted((a, b))
    f_lo, f_hi = finance.resale_fraction(lo, points), finance.resale_fraction(hi, points)
    assert 0.0 <= f_hi <= f_lo * (1 + 1e-12) <= 1.0 + 1e-12
    value = float(finance.resale_value_fraction(f_lo, decline, lo))
    assert 0.0 <= value <= 1.0


@settings(max_examples=100, deadline=None)
@given(curve=curves, age=st.floats(min_value=0.5, max_value=10.0), g1=st.floats(0.0, 0.9), g2=st.floats(0.0, 0.9))
def test_resale_falls_with_a_hardware_price_decline(curve, age, g1, g2):
    f = finance.resale_fraction(age, list(enumerate(curve, start=1)))
    lo, hi = sorted((g1, g2))
    assert float(finance.resale_value_fraction(f, hi, age)) <= float(finance.resale_value_fraction(f, lo, age)) + 1e-15


def test_resale_curve_hand_values():
    # SpotWire anchor curve: between 2 (0.60) and 3 (0.46) years geometrically: 0.60 x (0.46/0.60)^0.5 = 0.52536
    curve = [(1, 0.78), (2, 0.60), (3, 0.46), (4, 0.35)]
    assert finance.resale_fraction(2.5, curve) == pytest.approx(0.60 * math.sqrt(0.46 / 0.60), rel=1e-12)
    assert finance.resale_fraction(6.0, curve) == pytest.approx(0.35 * (0.35 / 0.46) ** 2, rel=1e-12)
    assert finance.resale_fraction(0.0, curve) == 1.0
    assert finance.resale_fraction(3.0, [(6.0, 0.0)]) == 0.0  # residual_value_fraction 0: nothing, at any age


# --------------------------------------------------------------------- IRR
@settings(max_examples=150, deadline=None)
@given(roots=st.lists(st.floats(min_value=-0.5, max_value=2.0), min_size=1, max_size=3, unique=True))
def test_irr_finds_every_root_of_flows_built_from_them(roots):
    roots = sorted(roots)
    if any(b - a < 0.05 for a, b in zip(roots, roots[1:], strict=False)):
        return  # near-double roots touch zero without crossing it
    # NPV x (1+r)^n = -prod((1+r) - (1+r_i)): flows are the polynomial's coefficients, highest power first
    flows = -np.poly([1.0 + r for r in roots])
    found = investment.irr_roots(flows)
    assert len(found) == len(roots)
    np.testing.assert_allclose(found, roots, atol=1e-7)


@settings(max_examples=150, deadline=None)
@given(capex=st.floats(100.0, 1e6), flows=st.lists(st.floats(1.0, 1e6), min_size=1, max_size=48))
def test_irr_of_one_outlay_then_receipts_is_numpy_financials(capex, flows):
    cash = [-capex, *flows]
    expected = npf.irr(cash)
    if not np.isfinite(expected) or expected > 9.0 or expected < -0.99:
        return
    assert float(investment.irr(cash)) == pytest.approx(expected, rel=1e-6, abs=1e-9)


def test_irr_hand_case_with_late_losses():
    # -100, +120 then -10: NPV(r) x (1+r)^2 = -100 (1+r)^2 + 120 (1+r) - 10 = 0 => 1+r = (120 +- sqrt(10400)) / 200
    roots = sorted(((120 + s * math.sqrt(120 ** 2 - 4000)) / 200) - 1 for s in (-1, 1))  # -0.9099, +0.1099
    irr, found, note = investment.irr_decision([-100.0, 120.0, -10.0], 1)
    np.testing.assert_allclose(found, roots, rtol=1e-9)
    assert irr == pytest.approx(roots[1], rel=1e-9) and "also zero at -91.0%" in note


# ------------------------------------------------------------ NPV, payback
@settings(max_examples=200, deadline=None)
@given(rate=st.floats(0.0, 0.2), flows=st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=60))
def test_npv_is_numpy_financials(rate, flows):
    assert float(investment.npv(rate, flows)) == pytest.approx(npf.npv(rate, flows), rel=1e-9, abs=1e-6)


def test_payback_hand_case():
    # -100, then 40 a period: cumulative -60, -20, +20 -> 3 periods; at 10 %: 36.36, 33.06, 30.05 (99.47), 27.32 -> 4
    assert int(investment.payback_periods([-100.0, 40, 40, 40, 40])) == 3
    assert int(investment.payback_periods([-100.0, 40, 40, 40, 40], 0.1)) == 4
    assert int(investment.payback_periods([-100.0, 40, 40], 0.1)) == -1


@settings(max_examples=100, deadline=None)
@given(d1=st.floats(-0.5, 0.95), d2=st.floats(-0.5, 0.95), tax=st.floats(0.0, 0.4), rate=st.floats(0.0, 0.02))
def test_npv_falls_with_a_faster_price_decline(d1, d2, tax, rate):
    lo, hi = sorted((d1, d2))
    dep = investment.monthly_depreciation(1e6, finance.MACRS_5_YEAR, 60)

    def npv(d):
        return float(investment.npv(rate, investment.cash_flows(1e6, 5e4, d, 1e4, 60, 2e5, tax, dep)["net"]))

    assert npv(hi) <= npv(lo) + 1e-6 * abs(npv(lo))


def test_cash_flows_with_tax_hand_case():
    # capex 1,200 expensed over year 1 (100 a month), revenue 300 and opex 100 a month, tax 25 %, sold for 60
    # after 12 months: tax = 0.25 x (300 - 100 - 100) = 25 a month; at the sale the basis left is 0, so the gain
    # of 60 is taxed 15: net = 200 - 25 = 175 a month, and 175 + 60 - 15 = 220 in month 12
    dep = investment.monthly_depreciation(1200.0, (1.0,), 12)
    f = investment.cash_flows(1200.0, 300.0, 0.0, 100.0, 12, 60.0, 0.25, dep)
    assert f["net"][0] == -1200.0
    np.testing.assert_allclose(f["net"][1:12], 175.0)
    assert f["net"][12] == pytest.approx(220.0)


@settings(max_examples=60, deadline=None)
@given(method=st.sampled_from(["straight-line", "macrs-5", "expensing"]), rate=st.floats(0.0, 0.3),
       life=st.integers(1, 10))
def test_depreciation_pv_is_the_pv_of_invests_schedule(method, rate, life):
    """compare's tax shield (a closed form) and invest's monthly deductions are the same schedule."""
    months = life * 12
    dep = investment.monthly_depreciation(1.0, finance.depreciation_schedule(method, life), months,
                                          straight_line_years=life if method == "straight-line" else None)
    dep = np.concatenate([[0.0], dep])
    dep[-1] += 1.0 - dep.sum()  # the basis not yet deducted, written off at the end of the life
    i = float(investment.monthly_rate(rate))
    expected = float(investment.npv(i, dep))
    got = float(finance.depreciation_pv_fraction(finance.TAX_DEPRECIATION[method], rate, life, 12))
    assert got == pytest.approx(expected, rel=1e-9)


def test_wacc_hand_case():
    # 60 % debt at 8 % after 21 % tax and 40 % equity at 12 %: 0.6 x 0.08 x 0.79 + 0.4 x 0.12 = 0.03792 + 0.048 = 0.08592
    assert float(finance.wacc(0.6, 0.08, 0.12, 0.21)) == pytest.approx(0.08592, rel=1e-12)
