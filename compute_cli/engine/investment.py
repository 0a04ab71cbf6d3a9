"""Investment cash flows: NPV, IRR, payback and the price decline that strands the capital.

Cash flows are monthly; index 0 is the purchase (t = 0), months 1..N follow.
Conventions follow numpy-financial (``npv`` discounts index 0 by 1; ``irr`` is
the per-period rate at which NPV is zero), which the tests use as an oracle.
"""

from __future__ import annotations

import numpy as np

from compute_cli.engine.constants import MONTHS_PER_YEAR
from compute_cli.engine.solve import bisect


def monthly_rate(rate_per_year):
    """Monthly rate equivalent to an annual one: (1 + r)^(1/12) - 1.

    >>> round(float(monthly_rate(0.1268250301)), 6)
    0.01
    """
    return np.power(1.0 + np.asarray(rate_per_year, dtype=float), 1.0 / MONTHS_PER_YEAR) - 1.0


def npv(rate_per_period, cash_flows):
    """Net present value of ``cash_flows`` (last axis = periods, index 0 undiscounted).

    >>> round(float(npv(0.1, [-100.0, 60.0, 60.0])), 4)
    4.1322
    """
    flows = np.asarray(cash_flows, dtype=float)
    periods = np.arange(flows.shape[-1])
    rate = np.asarray(rate_per_period, dtype=float)[..., None]
    return np.sum(flows / np.power(1.0 + rate, periods), axis=-1)


def irr(cash_flows, low=-0.99, high=10.0, iterations=200):
    """Per-period internal rate of return by bisection; NaN when NPV has no sign change in [low, high].

    An investment's flows (one outlay, then receipts) have a single root.

    >>> round(float(irr([-100.0, 60.0, 60.0])), 6)
    0.130662
    """
    flows = np.asarray(cash_flows, dtype=float)
    lo = np.full(flows.shape[:-1], low)
    hi = np.full(flows.shape[:-1], high)
    f_lo = npv(lo, flows)
    valid = np.sign(f_lo) != np.sign(npv(hi, flows))
    root = bisect(lambda rate: npv(rate, flows), lo, hi, iterations, f_lo)
    return np.where(valid, root, np.nan)


def payback_periods(cash_flows):
    """First period at which cumulative (undiscounted) cash turns non-negative; -1 if never.

    >>> int(payback_periods([-100.0, 30.0, 30.0, 50.0]))
    3
    >>> int(payback_periods([-100.0, 10.0]))
    -1
    """
    cumulative = np.cumsum(np.asarray(cash_flows, dtype=float), axis=-1)
    reached = cumulative >= 0.0
    first = np.argmax(reached, axis=-1)
    return np.where(reached.any(axis=-1), first, -1)


def price_path(price_now, decline_per_year, months):
    """Price in months 1..N falling by ``decline_per_year`` a year, compounded monthly.

    The price of month m is P0 x (1 - d)^((m - 1)/12): month 1 sells at today's price.

    >>> [round(float(p), 4) for p in price_path(1.0, 0.5, 13)[[0, 12]]]
    [1.0, 0.5]
    """
    m = np.arange(1, months + 1)
    d = np.asarray(decline_per_year, dtype=float)[..., None]
    return np.asarray(price_now, dtype=float)[..., None] * np.power(1.0 - d, (m - 1) / MONTHS_PER_YEAR)


def book_value_fraction(months, life_years, residual_value_fraction):
    """Straight-line value left after ``months``: from 1 at purchase to the residual at end of life.

    >>> float(book_value_fraction(24, 4, 0.2))
    0.6
    """
    used = np.minimum(months / (life_years * MONTHS_PER_YEAR), 1.0)
    return 1.0 - (1.0 - residual_value_fraction) * used


def cash_flows(capex_usd, revenue_per_unit_price_usd, price_now, decline_per_year, opex_usd_per_month,
               months, life_years, residual_value_fraction):
    """Monthly cash flows: -capex at t=0; then revenue at a declining price less opex; resale in the last month.

    revenue_per_unit_price_usd : revenue a month would bring at a price of 1 (units sold x (1 - fee))
    Every argument but ``months`` broadcasts (one scenario per element); the result has the
    scenarios' shape plus a last axis of ``months + 1`` periods.

    >>> cash_flows(100.0, 10.0, 1.0, 0.0, 4.0, 2, 4.0, 0.0).round(2).tolist()
    [-100.0, 6.0, 101.83]
    >>> cash_flows([100.0, 200.0], 10.0, 1.0, 0.0, [4.0, 2.0], 1, 4.0, 0.0).shape
    (2, 2)
    """
    def per_scenario(a):
        return np.asarray(a, dtype=float)[..., None]

    revenue = per_scenario(revenue_per_unit_price_usd) * price_path(price_now, decline_per_year, months)
    monthly = revenue - per_scenario(opex_usd_per_month)
    resale = np.asarray(capex_usd, dtype=float) * book_value_fraction(months, np.asarray(life_years, dtype=float),
                                                                      np.asarray(residual_value_fraction, dtype=float))
    monthly = monthly + np.zeros(np.shape(resale) + (1,))  # every scenario gets its own row
    monthly[..., -1] += resale
    head = -np.asarray(capex_usd, dtype=float)[..., None] * np.ones(np.shape(monthly)[:-1] + (1,))
    return np.concatenate([head, monthly], axis=-1)
