"""Rendering for invest, rent-or-buy, fleet and breakeven."""

from __future__ import annotations

from compute_cli.render.formats import count, emit_table, money, number, say


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


def _months(value, note) -> str:
    return f"{value} months" if value is not None else (note or "n/a")


def _invest(r: dict, fmt: str, stream) -> None:
    from compute_cli.analysis.invest import operating_point_text

    price = r["price"]
    if price["mode"] == "rent-out":
        price_text = f"renting out at ${number(price['usd_per_gpu_hour'])}/GPU-hour"  # as given
    else:
        price_text = (f"{money(price['input_usd_per_million_tokens'])} in / {money(price['output_usd_per_million_tokens'])}"
                      f" out per M tokens ({price['source']})")
    if price.get("marketplace_fee_fraction"):
        price_text += f", less a {price['marketplace_fee_fraction']:.0%} marketplace fee"
    fin = r["financing"]
    tax = f", {fin['income_tax_rate']:.0%} income tax ({fin['tax_depreciation']})" if fin.get("income_tax_rate") else ""
    stranded = _pct(r["stranded_price_decline_per_year"])
    if r.get("stranded_note"):
        stranded = r["stranded_note"] if r["stranded_price_decline_per_year"] is None else f"{stranded} ({r['stranded_note']})"
    summary = [
        ["accelerators", _fmt(r["accelerators"], ",d")],
        ["operating point", point_text(r.get("operating_point"), r.get("workload"))],
        ["price today", price_text],
        ["price decline per year", _pct(r["price_decline_per_year"])],
        ["cost of capital", f"{_pct(r['cost_of_capital_per_year'])} ({fin['basis']}){tax}"],
        ["capex", money(r["capex_usd"])],
        ["revenue, first month", money(r["revenue_usd_first_month"])],
        ["opex per month", money(r["opex_usd_per_month"])],
        ["resale at the horizon", f"{money(r['resale_usd'])} ({r['resale_basis']})"],
        ["NPV", money(r["npv_usd"])],
        *([["  p50 (p5\u2013p95)", _range(r["ranges"]["npv_usd"], money)]] if "ranges" in r else []),
        ["NPV per accelerator", money(r["npv_usd_per_accelerator"])],
        ["NPV per $ invested", "n/a" if r["npv_per_usd_invested"] is None else f"{r['npv_per_usd_invested']:.2f}"],
        ["IRR", _pct(r["irr"]) if r["irr"] is not None else (r.get("irr_note") or "n/a")],
        *([["  p50 (p5\u2013p95)", _range(r["ranges"]["irr"], _pct)]] if "ranges" in r else []),
        ["payback", _months(r["payback_months"], r.get("payback_note"))],
        ["discounted payback", _months(r["discounted_payback_months"], r.get("payback_note"))],
        ["price decline that strands the capital", stranded],
    ]
    title = f"invest: {r['setup']} serving {r['model']} over {r['years']:g} years"
    _table(title, ["metric", "value"], summary, fmt, stream, left=2)
    if r["irr"] is not None and r.get("irr_note"):
        say(stream, f"note: {r['irr_note']}")
    if "monte_carlo" in r:
        mc = r["monte_carlo"]
        say(stream, f"ranges: p50 (p5\u2013p95) of {mc['samples']:,} samples (seed {mc['seed']}) over "
                    f"{len(mc['uncertain_inputs'])} declared distributions (the setup's figures and the market's "
                    "quotes)")
    say(stream, f"holds at: {operating_point_text(r['operating_point'])}")
    stream.write("\n")
    flows = [[str(y["year"]), money(y["revenue_usd"]), money(y["opex_usd"]), money(y["tax_usd"]), money(y["resale_usd"]),
              money(y["net_usd"])] for y in r["cash_flows_by_year"]]
    _table("cash flows by year (capex at t=0)", ["year", "revenue", "opex", "income tax", "resale", "net"], flows, fmt,
           stream)


def _key_values(title: str, pairs: list[tuple[str, str]], fmt: str, stream) -> None:
    _table(title, ["metric", "value"], [[k, v] for k, v in pairs], fmt, stream, left=2)


def _rent_or_buy(r: dict, fmt: str, stream) -> None:
    from compute_cli.analysis.invest import operating_point_text

    u = r["setup_utilization"]
    breakeven = _pct(r["breakeven_utilization"]) if r["breakeven_utilization"] is not None else "never"
    if r.get("breakeven_note"):
        breakeven += f" ({r['breakeven_note']})"
    note = r.get("breakeven_months_note")
    _key_values(f"rent or buy: {r['own']} vs {r['rent']} ({r['model']})", [
        (f"rent ({r['rent_term']}), $/M output tokens at {u:.0%} utilization",
         money(r["rent_cost_usd_per_million_output_tokens"])),
        (f"own, $/M output tokens at {u:.0%} utilization",
         money(r["own_cost_usd_per_million_output_tokens_at_setup_utilization"])),
        ("own / rent, $ per used GPU-hour", f"{money(r['own_cost_usd_per_used_gpu_hour'])} / "
                                            f"{money(r['rent_cost_usd_per_used_gpu_hour'])}"),
        ("owning wins above utilization", breakeven),
        ("capex", money(r["capex_usd"])),
        ("rent for the same tokens, per month", money(r["rent_usd_per_month_for_same_tokens"])),
        ("own opex per month", money(r["own_opex_usd_per_month"])),
        ("owning has paid for itself after", _months(r["breakeven_months"], note)),
        ("... discounted", _months(r["discounted_breakeven_months"], note)),
    ], fmt, stream)
    say(stream, f"holds at: {operating_point_text(r['operating_point'])}; both setups at {u:.0%} "
                f"utilization, each paying for its hours by its term")


def _fleet(r: dict, fmt: str, stream) -> None:
    from compute_cli.analysis.economics import RANK_KEYS

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
                     f"{row['accelerators']:,}", count(row["tokens_per_day"]),
                     _fmt(row["tokens_per_joule"], ".3f"), money(row["cost_usd_per_million_output_tokens"]),
                     money(row["capex_usd"]), money(row.get("margin_usd_per_year"))])
    w = r.get("workload")
    serving = f"{r['model']} ({w['id']})" if w else r["model"]
    title = (f"fleet: {r['power_mw']:g} MW at {r['site']} serving {serving} at {r['utilization']:.0%} "
             f"utilization, ranked by {RANK_KEYS[r['ranked_by']]}")
    _table(title, header, rows, fmt, stream)
    for note in notes:
        say(stream, f"note: {note}")
    shape = (f"batch {r['batch']}" if r.get("batch") else "each at its operating point")
    if r.get("context_tokens"):
        shape += f", {r['context_tokens']:,}-token context"
    say(stream, f"holds at: {shape}, finance {r['finance']}; the power budget caps provisioned power, so tokens a day "
                "is what it buys")


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
        say(stream, f"note: {r['note']}")
    from compute_cli.analysis.invest import operating_point_text

    for name, point in zip(r["setups"], r.get("operating_points", []), strict=False):
        say(stream, f"holds at, {name}: {operating_point_text(point)}")


RENDERERS = {"invest": _invest, "rent-or-buy": _rent_or_buy, "fleet": _fleet, "breakeven": _breakeven}


def render(kind: str, result: dict, fmt: str, stream) -> None:
    from compute_cli.render import rows as rows_mod

    if not rows_mod.data(kind, result, fmt, stream):
        RENDERERS[kind](result, fmt, stream)
