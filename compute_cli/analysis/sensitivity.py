"""``sensitivity``: a tornado. Each numeric input of a setup moved down and up, one at a time.

Every numeric key set in the setup's profiles (the setup itself, its system,
accelerator, site, finance or offer; not the model's architecture) is moved to
``value x (1 - swing)`` and ``value x (1 + swing)``, or across the range its
profile declares (``distribution``: [low, high] when bounded, [p5, p95] when not),
with every other key at its base value. A move is clipped to what the key allows
(fractions within 0..1, PUE >= 1, counts >= 1 and whole) and the clip is
reported. Keys the engine does not read for this setup, and keys at 0 with no
declared range, are listed apart. Rows are sorted by ``|metric_at_high - metric_at_low|``.
"""

from __future__ import annotations

import math

import numpy as np

from compute_cli import inputs, pipeline
from compute_cli.analysis import paths
from compute_cli.analysis.degenerate import overflow_is_null
from compute_cli.engine.evaluate import evaluate
from compute_cli.errors import InputError, UsageError, did_you_mean
from compute_cli.pipeline import clean
from compute_cli.profiles.catalog import Catalog

DEFAULT_METRIC = "cost_usd_per_million_output_tokens"
DEFAULT_SWING = 0.2


@overflow_is_null
def run(catalog: Catalog, setup_id: str, model_id: str | None, assignments=(), metric: str = DEFAULT_METRIC,
        swing: float = DEFAULT_SWING, use_declared: bool = True,
        options: inputs.RunOptions = inputs.RunOptions()) -> dict:
    """The tornado of ``metric`` for one setup; a JSON-ready dict."""
    from compute_cli.analysis.simulate import declared, swing_range

    if not (0 < swing < 1) or not math.isfinite(swing):
        raise UsageError(f"--swing {swing:g}: expected a fraction between 0 and 1, e.g. 0.2 for -20 %/+20 %")
    run_ = pipeline.evaluate(catalog, [setup_id], model_id, assignments, options)
    r, model, base, y0 = run_.resolved[0], run_.model, run_.x, run_.y
    if metric not in y0:
        available = sorted(y0)
        raise UsageError(f"--metric {metric}: not an output of the engine{did_you_mean(metric, available)}; "
                         f"one of: {', '.join(available)}")
    # a --set value has no declared range: it is swung around by --swing
    ranges = declared(run_.origins[0]) if use_declared else {}

    candidates, skipped, rows = [], [], []
    for p in paths.all_numeric_paths(r):
        value = float(paths.current_value(r, model, p))
        dist = ranges.get(p.canonical)
        low, high = swing_range(dist) if dist is not None else (value * (1 - swing), value * (1 + swing))
        (low, high), moved = p.clip(np.array([low, high]))
        if low == high == value:
            skipped.append({"parameter": p.text, "base_value": clean(value), "reason": "zero, with no declared range"})
            continue
        try:
            at = paths.rows_at(r, model, p, [low, high], options, option="sensitivity")
        except InputError as exc:
            skipped.append({"parameter": p.text, "base_value": clean(value), "reason": str(exc)})
            continue
        if not paths.changed_fields(base, at):
            skipped.append({"parameter": p.text, "base_value": clean(value),
                            "reason": "not used by the engine for this setup"})
            continue
        clipped = [f"{side} clipped to {v:g} ({p.bounds_text()})" for side, v, m in
                   (("low", low, moved[0]), ("high", high, moved[1])) if m]
        candidates.append((p, value, float(low), float(high), "distribution" if dist else "swing", clipped))
        rows += at
    if candidates:
        x = {k: np.concatenate([row[k] for row in rows]) for k in base}
        y = np.asarray(evaluate(x)[metric], dtype=float)
    params = []
    for i, (p, value, low, high, source, clipped) in enumerate(candidates):
        at_low, at_high = float(y[2 * i]), float(y[2 * i + 1])
        params.append({
            "parameter": p.text,
            "base_value": clean(value),
            "low_value": clean(low),
            "high_value": clean(high),
            "metric_at_low": clean(at_low),
            "metric_at_high": clean(at_high),
            "range": source,
            "clipped": "; ".join(clipped) or None,
        })
    params.sort(key=lambda row: (-_effect(row), row["parameter"]))
    return {
        **run_.envelope(),
        "metric": metric,
        "swing": swing,
        "metric_at_base": clean(y0[metric][0]),
        "parameters": params,
        "not_swung": skipped,
    }


def _effect(row: dict) -> float:
    """|metric_at_high - metric_at_low|; a side with no value (model does not fit) sorts first."""
    lo, hi = row["metric_at_low"], row["metric_at_high"]
    if lo is None or hi is None:
        return math.inf
    return abs(hi - lo)
