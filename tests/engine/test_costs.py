"""Cost line items and per-token costs (compute_cli/engine/costs.py), each against hand arithmetic."""

from __future__ import annotations

import numpy as np
import pytest

from compute_cli.engine import costs
from compute_cli.engine.constants import HOURS_PER_YEAR, SECONDS_PER_HOUR, TOKENS_PER_MILLION


def test_capex_per_accelerator_spreads_host_and_network():
    # 20000 + (80000 + 40000) / 8 = 20000 + 15000 = 35000 USD (the toy node)
    assert float(costs.capex_per_accelerator_usd(20000.0, 8, 80000.0, 40000.0)) == 35000.0
    # a single-accelerator box carries all of its host: 20000 + 3000 + 0 = 23000
    assert float(costs.capex_per_accelerator_usd(20000.0, 1, 3000.0, 0.0)) == 23000.0


def test_capital_per_hour_straight_line():
    # 35000 USD over 4 years at 0 %: 35000 / 4 / 8760 = 0.998858 USD/h
    assert float(costs.capital_usd_per_hour(35000.0, 0.0, 4, 0.0)) == pytest.approx(0.9988584475, rel=1e-9)


def test_capital_per_hour_with_rate_and_residual():
    # recovered month by month, as invest counts revenue: 12 x the payment that turns -35000 today into
    # +7000 after 60 months at the monthly rate 1.08^(1/12) - 1, over 8760 h (numpy-financial's pmt)
    import numpy_financial as npf

    monthly = 1.08 ** (1 / 12) - 1
    expected = 12 * npf.pmt(monthly, 60, -35000.0, 7000.0) / 8760
    assert float(costs.capital_usd_per_hour(35000.0, 0.08, 5, 0.2)) == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(0.834306, rel=1e-6)  # the annual annuity gives 0.864473: paid in arrears


def test_fraction_of_capex_per_hour():
    # 35000 x 0.0876 / 8760 = 0.35 USD/h
    assert float(costs.fraction_of_capex_usd_per_hour(35000.0, 0.0876)) == pytest.approx(0.35, rel=1e-12)
    assert float(costs.fraction_of_capex_usd_per_hour(35000.0, 0.0)) == 0.0


def test_staff_shared_over_every_accelerator():
    # 70080 / (8 x 8760) = 70080 / 70080 = 1.0 USD per GPU-hour
    assert float(costs.staff_usd_per_gpu_hour(70080.0, 8)) == pytest.approx(1.0, rel=1e-15)
    # two nodes share the same team: 0.5
    assert float(costs.staff_usd_per_gpu_hour(70080.0, 16)) == pytest.approx(0.5, rel=1e-15)


def test_usd_per_million_tokens():
    # 3.6 USD/h = 0.001 USD/s; 0.001 GPU-s per token; busy half the time:
    # 0.001 x 0.001 / 0.5 x 1e6 = 2.0 USD per million tokens.
    # (The function's own doctest says 2000.0, which is wrong; see the report.)
    assert float(costs.usd_per_million_tokens(3.6, 0.001, 0.5)) == pytest.approx(2.0, rel=1e-12)
    # fully busy: 1.0
    assert float(costs.usd_per_million_tokens(3.6, 0.001, 1.0)) == pytest.approx(1.0, rel=1e-12)


def test_usd_per_million_tokens_zero_cost_is_free():
    assert float(costs.usd_per_million_tokens(0.0, 0.01, 0.5)) == 0.0


def test_usd_per_million_tokens_zero_utilization_is_not_finite():
    # No busy time: nothing is produced, a token costs without bound (rendered as n/a), never a number.
    with np.errstate(divide="ignore", invalid="ignore"):
        got = costs.usd_per_million_tokens(np.array([3.6, 3.6]), 0.001, np.array([0.0, 0.5]))
    assert not np.isfinite(got[0])
    assert got[1] == pytest.approx(2.0)  # the neighbour is untouched


def test_blended_cost():
    # 3 input tokens at 1.0 and 1 output token at 5.0: (3 x 1 + 5) / 4 = 2.0
    assert float(costs.blended_usd_per_million_tokens(1.0, 5.0, 3.0)) == 2.0
    # no input tokens: all output
    assert float(costs.blended_usd_per_million_tokens(1.0, 5.0, 0.0)) == 5.0


def test_selling_price_keeps_the_margin_after_the_fee():
    # price = 1 / (1 - 0.2) / (1 - 0.05) = 1 / 0.8 / 0.95 = 1.315789...
    price = float(costs.selling_price(1.0, 0.0, 0.2, 0.05))
    assert price == pytest.approx(1.3157894737, rel=1e-9)
    net = price * (1 - 0.05)
    assert (net - 1.0) / net == pytest.approx(0.2, rel=1e-12)
    assert float(costs.selling_price(7.0, 0.0, 0.0, 0.0)) == 7.0


def test_selling_price_with_a_markup_on_cost():
    # a 20 % markup on a cost of 1: net 1.2; after a 5 % fee the list price is 1.2 / 0.95 = 1.263158
    price = float(costs.selling_price(1.0, 0.2, 0.0, 0.05))
    assert price == pytest.approx(1.2 / 0.95, rel=1e-12)
    assert (price * 0.95 - 1.0) / 1.0 == pytest.approx(0.2, rel=1e-12)  # the markup, on cost


def test_tokens_per_day_per_mw():
    # 1e6 W / (1000 W x 1.25) = 800 GPUs per MW; 100 tok/s x 0.5 x 86400 s = 4.32e6 per GPU-day
    # 800 x 4.32e6 = 3.456e9 tokens per MW-day
    assert float(costs.tokens_per_day_per_mw(100.0, 0.5, 1000.0, 1.25)) == pytest.approx(3.456e9, rel=1e-12)
    assert float(costs.tokens_per_day_per_mw(100.0, 0.0, 1000.0, 1.25)) == 0.0


def test_nan_where():
    got = costs.nan_where(np.array([True, False]), np.array([1.0, 2.0]))
    assert np.isnan(got[0]) and got[1] == 2.0


def test_per_token_formula_uses_named_constants():
    # The same arithmetic spelled with the named constants.
    cost, gpu_s, util = 2.5, 0.0134, 0.5
    expected = cost / SECONDS_PER_HOUR * gpu_s / util * TOKENS_PER_MILLION
    assert float(costs.usd_per_million_tokens(cost, gpu_s, util)) == pytest.approx(expected, rel=1e-15)
    assert float(costs.fraction_of_capex_usd_per_hour(HOURS_PER_YEAR, 1.0)) == 1.0


def test_broadcasting_scalar_and_array_agree():
    capex = np.array([10000.0, 35000.0, 87600.0])
    frac = np.array([[0.0], [0.1]])
    got = costs.fraction_of_capex_usd_per_hour(capex, frac)
    assert got.shape == (2, 3)
    np.testing.assert_allclose(got[1], [10000 * 0.1 / 8760, 35000 * 0.1 / 8760, 1.0], rtol=1e-12)
    np.testing.assert_array_equal(got[0], 0.0)

    per_m = costs.usd_per_million_tokens(np.array([1.0, 2.0, 3.6]), 0.001, 1.0)
    for c, v in zip([1.0, 2.0, 3.6], per_m, strict=True):
        assert v == float(costs.usd_per_million_tokens(c, 0.001, 1.0))

    capital = costs.capital_usd_per_hour(35000.0, np.array([0.0, 0.08]), np.array([4.0, 5.0]), np.array([0.0, 0.2]))
    np.testing.assert_allclose(capital, [0.9988584475, 0.834306], rtol=1e-6)
