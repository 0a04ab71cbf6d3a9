"""``compare``: every setup evaluated side by side for one model."""

from __future__ import annotations

import math

from compute_cli import inputs
from compute_cli.engine.evaluate import LINE_ITEMS, evaluate
from compute_cli.errors import InputError
from compute_cli.profiles.catalog import Catalog
from compute_cli.profiles.overrides import Assignment, apply

SCHEMA_VERSION = 1
DEFAULT_MODEL = "llama-3.1-70b"

# JSON/CSV keys of a setup row, in order; all numbers.
METRICS = (
    "cost_usd_per_gpu_hour",
    "decode_tokens_per_s_per_gpu",
    "decode_tokens_per_s",
    "prefill_tokens_per_s_per_gpu",
    "cost_usd_per_million_input_tokens",
    "cost_usd_per_million_output_tokens",
    "cost_usd_per_million_tokens_blended",
    "price_usd_per_million_output_tokens",
    "price_usd_per_million_tokens_blended",
    "energy_j_per_output_token",
    "energy_j_per_input_token",
    "tokens_per_joule",
    "output_tokens_per_day_per_mw",
    "avg_power_w_per_gpu",
    "capex_usd_per_gpu",
    "decode_step_ms",
    "max_batch",
)


def clean(value: float) -> float | None:
    """A finite number rounded to 6 significant digits, or None (JSON null) for NaN/inf."""
    value = float(value)
    if not math.isfinite(value):
        return None
    return float(f"{value:.6g}") + 0.0


def default_setups(catalog: Catalog) -> list[str]:
    """Setups marked ``in_default_comparison``; every setup when none is."""
    ids = catalog.ids("setups")
    featured = [i for i in ids if catalog.get("setups", i).profile.in_default_comparison]
    return featured or ids


def default_model(resolved) -> str:
    """The model every setup declares, if they agree; else DEFAULT_MODEL."""
    declared = {r.setup.model for r in resolved}
    return declared.pop() if len(declared) == 1 and None not in declared else DEFAULT_MODEL


def evaluate_setups(catalog: Catalog, setup_ids: list[str], model_id: str | None, assignments=(),
                    options: inputs.RunOptions = inputs.RunOptions()):
    """Resolve, override and evaluate setups: (resolved, model, inputs x, outputs y).

    ``model_id`` None means the model the setups declare (see default_model).
    """
    ids = list(dict.fromkeys(setup_ids)) or default_setups(catalog)
    if not ids:
        raise InputError("no setups found; add one under setups/ in a --config-dir")
    resolved = [catalog.resolve(i) for i in ids]
    model = catalog.model(model_id or default_model(resolved))
    resolved, model = apply(resolved, model, list(assignments))
    x = inputs.build(resolved, model, options)
    return resolved, model, x, evaluate(x)


def run(catalog: Catalog, setup_ids: list[str], model_id: str | None, assignments: list[Assignment] = (),
        options: inputs.RunOptions = inputs.RunOptions()) -> dict:
    """Evaluate ``setup_ids`` (all setups when empty) for ``model_id``; a JSON-ready dict."""
    resolved, model, x, y = evaluate_setups(catalog, setup_ids, model_id, assignments, options)
    rows = []
    for i, r in enumerate(resolved):
        s = r.setup
        row = {
            "id": s.id,
            "name": s.name,
            "kind": s.kind,
            "hardware": r.hardware.id,
            "system": r.system.id if (s.kind == "own" or (r.offer and r.offer.system)) else None,
            "site": r.site.id if r.site else None,
            "offer": r.offer.id if r.offer else None,
            "precision": s.precision,
            "utilization": clean(s.utilization),
            "context_tokens": s.context_tokens,
            "batch": int(y["batch"][i]),
            "gpus": int(y["gpus"][i]),
            "fits": bool(y["fits"][i]),
            "bound": "memory" if y["bound_is_memory"][i] else "compute",
            "cost_usd_per_gpu_hour": clean(y["cost_usd_per_gpu_hour"][i]),
            "breakdown_usd_per_gpu_hour": {k: clean(y[f"{k}_usd_per_gpu_hour"][i]) for k in LINE_ITEMS},
        }
        for key in METRICS[1:]:
            row[key] = clean(y[key][i])
        if s.utilization == 0:
            row["note"] = "utilization 0: no tokens are served, so a cost per token is undefined (null)"
        elif row["cost_usd_per_gpu_hour"] is None or any(row[k] is None for k in METRICS
                                                          if k.startswith("cost_usd_per_million")):
            what = "per GPU-hour" if row["cost_usd_per_gpu_hour"] is None else "per token"
            row["note"] = (f"the cost {what} is beyond the range of a number at these inputs (utilization "
                           f"{s.utilization:g}), so it is null")
        if not row["fits"]:
            row["note"] = (f"{model.id} at {s.precision} does not fit in {int(x['accelerator_count'][i])} x "
                           f"{r.hardware.id} ({r.hardware.memory_gb:g} GB each)")
        rows.append(row)
    return {
        "schema_version": SCHEMA_VERSION,
        "model": {"id": model.id, "name": model.name},
        "overrides": [a.text for a in assignments],
        "setups": rows,
    }
