"""The ``check`` result: one line per breach and a summary line (table), or every result (json, csv, jsonl)."""

from __future__ import annotations

from compute_cli.render.formats import number, paint, to_csv, to_json, to_jsonl


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


def render(result: dict, fmt: str, stream) -> None:
    if fmt == "json":
        stream.write(to_json(result))
    elif fmt == "csv":
        stream.write(to_csv(result["results"]))
    elif fmt == "jsonl":
        stream.write(to_jsonl(result["results"]))
    else:
        for r in result["results"]:
            if r["status"] == "breach":
                stream.write(breach_line(result, r, stream) + "\n")
        stream.write(summary_line(result, stream) + "\n")
