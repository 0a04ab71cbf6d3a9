"""Capital recovery factor and annualized capital (compute_cli/engine/finance.py).

Oracle: numpy-financial's ``pmt``. ``-pmt(r, n, 1)`` is the annuity payment per unit of
present value, i.e. the capital recovery factor; ``pmt(r, n, -capex, residual)`` is the
equivalent annual cost of an asset bought for ``capex`` and sold for ``residual`` at the
end of year ``n`` (Brealey, Myers & Allen, ch. 6).
"""

from __future__ import annotations

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compute_cli.engine.finance import annualized_capital_usd_per_year, capital_recovery_factor

# Rates a profile can hold (0..1), kept away from the denormal range where (1+r)^n == 1 exactly
# (see test_crf_tiny_positive_rate for that range).
rates = st.one_of(st.just(0.0), st.floats(min_value=1e-6, max_value=1.0))
lives = st.one_of(st.integers(min_value=1, max_value=30).map(float), st.floats(min_value=0.25, max_value=30.0))


def test_crf_zero_rate_is_straight_line():
    # At r = 0 the annuity is just capex / n.
    assert float(capital_recovery_factor(0.0, 4)) == 0.25
    assert float(capital_recovery_factor(0.0, 5)) == pytest.approx(0.2, rel=1e-15)
    assert float(capital_recovery_factor(0.0, 2.5)) == pytest.approx(0.4, rel=1e-15)


def test_crf_eight_percent_five_years():
    # CRF = r (1+r)^n / ((1+r)^n - 1)
    # (1.08)^5 = 1.4693280768
    # 0.08 x 1.4693280768 = 0.117546246144;  1.4693280768 - 1 = 0.4693280768
    # 0.117546246144 / 0.4693280768 = 0.2504564546...  ->  0.250456
    assert round(float(capital_recovery_factor(0.08, 5)), 6) == 0.250456
    assert float(capital_recovery_factor(0.08, 5)) == pytest.approx(0.2504564545668, rel=1e-12)


def test_crf_is_numpy_financial_pmt_on_a_grid():
    rate = np.array([0.0, 0.01, 0.05, 0.08, 0.12, 0.25, 1.0])[:, None]
    life = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 7.0, 10.0, 20.0, 30.0])[None, :]
    expected = -npf.pmt(rate, life, 1.0)
    got = capital_recovery_factor(rate, life)
    assert got.shape == (7, 9)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


@settings(max_examples=300, deadline=None)
@given(rate=rates, life=lives)
def test_crf_matches_pmt(rate, life):
    assert float(capital_recovery_factor(rate, life)) == pytest.approx(-float(npf.pmt(rate, life, 1.0)), rel=1e-9)


@settings(max_examples=200, deadline=None)
@given(rate=rates, life=lives)
def test_crf_bounds(rate, life):
    # You repay at least the straight-line share and, at rate r, at least the interest r.
    crf = float(capital_recovery_factor(rate, life))
    assert crf >= 1.0 / life * (1 - 1e-12)
    assert crf >= rate * (1 - 1e-12)


def test_crf_tiny_positive_rate():
    # r -> 0+ is continuous: CRF -> 1/n = 0.2 for n = 5, even where (1+r)^n rounds to 1.0
    # (regression: the rate == 0 mask alone returned inf for r = 1e-17).
    with np.errstate(all="raise"):
        for rate in (1e-17, 1e-12, 1e-9):
            assert float(capital_recovery_factor(rate, 5)) == pytest.approx(0.2, rel=1e-8)


def test_annualized_capital_without_residual_is_capex_times_crf():
    # 35000 x 0.2504564546 = 8765.98591 USD/yr
    assert float(annualized_capital_usd_per_year(35000.0, 0.08, 5, 0.0)) == pytest.approx(8765.975911, rel=1e-9)


def test_annualized_capital_with_residual_at_zero_rate():
    # (100 - 20) / 4 = 20 USD/yr: straight line down to the resale value.
    assert float(annualized_capital_usd_per_year(100.0, 0.0, 4, 0.2)) == pytest.approx(20.0, rel=1e-15)


def test_annualized_capital_with_residual_at_eight_percent():
    # residual = 0.2 x 35000 = 7000, worth 7000 / 1.08^5 = 7000 / 1.4693280768 = 4764.08 today
    # (35000 - 4764.0816) x 0.2504564546 = 30235.9184 x 0.2504564546 = 7572.7808 USD/yr
    got = float(annualized_capital_usd_per_year(35000.0, 0.08, 5, 0.2))
    assert got == pytest.approx(7572.7808, rel=1e-7)
    # Oracle: the payment that turns -35000 today into +7000 after 5 years.
    assert got == pytest.approx(float(npf.pmt(0.08, 5, -35000.0, 7000.0)), rel=1e-12)


@settings(max_examples=200, deadline=None)
@given(
    capex=st.floats(min_value=0.0, max_value=1e7),
    rate=rates,
    life=lives,
    residual=st.floats(min_value=0.0, max_value=1.0),
)
def test_annualized_capital_matches_pmt_with_future_value(capex, rate, life, residual):
    got = float(annualized_capital_usd_per_year(capex, rate, life, residual))
    expected = float(npf.pmt(rate, life, -capex, capex * residual))
    assert got == pytest.approx(expected, rel=1e-9, abs=1e-9)
    assert got >= -1e-9  # an asset never pays you to hold it


def test_full_residual_costs_only_interest():
    # Resold at the full price: you pay the interest on the money, capex x r = 1000 x 0.08 = 80 USD/yr.
    assert float(annualized_capital_usd_per_year(1000.0, 0.08, 5, 1.0)) == pytest.approx(80.0, rel=1e-12)
    assert float(annualized_capital_usd_per_year(1000.0, 0.0, 5, 1.0)) == 0.0


def test_scalar_in_scalar_out():
    assert np.ndim(capital_recovery_factor(0.08, 5)) == 0
    assert np.ndim(annualized_capital_usd_per_year(1.0, 0.08, 5, 0.0)) == 0


def test_array_broadcasting_matches_elementwise():
    rate = np.array([0.0, 0.05, 0.08])  # shape (3,)
    life = np.array([[3.0], [5.0]])  # shape (2, 1)
    capex = np.array([1000.0, 2000.0, 3000.0])
    crf = capital_recovery_factor(rate, life)
    eac = annualized_capital_usd_per_year(capex, rate, life, 0.1)
    assert crf.shape == eac.shape == (2, 3)
    for i in range(2):
        for j in range(3):
            assert crf[i, j] == capital_recovery_factor(rate[j], life[i, 0])
            assert eac[i, j] == pytest.approx(float(annualized_capital_usd_per_year(capex[j], rate[j], life[i, 0], 0.1)),
                                              rel=1e-15)


def test_zero_rate_in_an_array_does_not_warn_or_poison_neighbours():
    with np.errstate(all="raise"):
        crf = capital_recovery_factor(np.array([0.0, 0.08]), 5)
    np.testing.assert_allclose(crf, [0.2, 0.2504564545668], rtol=1e-12)
