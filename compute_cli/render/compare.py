"""The ``compare`` result as a table, JSON, CSV or Markdown."""

from __future__ import annotations

from compute_cli.analysis.compare import ms_text
from compute_cli.engine.registry import line_groups
from compute_cli.render.formats import count, money, rich_table, to_markdown, to_plain, use_rich


def _num(value, fmt: str) -> str:
    return "n/a" if value is None else format(value, fmt)


def _group(names: tuple[str, ...]):
    """The sum of some cost lines of a setup row (None when one of them is)."""
    def get(s):
        values = [s["breakdown_usd_per_gpu_hour"][k] for k in names]
        return None if any(v is None for v in values) else sum(values)
    return get


def _op(key):
    return lambda s: (s.get("operating_point") or {}).get(key)


def _latency(s) -> str | None:
    op = s.get("operating_point") or {}
    if op.get("ttft_ms") is None or op.get("tpot_ms") is None:
        return None
    return f"{op['ttft_ms']:,.0f} / {op['tpot_ms']:.1f}"


def _targets(s) -> str:
    op = s.get("operating_point") or {}
    t = op.get("targets") or {}
    if t.get("max_ttft_ms") is None and t.get("max_tpot_ms") is None:
        return "none"
    return "met" if op.get("slo_met") else "missed"


def _replica(s) -> str:
    op = s.get("operating_point") or {}
    mark = "" if op.get("chosen", True) else " (set)"
    return f"{s['gpus']} x {op.get('replicas_per_system', 1)} / {s['batch']}{mark}"


# (label, getter, formatter); None marks a section break. The cost rows are the
# registry's groups of cost lines, in its order.
ROWS = [
    ("kind", lambda s: s["kind"] + (f" ({s['term']})" if s.get("term") else ""), str),
    ("hardware", lambda s: s["hardware"], str),
    ("precision", lambda s: s["precision"], str),
    ("runtime", lambda s: s.get("runtime") or "(class factors)", str),
    ("workload", lambda s: (s.get("workload") or {}).get("id", "none"), str),
    ("accelerators x replicas / concurrency", _replica, str),
    ("utilization", lambda s: s["utilization"], lambda v: f"{v:.0%}"),
    None,
    ("tokens/s per user", _op("tokens_per_s_per_user"), lambda v: _num(v, ",.1f")),
    ("TTFT / TPOT [ms]", _latency, str),
    ("latency targets", _targets, str),
    None,
    ("$/GPU-hour", lambda s: s["cost_usd_per_gpu_hour"], money),
    *((f"  {group}", _group(names), money) for group, names in line_groups()),
    ("$/used GPU-hour", lambda s: s["cost_usd_per_used_gpu_hour"], money),
    ("  one more busy hour", lambda s: s["marginal_usd_per_used_gpu_hour"], money),
    None,
    ("decode tokens/s per GPU", lambda s: s["decode_tokens_per_s_per_gpu"], lambda v: _num(v, ",.0f")),
    ("prefill tokens/s per GPU", lambda s: s["prefill_tokens_per_s_per_gpu"], lambda v: _num(v, ",.0f")),
    ("bound (decode)", lambda s: s["bound"], str),
    ("$/M input tokens", lambda s: s["cost_usd_per_million_input_tokens"], money),
    ("$/M output tokens", lambda s: s["cost_usd_per_million_output_tokens"], money),
    ("$/M tokens blended", lambda s: s["cost_usd_per_million_tokens_blended"], money),
    ("sell $/M tokens blended", lambda s: s["price_usd_per_million_tokens_blended"], money),
    None,
    ("J/output token (accelerator)", lambda s: s["energy_j_per_output_token"], lambda v: _num(v, ".3f")),
    ("output tokens/day per MW", lambda s: s["output_tokens_per_day_per_mw"], count),
]


# The rows of metrics that ``compare --ranges`` follows with their range, and that range's key.
RANGE_ROWS = {
    "$/GPU-hour": "cost_usd_per_gpu_hour",
    "$/M input tokens": "cost_usd_per_million_input_tokens",
    "$/M output tokens": "cost_usd_per_million_output_tokens",
    "$/M tokens blended": "cost_usd_per_million_tokens_blended",
}
RANGE_LABEL = "  p50 (p5\u2013p95)"


def range_text(r: dict | None) -> str:
    """``'$1.66 ($1.41\u2013$1.98)'``: a metric's median and its 5th to 95th percentile.

    >>> range_text({"p5": 1.41, "p50": 1.6612, "p95": 1.98})
    '$1.66 ($1.41\u2013$1.98)'
    """
    if r is None or r["p50"] is None:
        return "n/a"
    return f"{money(r['p50'])} ({money(r['p5'])}\u2013{money(r['p95'])})"


def table_cells(result: dict) -> tuple[list[str], list[list[str]], set[int]]:
    setups = result["setups"]
    header = ["metric"] + [s["id"] for s in setups]
    rows, sections = [], set()
    for spec in ROWS:
        if spec is None:
            sections.add(len(rows))
            continue
        label, get, fmt = spec
        rows.append([label] + [fmt(get(s)) if get(s) is not None else "n/a" for s in setups])
        if label in RANGE_ROWS and "monte_carlo" in result:
            rows.append([RANGE_LABEL] + [range_text(s["ranges"].get(RANGE_ROWS[label])) for s in setups])
    return header, rows, sections


def latency_caption(setups: list[dict]) -> list[str]:
    """One line per workload and targets: at which latency the costs above hold."""
    lines: dict[str, list[str]] = {}
    for s in setups:
        w, op = s.get("workload"), s.get("operating_point") or {}
        t = op.get("targets") or {}
        bounds = [f"{label} <= {ms_text(t[k])}" for k, label in (("max_tpot_ms", "TPOT"), ("max_ttft_ms", "TTFT"))
                  if t.get(k) is not None]
        what = f"{w['id']} ({w['input_tokens']:,} in, {w['output_tokens']:,} out" if w else "no workload ("
        what += ("; " + ", ".join(bounds) if bounds else "; no latency target") + ")"
        lines.setdefault(what, []).append(s["id"])
    chosen = any((s.get("operating_point") or {}).get("chosen") for s in setups)
    out = [f"latency: {what}" + (f": {', '.join(ids)}" if len(lines) > 1 else "") for what, ids in lines.items()]
    if chosen:
        out.append("each setup without a batch of its own runs at the highest-throughput concurrency that meets "
                   "its targets")
    return out
def ranges_caption(result: dict) -> str | None:
    """The line under a table with ranges: how they were drawn, and which setups have none."""
    if "monte_carlo" not in result:
        return None
    r = result["monte_carlo"]
    text = (f"ranges: p50 (p5\u2013p95) of {r['samples']:,} samples (seed {r['seed']}) over the distributions "
            "declared next to the figures each setup uses")
    fixed = [s["id"] for s in result["setups"] if not s["uncertain_inputs"]]
    if fixed:
        text += f"; {', '.join(fixed)}: no declared distribution, a single point"
    return text


def transposed(header: list[str], rows: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    """Setups as rows and metrics as columns (``compare --transpose``): many setups read down a page.

    >>> transposed(["metric", "a", "b"], [["x", "1", "2"], ["y", "3", "4"]])
    (['setup', 'x', 'y'], [['a', '1', '3'], ['b', '2', '4']])
    """
    return ["setup", *(r[0] for r in rows)], [[header[j], *(r[j] for r in rows)] for j in range(1, len(header))]


def render(result: dict, fmt: str, stream, transpose: bool = False) -> None:
    from compute_cli.render import rows as rows_mod

    if rows_mod.data("compare", result, fmt, stream):
        return
    header, rows, sections = table_cells(result)
    if transpose:  # the sections are rows of metrics; across, they have no place
        (header, rows), sections = transposed(header, rows), set()
    caption = latency_caption(result["setups"])
    notes = [f"{s['id']}: {s['note']}" for s in result["setups"] if s.get("note")]
    ranges = ranges_caption(result)
    title = f"model: {result['model']['id']}"
    if result.get("overrides"):
        title += "  (--set " + ", ".join(result["overrides"]) + ")"
    if fmt == "markdown":
        stream.write(f"**{title}**\n\n" + to_markdown(header, rows))
        stream.write("".join(f"\n{line}\n" for line in caption))
        for n in notes:
            stream.write(f"\n> {n}\n")
        if ranges:
            stream.write(f"\n{ranges}\n")
        return
    if use_rich(stream):
        lines = caption + ([ranges] if ranges else []) + notes
        rich_table(title, header, rows, sections, caption="\n".join(lines) or None, stream=stream)
        return
    stream.write(title + "\n\n" + to_plain(header, rows, sections))
    stream.write("".join(f"{line}\n" for line in caption))
    if ranges:
        stream.write(ranges + "\n")
    for n in notes:
        stream.write(f"note: {n}\n")
