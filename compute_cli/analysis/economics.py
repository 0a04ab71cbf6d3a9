"""Investment questions over the engine: invest, rent-or-buy, fleet under a power budget, break-even."""

from __future__ import annotations

import numpy as np

from compute_cli.contract import SCHEMA_VERSION
from compute_cli import inputs
from compute_cli.analysis import paths
from compute_cli.engine.constants import (
    DAYS_PER_YEAR,
    HOURS_PER_DAY,
    HOURS_PER_MONTH,
    HOURS_PER_YEAR,
    SECONDS_PER_DAY,
    SECONDS_PER_HOUR,
    TOKENS_PER_MILLION,
    W_PER_MW,
)
from compute_cli.engine.solve import bisect, sign_changes
from compute_cli.errors import InputError, UsageError, did_you_mean
from compute_cli.pipeline import DEFAULT_MODEL, clean, evaluate, evaluate_resolved
from compute_cli.profiles import standins
from compute_cli.profiles.catalog import Catalog, ResolvedSetup
from compute_cli.engine.evaluate import evaluate as engine_evaluate
from compute_cli.profiles.overrides import Assignment, apply
from compute_cli.profiles.schema import System



# --------------------------------------------------------------------- market
def market_price(catalog: Catalog, model_id: str) -> dict:
    """Median list price of a model across the providers in its market profile [USD/M tokens]."""
    if catalog.find("markets", model_id) is None:
        raise InputError(f"no market profile for model '{model_id}'{did_you_mean(model_id, catalog.ids('markets'))}; "
                         "give --sell-price-usd-per-million-tokens, or add markets/" + model_id + ".yaml")
    market = catalog.get("markets", model_id).profile
    inp = float(np.median([q.input_usd_per_million_tokens for q in market.quotes]))
    out = float(np.median([q.output_usd_per_million_tokens for q in market.quotes]))
    return {"market": market.id, "providers": len(market.quotes), "input_usd_per_million_tokens": inp,
            "output_usd_per_million_tokens": out}


def _one(catalog, setup_id, model_id, assignments):
    run = evaluate(catalog, [setup_id], model_id, assignments)
    x, y = run.scalars(0)
    if not bool(y["fits"]) and y["max_batch"] < 1:
        raise InputError(f"{run.model.id} does not fit on setup '{setup_id}' at {run.resolved[0].setup.precision}")
    return run.resolved[0], run.model, x, y


def _hours_available_per_month(x) -> float:
    return HOURS_PER_MONTH * x["availability_hours_per_day"] / HOURS_PER_DAY


# invest lives in analysis/invest.py; re-exported for the scenario runner and the CLI
from compute_cli.analysis.invest import invest  # noqa: E402, F401


# ---------------------------------------------------------------- rent or buy
def rent_or_buy(catalog: Catalog, own_id: str, rent_id: str, *, model_id: str | None = None,
                assignments: list[Assignment] = ()) -> dict:
    """Utilization and months at which owning beats renting, per token served.

    Renting on demand pays only for the hours used; owning pays every hour. So owning
    wins above the utilization u* where own cost / u = rent cost per served token.
    """
    run = evaluate(catalog, [own_id, rent_id], model_id, assignments)
    resolved, model, x = run.resolved, run.model, run.x
    own, rent = resolved
    if own.setup.kind != "own":
        raise InputError(f"'{own_id}' is a '{own.setup.kind}' setup; rent-or-buy needs an owned setup first")
    if rent.setup.kind != "rent":
        raise InputError(f"'{rent_id}' is a '{rent.setup.kind}' setup; rent-or-buy needs a rented setup second")
    grid = np.linspace(0.001, 1.0, 1000)
    x_own = {k: np.asarray(v)[:1] for k, v in x.items()}
    x_own["utilization"] = grid
    y_own = engine_evaluate(x_own)
    x_rent = {k: np.asarray(v)[1:] for k, v in x.items()}
    x_rent["utilization"] = np.array([1.0])
    y_rent = {k: np.asarray(v)[0] for k, v in engine_evaluate(x_rent).items()}
    metric = "cost_usd_per_million_output_tokens"
    rent_cost = float(y_rent[metric])
    own_cost = y_own[metric]
    cheaper = own_cost <= rent_cost
    u_star = float(grid[np.argmax(cheaper)]) if cheaper.any() else None
    # months to recover the purchase at the owned setup's own utilization
    y_at = run.scalars(0)[1]
    u = float(np.asarray(x["utilization"])[0])
    gpus = float(y_at["accelerators_total"])
    out_tokens_month = gpus * y_at["served_output_tokens_per_s_per_gpu"] * HOURS_PER_MONTH * u * SECONDS_PER_HOUR
    rent_month = out_tokens_month / TOKENS_PER_MILLION * rent_cost
    own_opex_month = gpus * y_at["operating_usd_per_gpu_hour"] * HOURS_PER_MONTH
    capex = gpus * y_at["capex_usd_per_gpu"]
    saving = rent_month - own_opex_month
    months = capex / saving if saving > 0 else None
    return {
        "schema_version": SCHEMA_VERSION,
        "own": own_id,
        "rent": rent_id,
        "model": model.id,
        "metric": metric,
        "rent_cost_usd_per_million_output_tokens": clean(rent_cost),
        "own_cost_usd_per_million_output_tokens_at_setup_utilization": clean(y_at[metric]),
        "setup_utilization": clean(u),
        "breakeven_utilization": clean(u_star) if u_star is not None else None,
        "owning_cheaper_at_setup_utilization": bool(y_at[metric] <= rent_cost),
        "capex_usd": clean(capex),
        "rent_usd_per_month_for_same_tokens": clean(rent_month),
        "own_opex_usd_per_month": clean(own_opex_month),
        "breakeven_months": clean(months) if months is not None else None,
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


def fleet(catalog: Catalog, power_mw: float, *, hardware_ids: list[str] = (), model_id: str = DEFAULT_MODEL,
          site_id: str = "hyperscale-campus", finance_id: str = "hyperscaler", utilization: float = 0.7,
          precision: str | None = None, batch: int = 64, context: int = 4096,
          input_tokens_per_output_token: float = 3.0, assignments: list[Assignment] = ()) -> dict:
    """Accelerators of each kind that a fixed site power budget feeds, and what they earn.

    Power per accelerator is all-in and provisioned: (TDP + host share) x PUE.
    Precision: the requested one, else the first of fp8, int8, bf16, int4 that the
    accelerator runs natively and at which the model fits.
    """
    if power_mw < 0:
        raise UsageError(f"--power-mw {power_mw}: expected a power >= 0")
    ids = list(dict.fromkeys(hardware_ids)) or catalog.ids("hardware")
    model = catalog.model(model_id)
    site = catalog.get("sites", site_id).profile
    fin = catalog.get("finance", finance_id).profile
    market = market_price(catalog, model.id) if catalog.find("markets", model.id) else None
    sources = {"site": catalog.get("sites", site_id), "finance": catalog.get("finance", finance_id)}
    rows = []
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
            run = evaluate_resolved(catalog, [r], model, assignments, model_source=catalog.get("models", model.id))
            x, y = run.x, run.scalars(0)[1]
            if y["max_batch"] >= 1:
                chosen = (p, x, y)
                break
        if chosen is None:
            rows.append({"hardware": hid, "fits": False, "note": f"{model.id} fits on no precision on {system.id}"})
            continue
        p, x, y = chosen
        site_w_per_gpu = float(y["provisioned_w_per_gpu"] * x["pue"][0])
        accelerators = int(np.floor(power_mw * W_PER_MW / site_w_per_gpu)) if power_mw > 0 else 0
        tokens_day = accelerators * y["served_output_tokens_per_s_per_gpu"] * utilization * SECONDS_PER_DAY
        avg_site_w = accelerators * float(y["avg_power_w_per_gpu"]) * float(x["pue"][0])
        cost_year = accelerators * float(y["cost_usd_per_gpu_hour"]) * HOURS_PER_YEAR
        row = {
            "hardware": hid,
            "system": system.id,
            "precision": p,
            "fits": True,
            "batch": int(y["batch"]),
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
                          + input_tokens_per_output_token * market["input_usd_per_million_tokens"]) / TOKENS_PER_MILLION
            revenue = tokens_day * DAYS_PER_YEAR * per_output
            row["revenue_usd_per_year"] = clean(revenue)
            row["margin_usd_per_year"] = clean(revenue - cost_year)
        rows.append(row)
    fitting = [r for r in rows if r["fits"]]
    by_tpj = sorted(fitting, key=lambda r: -(r["tokens_per_joule"] or 0.0))
    by_margin = sorted(fitting, key=lambda r: -(r.get("margin_usd_per_year") or 0.0))
    for rank, r in enumerate(by_tpj, 1):
        r["rank_tokens_per_joule"] = rank
    for rank, r in enumerate(by_margin, 1):
        r["rank_margin"] = rank
    return {
        "schema_version": SCHEMA_VERSION,
        "power_mw": power_mw,
        "model": model.id,
        "site": site.id,
        "finance": fin.id,
        "utilization": utilization,
        "market": market,
        "rows": by_tpj + [r for r in rows if not r["fits"]],
    }


# ------------------------------------------------------------------ breakeven
def breakeven(catalog: Catalog, setup_a: str, setup_b: str, vary: str, *, model_id: str | None = None,
              metric: str = "cost_usd_per_million_output_tokens", value_range: tuple[float, float] | None = None,
              assignments: list[Assignment] = ()) -> dict:
    """The value of ``vary`` at which both setups give the same ``metric``.

    The path is applied to both setups (to those it applies to). A coarse scan over
    the range finds a sign change of metric(A) - metric(B); bisection refines it.
    """
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
        "search_range": [clean(lo), clean(hi)],
        "breakeven_value": clean(root) if root is not None else None,
        "note": None if root is not None else f"the two setups do not cross for {vary} in [{lo:g}, {hi:g}]; "
                                                "widen it with --range LOW:HIGH",
    }
