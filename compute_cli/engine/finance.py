"""Capital costs: the capital recovery factor, taxes and depreciation, resale, book value.

References:

* the capital recovery factor is the annuity payment per unit of present value,
  CRF = r (1+r)^n / ((1+r)^n - 1); it is what numpy-financial's ``pmt(rate, nper, -1)``
  returns (Brealey, Myers & Allen, *Principles of Corporate Finance*, ch. 6: equivalent annual cost);
* income tax enters as NREL's Annual Technology Baseline does it ("Equations and Variables in
  the ATB", atb.nrel.gov, 2024): the fixed charge rate is CRF x ProFinFactor with
  ProFinFactor = (1 - T x PVD) / (1 - T), T the tax rate and PVD the present value of the
  depreciation schedule at the (after-tax) WACC, which is D x r_d x (1 - T) + (1 - D) x r_e;
* MACRS 5-year property (computers), half-year convention, 200 % declining balance: IRS
  Publication 946, Table A-1: 20.00, 32.00, 19.20, 11.52, 11.52, 5.76 % of the basis by tax year.
"""

from __future__ import annotations

import math

import numpy as np

# IRS Publication 946, Table A-1 (5-year property, half-year convention): share of the basis by year.
MACRS_5_YEAR = (0.20, 0.32, 0.192, 0.1152, 0.1152, 0.0576)
# tax_depreciation -> the code the engine's vectorized formulas take (an engine input is a number)
TAX_DEPRECIATION = {"straight-line": 0.0, "macrs-5": 1.0, "expensing": 2.0}


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


def wacc(debt_fraction, cost_of_debt_per_year, cost_of_equity_per_year, income_tax_rate):
    """Weighted average cost of capital, after the tax shield on interest [1/yr].

    WACC = D x r_d x (1 - T) + (1 - D) x r_e (nominal; the ATB's form without inflation).

    >>> round(float(wacc(0.6, 0.11, 0.15, 0.0)), 6), round(float(wacc(0.5, 0.08, 0.12, 0.21)), 6)
    (0.126, 0.0916)
    """
    return (debt_fraction * cost_of_debt_per_year * (1.0 - income_tax_rate)
            + (1.0 - debt_fraction) * cost_of_equity_per_year)


def depreciation_schedule(method: str, life_years: float) -> tuple[float, ...]:
    """Share of the depreciable basis deducted in tax years 1, 2, ... [-]; they sum to 1.

    straight-line: 1 / life a year (a fractional last year); macrs-5: IRS Pub 946 Table A-1;
    expensing: all in year 1 (100 % bonus depreciation, IRC section 168(k)).

    >>> [round(x, 12) for x in depreciation_schedule("straight-line", 2.5)]
    [0.4, 0.4, 0.2]
    >>> round(sum(depreciation_schedule("macrs-5", 6)), 12), depreciation_schedule("expensing", 6)
    (1.0, (1.0,))
    """
    if method == "macrs-5":
        return MACRS_5_YEAR
    if method == "expensing":
        return (1.0,)
    whole = int(math.floor(life_years))
    share = 1.0 / life_years
    rest = 1.0 - whole * share
    return tuple([share] * whole + ([rest] if rest > 1e-12 else []))


def _annuity(v, periods, i):
    """Sum of v^1 .. v^periods [-] (v = 1/(1+i)); ``periods`` may be fractional or 0."""
    safe = np.where(i == 0.0, 1.0, i)
    # 1 - v^periods as -expm1(-periods log1p(i)): exact for tiny rates, where v^periods rounds to 1
    return np.where(i == 0.0, periods, -np.expm1(-periods * np.log1p(safe)) / safe)


def depreciation_pv_fraction(method_code, rate_per_year, life_years, periods_per_year=1):
    """Present value of the tax depreciation of 1 USD of basis [-].

    Each tax year's share is deducted at that year's end (``periods_per_year`` 1) or spread over
    its months (12, as ``invest`` books it; a straight line over the life's months). The asset is
    retired at the end of its economic life ``n``: whatever basis the schedule has not deducted by
    then is written off then. method_code: TAX_DEPRECIATION (0 straight line over the life,
    1 MACRS 5-year, 2 expensing). Vectorized; at rate 0 it is 1.

    >>> round(float(depreciation_pv_fraction(0.0, 0.1, 5.0)), 6)  # annuity factor 3.790787 / 5
    0.758157
    >>> round(float(depreciation_pv_fraction(1.0, 0.1, 6.0)), 6)  # sum of Table A-1 / 1.1^k
    0.77326
    >>> float(depreciation_pv_fraction(2.0, 0.0, 4.0)), round(float(depreciation_pv_fraction(2.0, 0.1, 4.0, 12)), 6)
    (1.0, 0.950041)
    """
    code = np.asarray(method_code, dtype=float)
    rate = np.asarray(rate_per_year, dtype=float)
    life = np.asarray(life_years, dtype=float)
    p = float(periods_per_year)
    i = np.expm1(np.log1p(rate) / p)  # rate per period, exact for tiny rates
    v = 1.0 / (1.0 + i)
    n = life * p  # periods of the life
    straight = np.where(rate == 0.0, 1.0, _annuity(v, n, i) / n)

    def schedule_pv(shares):
        deducted, pv = 0.0, 0.0
        for k, share in enumerate(shares, start=1):
            start = (k - 1) * p
            periods = np.clip(n - start, 0.0, p)  # the periods of tax year k inside the life
            pv = pv + share / p * np.power(v, start) * _annuity(v, periods, i)
            deducted = deducted + share * periods / p
        return pv + (1.0 - deducted) * np.power(v, n)

    if p == 1.0:  # a year's deduction at its end, the NREL ATB convention
        macrs = schedule_pv(MACRS_5_YEAR)
        expensing = np.where(life >= 1.0, v, np.power(v, life))
    else:
        macrs, expensing = schedule_pv(MACRS_5_YEAR), schedule_pv((1.0,))
    return np.where(code == 1.0, macrs, np.where(code == 2.0, expensing, straight))


def resale_fraction(age_years: float, points) -> float:
    """Share of the price paid that hardware of ``age_years`` fetches, from a resale curve [-].

    points : ``[(age [yr], fraction), ...]`` with ages rising; (0, 1) is implied. Between points
    the value falls geometrically (log-linearly in age); past the last point it keeps falling at
    the last segment's yearly rate; a point at 0 means nothing is recovered from then on.

    >>> curve = [(1, 0.78), (2, 0.60), (3, 0.46), (4, 0.35)]  # SpotWire's anchor curve, 2026-06
    >>> resale_fraction(2.0, curve), round(resale_fraction(2.5, curve), 4), round(resale_fraction(5.0, curve), 4)
    (0.6, 0.5254, 0.2663)
    >>> round(resale_fraction(2.0, [(4, 0.35)]), 4), resale_fraction(3.0, [(6, 0.0)])
    (0.5916, 0.0)
    """
    pts = [(0.0, 1.0)] + [(float(a), float(f)) for a, f in points]
    if age_years <= 0.0:
        return 1.0
    for (a0, f0), (a1, f1) in zip(pts, pts[1:], strict=False):
        if age_years <= a1:
            if f1 <= 0.0:
                return 0.0
            return f0 * (f1 / f0) ** ((age_years - a0) / (a1 - a0))
    (a0, f0), (a1, f1) = pts[-2], pts[-1]
    if f1 <= 0.0:
        return 0.0
    return f1 * (f1 / f0) ** ((age_years - a1) / (a1 - a0))


def resale_value_fraction(resale_fraction_at_age, hardware_price_decline_per_year, age_years):
    """The curve's value at an age, lowered by a hardware price decline beyond the curve's own, capped at 1 [-].

    Used hardware sells against new hardware: if new prices fall ``g`` a year faster than the
    curve assumes, every year of age takes ``(1 - g)`` more off; resale never exceeds the price paid.

    >>> round(float(resale_value_fraction(0.35, 0.2, 4.0)), 6), float(resale_value_fraction(0.9, -0.5, 2.0))
    (0.14336, 1.0)
    """
    return np.minimum(resale_fraction_at_age * np.power(1.0 - hardware_price_decline_per_year, age_years), 1.0)


def annualized_capital_usd_per_year(capex_usd, rate_per_year, life_years, resale_fraction_at_end, income_tax_rate=0.0,
                                    depreciation_pv=1.0, periods_per_year=1):
    """Pre-tax equivalent annual cost of an asset bought for ``capex_usd`` and sold at the end of its life [USD/yr].

    The revenue R a year that pays, after income tax, for the capital and its return (NREL ATB,
    fixed charge rate = CRF x ProFinFactor, here with the resale at the end):
    (R (1 - T)) x annuity = capex - T x capex x PVD - S (1 - T) / (1+r)^n, so
    R = (capex (1 - T x PVD) - S (1 - T) / (1+r)^n) x CRF / (1 - T), S = capex x resale fraction.
    (The basis is written off by the end of the life, so the resale is taxed in full.) With
    ``periods_per_year`` 12 the revenue arrives month by month (CRF at the monthly rate over
    12 n months, times 12), as ``invest`` counts it; 1 is the textbook annual annuity.

    capex_usd : purchase price [USD]; resale_fraction_at_end : value when sold at the end [-]
    income_tax_rate : T [-]; depreciation_pv : PVD of 1 USD of basis at the same rate and timing [-]

    >>> round(float(annualized_capital_usd_per_year(100.0, 0.0, 4, 0.2)), 6)
    20.0
    >>> round(float(annualized_capital_usd_per_year(100.0, 0.1, 5, 0.0, 0.25, 0.758157)), 4)  # 26.3797 x 0.81046/0.75
    28.5063
    >>> round(float(annualized_capital_usd_per_year(100.0, 0.1, 5, 0.0, periods_per_year=12)), 4)  # 12 x pmt(0.797 %, 60)
    25.2427
    """
    rate = np.asarray(rate_per_year, dtype=float)
    tax = np.asarray(income_tax_rate, dtype=float)
    p = float(periods_per_year)
    per_period = np.expm1(np.log1p(rate) / p)
    resale_pv = capex_usd * resale_fraction_at_end * (1.0 - tax) / np.power(1.0 + rate, life_years)
    crf = capital_recovery_factor(per_period, np.asarray(life_years, dtype=float) * p)
    return p * (capex_usd * (1.0 - tax * depreciation_pv) - resale_pv) * crf / (1.0 - tax)


def levelized_book_value_fraction(rate_per_year, life_years, residual_value_fraction):
    """Average book value over the life, weighted by the discount factor, as a share of cost [-].

    The book value falls in a straight line from the cost to the residual over the life; a
    charge on it (insurance, property tax) paid continuously has the present value of a level
    charge on this share of the cost: 1 - (1 - rho)/n x int t e^(-d t) / int e^(-d t) over [0, n],
    d = ln(1 + r). It is (1 + rho) / 2 at rate 0.

    >>> float(levelized_book_value_fraction(0.0, 6.0, 0.0)), round(float(levelized_book_value_fraction(0.1, 6.0, 0.0)), 6)
    (0.5, 0.547397)
    """
    rate = np.asarray(rate_per_year, dtype=float)
    life = np.asarray(life_years, dtype=float)
    d = np.log1p(np.where(rate == 0.0, 1.0, rate))
    dn = d * life
    # int t e^(-dt) / int e^(-dt) over [0, n] = 1/d - n e^(-dn) / (1 - e^(-dn))
    mean_time = 1.0 / d - life * np.exp(-dn) / -np.expm1(-dn)
    mean_time = np.where(rate == 0.0, life / 2.0, mean_time)
    return 1.0 - (1.0 - residual_value_fraction) * mean_time / life
