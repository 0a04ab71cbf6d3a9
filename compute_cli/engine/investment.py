"""Investment cash flows: NPV, IRR, payback and the price decline that strands the capital.

Cash flows are monthly; index 0 is the purchase (t = 0), months 1..N follow.
Conventions follow numpy-financial (``npv`` discounts index 0 by 1; ``irr`` is
the per-period rate at which NPV is zero), which the tests use as an oracle.
"""

from __future__ import annotations

import math

import numpy as np

from compute_cli.engine.constants import MONTHS_PER_YEAR
from compute_cli.engine.solve import bisect, sign_changes

# Per-period rates searched for internal rates of return: ln(1 + i) evenly spaced from
# i = -99.9 % to +1,000 % a period (a month here: far beyond any investment's).
IRR_SEARCH = np.expm1(np.linspace(math.log(1e-3), math.log(11.0), 4001))


def monthly_rate(rate_per_year):
    """Monthly rate equivalent to an annual one: (1 + r)^(1/12) - 1.

    >>> round(float(monthly_rate(0.1268250301)), 6)
    0.01
    """
    return np.expm1(np.log1p(np.asarray(rate_per_year, dtype=float)) / MONTHS_PER_YEAR)


def yearly_rate(rate_per_month):
    """Annual rate equivalent to a monthly one: (1 + i)^12 - 1.

    >>> round(float(yearly_rate(0.01)), 6)
    0.126825
    """
    return np.power(1.0 + np.asarray(rate_per_month, dtype=float), MONTHS_PER_YEAR) - 1.0


def npv(rate_per_period, cash_flows):
    """Net present value of ``cash_flows`` (last axis = periods, index 0 undiscounted).

    >>> round(float(npv(0.1, [-100.0, 60.0, 60.0])), 4)
    4.1322
    """
    flows = np.asarray(cash_flows, dtype=float)
    periods = np.arange(flows.shape[-1])
    rate = np.asarray(rate_per_period, dtype=float)[..., None]
    return np.sum(flows / np.power(1.0 + rate, periods), axis=-1)


def _npv_sign(rates, flows):
    """A function with the sign of NPV at each rate, finite everywhere: NPV for rates >= 0, and the
    future value NPV x (1+i)^N for rates below 0 (whose discount factors would overflow)."""
    flows = np.asarray(flows, dtype=float)
    n = flows.shape[-1] - 1
    periods = np.arange(n + 1)
    rates = np.asarray(rates, dtype=float)[..., None]
    exponent = np.where(rates >= 0.0, -periods, n - periods)
    scale = np.max(np.abs(flows)) or 1.0
    return np.sum(flows / scale * np.power(1.0 + rates, exponent), axis=-1)


def irr_roots(cash_flows) -> np.ndarray:
    """Every per-period rate in (-99.9 %, +1,000 %] at which NPV is zero, rising [1/period].

    Searched on the whole range (``IRR_SEARCH``), each sign change refined by bisection, so
    cash flows that change sign several times show every rate that zeroes them.

    >>> [round(float(r), 6) for r in irr_roots([-100.0, 60.0, 60.0])]
    [0.130662]
    >>> [round(float(r), 4) for r in irr_roots([-100.0, 230.0, -132.0])]  # (1.1)(1.2) = 1.32, 1.1 + 1.2 = 2.3
    [0.1, 0.2]
    """
    flows = np.asarray(cash_flows, dtype=float)
    values = _npv_sign(IRR_SEARCH, flows)
    roots = []
    for i in sign_changes(values):
        if values[i] == 0.0:
            roots.append(float(IRR_SEARCH[i]))
            continue
        roots.append(float(bisect(lambda r: _npv_sign(r, flows), IRR_SEARCH[i], IRR_SEARCH[i + 1], 80, values[i])))
    return np.array(sorted(set(roots)))


def irr_decision(cash_flows, periods_per_year: float = MONTHS_PER_YEAR) -> tuple[float, np.ndarray, str | None]:
    """The IRR an investor reads, every root, and a note when there is no single answer.

    The IRR is the rate at which NPV falls through zero as the rate rises (above it the
    investment destroys value). One such rate: it is the IRR, and any other root (late negative
    flows add one at a deeply negative rate) is named in the note. None: no IRR, and why.
    Several: no IRR; read the NPV. Rates in the note are yearly (``periods_per_year`` periods a year).

    >>> irr, roots, note = irr_decision([-100.0, 60.0, 60.0], 1)
    >>> round(irr, 6), note
    (0.130662, None)
    >>> round(irr_decision([-100.0, 10.0, 10.0], 1)[0], 4)  # a root at -63 % a period: a loss, still an IRR
    -0.6298
    >>> irr_decision([-100.0, -10.0], 1)[2]
    'no IRR: NPV is negative at every rate (the flows never repay the outlay)'
    >>> irr, roots, note = irr_decision([-100.0, 230.0, -132.0], 1)  # NPV > 0 between 10 % and 20 %
    >>> round(irr, 6)
    0.2
    >>> print(note)
    NPV is also zero at 10.0% a year: the cash flows turn negative again, so the investment adds value only
    at costs of capital between the rates
    >>> print(irr_decision([-100.0, 360.0, -431.0, 171.6], 1)[2])  # roots at 10, 20 and 30 %
    no single IRR: NPV is zero at 10.0%, 20.0%, 30.0% a year (the cash flows change sign 3 times); read the NPV
    """
    flows = np.asarray(cash_flows, dtype=float)
    roots = irr_roots(flows)
    if roots.size == 0:
        sign = np.sign(_npv_sign(np.array([0.0]), flows))[0]
        if not np.any(flows < 0.0):
            return math.nan, roots, "no IRR: nothing is put at risk (no negative cash flow)"
        if sign > 0:
            return math.nan, roots, "no IRR: NPV is positive at every rate"
        return math.nan, roots, "no IRR: NPV is negative at every rate (the flows never repay the outlay)"
    falling = [r for r in roots if _npv_sign(np.array([r + max(abs(r), 1e-6) * 1e-4]), flows)[0] < 0.0]
    if len(falling) == 1:
        others = [r for r in roots if r != falling[0]]
        note = None
        if others:
            listed = ", ".join(f"{(1.0 + r) ** periods_per_year - 1.0:.1%}" for r in others)
            note = (f"NPV is also zero at {listed} a year: the cash flows turn negative again, so the investment "
                    f"adds value only at costs of capital between the rates")
        return float(falling[0]), roots, note
    listed = ", ".join(f"{(1.0 + r) ** periods_per_year - 1.0:.1%}" for r in roots)
    changes = int(np.sum(np.diff(np.sign(flows[flows != 0])) != 0))
    return math.nan, roots, (f"no single IRR: NPV is zero at {listed} a year (the cash flows change sign "
                             f"{changes} times); read the NPV")


def irr_many(cash_flows, grid_points: int = 41, iterations: int = 64, block: int = 2048) -> np.ndarray:
    """``irr_decision``'s IRR of many cash-flow rows at once (Monte Carlo ranges) [1/period]; NaN where none.

    A coarse scan of NPV's sign over ``IRR_SEARCH`` (``grid_points`` rates) brackets, row by row, the
    rate where NPV falls through zero as the rate rises; bisection refines it. A row with no such
    crossing, or several, has no IRR. Rows are scanned ``block`` at a time to bound memory.

    >>> [round(float(v), 6) for v in irr_many([[-100.0, 60.0, 60.0], [-100.0, -1.0, -1.0]])[:1]]
    [0.130662]
    >>> bool(np.isnan(irr_many([[-100.0, -1.0, -1.0]])[0]))
    True
    """
    flows = np.atleast_2d(np.asarray(cash_flows, dtype=float))
    rows = flows.shape[0]
    grid = IRR_SEARCH[np.linspace(0, IRR_SEARCH.size - 1, grid_points).round().astype(int)]
    lo, hi = np.full(rows, np.nan), np.full(rows, np.nan)
    for start in range(0, rows, block):
        part = flows[start:start + block]
        signs = np.sign(np.stack([_npv_sign(np.full(part.shape[0], r), part) for r in grid], axis=-1))
        falling = (signs[:, :-1] > 0) & (signs[:, 1:] <= 0)
        one = falling.sum(axis=-1) == 1
        at = np.argmax(falling, axis=-1)
        lo[start:start + block] = np.where(one, grid[at], np.nan)
        hi[start:start + block] = np.where(one, grid[np.minimum(at + 1, grid.size - 1)], np.nan)
    found = np.isfinite(lo)
    out = np.full(rows, np.nan)
    if found.any():
        f = flows[found]
        out[found] = bisect(lambda r: _npv_sign(r, f), lo[found], hi[found], iterations)
    return out


def irr(cash_flows):
    """Per-period internal rate of return (``irr_decision``); NaN when there is none or no single one.

    >>> round(float(irr([-100.0, 60.0, 60.0])), 6)
    0.130662
    """
    return irr_decision(cash_flows)[0]


def payback_periods(cash_flows, rate_per_period=0.0):
    """First period at which cumulative cash, discounted at ``rate_per_period``, turns non-negative; -1 if never.

    >>> int(payback_periods([-100.0, 30.0, 30.0, 50.0])), int(payback_periods([-100.0, 30.0, 30.0, 50.0], 0.1))
    (3, -1)
    >>> int(payback_periods([-100.0, 10.0]))
    -1
    """
    flows = np.asarray(cash_flows, dtype=float)
    periods = np.arange(flows.shape[-1])
    discounted = flows / np.power(1.0 + np.asarray(rate_per_period, dtype=float)[..., None], periods)
    cumulative = np.cumsum(discounted, axis=-1)
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


def monthly_depreciation(capex_usd, schedule, months, straight_line_years=None):
    """Tax depreciation in months 1..N [USD]: each tax year's share spread over its 12 months.

    schedule : shares of the basis by tax year (``finance.depreciation_schedule``); a straight
    line (``straight_line_years``) is spread evenly over the months of the life instead.
    ``capex_usd`` and ``straight_line_years`` broadcast; the months are the last axis.

    >>> d = monthly_depreciation(1200.0, (0.2, 0.32, 0.192, 0.1152, 0.1152, 0.0576), 24)
    >>> float(d[0]), float(d[12]), float(d.sum())
    (20.0, 32.0, 624.0)
    >>> float(monthly_depreciation(1200.0, (), 30, 2.5)[29])
    40.0
    """
    m = np.arange(1, months + 1)
    capex = np.asarray(capex_usd, dtype=float)[..., None]
    if straight_line_years is not None:
        life_months = np.asarray(straight_line_years, dtype=float)[..., None] * MONTHS_PER_YEAR
        return np.where(m <= life_months, capex / life_months, 0.0)
    shares = np.array(list(schedule) + [0.0])
    year = np.minimum((m - 1) // int(MONTHS_PER_YEAR), len(schedule))
    return capex * shares[year] / MONTHS_PER_YEAR


def cash_flows(capex_usd, revenue_usd_per_month, decline_per_year, opex_usd_per_month, months, resale_usd,
               income_tax_rate=0.0, depreciation_usd=None) -> dict:
    """Monthly cash flows of an investment, by part [USD]; index 0 is the purchase.

    revenue_usd_per_month : revenue of month 1, net of any marketplace fee; later months fall by
    ``decline_per_year``. The hardware is sold in month N for ``resale_usd``. Income tax is
    ``tax x (revenue - opex - depreciation)`` each month (a loss is a credit against the owner's
    other income); at the sale, the basis not yet depreciated is deducted, so the gain
    ``resale - basis left`` is taxed. ``depreciation_usd``: months 1..N (``monthly_depreciation``).
    Every argument but ``months`` broadcasts (one scenario per element, ``depreciation_usd`` with
    the months on its last axis); each part has the scenarios' shape plus a last axis of
    ``months + 1`` periods.

    >>> f = cash_flows(100.0, 60.0, 0.0, 0.0, 2, 10.0)
    >>> f["net"].tolist()
    [-100.0, 60.0, 70.0]
    >>> cash_flows([100.0, 200.0], 60.0, [0.0, 0.5], 0.0, 2, 10.0)["net"].shape
    (2, 3)
    """
    def col(a):
        return np.asarray(a, dtype=float)[..., None]

    dep = np.zeros(months) if depreciation_usd is None else np.asarray(depreciation_usd, dtype=float)
    revenue = col(revenue_usd_per_month) * price_path(1.0, decline_per_year, months)
    shape = np.broadcast_shapes(revenue.shape, col(opex_usd_per_month).shape, dep.shape, col(capex_usd).shape,
                                col(resale_usd).shape, col(income_tax_rate).shape)
    lead = shape[:-1]

    def periods(monthly):
        return np.concatenate([np.zeros(lead + (1,)), np.broadcast_to(monthly, shape)], axis=-1)

    revenue, opex, depreciation = periods(revenue), periods(col(opex_usd_per_month)), periods(dep)
    resale = np.zeros(lead + (months + 1,))
    resale[..., -1] = np.broadcast_to(np.asarray(resale_usd, dtype=float), lead)
    basis_left = np.asarray(capex_usd, dtype=float) - depreciation.sum(axis=-1)
    taxable = revenue - opex - depreciation
    taxable[..., -1] += resale[..., -1] - basis_left
    tax = col(income_tax_rate) * taxable
    tax[..., 0] = 0.0
    net = revenue - opex - tax + resale
    net[..., 0] = -np.broadcast_to(np.asarray(capex_usd, dtype=float), lead)
    return {"revenue": revenue, "opex": opex, "tax": tax, "resale": resale, "net": net}
