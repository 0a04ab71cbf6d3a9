"""``frontier``: output tokens/s per accelerator against tokens/s per user, over concurrency, per setup.

For each setup and each tensor-parallel degree that divides its system (and holds the
weights), the points are the concurrencies that are powers of two and the halfway
values between them (1, 2, 3, 4, 6, 8, 12, ...) up to what memory holds (and the
engine's cap, ``serving.MAX_CONCURRENCY``), that cap itself, and the operating point
``compare`` would choose. All points of all setups are evaluated in one engine call
over a (setups, points) grid. A point is on the Pareto frontier when no other point of
its setup gives as much throughput per accelerator and as many tokens/s per user, and
more of one of them.
"""

from __future__ import annotations

import numpy as np

from compute_cli import inputs
from compute_cli.analysis.compare import operating_point, workload_of
from compute_cli.contract import SCHEMA_VERSION
from compute_cli.engine import serving
from compute_cli.engine.evaluate import evaluate as engine_evaluate
from compute_cli.pipeline import clean, evaluate
from compute_cli.profiles.catalog import Catalog
from compute_cli.profiles.overrides import Assignment

# The columns of a point, in order (JSON keys and CSV headers).
POINT_FIELDS = ("gpus_per_replica", "replicas_per_system", "concurrency", "tokens_per_s_per_user",
                "output_tokens_per_s_per_gpu", "ttft_ms", "tpot_ms", "cost_usd_per_million_output_tokens",
                "cost_usd_per_million_tokens_blended", "slo_met", "pareto", "chosen")


def concurrency_ladder(cap: float) -> list[int]:
    """Powers of two and the halfway values between them up to ``cap``, and ``cap`` itself.

    >>> concurrency_ladder(20)
    [1, 2, 3, 4, 6, 8, 12, 16, 20]
    >>> concurrency_ladder(0)
    []
    """
    cap = int(cap)
    out, p = [], 1
    while p <= cap:
        for c in (p, p + p // 2):
            if c <= cap and c not in out:
                out.append(c)
        p *= 2
    if cap >= 1 and (not out or out[-1] != cap):
        out.append(cap)
    return out


def pareto_mask(x, y, valid):
    """Points no other valid point of the same row matches on both axes and beats on one.

    x, y : (rows, points) arrays, both better when larger; valid : (rows, points) bool

    >>> pareto_mask(np.array([[1.0, 2.0, 3.0]]), np.array([[3.0, 3.0, 1.0]]), np.ones((1, 3), bool)).tolist()
    [[False, True, True]]
    """
    xi, yi = x[:, :, None], y[:, :, None]
    xj, yj = x[:, None, :], y[:, None, :]
    beaten = valid[:, None, :] & (xj >= xi) & (yj >= yi) & ((xj > xi) | (yj > yi))
    return valid & ~beaten.any(axis=2)


def grid(x: dict, y: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(batch, gpus, valid, chosen) arrays of shape (setups, points): every point to evaluate.

    ``y`` is the evaluation at each setup's operating point; the memory cap of each degree
    comes from one engine call at concurrency 1 on every degree.
    """
    n = len(np.asarray(x["batch"]))
    g, applies = serving.tensor_parallel_degrees(x["accelerator_count"], x["gpus"])
    probe = {k: np.asarray(v)[:, None] for k, v in x.items()}
    probe["batch"], probe["gpus"] = np.ones((n, len(g))), np.broadcast_to(g, (n, len(g)))
    caps = np.minimum(engine_evaluate(probe)["max_batch"], serving.MAX_CONCURRENCY)
    rows = []
    for i in range(n):
        points = [(float(g[t]), float(c), False) for t in range(len(g)) if applies[i, t]
                  for c in concurrency_ladder(caps[i, t])]
        here = (float(y["gpus"][i]), float(y["batch"][i]))
        points = [p for p in points if p[:2] != here] + [(*here, True)]  # the operating point, marked
        rows.append(sorted(points))
    width = max(len(r) for r in rows)
    batch, gpus = np.ones((n, width)), np.ones((n, width))
    valid, chosen = np.zeros((n, width), bool), np.zeros((n, width), bool)
    for i, points in enumerate(rows):
        for j in range(width):
            gj, cj, mark = points[min(j, len(points) - 1)]  # padding repeats the last point, masked out
            gpus[i, j], batch[i, j] = gj, cj
            valid[i, j], chosen[i, j] = j < len(points), mark and j < len(points)
    return batch, gpus, valid, chosen


def run(catalog: Catalog, setup_ids: list[str], model_id: str | None, assignments: list[Assignment] = (),
        options: inputs.RunOptions = inputs.RunOptions()) -> dict:
    """Every setup's points over concurrency and tensor-parallel degree; a JSON-ready dict."""
    run_ = evaluate(catalog, setup_ids, model_id, assignments, options)
    resolved, model, x, y = run_.resolved, run_.model, run_.x, run_.y
    batch, gpus, valid, chosen = grid(x, y)
    xg = {k: np.asarray(v)[:, None] for k, v in x.items()}
    xg["batch"], xg["gpus"] = batch, gpus
    yg = engine_evaluate(xg)  # every point of every setup in one call
    user = np.nan_to_num(yg["tokens_per_s_per_user"], nan=-np.inf)
    per_gpu = np.nan_to_num(yg["served_output_tokens_per_s_per_gpu"], nan=-np.inf)
    valid &= np.asarray(yg["fits"], dtype=bool) & np.isfinite(user) & np.isfinite(per_gpu)
    pareto = pareto_mask(user, per_gpu, valid)
    setups = []
    for i, r in enumerate(resolved):
        points = []
        for j in np.flatnonzero(valid[i]):
            points.append({
                "gpus_per_replica": int(yg["gpus"][i, j]),
                "replicas_per_system": int(yg["replicas"][i, j]),
                "concurrency": int(yg["batch"][i, j]),
                "tokens_per_s_per_user": clean(yg["tokens_per_s_per_user"][i, j]),
                "output_tokens_per_s_per_gpu": clean(yg["served_output_tokens_per_s_per_gpu"][i, j]),
                "ttft_ms": clean(yg["ttft_ms"][i, j]),
                "tpot_ms": clean(yg["tpot_ms"][i, j]),
                "cost_usd_per_million_output_tokens": clean(yg["cost_usd_per_million_output_tokens"][i, j]),
                "cost_usd_per_million_tokens_blended": clean(yg["cost_usd_per_million_tokens_blended"][i, j]),
                "slo_met": bool(yg["slo_met"][i, j]),
                "pareto": bool(pareto[i, j]),
                "chosen": bool(chosen[i, j]) and bool(y["slo_met"][i]),
            })
        points.sort(key=lambda p: (-(p["tokens_per_s_per_user"] or 0.0), p["gpus_per_replica"], p["concurrency"]))
        row = {"id": r.setup.id, "name": r.setup.name, "kind": r.setup.kind, "hardware": r.hardware.id,
               "precision": r.setup.precision, "workload": workload_of(r), "operating_point": operating_point(x, y, i),
               "points": points}
        if not points:
            row["note"] = (f"{model.id} at {r.setup.precision} does not fit in {int(x['accelerator_count'][i])} x "
                           f"{r.hardware.id} ({r.hardware.memory_gb:g} GB each)")
        setups.append(row)
    workloads = {repr(s["workload"]) for s in setups}
    return {
        "schema_version": SCHEMA_VERSION,
        "model": {"id": model.id, "name": model.name},
        "workload": setups[0]["workload"] if len(workloads) == 1 else None,
        "overrides": [a.text for a in assignments],
        "setups": setups,
    }
