"""Numeric profile paths (as in ``--set``) and what they do to the engine's inputs.

Sweep, sensitivity and Monte Carlo all move one profile value and need to know
which engine inputs (``compute_cli.inputs``) change, and how. The answer here is
always got the way ``compare --set`` gets it: apply the override to the resolved
profiles, rebuild the inputs, and look. So a value that feeds derived inputs
(``model.layers`` changes the KV-cache bytes and attention FLOPs per token) is
handled exactly, with no per-path code.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from compute_cli import inputs
from compute_cli.errors import InputError, UsageError
from compute_cli.profiles.catalog import ResolvedSetup
from compute_cli.profiles.keypaths import numeric_keys, numeric_type
from compute_cli.profiles.overrides import PREFIX, SETUP_FIELDS, Assignment, applies, apply, target
from compute_cli.profiles.schema import SETUP_REFERENCES



@dataclass(frozen=True)
class NumericPath:
    """A numeric key of a setup's profiles, with the range its profile type allows."""

    text: str  # as a user writes it: 'site.electricity_usd_per_kwh'
    path: tuple[str, ...]
    attr: str  # ResolvedSetup attribute, or "model"
    rest: tuple[str, ...]  # key path inside that profile
    integer: bool
    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    lt: float | None = None

    @property
    def canonical(self) -> str:
        """One spelling per key: ``system.accelerator.price_usd`` is ``accelerator.price_usd``."""
        return PREFIX[self.attr] + ".".join(self.rest)

    def bounds(self) -> tuple[float, float]:
        """(low, high) the key's type allows, open or closed; -inf/inf where it sets none.

        >>> numeric_path("utilization").bounds()
        (0.0, 1.0)
        """
        low = next((v for v in (self.ge, self.gt) if v is not None), -np.inf)
        high = next((v for v in (self.le, self.lt) if v is not None), np.inf)
        return float(low), float(high)

    def bounds_text(self) -> str:
        """``'>= 0 and <= 1'`` for messages."""
        parts = [f"{op} {v:g}" for op, v in ((">=", self.ge), (">", self.gt), ("<=", self.le), ("<", self.lt))
                 if v is not None]
        return " and ".join(parts) or "any number"

    def clip(self, values):
        """``(values kept inside the allowed range, mask of the ones moved)``; integers are rounded first.

        An open bound (``> 0``, ``< 1``) is approached to within 1e-9 of it.
        """
        v = np.asarray(values, dtype=float)
        if self.integer:
            v = np.rint(v)
        lo = self.ge if self.ge is not None else (self.gt + _OPEN if self.gt is not None else -np.inf)
        hi = self.le if self.le is not None else (self.lt - _OPEN if self.lt is not None else np.inf)
        if self.integer:
            lo, hi = np.ceil(lo), np.floor(hi)
        clipped = np.clip(v, lo, hi)
        return clipped, clipped != v


_OPEN = 1e-9  # distance kept from an open bound when clipping


def numeric_path(text: str, option: str = "--vary") -> NumericPath:
    """Check ``text`` names a numeric key (raising with a did-you-mean when not).

    >>> p = numeric_path("site.pue")
    >>> p.attr, p.rest, p.integer, p.ge
    ('site', ('pue',), False, 1)
    >>> numeric_path("batch").integer
    True
    """
    import msgspec.inspect as mi

    key = text.strip()
    if not key or any(not part.isidentifier() for part in key.split(".")):
        raise UsageError(f"{option} '{text}': '{key}' is not a key path (words separated by '.')")
    path = tuple(key.split("."))
    attr, struct_type, rest = target(path, key, option)
    t = numeric_type(struct_type, rest)
    if t is None:
        raise InputError(f"{option} {key}: '{'.'.join(rest)}' is not a number; only numeric keys can be varied "
                         "(use --set for the others)")
    return NumericPath(text=key, path=path, attr=attr, rest=rest, integer=isinstance(t, mi.IntType),
                       ge=t.ge, gt=t.gt, le=t.le, lt=t.lt)


def profile_of(r: ResolvedSetup, model, p: NumericPath):
    """The profile struct ``p`` points into, or None when the setup has none (a renter has no site)."""
    if p.attr == "model":
        return model
    return getattr(r, p.attr) if applies(r, p.attr) else None


def current_value(r: ResolvedSetup, model, p: NumericPath):
    """The value at ``p`` in the resolved profiles, or None when it is not set."""
    node = profile_of(r, model, p)
    for part in p.rest:
        if node is None:
            return None
        node = getattr(node, part)
    return node


def python_number(p: NumericPath, value):
    """The value as the profile type wants it: an int for integer keys."""
    value = float(value)
    return int(round(value)) if p.integer else value


def override(r: ResolvedSetup, model, p: NumericPath, value, option: str = "--vary"):
    """``(setup, model)`` with ``p`` set to ``value``, validated as ``--set`` validates."""
    value = python_number(p, value)
    (r2,), model2 = apply([r], model, [Assignment(text=f"{p.text}={value}", path=p.path, value=value)], option)
    return r2, model2


def input_row(r: ResolvedSetup, model, options: inputs.RunOptions) -> dict:
    """The engine inputs of one setup: ``{name: shape-(1,) array}``."""
    return inputs.build([r], model, options)


def rows_at(r: ResolvedSetup, model, p: NumericPath, values, options: inputs.RunOptions, option: str = "--vary"):
    """Engine inputs with ``p`` at each of ``values``: a list of rows."""
    pairs = [override(r, model, p, v, option) for v in values]
    if pairs and all(m is pairs[0][1] for _, m in pairs):  # the model unchanged: one build for every value
        built = inputs.build([r2 for r2, _ in pairs], pairs[0][1], options)
        return [{k: a[i:i + 1] for k, a in built.items()} for i in range(len(pairs))]
    return [input_row(r2, m2, options) for r2, m2 in pairs]


def changed_fields(base: dict, rows: list[dict]) -> list[str]:
    """Names of the inputs that differ from ``base`` in any of ``rows``, in input order."""
    # one comparison per input over all rows (a NaN differs, as np.array_equal has it)
    return [k for k in base if rows and not np.array_equal(np.stack([row[k] for row in rows]),
                                                           np.broadcast_to(base[k], (len(rows), *np.shape(base[k]))))]


def all_numeric_paths(r: ResolvedSetup, model=None) -> list[NumericPath]:
    """Every numeric key that is set in the setup's profiles (and the model's, when given)."""
    out = []
    roots = [("setup", r.setup)] + [(a, getattr(r, a)) for a in ("system", "hardware", "site", "finance", "offer",
                                                                  "workload")]
    if model is not None:
        roots.append(("model", model))
    for attr, obj in roots:
        if obj is None or not applies(r, attr):
            continue  # no such profile, or a stand-in node
        for rest in numeric_keys(obj):
            if attr == "setup" and (rest[0] in SETUP_REFERENCES or rest[0] not in SETUP_FIELDS):
                continue
            out.append(numeric_path(PREFIX[attr] + ".".join(rest), "sensitivity"))
    return out
