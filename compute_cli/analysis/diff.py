"""``diff``: what changed between two ``compare --format json`` outputs, per setup and metric.

Reads JSON only, never the engine or the profiles, so it runs anywhere the two
files are (a CI job that kept the base output as an artifact). A watched metric
(by default the ``cost_usd_per_*`` ones) that rises by more than the limit, or
that could be computed before and no longer can, is a breach.
"""

from __future__ import annotations

import json
from pathlib import Path

from compute_cli.contract import SCHEMA_VERSION
from compute_cli.errors import InputError, UsageError, did_you_mean
from compute_cli.profiles import inspect
from compute_cli.profiles.catalog import display_path
from compute_cli.profiles.files import STDIN, STDIN_NAME
from compute_cli.profiles.yamlio import decode, format_path, read_text

# compare outputs this diff reads: version 2 renamed only a key of throughput, so compare is the same in both
COMPARE_SCHEMA_VERSIONS = (1, 2)
WATCH_PREFIX = "cost_usd_per_"
# A key only another command's JSON output has -> that command.
OTHER_OUTPUTS = {"results": "computecost check", "changes": "computecost diff", "fields": "computecost profiles show",
                 "profiles": "computecost profiles list", "decode_tokens_per_s": "computecost throughput"}
# A relative change is compared with the limit to this tolerance: compare outputs carry 6 significant
# digits, so the ratio of two of them is known to about 1e-5.
TOLERANCE = 2e-5


def parse_percent(text: str, option: str = "--fail-on-increase") -> float:
    """``'5%'`` or ``'5'`` -> 0.05.

    >>> parse_percent("5%"), parse_percent("2.5")
    (0.05, 0.025)
    """
    raw = text.strip().removesuffix("%").strip()
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise UsageError(f"{option} '{text}': expected a percentage >= 0, e.g. 5%")
    return value / 100


def _sig(value: float) -> float:
    return float(f"{value:.6g}") + 0.0


def read(arg: str, stdin=None) -> tuple[dict, str]:
    """(compare output, name to show) from a file path, or from ``stdin`` (binary) for ``-``."""
    if arg == STDIN:
        if stdin is None:
            raise UsageError("'-' reads JSON from stdin, but there is no stdin")
        display = STDIN_NAME
        text = decode(stdin.read(), display)
    else:
        display = display_path(Path(arg))
        text = read_text(arg, display)
    if not text.strip():
        raise InputError("file is empty, expected the output of 'computecost compare --format json'", file=display)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not JSON: {exc.msg} (column {exc.colno})", file=display, line=exc.lineno) from None
    return validate(data, display), display


def validate(data, file: str) -> dict:
    """The document if it is a compare output this version reads; an InputError naming what is wrong."""
    what = "expected the output of 'computecost compare --format json'"
    if not isinstance(data, dict) or "schema_version" not in data:
        raise InputError(f"not a compare output: {what} (an object with schema_version and setups)", file=file)
    if data["schema_version"] not in COMPARE_SCHEMA_VERSIONS:
        raise InputError(f"schema_version {data['schema_version']!r} is not supported: this computecost reads "
                         f"compare outputs of schema_version {' or '.join(map(str, COMPARE_SCHEMA_VERSIONS))}",
                         file=file)
    other = [command for key, command in OTHER_OUTPUTS.items() if key in data]
    if other:
        raise InputError(f"this is the output of '{other[0]}', not of compare: {what}", file=file)
    setups = data.get("setups")
    if not isinstance(setups, list):
        raise InputError(f"not a compare output: {what} (no 'setups' list)", file=file)
    seen = set()
    for i, row in enumerate(setups):
        if not isinstance(row, dict) or not isinstance(row.get("id"), str):
            raise InputError("expected a setup object with an 'id'", file=file, path=f"setups[{i}]")
        if row["id"] in seen:
            raise InputError(f"setup '{row['id']}' appears twice", file=file, path=f"setups[{i}].id")
        seen.add(row["id"])
        for key, value in flatten(row).items():
            if isinstance(value, list):
                raise InputError(f"expected a number, text or null, got {type(value).__name__}", file=file,
                                 path=f"setups[{i}].{key}")
    return data


def flatten(row: dict) -> dict:
    """Nested keys as dotted names: ``breakdown_usd_per_gpu_hour.energy``."""
    return {format_path(path): value for path, value in inspect.flatten(row, lists=False)}


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def numeric_metrics(*documents: dict) -> list[str]:
    """Every numeric key of the setups in ``documents``, in first-seen order."""
    out: dict[str, None] = {}
    for doc in documents:
        for row in doc["setups"]:
            out.update((k, None) for k, v in flatten(row).items() if _number(v))
    return list(out)


def is_breach(base, new, limit: float | None) -> bool:
    """Whether a watched metric rose by more than ``limit`` (a fraction), or stopped being computable.

    >>> is_breach(2.0, 2.1, 0.05), is_breach(2.0, 2.1001, 0.05), is_breach(2.0, None, 0.05)
    (False, True, True)
    """
    if limit is None or not _number(base):
        return False
    if new is None:
        return True
    if not _number(new) or new <= base:
        return False
    if base == 0:
        return True
    return (new - base) / abs(base) > limit + TOLERANCE


def change(setup: str, metric: str, base, new, watched: bool, limit: float | None) -> dict:
    numeric = _number(base) and _number(new)
    delta = _sig(new - base) if numeric else None
    fraction = _sig((new - base) / abs(base)) if numeric and base != 0 else None
    return {"setup": setup, "metric": metric, "base": base, "new": new, "change": delta, "change_fraction": fraction,
            "watched": watched, "breach": watched and is_breach(base, new, limit)}


def _summary(doc: dict, file: str) -> dict:
    model = doc.get("model")
    return {"file": file, "model": model.get("id") if isinstance(model, dict) else model,
            "overrides": doc.get("overrides") or [], "setups": len(doc["setups"])}


def run(base: dict, new: dict, base_file: str = "base", new_file: str = "new",
        fail_on_increase: float | None = None, watch: list[str] | None = None) -> dict:
    """Every changed value of every setup in both documents, with added and removed setups."""
    metrics = numeric_metrics(base, new)
    if watch:
        for name in watch:
            if name not in metrics:
                raise UsageError(f"--watch '{name}': no such numeric metric in the two files"
                                 f"{did_you_mean(name, metrics)}")
        watched = list(dict.fromkeys(watch))
    else:
        watched = [m for m in metrics if m.startswith(WATCH_PREFIX)]
    before = {row["id"]: flatten(row) for row in base["setups"]}
    after = {row["id"]: flatten(row) for row in new["setups"]}
    changes = []
    for ident, row in after.items():
        if ident not in before:
            continue
        old = before[ident]
        for key in list(row) + [k for k in old if k not in row]:
            if key == "id" or row.get(key) == old.get(key):
                continue
            changes.append(change(ident, key, old.get(key), row.get(key), key in watched, fail_on_increase))
    breaches = sum(c["breach"] for c in changes)
    return {
        "schema_version": SCHEMA_VERSION,
        "base": _summary(base, base_file),
        "new": _summary(new, new_file),
        "fail_on_increase": fail_on_increase,
        "watched": watched,
        "setups_compared": sum(ident in before for ident in after),
        "added_setups": [i for i in after if i not in before],
        "removed_setups": [i for i in before if i not in after],
        "changes": changes,
        "breaches": breaches,
        "ok": breaches == 0,
    }
