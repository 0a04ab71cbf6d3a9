"""``compare``: every setup evaluated side by side for one model."""

from __future__ import annotations

from compute_cli import inputs
from compute_cli.contract import SCHEMA_VERSION
from compute_cli.engine.registry import LINE_NAMES
from compute_cli.pipeline import clean, evaluate
from compute_cli.profiles.catalog import Catalog
from compute_cli.profiles.overrides import Assignment

# JSON/CSV keys of a setup row, in order; all numbers.
METRICS = (
    "cost_usd_per_gpu_hour",
    "cost_usd_per_used_gpu_hour",
    "marginal_usd_per_used_gpu_hour",
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


def _price_as_of(record, kind: str) -> str | None:
    """The vintage of the price a setup pays for its capacity: its accelerator's, or its rent's."""
    name = {"own": "price_usd", "rent": "rent_usd_per_gpu_hour"}.get(kind)
    for origin in record.inputs.get(name, ()) if name else ():
        if origin.as_of and origin.path and "usd" in origin.path:
            return str(origin.as_of)
    return None


def run(catalog: Catalog, setup_ids: list[str], model_id: str | None, assignments: list[Assignment] = (),
        options: inputs.RunOptions = inputs.RunOptions()) -> dict:
    """Evaluate ``setup_ids`` (all setups when empty) for ``model_id``; a JSON-ready dict."""
    run_ = evaluate(catalog, setup_ids, model_id, assignments, options)
    resolved, model, x, y = run_.resolved, run_.model, run_.x, run_.y
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
            "term": s.term if s.kind == "rent" else None,
            "precision": s.precision,
            "utilization": clean(s.utilization),
            "context_tokens": s.context_tokens,
            "batch": int(y["batch"][i]),
            "accelerators": int(y["accelerators_total"][i]),
            "price_as_of": _price_as_of(run_.origins[i], s.kind),
            "gpus": int(y["gpus"][i]),
            "fits": bool(y["fits"][i]),
            "bound": "memory" if y["bound_is_memory"][i] else "compute",
            "cost_usd_per_gpu_hour": clean(y["cost_usd_per_gpu_hour"][i]),
            "breakdown_usd_per_gpu_hour": {k: clean(y[f"{k}_usd_per_gpu_hour"][i]) for k in LINE_NAMES},
        }
        for key in METRICS[1:]:
            row[key] = clean(y[key][i])
        if s.utilization == 0:
            row["note"] = "utilization 0: no tokens are served, so a cost per token is undefined (null)"
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
