"""Capital costs: the capital recovery factor and annualized capital.

Reference: the capital recovery factor is the annuity payment per unit of
present value, CRF = r (1+r)^n / ((1+r)^n - 1); it is what numpy-financial's
``pmt(rate, nper, -1)`` returns. Brealey, Myers & Allen, *Principles of
Corporate Finance*, ch. 6 (equivalent annual cost).
"""

from __future__ import annotations

import numpy as np


def capital_recovery_factor(rate_per_year, life_years):
    """Equal annual payment that repays 1 USD over ``life_years`` at ``rate_per_year``.

    rate_per_year : cost of capital [1/yr], >= 0
    life_years : economic life [yr], > 0 (fractional lives allowed)
    Returns [1/yr]; at rate 0 it is 1 / life (straight line), by a mask, not a branch.

    >>> round(float(capital_recovery_factor(0.08, 5)), 6)
    0.250456
    >>> float(capital_recovery_factor(0.0, 4))
    0.25
    """
    rate = np.asarray(rate_per_year, dtype=float)
    life = np.asarray(life_years, dtype=float)
    zero = rate == 0.0
    safe_rate = np.where(zero, 1.0, rate)
    # (1+r)^n - 1 via expm1(n log1p(r)): exact for tiny rates, where (1+r)^n rounds to 1
    growth_minus_one = np.expm1(life * np.log1p(safe_rate))
    crf = safe_rate * (growth_minus_one + 1.0) / growth_minus_one
    return np.where(zero, 1.0 / life, crf)


def annualized_capital_usd_per_year(capex_usd, rate_per_year, life_years, residual_value_fraction):
    """Equivalent annual cost of an asset bought for ``capex_usd`` and sold at the end of its life.

    The residual value ``capex x residual_fraction`` arrives after ``life_years``;
    its present value is subtracted before annualizing:
    EAC = (capex - residual / (1+r)^n) x CRF(r, n).

    capex_usd : purchase price [USD]
    residual_value_fraction : resale value at end of life as a fraction of capex [-]
    Returns [USD/yr].

    >>> round(float(annualized_capital_usd_per_year(100.0, 0.0, 4, 0.2)), 6)
    20.0
    """
    rate = np.asarray(rate_per_year, dtype=float)
    residual_pv = capex_usd * residual_value_fraction / np.power(1.0 + rate, life_years)
    return (capex_usd - residual_pv) * capital_recovery_factor(rate, life_years)
