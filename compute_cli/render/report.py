"""The ``report`` as one self-contained HTML page: inline CSS, inline SVG, no scripts, nothing fetched.

``render`` lays out the sections ``analysis.report.gather`` returned, each by the
renderer of its name in ``RENDERERS`` (a section without one is a bug, not a
silent gap). A Content-Security-Policy of ``default-src 'none'`` makes the browser
refuse any fetch the page might attempt, so the file shows the same wherever it is
opened. Tables scroll inside their own box on a narrow screen; ``@media print``
lays the page out for paper.
"""

from __future__ import annotations

from html import escape

from compute_cli.render import svg
from compute_cli.render.formats import money, number

TORNADO_ROWS = 10  # inputs drawn per tornado (the largest effects)

CSS = """
:root{--text:#1a1a1a;--muted:#555;--line:#d0d0d0;--band:#f3f4f6;--accent:#1f5fa8;--warn:#8a4b00}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;color:var(--text);background:#fff;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,
"Helvetica Neue",Arial,sans-serif}
header,main,footer{max-width:62rem;margin:0 auto;padding:0 1rem}
header{padding-top:1.5rem}
h1{font-size:1.6rem;line-height:1.25;margin:0 0 .25rem}
h2{font-size:1.3rem;margin:2.2rem 0 .5rem;padding-top:.5rem;border-top:2px solid var(--text)}
h3{font-size:1.05rem;margin:1.6rem 0 .4rem}
p{margin:.5rem 0}
.meta,.caption,.note,figcaption{color:var(--muted);font-size:.9rem}
nav ul{list-style:none;padding:0;margin:.75rem 0;display:flex;flex-wrap:wrap;gap:.25rem 1rem}
a{color:var(--accent)}
code{font:.9em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:break-word}
.scroll{overflow-x:auto;max-width:100%;border:1px solid var(--line);border-radius:4px}
.scroll:focus{outline:2px solid var(--accent)}
table{border-collapse:collapse;font-size:.875rem;font-variant-numeric:tabular-nums;width:100%}
th,td{padding:.3rem .6rem;text-align:right;white-space:nowrap;border-bottom:1px solid var(--line)}
th:first-child,td:first-child{text-align:left}
thead th{background:var(--band);vertical-align:bottom;white-space:normal}
tbody th{font-weight:600;background:#fff;position:sticky;left:0}
tr.break>*{border-top:2px solid #9a9a9a}
table.text td,table.text th{text-align:left;white-space:normal;vertical-align:top}
table.text td.num{text-align:right;white-space:nowrap}
table.text td.src{min-width:16rem}
table.text td.fig{min-width:13rem}
table.text td.date{white-space:nowrap}
table.text td.used{min-width:9rem;font-size:.8rem}
table.text th.group{background:var(--band);font-weight:400;font-size:.85rem;padding-top:.5rem}
.where{color:var(--muted);font-size:.8rem}
table.kv{width:auto}
.pair{display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-start}
.pair>.scroll{flex:0 1 auto}
.badge{display:inline-block;padding:0 .35rem;border-radius:3px;background:#fdecd8;color:var(--warn);font-size:.8rem;
font-weight:600}
figure{margin:1rem 0}
svg.chart{display:block;width:100%;min-width:18rem;max-width:46rem;font-family:inherit;overflow:visible}
.figure-scroll{overflow-x:auto}
ul.legend{list-style:none;padding:0;margin:.4rem 0;display:flex;flex-wrap:wrap;gap:.2rem 1rem;font-size:.875rem}
ul.legend li{display:flex;align-items:center;gap:.35rem}
.swatch{display:inline-block;width:.9rem;height:.9rem;border:1px solid #1a1a1a;border-radius:2px}
.caption ul{margin:.25rem 0;padding-left:1.2rem}
footer{margin-top:2.5rem;padding-bottom:2rem;border-top:1px solid var(--line)}
@media (max-width:40rem){body{font-size:15px}h1{font-size:1.35rem}th,td{padding:.25rem .45rem}
tbody th{white-space:normal;min-width:7.5rem}}
@media print{
@page{margin:14mm}
body{font-size:10pt}
nav{display:none}
header,main,footer{max-width:none;padding:0}
h2{break-after:avoid}
h3{break-after:avoid}
figure,table.kv,.caption{break-inside:avoid}
.scroll,.figure-scroll{overflow:visible;border:0}
tbody th{position:static}
table{font-size:8pt}
th,td{white-space:normal}
a{color:inherit;text-decoration:none}
svg.chart{max-width:100%}
}
"""

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

TITLES = {
    "comparison": "Comparison",
    "breakdown": "What an accelerator-hour costs",
    "frontier": "Throughput against interactivity",
    "tornado": "What moves the cost per token",
    "invest": "Investment: cash flows and falling prices",
    "ranges": "Ranges",
    "sources": "Sources",
}


def render(report: dict, command: str | None = None) -> str:
    """The whole page. ``command`` is the command line that made it, printed in the footer."""
    model = report["model"]
    sections = report["sections"]
    missing = [name for name in sections if name not in RENDERERS]
    if missing:
        raise KeyError(f"no renderer for report section(s): {', '.join(missing)}")
    body = [RENDERERS[name](data, report) for name, data in sections.items()]
    nav = "".join(f'<li><a href="#{name}">{escape(TITLES.get(name, name))}</a></li>' for name in sections)
    overrides = report.get("overrides") or []
    meta = [f"{len(report['setups'])} setup{'s' if len(report['setups']) != 1 else ''}",
            f"generated {escape(report['generated_on'])} by computecost {escape(report['computecost_version'])}"]
    if overrides:
        meta.append("with " + ", ".join(f"<code>--set {escape(o)}</code>" for o in overrides))
    title = f"Compute cost report: {model['name']}"
    footer = (f"<p>Every number on this page is the output of computecost {escape(report['computecost_version'])} "
              f"on {escape(report['generated_on'])}; the formulas and their sources are in its docs/methodology.md.")
    if command:
        footer += f" To reproduce it: <code>{escape(command)}</code>."
    footer += "</p>"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="generator" content="computecost">\n'
        f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f"<header>\n<h1>{escape(title)}</h1>\n"
        f'<p class="meta">Serving <code>{escape(model["id"])}</code> on {" · ".join(meta)}.</p>\n'
        f'<nav aria-label="Sections"><ul>{nav}</ul></nav>\n</header>\n'
        "<main>\n" + "\n".join(body) + "\n</main>\n"
        f"<footer>{footer}</footer>\n</body>\n</html>\n"
    )


# -------------------------------------------------------------------- helpers
def _section(name: str, inner: str) -> str:
    return f'<section id="{name}" aria-labelledby="{name}-h">\n<h2 id="{name}-h">{escape(TITLES[name])}</h2>\n{inner}\n</section>'


def _table(header: list[str], rows: list[list[str]], label: str, breaks: set[int] = frozenset(), cls: str = "") -> str:
    """A table of text cells (escaped here) in a horizontally scrolling, keyboard-focusable box."""
    # ids like 'hyperscaler-hgx-h100-campus' may break after a '-', so that a wide table still fits a page
    head = "".join(f'<th scope="col">{escape(str(h)).replace("-", "-<wbr>")}</th>' for h in header)
    out = []
    for i, r in enumerate(rows):
        head_cell = escape(str(r[0])).replace("+", "+<wbr>")  # 'maintenance+insurance+tax' may wrap on a phone
        cells = f'<th scope="row">{head_cell}</th>' + "".join(f"<td>{escape(str(c))}</td>" for c in r[1:])
        attr = ' class="break"' if i in breaks and i else ""
        out.append(f"<tr{attr}>{cells}</tr>")
    return (f'<div class="scroll" role="region" aria-label="{escape(label)}" tabindex="0">'
            f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{"".join(out)}</tbody></table></div>')


def _legend(items: list[tuple[str, str]]) -> str:
    return ('<ul class="legend">' + "".join(f'<li><span class="swatch" style="background:{c}"></span>{escape(t)}</li>'
                                            for t, c in items) + "</ul>")


def _pct(value, digits: int = 0) -> str:
    return "n/a" if value is None else f"{value:.{digits}%}"


def money_tick(value: float) -> str:
    """Dollars for an axis tick: as few digits as the tick needs.

    >>> [money_tick(v) for v in (0, 0.8, 1.25, 2.0, 46_000, -20e6, 2.5e9)]
    ['$0', '$0.8', '$1.25', '$2', '$46,000', '-$20M', '$2.5B']
    """
    if value < 0:
        return "-" + money_tick(-value)
    for unit, scale in (("B", 1e9), ("M", 1e6)):
        if value >= scale:
            return f"${value / scale:.4g}{unit}"
    return "$" + f"{value:,.3f}".rstrip("0").rstrip(".")


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text).strip("-").lower()


def _value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return number(value) if isinstance(value, int | float) else str(value)


# ----------------------------------------------------------------- comparison
def comparison(data: dict, report: dict) -> str:
    from compute_cli.render.compare import table_cells

    result = data["compare"]
    header, rows, breaks = table_cells(result)
    notes = "".join(f'<p class="note">{escape(s["id"])}: {escape(s["note"])}</p>' for s in result["setups"]
                    if s.get("note"))
    table = _table(header, rows, "comparison of the setups", breaks)
    return _section("comparison", table + notes + operating_point_caption(data["operating_point"]))


def _point_fields(p: dict) -> list[tuple[str, str]]:
    """(field, text) of one setup's operating point, in reading order."""
    gpus = f"{p['gpus']} accelerator{'s' if p['gpus'] != 1 else ''}"
    if p["kind"] == "rent":
        pays = f"rented {p['term'].replace('_', '-')}"
    elif p["kind"] == "own":
        pays = f"owned, written off over {p['economic_life_years']:g} years"
    else:
        pays = "devices owned by others, paid by the hour"
    vintage = p["prices_as_of"]
    if vintage is None:
        prices = "no dated prices"
    elif vintage["oldest"] == vintage["newest"]:
        prices = f"prices as of {vintage['oldest']}"
    else:
        prices = f"prices as of {vintage['oldest']} to {vintage['newest']}"
    return [
        ("context", f"{p['context_tokens']:,}-token context"),
        ("ratio", f"{p['input_tokens_per_output_token']:g} input tokens per output token"),
        ("batch", f"batch {p['batch']} on {gpus}"),
        ("utilization", f"{_pct(p['utilization'])} utilization"),
        ("pays", pays),
        ("prices", prices),
    ]


def operating_point_caption(points: list[dict]) -> str:
    """The operating point under the comparison: what all setups share once, then what each sets its own way."""
    fields = [dict(_point_fields(p)) for p in points]
    names = list(fields[0]) if fields else []
    common = [n for n in names if len({f[n] for f in fields}) == 1]
    own = [n for n in names if n not in common]
    parts = ['<div class="caption" id="operating-point"><p><strong>Operating point.</strong> ']
    if common:
        parts.append(("All setups: " if len(points) > 1 else "") + escape(", ".join(fields[0][n] for n in common)) + ".")
    parts.append("</p>")
    if own:
        parts.append("<ul>" + "".join(f"<li><strong>{escape(p['setup'])}</strong>: "
                                      f"{escape(', '.join(f[n] for n in own))}</li>"
                                      for p, f in zip(points, fields, strict=True)) + "</ul>")
    parts.append("</div>")
    return "".join(parts)


# ------------------------------------------------------------------ breakdown
def breakdown(data: dict, report: dict) -> str:
    from compute_cli.engine.registry import line_groups

    lines = {line["name"]: line for line in data["lines"]}
    order = [names for _group, names in line_groups()]
    colours = dict(zip([n for names in order for n in names], svg.group_colours(order), strict=True))
    shown = [n for n in lines if any(s["lines"].get(n) for s in data["setups"])]
    rows = [(s["id"], [s["lines"].get(n) for n in shown], f"{money(s['total'])}/h") for s in data["setups"]]
    series = [(lines[n]["label"], colours[n]) for n in shown]
    biggest = max(data["setups"], key=lambda s: s["total"] or 0.0)
    desc = ("Stacked horizontal bars, one per setup, of the cost of one accelerator-hour split into "
            + ", ".join(lines[n]["label"] for n in shown) + f". The largest is {biggest['id']} at "
            f"{money(biggest['total'])} per GPU-hour.")
    chart = svg.stacked_bars("chart-breakdown", rows, series, "Cost of one accelerator-hour by cost line", desc,
                             "cost per accelerator-hour [USD/GPU-h]", money, money_tick)
    zero = [lines[n]["label"] for n in lines if n not in shown]
    note = f'<p class="note">Zero for every setup here: {escape(", ".join(zero))}.</p>' if zero else ""
    return _section("breakdown", f'<figure><div class="figure-scroll">{chart}</div>'
                    f"<figcaption>Each cost line of an accelerator-hour, as in the comparison's $/GPU-hour rows: "
                    f"capital lines are paid up front, the others month by month.</figcaption>"
                    f"{_legend([(lines[n]['label'], colours[n]) for n in shown])}</figure>{note}")


# -------------------------------------------------------------------- tornado
def tornado(data: dict, report: dict) -> str:
    unit = data["unit"]
    swing = data["setups"][0]["swing"]  # the same for every setup
    parts = [f"<p>Each input of a setup moved to the low and the high end of its declared range, or by ±{swing:.0%} "
             "when it declares none, with every other input at its base value; the bars show the cost per million "
             f"output tokens that results [{escape(unit)}]. The {TORNADO_ROWS} largest effects of each setup, as "
             "<code>computecost sensitivity</code> lists them.</p>",
             _legend([("input at its low value", svg.LOW), ("input at its high value", svg.HIGH)])]
    for t in data["setups"]:
        params = t["parameters"][:TORNADO_ROWS]
        sid = t["setup"]
        if not params or t["metric_at_base"] is None:
            parts.append(f"<h3>{escape(sid)}</h3><p class=\"note\">No input moves this setup's cost per token "
                         "(or it serves no tokens).</p>")
            continue
        rows = [(f"{p['parameter']} {_value(p['low_value'])}…{_value(p['high_value'])}"
                 + (" (declared range)" if p["range"] == "distribution" else ""),
                 p["metric_at_low"], p["metric_at_high"]) for p in params]
        top = params[0]
        desc = (f"Tornado chart for {sid}: the cost per million output tokens is {money(t['metric_at_base'])} at base; "
                f"the input that moves it most is {top['parameter']}, giving {money(top['metric_at_low'])} at its low "
                f"value and {money(top['metric_at_high'])} at its high value.")
        chart = svg.tornado(f"chart-tornado-{_slug(sid)}", rows, t["metric_at_base"],
                            f"Sensitivity of the cost per million output tokens, {sid}", desc,
                            f"cost per million output tokens [{unit}]", money, money_tick)
        more = len(t["parameters"]) - len(params)
        clipped = [f"{p['parameter']}: {p['clipped']}" for p in params if p.get("clipped")]
        notes = []
        if more > 0:
            notes.append(f"{more} more input{'s' if more > 1 else ''} move it less.")
        if clipped:
            notes.append("Clipped to what the key allows: " + "; ".join(clipped) + ".")
        caption = f"<figcaption>{escape(' '.join(notes))}</figcaption>" if notes else ""
        parts.append(f'<h3 id="tornado-{_slug(sid)}">{escape(sid)}</h3><figure><div class="figure-scroll">{chart}'
                     f"</div>{caption}</figure>")
    return _section("tornado", "\n".join(parts))


# --------------------------------------------------------------------- invest
def invest(data: dict, report: dict) -> str:
    parts = []
    if data["setups"]:
        price = data["setups"][0]["price"]
        parts.append(f"<p>Each owned setup bought today and its tokens sold at the {escape(price['source'])} "
                     f"({money(price['input_usd_per_million_tokens'])} in, "
                     f"{money(price['output_usd_per_million_tokens'])} out per million tokens), the price falling "
                     f"{_pct(data['price_decline_per_year'])} a year, over the hardware's economic life; the hardware "
                     "is sold at the end for what its finance profile's resale curve gives (nothing, where it says "
                     "so), income tax is paid where the owner pays it, and the cash is discounted at the setup's cost "
                     "of capital. The same numbers as <code>computecost invest</code>.</p>")
    for r in data["setups"]:
        parts.append(_invest_one(r))
    if data["not_applicable"]:
        parts.append("<h3>Not invested</h3><ul>" + "".join(
            f"<li><strong>{escape(n['setup'])}</strong>: {escape(n['reason'])}</li>" for n in data["not_applicable"])
            + "</ul>")
    return _section("invest", "\n".join(parts))


def _invest_one(r: dict) -> str:
    sid = r["setup"]
    slug = _slug(sid)
    payback = "never" if r["payback_months"] is None else f"{r['payback_months']} months"
    summary = [["accelerators", f"{r['accelerators']:,}"], ["capex", money(r["capex_usd"])],
               ["revenue, first month", money(r["revenue_usd_first_month"])],
               ["opex per month", money(r["opex_usd_per_month"])], ["cost of capital", _pct(r["cost_of_capital_per_year"], 1)],
               ["NPV", money(r["npv_usd"])], ["IRR", _pct(r["irr"], 1)], ["payback", payback],
               ["price decline that strands the capital", _pct(r["stranded_price_decline_per_year"], 1)]]
    flows = r["cash_flows_by_year"]
    labels = ["0"] + [str(y["year"]) for y in flows]
    values = [-r["capex_usd"] if r["capex_usd"] is not None else None] + [y["net_usd"] for y in flows]
    worst = min(range(len(values)), key=lambda i: values[i] if values[i] is not None else 0.0)
    cash = svg.columns(f"chart-cash-{slug}", labels, values, f"Net cash flow by year, {sid}",
                       f"Columns of net cash per year for {sid}: the purchase of {money(r['capex_usd'])} in year 0, "
                       f"then revenue less operating cost each year, the resale included in the last; the lowest is "
                       f"year {labels[worst]} at {money(values[worst])}.", "year (0 = purchase)", "net cash [USD]",
                       money, money_tick)
    npv = r["npv_by_decline"]
    xs = [d * 100 for d in npv["price_decline_per_year"]]
    base_x = r["price_decline_per_year"] * 100
    marks = [(base_x, r["npv_usd"], f"{base_x:g} %/yr: {money(r['npv_usd'])}")] if r["npv_usd"] is not None else []
    stranded = r["stranded_price_decline_per_year"]
    if stranded is not None and xs[0] <= stranded * 100 <= xs[-1]:
        marks.append((stranded * 100, 0.0, f"NPV 0 at {stranded:.0%}/yr"))
    line = svg.line(f"chart-npv-{slug}", xs, npv["npv_usd"], f"NPV against the yearly fall of the token price, {sid}",
                    f"A line of the net present value of {sid} over {r['years']:g} years against how fast the selling "
                    f"price falls each year, from {xs[0]:g} % to {xs[-1]:g} %; NPV is {money(r['npv_usd'])} at "
                    f"{base_x:g} % and " + (f"zero at {stranded:.1%}." if stranded is not None
                                            else "keeps one sign over the whole range."),
                    "price decline per year [%]", "NPV [USD]", lambda v: f"{v:g}", money_tick, marks)
    table = _table(["", "value"], summary, f"investment summary, {sid}", cls="kv")
    flows_table = _table(["year", "revenue", "opex", "income tax", "resale", "net"],
                         [[str(y["year"]), money(y["revenue_usd"]), money(y["opex_usd"]), money(y["tax_usd"]),
                           money(y["resale_usd"]), money(y["net_usd"])] for y in flows],
                         f"cash flows by year, {sid}", cls="kv")
    return (f'<h3 id="invest-{slug}">{escape(sid)}</h3><div class="pair">{table}{flows_table}</div>'
            f'<figure><div class="figure-scroll">{cash}</div><figcaption>Year 0 is the purchase; the last year '
            f"includes the resale its finance profile gives (nothing where it says so).</figcaption></figure>"
            f'<figure><div class="figure-scroll">{line}</div><figcaption>The same investment at every yearly price '
            f"decline from {xs[0]:g} % (prices rising) to {xs[-1]:g} %.</figcaption></figure>")


# -------------------------------------------------------------------- sources
BASIS_TEXT = {"source": "cited", "assumption": "assumption", "unsourced": "no source given",
              "default": "schema default", "--set": "--set", "engine": "made in code"}


def sources(data: dict, report: dict) -> str:
    everyone = report["setups"]
    counts = ", ".join(f"{n} {BASIS_TEXT.get(b, b)}" for b, n in data["counts"].items())
    stale = sum(f["stale_days"] is not None for f in data["figures"])
    rows = []
    for home, figures in _by_profile(data["figures"]):
        users = list(dict.fromkeys(u for f in figures for u in f["used_by"]))
        where = " · ".join(x for x in (home, figures[0]["file"]) if x)
        rows.append(['<th colspan="5" scope="rowgroup" class="group">'
                     + (f"<code>{escape(where)}</code> · " if where else "--set and values made in code · ")
                     + f"used by {escape(_setups_text(users, everyone))}</th>"])
        for f in figures:
            said = f["source"] or f["text"] or ""
            if f["distribution"]:
                ((shape, params),) = f["distribution"].items()
                said += f" (range: {shape} " + ", ".join(f"{k} {_value(v)}" for k, v in params.items()) + ")"
            as_of = escape(f["as_of"] or "")
            if f["stale_days"] is not None:
                as_of += f' <span class="badge">{f["stale_days"]:,} days old</span>'
            key = f'<code>{escape(f["key"])}</code>' + (f' <span class="where">line {f["line"]}</span>' if f["line"] else "")
            if f["used_by"] != users:
                key += f'<br><span class="where">used by {escape(_setups_text(f["used_by"], everyone))}</span>'
            rows.append([f'<td class="fig">{key}</td>', f'<td class="num">{escape(_value(f["value"]))}</td>',
                         f"<td>{escape(BASIS_TEXT.get(f['basis'], f['basis']))}</td>",
                         f'<td class="src">{escape(said)}</td>', f'<td class="date">{as_of}</td>'])
    intro = (f"<p>Every figure this report used, once: {len(data['figures'])} in all ({escape(counts)}), by the "
             f"profile it was read from. A price is marked when its as_of date is more than {data['max_age_days']} "
             "days old" + (f" ({stale} here)" if stale else "") + ".</p>")
    table = _raw_table(["figure", "value", "basis", "source or assumption", "as of"], rows,
                       "sources of every figure used")
    engine = ""
    if data["engine"]:
        erows = [[f"<td>{escape(e['table'])}</td>", f'<td class="num">{escape(_value(e["value"]))}</td>',
                  f'<td class="used">{escape(_setups_text(e["used_by"], everyone))}</td>'] for e in data["engine"]]
        engine = ("<h3>The engine's own tables</h3><p>Efficiency factors and conversion tables the engine applies by "
                  "hardware class and precision (assumptions, documented in docs/methodology.md).</p>"
                  + _raw_table(["table entry", "value", "used by"], erows, "engine tables used"))
    return _section("sources", intro + table + engine)


def _by_profile(figures: list[dict]) -> list[tuple[str | None, list[dict]]]:
    """The figures in runs of one profile (they come sorted by profile)."""
    groups: list[tuple[str | None, list[dict]]] = []
    for f in figures:
        if groups and groups[-1][0] == f["profile"]:
            groups[-1][1].append(f)
        else:
            groups.append((f["profile"], [f]))
    return groups


def _setups_text(ids: list[str], everyone: list[str]) -> str:
    return "every setup" if len(everyone) > 1 and set(ids) >= set(everyone) else ", ".join(ids)


def _raw_table(header: list[str], rows: list[list[str]], label: str) -> str:
    """A text table whose cells are already ``<td>`` elements."""
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in header)
    body = "".join(f"<tr>{''.join(r)}</tr>" for r in rows)
    return (f'<div class="scroll" role="region" aria-label="{escape(label)}" tabindex="0">'
            f'<table class="text"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>')


# One renderer per section of ``analysis.report.SECTIONS`` that can have data. The frontier and ranges
# sections are hooks there: they gather nothing yet, and get their renderer when they do.
RENDERERS = {
    "comparison": comparison,
    "breakdown": breakdown,
    "tornado": tornado,
    "invest": invest,
    "sources": sources,
}
