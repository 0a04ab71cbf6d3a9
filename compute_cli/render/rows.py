"""What ``--format csv`` and ``--format jsonl`` print for every command: the same rows.

One rule (README.md, "Output formats"): ``json`` is the whole result as one document;
``jsonl`` and ``csv`` are its rows, one per thing the command lists (a setup, a year of cash
flows, an accelerator kind, an input moved, a metric), each carrying the result's own figures
(its setup, model, horizon...) so that a row stands alone in a pipeline. The CSV header comes
from the row's definition in ``output_schema`` (nested objects flattened with '.'), so the
columns never depend on the data; a list of ids is one cell of space-separated ids, any other
list or object in a cell is JSON text.
"""

from __future__ import annotations

from compute_cli.render.formats import to_csv, to_json, to_jsonl

ROW_FORMATS = ("csv", "jsonl")


def _head(result: dict, *drop: str) -> dict:
    return {k: v for k, v in result.items() if k != "schema_version" and k not in drop}


def _invest(r: dict) -> list[dict]:
    head = _head(r, "cash_flows_by_year")
    return [{**head, **year} for year in r["cash_flows_by_year"]]


def _fleet(r: dict) -> list[dict]:
    head = _head(r, "rows", "market")
    return [{**head, **row} for row in r["rows"]]


def _breakeven(r: dict) -> list[dict]:
    head = _head(r, "setups", "metric_at_current", "operating_points")
    points = r.get("operating_points") or [None] * len(r["setups"])
    return [{"setup": s, **head, "metric_at_current": m, **({"operating_point": p} if p else {})}
            for s, m, p in zip(r["setups"], r["metric_at_current"], points, strict=True)]


def _sensitivity(r: dict) -> list[dict]:
    head = _head(r, "parameters", "not_swung")
    return [{**head, **p} for p in r["parameters"]]


def _simulate(r: dict) -> list[dict]:
    head = _head(r, "inputs", "metrics", "histogram")
    return [{**head, "metric": m, **s} for m, s in r["metrics"].items()]


def _frontier(r: dict) -> list[dict]:
    from compute_cli.render.frontier import rows as frontier_rows

    return frontier_rows(r)


def _compare(r: dict) -> list[dict]:
    return [{**s, "model": r["model"]["id"]} for s in r["setups"]]


# command -> (its rows, the definition of a row in output_schema, keys an option adds: columns only when present)
ROWS = {
    "compare": (_compare, "compare_setup", ("ranges", "uncertain_inputs")),
    "invest": (_invest, "invest_line", ("ranges", "monte_carlo", "npv_by_decline")),
    "rent-or-buy": (lambda r: [_head(r)], "rent_or_buy_line", ()),
    "fleet": (_fleet, "fleet_line", ()),
    "breakeven": (_breakeven, "breakeven_line", ()),
    "sensitivity": (_sensitivity, "sensitivity_line", ()),
    "simulate": (_simulate, "simulate_line", ()),
    "scenario run": (lambda r: [_head(r, "results")], "scenario_run_line", ()),
    "scenario list": (lambda r: r["scenarios"], "scenario_list_row", ()),
    "throughput": (lambda r: [_head(r)], "throughput_line", ()),
    "check": (lambda r: r["results"], "check_result", ()),
    "frontier": (_frontier, "frontier_row", ()),
    "diff": (lambda r: r["changes"], "diff_change", ()),
    "prices stale": (lambda r: r["due"], "prices_stale_row", ()),
    "prices import": (lambda r: r["written"], "prices_import_written", ()),
    "profiles list": (lambda r: r["profiles"], "profiles_list_row", ()),
    "profiles show": (lambda r: r["fields"], "profiles_show_field", ()),
}


def rows(command: str, result: dict) -> list[dict]:
    """The rows ``command``'s result prints as jsonl and csv."""
    return ROWS[command][0](result)


def csv_text(command: str, result: dict) -> str:
    """``rows`` as CSV under the schema's columns."""
    from compute_cli.render.output_schema import csv_columns

    make, definition, gated = ROWS[command]
    data = make(result)
    return to_csv(data, csv_columns(definition, data, gated=gated))


def data(command: str, result: dict, fmt: str, stream) -> bool:
    """Write ``result`` as data: the document for json, its rows for csv and jsonl; False for a table or
    Markdown, which the command's own renderer draws. Every renderer starts with it."""
    if fmt == "json":
        stream.write(to_json(result))
    elif fmt in ROW_FORMATS:
        stream.write(csv_text(command, result) if fmt == "csv" else to_jsonl(rows(command, result)))
    else:
        return False
    return True
