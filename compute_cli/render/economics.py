"""Rendering for invest, rent-or-buy, fleet and breakeven."""

from __future__ import annotations

from compute_cli.render.formats import emit_table, money, number, to_csv, to_json


def _fmt(value, spec: str = ",.4g") -> str:
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float | int):
        return format(value, spec)
    return str(value)


def _pct(value) -> str:
    return "n/a" if value is None else f"{value:.1%}"


_table = emit_table


def point_text(point: dict | None, workload: dict | None = None) -> str:
    """Where the tokens are made: ``concurrency 137 on 2 GPUs x 4, TPOT 49.8 ms, TTFT 225 ms (chat)``."""
    if not point:
        return "n/a"
    text = (f"concurrency {point['concurrency']:,} on {point['gpus_per_replica']} GPUs x "
            f"{point['replicas_per_system']}, TPOT {_fmt(point['tpot_ms'], '.3g')} ms, TTFT "
            f"{_fmt(point['ttft_ms'], ',.0f')} ms")
    return text + (f" ({workload['id']})" if workload else "")
def _range(r: dict, fmt) -> str:
    """``'$1.2M (-$0.3M\u2013$2.9M)'``: a median and its 5th to 95th percentile, each with ``fmt``."""
    if r["p50"] is None:
        return "n/a"
    return f"{fmt(r['p50'])} ({fmt(r['p5'])}\u2013{fmt(r['p95'])})"


def _invest(r: dict, fmt: str, stream) -> None:
    price = r["price"]
    if price["mode"] == "rent-out":
        price_text = f"renting out at ${number(price['usd_per_gpu_hour'])}/GPU-hour"  # as given
    else:
        price_text = (f"{money(price['input_usd_per_million_tokens'])} in / {money(price['output_usd_per_million_tokens'])}"
                      f" out per M tokens ({price['source']})")
    summary = [
        ["accelerators", _fmt(r["accelerators"], ",d")],
        ["operating point", point_text(r.get("operating_point"), r.get("workload"))],
        ["price today", price_text],
        ["price decline per year", _pct(r["price_decline_per_year"])],
        ["cost of capital", _pct(r["cost_of_capital_per_year"])],
        ["capex", money(r["capex_usd"])],
        ["revenue, first month", money(r["revenue_usd_first_month"])],
        ["opex per month", money(r["opex_usd_per_month"])],
        ["NPV", money(r["npv_usd"])],
        *([["  p50 (p5\u2013p95)", _range(r["ranges"]["npv_usd"], money)]] if "ranges" in r else []),
        ["IRR", _pct(r["irr"])],
        *([["  p50 (p5\u2013p95)", _range(r["ranges"]["irr"], _pct)]] if "ranges" in r else []),
        ["payback", "never" if r["payback_months"] is None else f"{r['payback_months']} months"],
        ["price decline that strands the capital", _pct(r["stranded_price_decline_per_year"])],
    ]
    title = f"invest: {r['setup']} serving {r['model']} over {r['years']:g} years"
    _table(title, ["metric", "value"], summary, fmt, stream, left=2)
    if "monte_carlo" in r:
        mc = r["monte_carlo"]
        stream.write(f"ranges: p50 (p5\u2013p95) of {mc['samples']:,} samples (seed {mc['seed']}) over "
                     f"{len(mc['uncertain_inputs'])} declared distributions (the setup's figures and the market's "
                     "quotes)\n")
    stream.write("\n")
    flows = [[str(y["year"]), money(y["revenue_usd"]), money(y["opex_usd"]), money(y["resale_usd"]), money(y["net_usd"])]
             for y in r["cash_flows_by_year"]]
    _table("cash flows by year (capex at t=0)", ["year", "revenue", "opex", "resale", "net"], flows, fmt, stream)


def _key_values(title: str, pairs: list[tuple[str, str]], fmt: str, stream) -> None:
    _table(title, ["metric", "value"], [[k, v] for k, v in pairs], fmt, stream, left=2)


def _rent_or_buy(r: dict, fmt: str, stream) -> None:
    months = r["breakeven_months"]
    _key_values(f"rent or buy: {r['own']} vs {r['rent']} ({r['model']})", [
        ("rent, $/M output tokens (hours used only)", money(r["rent_cost_usd_per_million_output_tokens"])),
        (f"own, $/M output tokens at {r['setup_utilization']:.0%} utilization",
         money(r["own_cost_usd_per_million_output_tokens_at_setup_utilization"])),
        ("owning wins above utilization", _pct(r["breakeven_utilization"])),
        ("capex", money(r["capex_usd"])),
        ("rent for the same tokens, per month", money(r["rent_usd_per_month_for_same_tokens"])),
        ("own opex per month", money(r["own_opex_usd_per_month"])),
        ("owning has paid for itself after", "never" if months is None else f"{months:.1f} months"),
    ], fmt, stream)


def _fleet(r: dict, fmt: str, stream) -> None:
    header = ["hardware", "system", "precision", "GPUs / conc.", "TPOT ms", "accelerators", "tokens/day",
              "tokens/J (site)", "$/M out", "capex", "margin/yr"]
    rows, notes = [], []
    for row in r["rows"]:
        if not row["fits"]:
            rows.append([row["hardware"], "-", "-", "", "", "-", "does not fit", "", "", "", ""])
            continue
        op = row.get("operating_point") or {}
        where = f"{op.get('gpus_per_replica', '')} / {op.get('concurrency', row.get('batch', ''))}"
        if "accelerators" not in row:
            rows.append([row["hardware"], row["system"], row["precision"], where, _fmt(op.get("tpot_ms"), ".3g"), "-",
                         "misses targets", "", "", "", ""])
            notes.append(f"{row['hardware']}: {row['note']}")
            continue
        rows.append([row["hardware"], row["system"], row["precision"], where, _fmt(op.get("tpot_ms"), ".3g"),
                     f"{row['accelerators']:,}", _fmt(row["tokens_per_day"], ".3g"),
                     _fmt(row["tokens_per_joule"], ".3f"), money(row["cost_usd_per_million_output_tokens"]),
                     money(row["capex_usd"]), money(row.get("margin_usd_per_year"))])
    w = r.get("workload")
    serving = f"{r['model']} ({w['id']})" if w else r["model"]
    title = (f"fleet: {r['power_mw']:g} MW at {r['site']} serving {serving} at {r['utilization']:.0%} "
             "utilization, ranked by tokens per joule")
    _table(title, header, rows, fmt, stream)
    for note in notes:
        stream.write(f"note: {note}\n")


def _breakeven(r: dict, fmt: str, stream) -> None:
    a, b = r["setups"]
    value = r["breakeven_value"]
    _key_values(f"breakeven: {a} vs {b} on {r['metric']}", [
        (f"{r['vary']} now", _fmt(r["current_value"])),
        (f"{a} now", _fmt(r["metric_at_current"][0])),
        (f"{b} now", _fmt(r["metric_at_current"][1])),
        ("searched", f"{r['search_range'][0]:g} to {r['search_range'][1]:g}"),
        (f"equal at {r['vary']} =", "no crossing" if value is None else _fmt(value)),
    ], fmt, stream)
    if r.get("note"):
        stream.write(f"note: {r['note']}\n")


RENDERERS = {"invest": _invest, "rent-or-buy": _rent_or_buy, "fleet": _fleet, "breakeven": _breakeven}
CSV_ROWS = {"invest": lambda r: r["cash_flows_by_year"], "fleet": lambda r: r["rows"]}


def render(kind: str, result: dict, fmt: str, stream) -> None:
    if fmt == "json":
        stream.write(to_json(result))
    elif fmt == "csv":
        stream.write(to_csv(CSV_ROWS.get(kind, lambda r: [r])(result)))
    else:
        RENDERERS[kind](result, fmt, stream)
