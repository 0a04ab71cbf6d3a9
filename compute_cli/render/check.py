"""The ``check`` result: one line per breach and a summary line (table), or every result (json, csv, jsonl)."""

from __future__ import annotations

from compute_cli.render.formats import number, paint, say


def _limit(r: dict) -> str:
    parts = []
    if r["max"] is not None:
        parts.append(f"max {number(r['max'])}")
    if r["min"] is not None:
        parts.append(f"min {number(r['min'])}")
    return " and ".join(parts)


def breach_line(result: dict, r: dict, stream=None) -> str:
    """``breach: SETUP: METRIC VALUE > max LIMIT (ORIGIN)``."""
    rule = result["rules"][r["rule"]]
    origin = rule["origin"] + (f" '{rule['name']}'" if rule["name"] else "")
    if r["value"] is None:
        what = f"{r['metric']} cannot be computed ({r['note'] or 'no value'}), limit {_limit(r)}"
    elif r["max"] is not None and r["value"] > r["max"]:
        what = f"{r['metric']} {number(r['value'])} > max {number(r['max'])}"
    else:
        what = f"{r['metric']} {number(r['value'])} < min {number(r['min'])}"
    return f"{paint('breach', 'red', stream)}: {r['setup']}: {what} ({origin})"


def _count(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def summary_line(result: dict, stream=None) -> str:
    n = len(result["results"])
    scope = (f"{_count(len(result['rules']), 'rule')}, {_count(len(result['setups']), 'setup')}, "
             f"model {result['model']['id']}")
    if result["breaches"]:
        return (f"check: {paint('FAILED', 'red', stream)}: {_count(result['breaches'], 'breach', 'breaches')} "
                f"in {_count(n, 'result')} ({scope})")
    return f"check: {paint('ok', 'green', stream)}: {_count(n, 'result')} within their limits ({scope})"


def markdown(result: dict) -> str:
    """Every result as a Markdown table, breaches marked, and the summary line: a pull-request comment."""
    from compute_cli.render.formats import to_markdown

    header = ["setup", "metric", "value", "limit", "status", "rule"]
    cells = []
    for r in result["results"]:
        rule = result["rules"][r["rule"]]
        status = ":x: breach" if r["status"] == "breach" else "ok"
        cells.append([f"`{r['setup']}`", f"`{r['metric']}`", "n/a" if r["value"] is None else number(r["value"]),
                      _limit(r), status, rule["name"] or rule["origin"]])
    return to_markdown(header, cells, left=2) + "\n" + summary_line(result) + "\n"


def render(result: dict, fmt: str, stream) -> None:
    from compute_cli.render import rows as rows_mod

    if rows_mod.data("check", result, fmt, stream):
        return
    if fmt == "markdown":
        stream.write(markdown(result))
    else:
        for r in result["results"]:
            if r["status"] == "breach":  # one line each in a log or a pipe; wrapped on a narrow terminal
                say(stream, breach_line(result, r, stream))
        say(stream, summary_line(result, stream))
