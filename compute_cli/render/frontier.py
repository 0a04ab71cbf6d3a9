"""The ``frontier`` result: a table of each setup's Pareto points and a chart, or every point as data."""

from __future__ import annotations

from compute_cli.analysis.frontier import POINT_FIELDS
from compute_cli.render import charts
from compute_cli.render.compare import latency_caption
from compute_cli.render.formats import money, rich_table, to_markdown, to_plain, use_rich

X_LABEL, Y_LABEL = "tokens/s per user", "output tokens/s per GPU"
HEADER = ["setup", "GPUs x replicas", "concurrency", "tok/s/user", "out tok/s/GPU", "TTFT ms", "TPOT ms",
          "$/M out", "$/M blended", "targets"]


def rows(result: dict) -> list[dict]:
    """Every point of every setup, one flat dict each (CSV and JSON Lines)."""
    out = []
    for s in result["setups"]:
        wid = (s.get("workload") or {}).get("id")
        for p in s["points"]:
            out.append({"setup": s["id"], "model": result["model"]["id"], "workload": wid,
                        **{k: p[k] for k in POINT_FIELDS}})
    return out


def _targets(s: dict, p: dict) -> str:
    t = (s.get("operating_point") or {}).get("targets") or {}
    if t.get("max_ttft_ms") is None and t.get("max_tpot_ms") is None:
        return "-"
    return "met" if p["slo_met"] else "missed"


def _num(value, fmt: str) -> str:
    return "n/a" if value is None else format(value, fmt)


def table_cells(result: dict) -> tuple[list[str], list[list[str]], set[int]]:
    cells, sections = [], set()
    for s in result["setups"]:
        if cells:
            sections.add(len(cells))
        for p in (p for p in s["points"] if p["pareto"] or p["chosen"]):
            cells.append([
                s["id"] + (" ◆" if p["chosen"] else ""),
                f"{p['gpus_per_replica']} x {p['replicas_per_system']}",
                f"{p['concurrency']:,}",
                _num(p["tokens_per_s_per_user"], ",.1f"),
                _num(p["output_tokens_per_s_per_gpu"], ",.0f"),
                _num(p["ttft_ms"], ",.0f"),
                _num(p["tpot_ms"], ",.1f"),
                money(p["cost_usd_per_million_output_tokens"]) if p["cost_usd_per_million_output_tokens"] is not None
                else "n/a",
                money(p["cost_usd_per_million_tokens_blended"]) if p["cost_usd_per_million_tokens_blended"] is not None
                else "n/a",
                _targets(s, p),
            ])
    return HEADER, cells, sections


def chart(result: dict, width: int = 64, height: int = 18) -> str:
    """Throughput per GPU against tokens/s per user, one line per setup through its Pareto points."""
    series, marks = [], []
    for s in result["setups"]:
        front = [p for p in s["points"] if p["pareto"]]
        series.append((s["id"], [p["tokens_per_s_per_user"] for p in front],
                       [p["output_tokens_per_s_per_gpu"] for p in front]))
        chosen = next((p for p in s["points"] if p["chosen"]), None)
        marks.append((chosen["tokens_per_s_per_user"], chosen["output_tokens_per_s_per_gpu"]) if chosen else None)
    return charts.frontier(series, width, height, X_LABEL, Y_LABEL, marks)


def render(result: dict, fmt: str, stream) -> None:
    from compute_cli.render import rows as rows_mod

    if rows_mod.data("frontier", result, fmt, stream):
        return
    header, cells, sections = table_cells(result)
    title = f"frontier: {result['model']['id']}, output tokens/s per GPU against tokens/s per user"
    if result.get("overrides"):
        title += "  (--set " + ", ".join(result["overrides"]) + ")"
    caption = latency_caption(result["setups"])
    caption.append("rows: each setup's Pareto points (no other point gives more of both); ◆ the operating point "
                   "compare uses")
    notes = [f"{s['id']}: {s['note']}" for s in result["setups"] if s.get("note")]
    if fmt == "markdown":
        stream.write(f"**{title}**\n\n" + to_markdown(header, cells))
        stream.write("".join(f"\n{line}\n" for line in caption))
        stream.write("".join(f"\n> {n}\n" for n in notes))
        return
    if use_rich(stream):
        rich_table(title, header, cells, sections, caption="\n".join(caption + notes) or None, stream=stream)
        stream.write("\n" + chart(result))
        return
    stream.write(title + "\n\n" + to_plain(header, cells, sections))
    stream.write("".join(f"{line}\n" for line in caption))
    stream.write("".join(f"note: {n}\n" for n in notes))
    stream.write("\n" + chart(result))
