"""Shipped scenarios: a question, the runs that answer it, and the answer as a sentence.

A scenario (configs/scenarios/<id>.yaml) lists steps, each one command with its
arguments; the answer is a template whose fields name step results, e.g.
``{crash.npv_usd:,.0f}`` or ``{cmp.setups[aws-p5-ondemand].cost_usd_per_gpu_hour:.2f}``
(``[id]`` picks the list item whose id, setup or hardware is ``id``). Beyond Python's
format specs, ``$`` puts the sign before the dollar (``{x:$,.0f}`` -> ``-$1,234``) and
``W`` writes a large count in words (``{x:.3W}`` -> ``1.31 trillion``).
"""

from __future__ import annotations

import re

from compute_cli import inputs, pipeline
from compute_cli.contract import SCHEMA_VERSION
from compute_cli.analysis import compare, economics
from compute_cli.analysis import throughput as throughput_mod
from compute_cli.errors import InputError, did_you_mean
from compute_cli.profiles.catalog import Catalog
from compute_cli.profiles.overrides import parse_assignment



def _sets(args) -> list:
    values = args.get("set", [])
    if isinstance(values, str):
        values = [values]
    return [parse_assignment(v) for v in values]


SERVING_ARGS = {"workload", "input_tokens", "output_tokens", "max_ttft_ms", "max_tpot_ms", "min_tokens_per_s_per_user"}


def _options(args) -> inputs.RunOptions:
    """The operating point a step asks for (``workload``, ``max_tpot_ms``, ...), as RunOptions."""
    return inputs.RunOptions(**{k: args.get(k) for k in SERVING_ARGS})


def _range(text):
    if text is None:
        return None
    lo, hi = (float(v) for v in str(text).split(":"))
    return lo, hi


# command -> (allowed argument names, runner)
COMMANDS = {
    "compare": ({"setups", "model", "set", *SERVING_ARGS},
                lambda c, a: compare.run(c, a.get("setups", []), a.get("model"), _sets(a), _options(a))),
    "throughput": ({"model", "hardware", "system", "precision", "batch", "context", "prompt_tokens", "gpus",
                    "parallelism", "set"},
                   lambda c, a: throughput_mod.run(c, a["model"], hardware_id=a.get("hardware"),
                                                   system_id=a.get("system"), precision=a.get("precision", "bf16"),
                                                   batch=a.get("batch", 1), context=a.get("context", 1024),
                                                   prompt_tokens=a.get("prompt_tokens"), gpus=a.get("gpus", 0),
                                                   parallelism=a.get("parallelism", "tensor"),
                                                   assignments=_sets(a))),
    "invest": ({"setup", "model", "years", "price_decline_per_year", "sell_price_usd_per_million_tokens", "market",
                "price_scale", "rent_out_usd_per_gpu_hour", "set", *SERVING_ARGS},
               lambda c, a: economics.invest(c, a["setup"], model_id=a.get("model"), years=a.get("years"),
                                             price_decline_per_year=a.get("price_decline_per_year", 0.3),
                                             sell_price_usd_per_million_tokens=a.get("sell_price_usd_per_million_tokens"),
                                             market_model=a.get("market"), price_scale=a.get("price_scale", 1.0),
                                             rent_out_usd_per_gpu_hour=a.get("rent_out_usd_per_gpu_hour"),
                                             assignments=_sets(a), options=_options(a))),
    "rent-or-buy": ({"own", "rent", "model", "set"},
                    lambda c, a: economics.rent_or_buy(c, a["own"], a["rent"], model_id=a.get("model"),
                                                       assignments=_sets(a))),
    "fleet": ({"power_mw", "hardware", "model", "site", "finance", "utilization", "precision", "batch", "context",
               "rank_by", "set", *SERVING_ARGS},
              lambda c, a: economics.fleet(c, a["power_mw"], hardware_ids=a.get("hardware", []),
                                           model_id=a.get("model", pipeline.DEFAULT_MODEL),
                                           site_id=a.get("site", "hyperscale-campus"),
                                           finance_id=a.get("finance", "hyperscaler"),
                                           utilization=a.get("utilization", 0.7), precision=a.get("precision"),
                                           batch=a.get("batch"), context=a.get("context"),
                                           rank_by=a.get("rank_by", "tokens_per_day"), assignments=_sets(a),
                                           options=_options(a))),
    "breakeven": ({"setups", "vary", "metric", "range", "model", "set"},
                  lambda c, a: economics.breakeven(c, a["setups"][0], a["setups"][1], a["vary"],
                                                   model_id=a.get("model"),
                                                   metric=a.get("metric", "cost_usd_per_million_output_tokens"),
                                                   value_range=_range(a.get("range")), assignments=_sets(a))),
}


def listing(catalog: Catalog) -> list[dict]:
    rows = []
    for sid in catalog.ids("scenarios"):
        sc = catalog.get("scenarios", sid).profile
        rows.append({"id": sc.id, "name": sc.name, "question": sc.question})
    return rows


def run(catalog: Catalog, scenario_id: str) -> dict:
    loaded = catalog.get("scenarios", scenario_id)
    sc = loaded.profile
    results: dict = {}
    for i, step in enumerate(sc.steps):
        allowed, runner = COMMANDS[step.command]
        for key in step.args:
            if key not in allowed:
                raise InputError(f"unknown argument '{key}' for {step.command}{did_you_mean(key, allowed)}",
                                 file=loaded.file, path=f"steps[{i}].args.{key}")
        try:
            results[step.name] = runner(catalog, step.args)
        except KeyError as exc:
            raise InputError(f"{step.command} needs argument {exc}", file=loaded.file, path=f"steps[{i}].args") from None
        except InputError as exc:
            raise InputError(f"step '{step.name}' ({step.command}): {exc}", file=loaded.file,
                             path=f"steps[{i}]") from None
    answer = fill(sc.answer, results, loaded.file)
    return {
        "latency": latency_lines(sc.steps, results),
        "schema_version": SCHEMA_VERSION,
        "scenario": sc.id,
        "name": sc.name,
        "question": sc.question,
        "answer": answer,
        "commands": [command_line(s.command, s.args) for s in sc.steps],
        "sources": list(sc.sources),
        "results": results,
    }


def _point_text(point: dict) -> str:
    gpus = f"{point['gpus_per_replica']} GPU{'s' if point['gpus_per_replica'] > 1 else ''}"
    user = point["tokens_per_s_per_user"]
    speed = f"{user:,.0f} tokens/s per user" if user is not None else "n/a"
    return (f"concurrency {point['concurrency']:,} on {gpus} per replica, {speed} (TPOT "
            f"{compare.ms_text(point['tpot_ms'])}, TTFT {compare.ms_text(point['ttft_ms'])})"
            + ("" if point["slo_met"] else ", missing the targets"))


def _workload_text(w: dict | None) -> str:
    if w is None:
        return "no workload"
    bounds = [f"{label} <= {compare.ms_text(w[k])}" for k, label in (("max_tpot_ms", "TPOT"), ("max_ttft_ms", "TTFT"))
              if w.get(k) is not None]
    return f"{w['id']} ({w['input_tokens']:,} in, {w['output_tokens']:,} out; " + (", ".join(bounds) or "no target") + ")"


def latency_lines(steps, results: dict) -> list[str]:
    """At which latency the scenario's costs hold: one line per step with operating points, per setup."""
    lines = []
    for step in steps:
        r = results[step.name]
        if step.command == "compare":
            pairs = [(s["id"], s.get("workload"), s.get("operating_point")) for s in r["setups"]]
        elif step.command == "invest":
            pairs = [(r["setup"], r.get("workload"), r.get("operating_point"))]
        elif step.command == "fleet":
            pairs = [(row["hardware"], r.get("workload"), row.get("operating_point")) for row in r["rows"]]
        else:
            continue
        parts = [f"{who} at {_point_text(point)}" for who, _w, point in pairs if point]
        loads = {_workload_text(w) for _who, w, point in pairs if point}
        if parts:
            lines.append(f"{step.name} ({step.command}), {'; '.join(sorted(loads))}: " + "; ".join(parts))
    return lines


_FIELD = re.compile(r"\{([^{}]+)\}")
_REF = re.compile(r"[a-z][a-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*|\[[^\]]+\])+")
_PART = re.compile(r"\.([A-Za-z0-9_]+)|\[([^\]]+)\]")


def lookup(results: dict, ref: str):
    """The value at ``step.key[id].key`` in the step results."""
    step = re.match(r"[a-z][a-z0-9_]*", ref).group(0)
    value = results[step]
    for m in _PART.finditer(ref[len(step):]):
        key = m.group(1) if m.group(1) is not None else m.group(2)
        if isinstance(value, list):
            if re.fullmatch(r"-?\d+", key):
                value = value[int(key)]
                continue
            match = [v for v in value if isinstance(v, dict) and key in (v.get("id"), v.get("setup"), v.get("hardware"))]
            if not match:
                raise KeyError(key)
            value = match[0]
        else:
            value = value[key]
    return value


def _split_spec(field: str) -> tuple[str, str]:
    """``'a.b[x:y] * 2:.1f'`` -> (expression, spec): the last ':' outside brackets starts the spec."""
    depth = 0
    for i in range(len(field) - 1, -1, -1):
        c = field[i]
        if c == "]":
            depth += 1
        elif c == "[":
            depth -= 1
        elif c == ":" and depth == 0:
            return field[:i].strip(), field[i + 1:]
    return field.strip(), ""


def _evaluate(expression: str, values: dict):
    """Arithmetic on numbers and named values only: + - * / ** ( ) and unary minus."""
    import ast
    import operator

    ops = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
           ast.Pow: operator.pow, ast.USub: operator.neg, ast.UAdd: operator.pos}

    def walk(node):
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return node.value
        if isinstance(node, ast.Name) and node.id in values:
            return values[node.id]
        if isinstance(node, ast.BinOp) and type(node.op) in ops:
            return ops[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.UnaryOp) and type(node.op) in ops:
            return ops[type(node.op)](walk(node.operand))
        raise ValueError("only numbers, step results and + - * / ** are allowed")

    return walk(ast.parse(expression, mode="eval"))


_SCALE_WORDS = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"))


def in_words(value: float, spec: str) -> str:
    """A count in words at ``spec``'s significant digits: the ``W`` spec of an answer template.

    >>> in_words(1.3123e12, ".3W"), in_words(9.77e10, ".3W"), in_words(5454, ".3W"), in_words(-2.5e6, ".2W")
    ('1.31 trillion', '97.7 billion', '5,454', '-2.5 million')
    """
    digits = spec[:-1].lstrip(".") or "3"
    for scale, word in _SCALE_WORDS:
        if abs(value) >= scale:
            return f"{format(value / scale, '.' + digits + 'g')} {word}"
    return f"{value:,.0f}"


def fill(template: str, results: dict, file: str) -> str:
    """Replace each ``{expression:spec}`` with its value; expressions name step results,
    e.g. ``{1 - eff.rows[0].accelerators / base.rows[0].accelerators:.0%}``; null gives ``n/a``."""

    def one(m: re.Match) -> str:
        expression, spec = _split_spec(m.group(1))
        values: dict = {}

        def ref(r: re.Match) -> str:
            text = r.group(0)
            step = text.split(".")[0].split("[")[0]
            if step not in results:
                raise InputError(f"answer names step '{step}'{did_you_mean(step, results)}", file=file, path="answer")
            try:
                values[f"v{len(values)}"] = lookup(results, text)
            except (KeyError, IndexError, TypeError):
                raise InputError(f"answer field '{text}' names nothing in the results of step '{step}'",
                                 file=file, path="answer") from None
            return f"v{len(values) - 1}"

        code = _REF.sub(ref, expression)
        if any(v is None for v in values.values()):
            return "n/a"
        try:
            value = values[code] if code in values else _evaluate(code, values)
            if spec.startswith("$"):  # money: the sign before the dollar, -$1,234
                return ("-" if value < 0 else "") + "$" + format(abs(value), spec[1:])
            if spec.endswith("W"):  # a count in words: 1.31 trillion
                return in_words(value, spec)
            return format(value, spec)
        except (ValueError, TypeError, SyntaxError, ZeroDivisionError) as exc:
            raise InputError(f"answer field '{m.group(0)}': {exc}", file=file, path="answer") from None

    return _FIELD.sub(one, template)


def command_line(command: str, args: dict) -> str:
    """The ``computecost`` command a person would type for a step."""
    words = ["computecost", command]
    positional = {"compare": ["setups"], "invest": ["setup"], "rent-or-buy": ["own", "rent"], "breakeven": ["setups"]}
    flags = {"price_decline_per_year": "--token-price-decline-per-year", "power_mw": "--power-mw"}
    for key in positional.get(command, []):
        value = args.get(key)
        words += value if isinstance(value, list) else ([str(value)] if value is not None else [])
    for key, value in args.items():
        if key in positional.get(command, []):
            continue
        flag = flags.get(key, "--" + key.replace("_", "-"))
        for v in value if isinstance(value, list) else [value]:
            words += [flag, str(v)]
    import shlex

    return " ".join(shlex.quote(w) for w in words)
