"""Uncertainty declared next to a figure, for ``computecost simulate`` and ``sensitivity``.

```yaml
electricity_usd_per_kwh:
  value: 0.05
  source: "..."
  as_of: 2025-06
  distribution: {triangular: {low: 0.03, mode: 0.05, high: 0.08}}
```

Four shapes, each with its parameters in the figure's own unit:

| shape | parameters | meaning |
|---|---|---|
| ``uniform`` | ``low``, ``high`` | every value in [low, high] equally likely |
| ``triangular`` | ``low``, ``mode``, ``high`` | most likely at mode, falling linearly to zero at low and high |
| ``normal`` | ``mean``, ``sd`` | Gaussian with that mean and standard deviation |
| ``lognormal`` | ``mean``, ``sigma`` | see below |

For ``lognormal``, ``mean`` is the mean of the value itself (not of its log) and
``sigma`` the standard deviation of ln(value), so the median is mean x exp(-sigma^2/2).

This module reads and checks them (``file:line: key.path: message``); the
sampling is in ``compute_cli.analysis.simulate``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from compute_cli.errors import InputError, UsageError, did_you_mean

PARAMETERS = {
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "normal": ("mean", "sd"),
    "lognormal": ("mean", "sigma"),
}


@dataclass(frozen=True)
class Distribution:
    """One declared distribution; ``where`` says where it was written (for messages)."""

    kind: str
    params: tuple[tuple[str, float], ...]
    where: str = ""

    def __getitem__(self, name: str) -> float:
        return dict(self.params)[name]

    @property
    def bounded(self) -> bool:
        return self.kind in ("uniform", "triangular")

    def as_dict(self) -> dict:
        """``{"triangular": {"low": ..., "mode": ..., "high": ...}}``, as written in YAML."""
        return {self.kind: dict(self.params)}

    def text(self) -> str:
        """``'triangular:0.03:0.05:0.08'``, the ``--dist`` spelling.

        >>> parse_spec("uniform:1:2").text()
        'uniform:1:2'
        """
        return ":".join([self.kind] + [f"{v:g}" for _, v in self.params])


def problem(kind: str, params: dict, value=None) -> tuple[str, str] | None:
    """``(parameter, message)`` for the first thing wrong with a distribution, or None.

    >>> problem("triangular", {"low": 1, "mode": 3, "high": 2})
    ('mode', 'must lie between low (1) and high (2), got 3')
    >>> problem("normal", {"mean": 1, "sd": 0.1}) is None
    True
    """
    if kind in ("uniform", "triangular"):
        low, high = params["low"], params["high"]
        if not low < high:
            return "high", f"must be greater than low ({low:g}), got {high:g}"
        if kind == "triangular" and not low <= params["mode"] <= high:
            return "mode", f"must lie between low ({low:g}) and high ({high:g}), got {params['mode']:g}"
        if value is not None and not low <= value <= high:
            return "low", f"the figure's value {value:g} lies outside [low, high] = [{low:g}, {high:g}]"
    elif kind == "normal":
        if not params["sd"] > 0:
            return "sd", f"must be > 0, got {params['sd']:g}"
    elif kind == "lognormal":
        if not params["mean"] > 0:
            return "mean", f"must be > 0 (the mean of a positive quantity), got {params['mean']:g}"
        if not params["sigma"] > 0:
            return "sigma", f"must be > 0, got {params['sigma']:g}"
    return None


def _number(x) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def from_yaml(data, value, file: str, line_of, path: tuple) -> Distribution:
    """Check the ``distribution`` mapping of a figure at ``path`` (its ``distribution`` key).

    ``line_of(key_path)`` gives the line of a key path, for errors.
    """
    from compute_cli.profiles.yamlio import format_path

    def fail(message, at=()):
        where = path + tuple(at)
        raise InputError(message, file=file, line=line_of(where), path=format_path(where))

    if not _number(value):
        fail("a distribution needs a numeric 'value' beside it")
    shapes = ", ".join(PARAMETERS)
    if not isinstance(data, dict) or len(data) != 1:
        fail(f"expected one shape with its parameters, e.g. {{triangular: {{low: ..., mode: ..., high: ...}}}}; "
             f"shapes: {shapes}")
    (kind, params), = data.items()
    if kind not in PARAMETERS:
        fail(f"unknown shape{did_you_mean(str(kind), PARAMETERS)}; shapes: {shapes}", (kind,))
    names = PARAMETERS[kind]
    if not isinstance(params, dict):
        fail(f"expected the parameters {', '.join(names)} as a mapping", (kind,))
    for key in params:
        if key not in names:
            fail(f"unknown parameter{did_you_mean(str(key), names)}; {kind} takes {', '.join(names)}", (kind, key))
    for key in names:
        if key not in params:
            fail(f"missing parameter '{key}'; {kind} takes {', '.join(names)}", (kind,))
        if not _number(params[key]):
            fail(f"must be a finite number, got {params[key]!r}", (kind, key))
    wrong = problem(kind, params, value)
    if wrong:
        fail(wrong[1], (kind, wrong[0]))
    line = line_of(path)
    return Distribution(kind=kind, params=tuple((k, float(params[k])) for k in names),
                        where=f"{file}:{line}" if line else file)


def parse_spec(text: str, option: str = "--dist") -> Distribution:
    """``'triangular:0.03:0.05:0.08'`` (parameters in the order of the table above).

    >>> parse_spec("lognormal:2:0.5").as_dict()
    {'lognormal': {'mean': 2.0, 'sigma': 0.5}}
    """
    kind, *raw = text.strip().split(":")
    forms = "; ".join(f"{k}:{':'.join(v.upper() for v in p)}" for k, p in PARAMETERS.items())
    if kind not in PARAMETERS:
        raise UsageError(f"{option} '{text}': unknown shape '{kind}'{did_you_mean(kind, PARAMETERS)}; forms: {forms}")
    names = PARAMETERS[kind]
    if len(raw) != len(names):
        raise UsageError(f"{option} '{text}': {kind} takes {len(names)} numbers ({kind}:"
                         f"{':'.join(n.upper() for n in names)})")
    try:
        values = [float(v) for v in raw]
    except ValueError:
        raise UsageError(f"{option} '{text}': the parameters must be numbers") from None
    if not all(math.isfinite(v) for v in values):
        raise UsageError(f"{option} '{text}': the parameters must be finite numbers")
    params = dict(zip(names, values, strict=True))
    wrong = problem(kind, params)
    if wrong:
        raise UsageError(f"{option} '{text}': {wrong[0]} {wrong[1]}")
    return Distribution(kind=kind, params=tuple(params.items()), where=option)
