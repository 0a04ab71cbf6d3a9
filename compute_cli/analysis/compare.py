"""``compare``: every setup evaluated side by side for one model."""

from __future__ import annotations

from compute_cli import inputs
from compute_cli.contract import SCHEMA_VERSION
from compute_cli.engine.registry import LINE_NAMES
from compute_cli.pipeline import Run, clean, evaluate
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

# The metrics ``compare --ranges`` gives a range (p5, p50, p95) for.
RANGE_METRICS = (
    "cost_usd_per_gpu_hour",
    "cost_usd_per_million_input_tokens",
    "cost_usd_per_million_output_tokens",
    "cost_usd_per_million_tokens_blended",
)


# The operating point of a row: the latency a user gets at the cost the row prints.
OPERATING_POINT = ("concurrency", "tokens_per_s_per_user", "ttft_ms", "tpot_ms", "slo_met")


def workload_of(r) -> dict | None:
    """The workload a setup serves, JSON-ready (None without one)."""
    w = r.workload
    if w is None:
        return None
    return {"id": w.id, "name": w.name, "input_tokens": w.input_tokens, "output_tokens": w.output_tokens,
            "max_ttft_ms": w.max_ttft_ms, "max_tpot_ms": w.max_tpot_ms,
            "min_tokens_per_s_per_user": w.min_tokens_per_s_per_user}


def operating_point(x: dict, y: dict, i: int) -> dict:
    """Where setup ``i`` runs: concurrency per replica, accelerators per replica, latency, targets, whether met."""
    targets = {"max_ttft_ms": clean(x["max_ttft_ms"][i]), "max_tpot_ms": clean(x["max_tpot_ms"][i])}
    return {
        "concurrency": int(y["batch"][i]),
        "tokens_per_s_per_user": clean(y["tokens_per_s_per_user"][i]),
        "ttft_ms": clean(y["ttft_ms"][i]),
        "tpot_ms": clean(y["tpot_ms"][i]),
        "slo_met": bool(y["slo_met"][i]),
        "chosen": bool(y["operating_point_chosen"][i]),
        "gpus_per_replica": int(y["gpus"][i]),
        "replicas_per_system": int(y["replicas"][i]),
        "targets": targets,
    }


def ms_text(value: float) -> str:
    """A latency for a sentence: ``'4.2 ms'``, ``'1,250 ms'``.

    >>> ms_text(4.23), ms_text(1249.6)
    ('4.23 ms', '1,250 ms')
    """
    return f"{value:,.0f} ms" if value >= 100 else f"{value:.3g} ms"


def latency_note(point: dict, y: dict, i: int, unit: str = "setup") -> str | None:
    """Why a row's costs are null or do not meet its targets; None when they do."""
    t = point["targets"]
    asked = ", ".join(f"{label} <= {ms_text(t[k])}" for k, label in (("max_tpot_ms", "TPOT"), ("max_ttft_ms", "TTFT"))
                      if t[k] is not None)
    if point["slo_met"]:
        return None
    if point["chosen"]:
        best_tpot, best_ttft = clean(y["best_tpot_ms"][i]), clean(y["best_ttft_ms"][i])
        if best_tpot is None:
            return None
        return (f"no concurrency meets {asked}: the best this {unit} reaches is TPOT {ms_text(best_tpot)} and TTFT "
                f"{ms_text(best_ttft)} (concurrency 1); costs are null rather than quoted at a latency that breaks "
                "the target")
    got = (f"TPOT {ms_text(point['tpot_ms'])}, TTFT {ms_text(point['ttft_ms'])}" if point["tpot_ms"] is not None
           else "")
    return f"its batch of {point['concurrency']} misses the targets ({asked}): {got}" if got else None


def _price_as_of(record, kind: str) -> str | None:
    """The vintage of the price a setup pays for its capacity: its accelerator's, or its rent's."""
    name = {"own": "price_usd", "rent": "rent_usd_per_gpu_hour"}.get(kind)
    for origin in record.inputs.get(name, ()) if name else ():
        if origin.as_of and origin.path and "usd" in origin.path:
            return str(origin.as_of)
    return None


def run(catalog: Catalog, setup_ids: list[str], model_id: str | None, assignments: list[Assignment] = (),
        options: inputs.RunOptions = inputs.RunOptions(), ranges=None, on_setup=None) -> dict:
    """Evaluate ``setup_ids`` (all setups when empty) for ``model_id``; a JSON-ready dict.

    ranges : ``analysis.ranges.RangeOptions`` to add each setup's ``ranges`` (p5, p50, p95 of
    ``RANGE_METRICS`` over its declared distributions), or None
    on_setup : called with no argument after each setup's ranges are drawn (progress)
    """
    if ranges is not None:
        ranges.check()
    return result(evaluate(catalog, setup_ids, model_id, assignments, options), ranges, on_setup)


def result(run_: Run, ranges=None, on_setup=None) -> dict:
    """The comparison of an evaluated run, JSON-ready (see ``run``)."""
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
            "runtime": r.runtime.id if r.runtime else None,
            "utilization": clean(s.utilization),
            "context_tokens": int(round(float(x["context_tokens"][i]))),
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
        row["workload"] = workload_of(r)
        row["operating_point"] = point = operating_point(x, y, i)
        note = latency_note(point, y, i)
        if note:
            row["note"] = note
        if s.utilization == 0:
            row["note"] = "utilization 0: no tokens are served, so a cost per token is undefined (null)"
        elif not note and (row["cost_usd_per_gpu_hour"] is None or any(row[k] is None for k in METRICS
                                                                        if k.startswith("cost_usd_per_million"))):
            what = "per GPU-hour" if row["cost_usd_per_gpu_hour"] is None else "per token"
            row["note"] = (f"the cost {what} is beyond the range of a number at these inputs (utilization "
                           f"{s.utilization:g}), so it is null")
        if not row["fits"]:
            row["note"] = (f"{model.id} at {s.precision} does not fit in {int(x['accelerator_count'][i])} x "
                           f"{r.hardware.id} ({r.hardware.memory_gb:g} GB each)")
        if not y["context_fits"][i]:
            row["note"] = (f"context_tokens {int(x['context_tokens'][i]):,} is beyond {model.id}'s window of "
                           f"{model.max_context_tokens:,} tokens (model.max_context_tokens): nothing can be served")
        if ranges is not None:
            from compute_cli.analysis.ranges import setup_ranges

            row["ranges"], row["uncertain_inputs"] = setup_ranges(run_, i, RANGE_METRICS, ranges, run_.options)
            if on_setup:
                on_setup()
        rows.append(row)
    out = {
        "schema_version": SCHEMA_VERSION,
        "model": {"id": model.id, "name": model.name},
        "overrides": [a.text for a in run_.assignments],
        "setups": rows,
    }
    if ranges is not None:
        out["monte_carlo"] = ranges.as_dict()
    return out
