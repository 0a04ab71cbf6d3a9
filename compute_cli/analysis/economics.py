"""Investment questions over the engine: rent-or-buy, fleet under a power budget, break-even (invest: analysis/invest.py)."""

from __future__ import annotations

import numpy as np

from compute_cli import inputs
from compute_cli.analysis import paths
from compute_cli.analysis.compare import latency_note, operating_point as serving_point, workload_of
from compute_cli.analysis.degenerate import overflow_is_null
from compute_cli.contract import SCHEMA_VERSION
from compute_cli.engine import investment
from compute_cli.engine.constants import (
    DAYS_PER_YEAR,
    HOURS_PER_DAY,
    HOURS_PER_MONTH,
    HOURS_PER_YEAR,
    MONTHS_PER_YEAR,
    SECONDS_PER_DAY,
    SECONDS_PER_HOUR,
    TOKENS_PER_MILLION,
    W_PER_MW,
)
from compute_cli.engine.evaluate import evaluate as engine_evaluate
from compute_cli.engine.solve import bisect, sign_changes
from compute_cli.errors import InputError, UsageError, did_you_mean
from compute_cli.pipeline import DEFAULT_MODEL, clean, evaluate, evaluate_resolved
from compute_cli.profiles import standins
from compute_cli.profiles.catalog import Catalog, ResolvedSetup
from compute_cli.profiles.limits import MAX_BATCH, MAX_CONTEXT_TOKENS, MAX_POWER_MW
from compute_cli.profiles.overrides import Assignment, apply
from compute_cli.profiles.schema import System


# --------------------------------------------------------------------- market
QUOTE_SIDES = ("input_usd_per_million_tokens", "output_usd_per_million_tokens")


def _market(catalog: Catalog, model_id: str):
    """The market profile of a model (its ``Loaded``), its quotes recorded as figures the run used."""
    if catalog.find("markets", model_id) is None:
        raise InputError(f"no market profile for model '{model_id}'{did_you_mean(model_id, catalog.ids('markets'))}; "
                         "give --sell-price-usd-per-million-tokens, or add markets/" + model_id + ".yaml")
    catalog.record_figures(market_figures(catalog, model_id))
    return catalog.get("markets", model_id)


def market_price(catalog: Catalog, model_id: str) -> dict:
    """Median list price of a model across the providers in its market profile [USD/M tokens]."""
    market = _market(catalog, model_id).profile
    inp = float(np.median([q.input_usd_per_million_tokens for q in market.quotes]))
    out = float(np.median([q.output_usd_per_million_tokens for q in market.quotes]))
    return {"market": market.id, "providers": len(market.quotes), "input_usd_per_million_tokens": inp,
            "output_usd_per_million_tokens": out}


def market_figures(catalog: Catalog, model_id: str) -> list:
    """The origins (``inputs.Origin``) of every quote ``market_price`` takes the median of."""
    loaded = catalog.get("markets", model_id)
    return [inputs.figure_origin(loaded, ("quotes", i, side), None, getattr(q, side))
            for i, q in enumerate(loaded.profile.quotes) for side in QUOTE_SIDES]


def market_price_samples(catalog: Catalog, model_id: str, seed: int):
    """``(draw(n) -> (input, output) medians, [uncertain quote keys])``: the market median when each
    provider's quote varies over its declared distribution [USD/M tokens], ``n`` samples a call.

    Each quote with a distribution draws from its own stream (``simulate.stream``, named
    ``markets/<id>:quotes[j].<side>``); quotes without one stay at their value.
    """
    from compute_cli.analysis import simulate

    loaded = _market(catalog, model_id)
    columns, uncertain = {side: [] for side in QUOTE_SIDES}, []
    for j, q in enumerate(loaded.profile.quotes):
        for side in QUOTE_SIDES:
            prov = loaded.provenance.get(("quotes", j, side))
            value = float(getattr(q, side))
            if prov is not None and prov.distribution is not None:
                name = f"markets/{loaded.id}:quotes[{j}].{side}"
                columns[side].append((prov.distribution, simulate.stream(seed, name)))
                uncertain.append(name)
            else:
                columns[side].append(value)

    def draw(n: int):
        out = []
        for side in QUOTE_SIDES:
            cols = [np.clip(simulate.draw(c[0], c[1], n), 0.0, None) if isinstance(c, tuple) else np.full(n, c)
                    for c in columns[side]]
            out.append(np.median(np.stack(cols), axis=0))
        return tuple(out)

    return draw, uncertain


def _one(catalog, setup_id, model_id, assignments, options: inputs.RunOptions = inputs.RunOptions()):
    """One setup evaluated at its operating point; refused when the model does not fit or no point meets
    the workload's latency targets."""
    run = evaluate(catalog, [setup_id], model_id, assignments, options)
    x, y = run.scalars(0)
    if not bool(y["fits"]) and y["max_batch"] < 1:
        raise InputError(f"{run.model.id} does not fit on setup '{setup_id}' at {run.resolved[0].setup.precision}")
    point = serving_point(run.x, run.y, 0)
    if point["chosen"] and not point["slo_met"]:
        raise InputError(f"setup '{setup_id}': {latency_note(point, run.y, 0)}")
    return run, x, y, point


def _hours_available_per_month(x) -> float:
    return HOURS_PER_MONTH * x["availability_hours_per_day"] / HOURS_PER_DAY


# invest lives in analysis/invest.py; re-exported for the scenario runner, the report and the CLI
from compute_cli.analysis.invest import invest  # noqa: E402, F401


# ---------------------------------------------------------------- rent or buy
UTILIZATION_GRID = np.linspace(0.001, 1.0, 1000)


def _at_utilization(x, i: int, utilization) -> dict:
    """The engine's outputs for the ``i``-th setup of inputs ``x`` at each of ``utilization``."""
    xi = {k: np.asarray(v)[i:i + 1] for k, v in x.items()}
    xi["utilization"] = np.asarray(utilization, dtype=float)
    return engine_evaluate(xi)


@overflow_is_null
def rent_or_buy(catalog: Catalog, own_id: str, rent_id: str, *, model_id: str | None = None,
                assignments: list[Assignment] = ()) -> dict:
    """Utilization and months at which owning beats renting, per token served.

    Both setups serve the same workload at the same utilization, each paying for its hours by
    the one rule for rented capacity (docs/methodology.md, "Rented and owned capacity"): owning
    and reserving every hour, on demand only the hours used. Owning wins above the utilization
    where the costs per output token meet; 0 when it is cheaper at every utilization.
    """
    from compute_cli.analysis.invest import operating_point
    from compute_cli.analysis.options import distinct

    distinct("rent-or-buy", [own_id, rent_id])
    run = evaluate(catalog, [own_id, rent_id], model_id, assignments)
    resolved, model, x = run.resolved, run.model, run.x
    own, rent = resolved
    if own.setup.kind != "own":
        raise InputError(f"'{own_id}' is a '{own.setup.kind}' setup; rent-or-buy needs an owned setup first")
    if rent.setup.kind != "rent":
        raise InputError(f"'{rent_id}' is a '{rent.setup.kind}' setup; rent-or-buy needs a rented setup second")
    metric = "cost_usd_per_million_output_tokens"
    u = float(np.asarray(x["utilization"])[0])
    y_own_grid = _at_utilization(x, 0, UTILIZATION_GRID)[metric]
    y_rent_grid = _at_utilization(x, 1, UTILIZATION_GRID)[metric]
    gap = y_own_grid - y_rent_grid  # owning cheaper where negative
    note = None
    if np.all(gap <= 0):
        u_star = 0.0
        note = "owning is cheaper at every utilization"
    elif np.all(gap > 0):
        u_star = None
        note = "renting is cheaper at every utilization"
    else:
        i = int(np.argmax(gap <= 0))
        if i == 0:
            u_star = 0.0
        else:
            def gap_at(values):
                return _at_utilization(x, 0, values)[metric] - _at_utilization(x, 1, values)[metric]
            u_star = float(np.ravel(bisect(gap_at, UTILIZATION_GRID[i - 1], UTILIZATION_GRID[i], 40))[0])
        if np.any(gap[i:] > 0):
            note = "the costs cross more than once; owning is cheaper only in parts of the range"
    y_own = {k: np.asarray(v)[0] for k, v in _at_utilization(x, 0, [u]).items()}
    y_rent = {k: np.asarray(v)[0] for k, v in _at_utilization(x, 1, [u]).items()}
    own_cost, rent_cost = float(y_own[metric]), float(y_rent[metric])
    # months to recover the purchase at the owned setup's utilization, renting the same tokens instead
    gpus = float(y_own["accelerators_total"])
    hours = HOURS_PER_MONTH * float(np.asarray(x["availability_hours_per_day"])[0]) / HOURS_PER_DAY
    out_tokens_month = gpus * float(y_own["served_output_tokens_per_s_per_gpu"]) * hours * u * SECONDS_PER_HOUR
    rent_month = out_tokens_month / TOKENS_PER_MILLION * rent_cost
    own_opex_month = gpus * float(y_own["operating_usd_per_gpu_hour"]) * hours
    capex = gpus * float(y_own["capex_usd_per_gpu"])
    life = float(np.asarray(x["economic_life_years"])[0])
    rate = float(investment.monthly_rate(np.asarray(x["cost_of_capital_per_year"])[0]))
    saving = rent_month - own_opex_month
    months = int(round(life * MONTHS_PER_YEAR))
    flows = np.concatenate([[-capex], np.full(months, saving)])
    flows[-1] += gpus * float(y_own["terminal_value_usd_per_gpu"])  # sold at the end of its life
    simple = int(investment.payback_periods(flows))
    discounted = int(investment.payback_periods(flows, rate))
    months_note = None
    if simple < 0:
        months_note = f"not within the {life:g}-year life: renting the same tokens costs " + (
            "less than owning's operating cost" if saving <= 0 else "too little more than owning's operating cost")
    elif discounted < 0:
        months_note = f"not within the {life:g}-year life once discounted at the owner's cost of capital"
    return {
        "schema_version": SCHEMA_VERSION,
        "own": own_id,
        "rent": rent_id,
        "model": model.id,
        "metric": metric,
        "rent_term": rent.setup.term,
        "operating_point": operating_point(run, 0),
        "rent_cost_usd_per_million_output_tokens": clean(rent_cost),
        "own_cost_usd_per_million_output_tokens_at_setup_utilization": clean(own_cost),
        "own_cost_usd_per_used_gpu_hour": clean(y_own["cost_usd_per_used_gpu_hour"]),
        "rent_cost_usd_per_used_gpu_hour": clean(y_rent["cost_usd_per_used_gpu_hour"]),
        "setup_utilization": clean(u),
        "breakeven_utilization": clean(u_star) if u_star is not None else None,
        "breakeven_note": note,
        "owning_cheaper_at_setup_utilization": bool(own_cost <= rent_cost),
        "capex_usd": clean(capex),
        "rent_usd_per_month_for_same_tokens": clean(rent_month),
        "own_opex_usd_per_month": clean(own_opex_month),
        "economic_life_years": clean(life),
        "breakeven_months": simple if simple >= 0 else None,
        "discounted_breakeven_months": discounted if discounted >= 0 else None,
        "breakeven_months_note": months_note,
    }


# ---------------------------------------------------------------------- fleet
FLEET_PRECISION_ORDER = ("fp8", "int8", "bf16", "int4")


def _system_for(catalog: Catalog, hardware):
    """The first shipped or user system built on this accelerator (its ``Loaded``), else None."""
    for sid in catalog.ids("systems"):
        loaded = catalog.get("systems", sid)
        if loaded.profile.accelerator == hardware.id:
            return loaded
    return None


# What fleet can rank by, and how: (the row key, the text of the table's title).
RANK_KEYS = {"tokens_per_day": "tokens per day", "tokens_per_joule": "tokens per joule of site energy",
             "margin_usd_per_year": "margin per year"}


FLEET_WORKLOAD = "chat"  # what a fleet serves unless told otherwise (--workload, --input-tokens or --context)


@overflow_is_null
def fleet(catalog: Catalog, power_mw: float, *, hardware_ids: list[str] = (), model_id: str = DEFAULT_MODEL,
          site_id: str = "hyperscale-campus", finance_id: str = "hyperscaler", utilization: float = 0.7,
          precision: str | None = None, batch: int | None = None, context: int | None = None,
          input_tokens_per_output_token: float = 3.0, rank_by: str = "tokens_per_day",
          assignments: list[Assignment] = (), options: inputs.RunOptions = inputs.RunOptions()) -> dict:
    """Accelerators of each kind that a fixed site power budget feeds, and what they earn.

    Power per accelerator is all-in and provisioned: (TDP + host share) x PUE, so the budget
    caps the accelerators, and tokens per day is what it buys; tokens per joule (of the energy
    drawn on average) is shown beside it. Rows are ranked by ``rank_by``, and each row carries
    its rank on every key. Precision: the requested one, else the first of fp8, int8, bf16,
    int4 that the accelerator runs natively and at which the model fits. Each kind runs at its
    operating point for the workload (the chat workload unless ``options`` or ``context`` say
    otherwise), or at ``batch`` when given. The cost lines are compare's, staff included (the
    finance profile's staff per accelerator and per MW).
    """
    import dataclasses

    from compute_cli.analysis.options import distinct, number

    power_mw = number("--power-mw", power_mw, low=0, high=MAX_POWER_MW, what="a power in MW")
    utilization = number("--utilization", utilization, low=0, high=1, low_open=True, what="a fraction")
    if batch is not None:
        number("--batch", batch, low=1, high=MAX_BATCH, what="a number of sequences")
    if context is not None:
        number("--context", context, low=1, high=MAX_CONTEXT_TOKENS, what="a number of tokens")
    if rank_by not in RANK_KEYS:
        raise UsageError(f"--rank-by {rank_by}: expected one of {', '.join(RANK_KEYS)}"
                         f"{did_you_mean(rank_by, RANK_KEYS)}")
    if context is not None and (options.workload is not None or options.input_tokens is not None):
        raise UsageError("give --context or a workload (--workload, --input-tokens/--output-tokens), not both")
    if context is None and options.workload is None and options.input_tokens is None:
        options = dataclasses.replace(options, workload=FLEET_WORKLOAD)
    ids = distinct("fleet --hardware", list(hardware_ids), "accelerators") or catalog.ids("hardware")
    model = catalog.model(model_id)
    site = catalog.get("sites", site_id).profile
    fin = catalog.get("finance", finance_id).profile
    market = market_price(catalog, model.id) if catalog.find("markets", model.id) else None
    sources = {"site": catalog.get("sites", site_id), "finance": catalog.get("finance", finance_id)}
    rows, fleet_workload = [], None
    for hid in ids:
        hw_loaded = catalog.get("hardware", hid)
        hw = hw_loaded.profile
        sys_loaded = _system_for(catalog, hw)
        system: System = sys_loaded.profile if sys_loaded else standins.epoch_system(hw)
        found = {"hardware": hw_loaded, **sources, **({"system": sys_loaded} if sys_loaded else {})}
        chosen = None
        order = [precision] if precision else [p for p in FLEET_PRECISION_ORDER
                                               if p == "int4" or getattr(hw.peak_tflops, p) is not None]
        for p in order:
            setup = standins.fleet_setup(hw, system, site.id, fin.id, utilization, p, batch, context,
                                         input_tokens_per_output_token)
            r = ResolvedSetup(setup=setup, hardware=hw, system=system, site=site, finance=fin, sources=found)
            run = evaluate_resolved(catalog, [r], model, assignments, options,
                                    model_source=catalog.get("models", model.id))
            x, y = run.x, run.scalars(0)[1]
            if y["max_batch"] >= 1:
                chosen = (p, x, y, run)
                break
        if chosen is None:
            rows.append({"hardware": hid, "fits": False, "note": f"{model.id} fits on no precision on {system.id}"})
            continue
        p, x, y, run = chosen
        fleet_workload = workload_of(run.resolved[0])
        point = serving_point(run.x, run.y, 0)
        if point["chosen"] and not point["slo_met"]:
            rows.append({"hardware": hid, "system": system.id, "precision": p, "fits": True, "slo_met": False,
                         "operating_point": point, "note": latency_note(point, run.y, 0, "accelerator")})
            continue
        site_w_per_gpu = float(y["provisioned_w_per_gpu"] * x["pue"][0])
        accelerators = int(np.floor(power_mw * W_PER_MW / site_w_per_gpu)) if power_mw > 0 else 0
        tokens_day = accelerators * y["served_output_tokens_per_s_per_gpu"] * utilization * SECONDS_PER_DAY
        avg_site_w = accelerators * float(y["avg_power_w_per_gpu"]) * float(x["pue"][0])
        cost_year = accelerators * float(y["cost_usd_per_gpu_hour"]) * HOURS_PER_YEAR
        ratio = float(x["input_tokens_per_output_token"][0])
        row = {
            "hardware": hid,
            "system": system.id,
            "precision": p,
            "fits": True,
            "slo_met": bool(y["slo_met"]),
            "batch": int(y["batch"]),
            "operating_point": point,
            "accelerators": accelerators,
            "site_w_per_accelerator": clean(site_w_per_gpu),
            "tokens_per_day": clean(tokens_day),
            "tokens_per_joule": clean(tokens_day / (avg_site_w * SECONDS_PER_DAY)) if avg_site_w > 0 else None,
            "tokens_per_joule_accelerator": clean(y["tokens_per_joule"]),
            "cost_usd_per_million_output_tokens": clean(y["cost_usd_per_million_output_tokens"]),
            "capex_usd": clean(accelerators * y["capex_usd_per_gpu"]),
            "cost_usd_per_year": clean(cost_year),
        }
        if market:
            per_output = (market["output_usd_per_million_tokens"]
                          + ratio * market["input_usd_per_million_tokens"]) / TOKENS_PER_MILLION
            revenue = tokens_day * DAYS_PER_YEAR * per_output
            row["revenue_usd_per_year"] = clean(revenue)
            row["margin_usd_per_year"] = clean(revenue - cost_year)
        rows.append(row)
    fitting = [r for r in rows if r["fits"] and "accelerators" in r]
    for key, rank_name in (("tokens_per_day", "rank_tokens_per_day"), ("tokens_per_joule", "rank_tokens_per_joule"),
                           ("margin_usd_per_year", "rank_margin")):
        for rank, r in enumerate(sorted(fitting, key=lambda r, k=key: -(r.get(k) or 0.0)), 1):
            r[rank_name] = rank
    ranked = sorted(fitting, key=lambda r: -(r.get(rank_by) or 0.0))
    return {
        "schema_version": SCHEMA_VERSION,
        "power_mw": power_mw,
        "model": model.id,
        "site": site.id,
        "finance": fin.id,
        "utilization": utilization,
        "batch": batch,
        "context_tokens": context,
        "input_tokens_per_output_token": input_tokens_per_output_token,
        "ranked_by": rank_by,
        "market": market,
        "workload": fleet_workload,
        "rows": ranked + [r for r in rows if r not in fitting],
    }


# ------------------------------------------------------------------ breakeven
@overflow_is_null
def breakeven(catalog: Catalog, setup_a: str, setup_b: str, vary: str, *, model_id: str | None = None,
              metric: str = "cost_usd_per_million_output_tokens", value_range: tuple[float, float] | None = None,
              assignments: list[Assignment] = ()) -> dict:
    """The value of ``vary`` at which both setups give the same ``metric``.

    The path is applied to both setups (to those it applies to). A coarse scan over
    the range finds a sign change of metric(A) - metric(B); bisection refines it.
    """
    from compute_cli.analysis.invest import operating_point
    from compute_cli.analysis.options import distinct, number

    distinct("breakeven", [setup_a, setup_b])
    if value_range is not None:
        lo, hi = (number("--range", v, what="a LOW:HIGH of numbers") for v in value_range)
        if not lo < hi:
            raise UsageError(f"--range {lo:g}:{hi:g}: LOW must be below HIGH")
    run = evaluate(catalog, [setup_a, setup_b], model_id, assignments)
    model, y = run.model, run.y
    if metric not in y:
        raise UsageError(f"--metric '{metric}': not an output{did_you_mean(metric, sorted(y))}")
    p = paths.numeric_path(vary, "--vary")
    current = [paths.current_value(r, model, p) for r in run.resolved if paths.profile_of(r, model, p) is not None]
    if not current or current[0] is None:
        raise InputError(f"--vary {vary}: applies to neither setup")
    base = float(current[0])
    low_bound, high_bound = p.bounds()
    lo, hi = value_range or (max(0.0, low_bound), min(max(abs(base) * 10.0, 1.0), high_bound))

    def gap(value) -> float:
        """metric(A) - metric(B) with the path at ``value``; NaN where it cannot be computed."""
        a = Assignment(text=f"{vary}={float(value)!r}", path=p.path, value=paths.python_number(p, value))
        try:
            resolved, m = apply(run.resolved, model, [a], "--vary")
        except InputError:
            return np.nan
        yy = engine_evaluate(inputs.build(resolved, m))
        return float(yy[metric][0]) - float(yy[metric][1])

    grid = np.linspace(lo, hi, 41)
    gaps = np.array([gap(v) for v in grid])
    change = sign_changes(gaps)
    root = None
    if change.size:
        i = change[0]
        root = float(bisect(np.vectorize(gap), grid[i], grid[i + 1], 60, gaps[i]))
    return {
        "schema_version": SCHEMA_VERSION,
        "setups": [setup_a, setup_b],
        "model": model.id,
        "vary": vary,
        "metric": metric,
        "current_value": clean(base),
        "metric_at_current": [clean(y[metric][0]), clean(y[metric][1])],
        "operating_points": [operating_point(run, 0), operating_point(run, 1)],
        "search_range": [clean(lo), clean(hi)],
        "breakeven_value": clean(root) if root is not None else None,
        "note": None if root is not None else f"the two setups do not cross for {vary} in [{lo:g}, {hi:g}]; "
                                                "widen it with --range LOW:HIGH",
    }
