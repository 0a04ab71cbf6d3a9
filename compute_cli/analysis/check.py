"""``check``: limits on the metrics of a comparison, from command-line options and a policy file.

A breach is a result, not an error: every (rule, setup) pair gets a result, ``ok``
or ``breach``, and the caller decides the exit code. A value that cannot be
computed (the model does not fit the setup) breaches every limit on it: a gate
must not pass a setup it could not measure.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from compute_cli import inputs
from compute_cli.analysis import compare
from compute_cli.contract import SCHEMA_VERSION
from compute_cli.engine.registry import LINE_NAMES
from compute_cli.errors import UsageError, did_you_mean
from compute_cli.profiles import policy as policy_file
from compute_cli.profiles.catalog import Catalog, display_path
from compute_cli.profiles.overrides import Assignment

BREAKDOWN = "breakdown_usd_per_gpu_hour"
OPERATING_POINT = "operating_point"
# Every metric of a compare row a rule may limit; line items as breakdown_usd_per_gpu_hour.<item>, the
# latency of the operating point as operating_point.<key>.
METRICS = (compare.METRICS + tuple(f"{BREAKDOWN}.{item}" for item in LINE_NAMES)
           + tuple(f"{OPERATING_POINT}.{key}" for key in ("concurrency", "tokens_per_s_per_user", "ttft_ms", "tpot_ms")))
# Command-line limits: option -> (metric, bound).
LIMIT_OPTIONS = {
    "--max-usd-per-million-output-tokens": ("cost_usd_per_million_output_tokens", "max"),
    "--max-usd-per-gpu-hour": ("cost_usd_per_gpu_hour", "max"),
    "--min-tokens-per-joule": ("tokens_per_joule", "min"),
}
# Latency targets: they choose each setup's operating point (as in compare) and are held like limits,
# so a setup whose own batch, or whose best point, misses them breaches.
TARGET_OPTIONS = {
    "--max-ttft-ms": (f"{OPERATING_POINT}.ttft_ms", "max"),
    "--max-tpot-ms": (f"{OPERATING_POINT}.tpot_ms", "max"),
    "--min-tokens-per-s-per-user": (f"{OPERATING_POINT}.tokens_per_s_per_user", "min"),
}


@dataclass(frozen=True)
class Rule:
    metric: str
    max: float | None = None
    min: float | None = None
    setups: tuple[str, ...] | None = None  # None: every setup of the run
    origin: str = ""  # the option, or file:line of the rule in the policy
    name: str = ""

    def as_dict(self) -> dict:
        return {"metric": self.metric, "max": self.max, "min": self.min,
                "setups": list(self.setups) if self.setups is not None else None,
                "origin": self.origin, "name": self.name or None}


def option_rules(limits: dict[str, float | None]) -> list[Rule]:
    """Rules from the command line: ``{"--max-usd-per-gpu-hour": 4.0, ...}``, None for an option not given."""
    rules = []
    for option, value in limits.items():
        if value is None:
            continue
        metric, bound = {**LIMIT_OPTIONS, **TARGET_OPTIONS}[option]
        rules.append(Rule(metric=metric, origin=option, **{bound: float(value)}))
    return rules


def policy_rules(path: str) -> tuple[list[Rule], str | None, policy_file.PolicyFile]:
    """(rules, model id or None, the file) from a policy file."""
    loaded = policy_file.load(path, display_path(Path(path)), METRICS)
    rules = [Rule(metric=r.metric, max=r.max, min=r.min, setups=tuple(r.setups) if r.setups is not None else None,
                  origin=loaded.where(("rules", i)), name=r.name)
             for i, r in enumerate(loaded.policy.rules)]
    return rules, loaded.policy.model, loaded


def metric_value(row: dict, metric: str):
    """A metric of a compare row; ``breakdown_usd_per_gpu_hour.energy`` reaches into the breakdown."""
    head, _, item = metric.partition(".")
    value = row.get(head)
    return value.get(item) if item and isinstance(value, dict) else value


def judge(rule: Rule, value) -> str:
    """``ok`` or ``breach``; a limit is kept when the value equals it.

    >>> judge(Rule("cost_usd_per_gpu_hour", max=2.0), 2.0), judge(Rule("tokens_per_joule", min=1.0), 0.5)
    ('ok', 'breach')
    >>> judge(Rule("cost_usd_per_gpu_hour", max=2.0), None)
    'breach'
    """
    if value is None:
        return "breach"
    if rule.max is not None and value > rule.max:
        return "breach"
    if rule.min is not None and value < rule.min:
        return "breach"
    return "ok"


def _check_setup_filters(catalog: Catalog, rules: list[Rule], policy: policy_file.PolicyFile | None, run_ids):
    """A policy naming a setup that exists nowhere is a typo, not a rule that passes."""
    if policy is None:
        return
    known = set(catalog.ids("setups")) | set(run_ids)
    for i, rule in enumerate(policy.policy.rules):
        for j, ident in enumerate(rule.setups or ()):
            if ident not in known:
                raise policy.error(f"no setup profile '{ident}'{did_you_mean(ident, known)}", ("rules", i, "setups", j))


def run(catalog: Catalog, setup_ids: list[str], model_id: str | None, assignments: list[Assignment] = (),
        limits: dict[str, float | None] | None = None, policy_path: str | None = None,
        options: inputs.RunOptions = inputs.RunOptions()) -> dict:
    """Evaluate the setups as ``compare`` does and judge every rule on every setup it applies to.

    The latency targets of ``options`` choose the operating points and are held as rules too.
    """
    targets = {"--max-ttft-ms": options.max_ttft_ms, "--max-tpot-ms": options.max_tpot_ms,
               "--min-tokens-per-s-per-user": options.min_tokens_per_s_per_user}
    rules = option_rules({**(limits or {}), **targets})
    policy = None
    if policy_path is not None:
        more, policy_model, policy = policy_rules(policy_path)
        rules += more
        model_id = model_id or policy_model
    if not rules:
        raise UsageError("nothing to check: give a limit (" + ", ".join([*LIMIT_OPTIONS, *TARGET_OPTIONS])
                         + ") or --policy FILE")
    result = compare.run(catalog, setup_ids, model_id, assignments, options)
    rows = result["setups"]
    _check_setup_filters(catalog, rules, policy, [r["id"] for r in rows])
    results = []
    for i, rule in enumerate(rules):
        for row in rows:
            if rule.setups is not None and row["id"] not in rule.setups:
                continue
            value = metric_value(row, rule.metric)
            results.append({
                "rule": i,
                "setup": row["id"],
                "metric": rule.metric,
                "value": value,
                "max": rule.max,
                "min": rule.min,
                "status": judge(rule, value),
                "note": row.get("note") if value is None else None,
            })
    breaches = sum(r["status"] == "breach" for r in results)
    return {
        "schema_version": SCHEMA_VERSION,
        "model": result["model"],
        "overrides": result["overrides"],
        "policy": policy.file if policy else None,
        "setups": [r["id"] for r in rows],
        "rules": [r.as_dict() for r in rules],
        "results": results,
        "breaches": breaches,
        "ok": breaches == 0,
    }

