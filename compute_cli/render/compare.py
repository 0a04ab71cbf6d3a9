"""The ``compare`` result as a table, JSON, CSV or Markdown."""

from __future__ import annotations

from compute_cli.engine.registry import line_groups
from compute_cli.render.formats import money, rich_table, to_csv, to_json, to_jsonl, to_markdown, to_plain, use_rich


def _num(value, fmt: str) -> str:
    return "n/a" if value is None else format(value, fmt)


def _big(value) -> str:
    if value is None:
        return "n/a"
    for unit, scale in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(value) >= scale:
            return f"{value / scale:.3g}{unit}"
    return f"{value:.3g}"


def _group(names: tuple[str, ...]):
    """The sum of some cost lines of a setup row (None when one of them is)."""
    def get(s):
        values = [s["breakdown_usd_per_gpu_hour"][k] for k in names]
        return None if any(v is None for v in values) else sum(values)
    return get


# (label, getter, formatter); None marks a section break. The cost rows are the
# registry's groups of cost lines, in its order.
ROWS = [
    ("kind", lambda s: s["kind"] + (f" ({s['term']})" if s.get("term") else ""), str),
    ("hardware", lambda s: s["hardware"], str),
    ("precision", lambda s: s["precision"], str),
    ("accelerators serving / batch", lambda s: f"{s['gpus']} / {s['batch']}", str),
    ("utilization", lambda s: s["utilization"], lambda v: f"{v:.0%}"),
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
    ("output tokens/day per MW", lambda s: s["output_tokens_per_day_per_mw"], _big),
]


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
    return header, rows, sections


def render(result: dict, fmt: str, stream) -> None:
    if fmt == "json":
        stream.write(to_json(result))
        return
    if fmt in ("csv", "jsonl"):
        rows = [{**s, "model": result["model"]["id"]} for s in result["setups"]]
        stream.write(to_csv(rows) if fmt == "csv" else to_jsonl(rows))
        return
    header, rows, sections = table_cells(result)
    notes = [f"{s['id']}: {s['note']}" for s in result["setups"] if s.get("note")]
    title = f"model: {result['model']['id']}"
    if result.get("overrides"):
        title += "  (--set " + ", ".join(result["overrides"]) + ")"
    if fmt == "markdown":
        stream.write(f"**{title}**\n\n" + to_markdown(header, rows))
        for n in notes:
            stream.write(f"\n> {n}\n")
        return
    if use_rich(stream):
        rich_table(title, header, rows, sections, caption="\n".join(notes) or None)
        return
    stream.write(title + "\n\n" + to_plain(header, rows, sections))
    for n in notes:
        stream.write(f"note: {n}\n")
