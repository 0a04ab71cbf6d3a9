"""``invest``: monthly cash flows of owning (or renting) a setup and selling its output.

NPV, IRR, simple and discounted payback, and the price decline that strands the capital;
the hardware is sold at the horizon for what its finance profile's resale curve says
(docs/methodology.md, "Terminal value, taxes and financing").
"""

from __future__ import annotations

import math

import numpy as np

from compute_cli import inputs
from compute_cli.analysis.degenerate import overflow_is_null
from compute_cli.analysis.options import number, one_of
from compute_cli.contract import SCHEMA_VERSION
from compute_cli.engine import finance, investment
from compute_cli.engine.constants import HOURS_PER_DAY, HOURS_PER_MONTH, MONTHS_PER_YEAR, SECONDS_PER_HOUR, TOKENS_PER_MILLION
from compute_cli.engine.solve import bisect, sign_changes
from compute_cli.errors import UsageError
from compute_cli.pipeline import clean, evaluate
from compute_cli.profiles.catalog import Catalog
from compute_cli.profiles.overrides import Assignment

# Assumption: a renter's or fleet operator's opportunity cost of cash, for discounting only.
RENTER_DISCOUNT_RATE = 0.10
DECLINE_SEARCH = np.linspace(-0.5, 0.999, 101)  # yearly price changes scanned for the stranded decline


def _clean_dict(d: dict) -> dict:
    return {k: (clean(v) if isinstance(v, float | np.floating) else v) for k, v in d.items()}


def _as_of(record, name: str) -> str | None:
    """The date of the money figure an input was read from (the price vintage), if it has one."""
    for origin in record.inputs.get(name, ()):
        if origin.as_of and origin.path and "usd" in origin.path:
            return str(origin.as_of)
    return None


def operating_point(run, i: int = 0) -> dict:
    """Where a result holds: the serving point (concurrency, latency, targets: ``compare.operating_point``)
    and the model, utilization, context, rental term and price vintage."""
    from compute_cli.analysis.compare import operating_point as serving_point

    r, x = run.resolved[i], run.scalars(i)[0]
    s = r.setup
    record = run.origins[i]
    return {**serving_point(run.x, run.y, i),
            "model": run.model.id, "utilization": clean(x["utilization"]), "precision": s.precision,
            "context_tokens": int(x["context_tokens"]),
            "input_tokens_per_output_token": clean(x["input_tokens_per_output_token"]),
            "term": s.term if s.kind == "rent" else None,
            "hardware_price_as_of": _as_of(record, "price_usd") if s.kind == "own" else None,
            "rent_as_of": _as_of(record, "rent_usd_per_gpu_hour") if s.kind == "rent" else None}


def operating_point_text(point: dict) -> str:
    """``llama-3.1-70b at 70% utilization, concurrency 64, 4,096-token context, fp8, ...``: one line under a table."""
    parts = [f"{point['model']} at {point['utilization']:.0%} utilization", f"concurrency {point['concurrency']}",
             f"{point['context_tokens']:,}-token context", point["precision"],
             f"{point['input_tokens_per_output_token']:.3g} input tokens per output token"]
    if point.get("term"):
        parts.append(f"rented {point['term']}")
    vintage = point.get("hardware_price_as_of") or point.get("rent_as_of")
    if vintage:
        parts.append(("hardware priced as of " if point.get("hardware_price_as_of") else "rent as of ") + vintage)
    return ", ".join(parts)


def _financing(r, x) -> dict:
    """The discount rate and where it comes from."""
    if r.setup.kind != "own":
        return {"cost_of_capital_per_year": RENTER_DISCOUNT_RATE,
                "basis": "a renter's opportunity cost of cash, an assumption"}
    fin = r.finance
    if fin.cost_of_capital_per_year is not None:
        basis = f"finance {fin.id}: cost of capital (WACC)"
    else:
        basis = (f"finance {fin.id}: WACC of {fin.debt_fraction:.0%} debt at {fin.cost_of_debt_per_year:.1%}"
                 + (f" (after {fin.income_tax_rate:.0%} tax)" if fin.income_tax_rate else "")
                 + f" and {1 - fin.debt_fraction:.0%} equity at {fin.cost_of_equity_per_year:.1%}")
    return {"cost_of_capital_per_year": float(x["cost_of_capital_per_year"]), "basis": basis,
            "income_tax_rate": float(x["income_tax_rate"]), "tax_depreciation": fin.tax_depreciation}


def _resale_basis(r, years: float, fraction: float, decline: float) -> str:
    if r.setup.kind != "own":
        return "nothing to sell: the setup rents its capacity"
    fin = r.finance
    if fin.residual_value_fraction == 0 or (fin.residual_value_fraction is None and not fin.resale_fraction_by_age):
        return f"nothing recovered: finance {fin.id} sets no resale value (residual_value_fraction 0)"
    curve = ("resale_fraction_by_age" if fin.resale_fraction_by_age and fin.residual_value_fraction is None
             else f"residual_value_fraction {fin.residual_value_fraction:g} at {fin.economic_life_years:g} years")
    text = f"finance {fin.id} {curve}: {fraction:.3f} of the price paid at {years:g} years"
    if decline:
        text += f", x (1 - {decline:g})^{years:g} for a hardware price decline beyond the curve's"
    return text


RENTED_HORIZON_YEARS = 5.0  # the default horizon of a setup with no economic life of its own (it rents)


def _terms(kind: str, x, y, selling: dict, fee) -> dict:
    """What the monthly cash flows are made of, elementwise over the engine's inputs ``x`` and outputs ``y``
    (one setup, or many samples of it for --ranges).

    selling : ``{"usd_per_gpu_hour": p}`` (GPU-hours rented out) or ``{"input": p_in, "output": p_out}``
    (tokens at USD per million); prices may be arrays (one per sample). Every revenue pays the fee.
    """
    gpus = y["accelerators_total"]
    hours = HOURS_PER_MONTH * x["availability_hours_per_day"] / HOURS_PER_DAY
    busy_hours = hours * x["utilization"]
    out = {"gpus": gpus}
    if "usd_per_gpu_hour" in selling:
        out["revenue_now"] = gpus * busy_hours * selling["usd_per_gpu_hour"] * (1.0 - fee)
    else:
        out_tokens = gpus * y["served_output_tokens_per_s_per_gpu"] * busy_hours * SECONDS_PER_HOUR
        in_tokens = out_tokens * x["input_tokens_per_output_token"]
        out["output_tokens_per_month"] = out_tokens
        out["revenue_now"] = (out_tokens * selling["output"] + in_tokens * selling["input"]) / TOKENS_PER_MILLION \
            * (1.0 - fee)
    out["opex_month"] = gpus * y["operating_usd_per_gpu_hour"] * hours
    out["capex"] = gpus * y["capex_usd_per_gpu"]
    out["resale"] = gpus * y["terminal_value_usd_per_gpu"]
    out["tax"] = x["income_tax_rate"]
    rate = x["cost_of_capital_per_year"] if kind == "own" else RENTER_DISCOUNT_RATE
    out["rate"] = investment.monthly_rate(rate)
    return out


def _depreciation(r, capex, life, months):
    """invest's monthly tax depreciation of the purchase (None when the owner pays no income tax)."""
    if r.setup.kind != "own":
        return None
    method = r.finance.tax_depreciation
    return investment.monthly_depreciation(capex, finance.depreciation_schedule(method, float(np.max(life))), months,
                                           straight_line_years=life if method == "straight-line" else None)


@overflow_is_null
def invest(catalog: Catalog, setup_id: str, *, model_id: str | None = None, years: float | None = None,
           price_decline_per_year: float = 0.3, sell_price_usd_per_million_tokens: float | None = None,
           market_model: str | None = None, price_scale: float = 1.0, rent_out_usd_per_gpu_hour: float | None = None,
           assignments: list[Assignment] = (), npv_declines=None, ranges=None,
           options: inputs.RunOptions = inputs.RunOptions()) -> dict:
    """Monthly cash flows of owning (or renting) a setup and selling its output at its operating point.

    ``years`` None: over the owned hardware's economic life (5 years for a rented setup).
    npv_declines : yearly price declines at which to give the NPV as well (``npv_by_decline``),
    all evaluated at once
    ranges : ``analysis.ranges.RangeOptions`` to add ``ranges`` (p5, p50, p95 of NPV and IRR) over the
    distributions declared for the setup's figures and the market's quotes, or None
    """
    import dataclasses

    from compute_cli.analysis.compare import workload_of
    from compute_cli.analysis.economics import _one, market_price

    if years is not None:
        years = number("--years", years, low=0, high=30, low_open=True, what="a number of years")
    decline = number("--token-price-decline-per-year", price_decline_per_year, low=-1, high=1, low_open=True,
                     high_open=True, what="a yearly fraction")
    scale = number("--price-scale", price_scale, low=0, low_open=True, what="a factor")
    if rent_out_usd_per_gpu_hour is not None:
        number("--rent-out-usd-per-gpu-hour", rent_out_usd_per_gpu_hour, low=0, what="a price")
    if sell_price_usd_per_million_tokens is not None:
        number("--sell-price-usd-per-million-tokens", sell_price_usd_per_million_tokens, low=0, what="a price")
    one_of(("--rent-out-usd-per-gpu-hour", rent_out_usd_per_gpu_hour),
           ("--sell-price-usd-per-million-tokens", sell_price_usd_per_million_tokens), ("--market", market_model))
    if ranges is not None:
        ranges.check()
    if years is None:
        years = _default_horizon(catalog, setup_id, model_id, assignments, options)
    options = dataclasses.replace(options, horizon_years=years)
    run, x, y, _point = _one(catalog, setup_id, model_id, assignments, options)
    r, model = run.resolved[0], run.model
    s = r.setup
    owned = s.kind == "own"
    life = float(x["economic_life_years"])
    if owned and years > life + 1e-9:
        raise UsageError(f"--years {years:g}: beyond the {life:g}-year economic life of setup '{s.id}' (finance "
                         f"{r.finance.id}); ask for at most {life:g} years, or --set finance.economic_life_years="
                         f"{years:g}")
    months = max(int(round(years * MONTHS_PER_YEAR)), 1)
    fee = float(x["marketplace_fee_fraction"])

    market_model = market_model or model.id
    if rent_out_usd_per_gpu_hour is not None:
        selling = {"usd_per_gpu_hour": rent_out_usd_per_gpu_hour * scale}
        price = {"mode": "rent-out", "usd_per_gpu_hour": rent_out_usd_per_gpu_hour * scale,
                 "marketplace_fee_fraction": fee}
    else:
        if sell_price_usd_per_million_tokens is not None:
            p_in = p_out = sell_price_usd_per_million_tokens
            price = {"mode": "tokens", "source": "--sell-price-usd-per-million-tokens"}
        else:
            m = market_price(catalog, market_model)
            p_in, p_out = m["input_usd_per_million_tokens"], m["output_usd_per_million_tokens"]
            price = {"mode": "tokens", "source": f"median of {m['providers']} providers in markets/{m['market']}"}
        selling = {"input": p_in * scale, "output": p_out * scale}
    t = _terms(s.kind, x, y, selling, fee)
    if "output_tokens_per_month" in t:
        price.update({"input_usd_per_million_tokens": selling["input"], "output_usd_per_million_tokens":
                      selling["output"], "output_tokens_per_month": float(t["output_tokens_per_month"]),
                      "marketplace_fee_fraction": fee})
    capex, opex_month, resale = float(t["capex"]), float(t["opex_month"]), float(t["resale"])
    revenue_now, tax, rate = float(t["revenue_now"]), float(t["tax"]), float(t["rate"])
    depreciation = _depreciation(r, capex, life, months) if tax else None
    financing = _financing(r, x)

    def parts(d):
        return investment.cash_flows(capex, revenue_now, d, opex_month, months, resale, tax, depreciation)

    def flows(d):
        return parts(d)["net"]

    base = parts(decline)
    net = base["net"]
    npv = float(investment.npv(rate, net))
    irr_month, roots, irr_note = investment.irr_decision(net) if capex > 0 else (math.nan, np.array([]), None)
    if capex <= 0:
        irr_note = "no IRR: no capital is put up (a rented setup); read the NPV"
    payback = int(investment.payback_periods(net)) if capex > 0 else -1
    discounted = int(investment.payback_periods(net, rate)) if capex > 0 else -1
    if capex <= 0:
        payback_note = "n/a: no capital outlay to pay back (a rented setup)"
    elif payback < 0:
        payback_note = f"not within the {years:g}-year horizon" + (" (the hardware's whole life)"
                                                                    if owned and years >= life - 1e-9 else "")
    elif discounted < 0:
        payback_note = f"pays back in {payback} months undiscounted, but not within {years:g} years discounted"
    else:
        payback_note = None
    stranded, stranded_note = (stranded_decline(flows, rate) if capex > 0
                               else (None, "n/a: no capital to strand (a rented setup)"))
    per_year = int(MONTHS_PER_YEAR)
    yearly = []
    for year in range(int(np.ceil(months / MONTHS_PER_YEAR))):
        sl = slice(1 + year * per_year, 1 + min((year + 1) * per_year, months))
        yearly.append({"year": year + 1, "revenue_usd": clean(base["revenue"][sl].sum()),
                       "opex_usd": clean(base["opex"][sl].sum()), "tax_usd": clean(base["tax"][sl].sum()),
                       "resale_usd": clean(base["resale"][sl].sum()), "net_usd": clean(net[sl].sum())})
    fraction = float(x["resale_fraction_at_horizon"])
    out = {
        "schema_version": SCHEMA_VERSION,
        "setup": s.id,
        "kind": s.kind,
        "model": model.id,
        "years": clean(years),
        "accelerators": int(t["gpus"]),
        "workload": workload_of(r),
        "operating_point": operating_point(run),
        "price": _clean_dict(price),
        "price_decline_per_year": decline,
        "cost_of_capital_per_year": clean(financing["cost_of_capital_per_year"]),
        "financing": _clean_dict(financing),
        "capex_usd": clean(capex),
        "revenue_usd_first_month": clean(revenue_now),
        "opex_usd_per_month": clean(opex_month),
        "resale_usd": clean(resale),
        "resale_basis": _resale_basis(r, years, fraction, float(x["hardware_price_decline_per_year"])),
        "npv_usd": clean(npv),
        "npv_usd_per_accelerator": clean(npv / float(t["gpus"])) if float(t["gpus"]) else None,
        "npv_per_usd_invested": clean(npv / capex) if capex > 0 else None,
        "irr": clean(investment.yearly_rate(irr_month)) if math.isfinite(irr_month) else None,
        "irr_roots_per_year": [clean(investment.yearly_rate(v)) for v in roots],
        "irr_note": irr_note,
        "payback_months": payback if payback >= 0 else None,
        "discounted_payback_months": discounted if discounted >= 0 else None,
        "payback_note": payback_note,
        "stranded_price_decline_per_year": stranded,
        "stranded_note": stranded_note,
        "cash_flows_by_year": yearly,
    }
    if npv_declines is not None:
        declines = np.asarray(npv_declines, dtype=float)
        out["npv_by_decline"] = {"price_decline_per_year": [clean(d) for d in declines],
                                 "npv_usd": [clean(v) for v in investment.npv(rate, flows(declines))]}
    if ranges is not None:
        from_market = rent_out_usd_per_gpu_hour is None and sell_price_usd_per_million_tokens is None
        out["ranges"], uncertain = _invest_ranges(catalog, run, r, months, decline, selling, fee,
                                                  market_model if from_market else None, scale, ranges, options)
        out["monte_carlo"] = {**ranges.as_dict(), "uncertain_inputs": uncertain}
    return out


def _invest_ranges(catalog, run, r, months, decline, selling, fee, market_model, price_scale, opts, options):
    """``({"npv_usd", "irr"}: {p5, p50, p95}, [uncertain keys])`` of an investment, chunk by chunk."""
    from compute_cli.analysis.economics import market_price_samples
    from compute_cli.analysis.ranges import percentiles, setup_samples

    us, chunks = setup_samples(run, 0, opts, options)
    uncertain = [u.path.text for u in us]
    prices = None
    if market_model is not None:
        prices, quotes = market_price_samples(catalog, market_model, opts.seed)
        uncertain += quotes
    npv, irr = np.empty(opts.samples), np.empty(opts.samples)
    for start, n, x, y in chunks:
        sell = selling
        if prices is not None:
            p_in, p_out = prices(n)
            sell = {"input": p_in * price_scale, "output": p_out * price_scale}
        t = _terms(r.setup.kind, x, y, sell, x["marketplace_fee_fraction"])
        t = {k: np.broadcast_to(np.asarray(v, dtype=float), (n,)) for k, v in t.items()}
        life = np.broadcast_to(np.asarray(x["economic_life_years"], dtype=float), (n,))
        depreciation = _depreciation(r, t["capex"], life, months) if np.any(t["tax"]) else None
        flows = investment.cash_flows(t["capex"], t["revenue_now"], decline, t["opex_month"], months, t["resale"],
                                      t["tax"], depreciation)["net"]
        npv[start:start + n] = investment.npv(t["rate"], flows)
        irr[start:start + n] = np.where(t["capex"] > 0, investment.yearly_rate(investment.irr_many(flows)), np.nan)
    return {"npv_usd": percentiles(npv), "irr": percentiles(irr)}, uncertain


def _default_horizon(catalog: Catalog, setup_id: str, model_id, assignments, options) -> float:
    """The economic life of an owned setup (after --set), else ``RENTED_HORIZON_YEARS``."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the run that follows says what --set changes nothing
        run = evaluate(catalog, [setup_id], model_id, assignments, options)
    if run.resolved[0].setup.kind != "own":
        return RENTED_HORIZON_YEARS
    return float(run.x["economic_life_years"][0])


def stranded_decline(flows, rate) -> tuple[float | None, str | None]:
    """The yearly price decline at which NPV reaches zero (NPV falls as the decline grows), and a note when none.

    Scanned from -50 % (prices rising 50 % a year) to 99.9 % and refined by bisection; a
    negative answer means the investment needs rising prices to earn its cost of capital.
    """
    values = np.array([investment.npv(rate, flows(d)) for d in DECLINE_SEARCH])
    change = sign_changes(values)
    if change.size == 0:
        if values[0] < 0:
            return None, "NPV is negative even with prices rising 50 % a year"
        return None, "NPV stays positive even with prices falling 99.9 % a year"
    i = change[0]
    root = bisect(lambda d: investment.npv(rate, flows(float(d))), DECLINE_SEARCH[i], DECLINE_SEARCH[i + 1], 50,
                  values[i])
    note = None if root >= 0 else f"NPV is negative unless prices rise {-float(root):.0%} a year"
    return clean(root), note
