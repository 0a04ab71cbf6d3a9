"""The ``throughput`` result as a table, JSON, CSV or Markdown."""

from __future__ import annotations

from compute_cli.render.formats import emit_table

LABELS = [
    ("runtime", "runtime", "{}"),
    ("gpus", "accelerators", "{:d}"),
    ("parallelism", "parallelism", "{}"),
    ("batch", "batch (sequences)", "{:d}"),
    ("context_tokens", "context tokens", "{:,d}"),
    ("fits", "fits in memory", "{}"),
    ("max_batch", "max batch at this context", "{:,d}"),
    ("weights_gb", "weights [GB]", "{:,.1f}"),
    ("kv_cache_gb", "KV cache [GB]", "{:,.2f}"),
    ("memory_available_gb", "memory available [GB]", "{:,.1f}"),
    ("bound", "decode bound by", "{}"),
    ("decode_step_ms", "decode step [ms]", "{:,.2f}"),
    *((("decode_breakdown_ms", f"{term}_ms"), f"  {label} [ms]", "{:,.3f}") for term, label in (
        ("weights", "weights"), ("kv", "KV cache"), ("compute", "compute beyond memory"), ("comm", "collectives"),
        ("overhead", "fixed costs"))),
    ("decode_tokens_per_s", "decode tokens/s (all sequences)", "{:,.1f}"),
    ("decode_tokens_per_s_per_sequence", "decode tokens/s per sequence", "{:,.1f}"),
    ("prefill_tokens_per_s", "prefill tokens/s", "{:,.0f}"),
    ("decode_power_w", "decode power, accelerators [W]", "{:,.0f}"),
    ("decode_energy_j_per_token", "decode energy [J/token]", "{:.3f}"),
    ("prefill_energy_j_per_token", "prefill energy [J/token]", "{:.4f}"),
]


def _value(result: dict, key):
    """``result[key]``, or a nested value for a key path (a tuple)."""
    if isinstance(key, tuple):
        for part in key:
            result = result[part]
        return result
    return result[key]


def _cell(value, spec: str) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return spec.format(value)


def render(result: dict, fmt: str, stream) -> None:
    from compute_cli.render import rows as rows_mod

    if rows_mod.data("throughput", result, fmt, stream):
        return
    rows = [[label, _cell(_value(result, key), spec)] for key, label, spec in LABELS]
    rows[0][1] = result["runtime"] or "(class factors)"
    if result.get("experts_touched"):
        at = next(i for i, row in enumerate(rows) if row[0] == "decode step [ms]")
        rows.insert(at, ["experts touched per MoE layer", f"{result['experts_touched']:,.1f}"])
    header = ["metric", "value"]
    title = f"{result['model']} on {result['system'] or result['hardware']} at {result['precision']}"
    emit_table(title, header, rows, fmt, stream)
