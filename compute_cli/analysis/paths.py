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


REBUILD_BATCH = 4096  # setups per inputs.build when a key's inputs are rebuilt value by value


def _replaced(obj, rest: tuple[str, ...], value):
    """``obj`` with the field at ``rest`` set to ``value``, unvalidated (the caller has checked it)."""
    import msgspec

    if len(rest) == 1:
        return msgspec.structs.replace(obj, **{rest[0]: value})
    inner = getattr(obj, rest[0])
    if inner is None:
        raise LookupError(rest[0])  # no struct to set a key in: the validated path builds one
    return msgspec.structs.replace(obj, **{rest[0]: _replaced(inner, rest[1:], value)})


def _set(r: ResolvedSetup, model, p: NumericPath, value):
    """``(setup, model)`` with ``p`` at ``value`` without validation; None where the path does not apply."""
    import dataclasses

    if p.attr == "model":
        return r, _replaced(model, p.rest, value)
    if profile_of(r, model, p) is None:
        return None
    return dataclasses.replace(r, **{p.attr: _replaced(getattr(r, p.attr), p.rest, value)}), model


def _row_arrays(x: dict, n: int) -> dict | None:
    """``inputs.build`` output for one setup whose varied value was an array of ``n``: each input as a
    length-``n`` array (or its one value), or None when the shapes are not the ones expected."""
    out = {}
    for name, v in x.items():
        if v.shape == (1,):
            out[name] = v
        elif v.shape == (1, n):
            out[name] = v[0]
        else:
            return None
    return out


def _same(exact: dict, got: dict, i: int) -> bool:
    for name, v in exact.items():
        g = got[name]
        g = g[i] if g.shape != (1,) else g[0]
        if not (v[0] == g or (v[0] != v[0] and g != g)):
            return False
    return True


def inputs_at(r: ResolvedSetup, model, p: NumericPath, values, base: dict, options: inputs.RunOptions,
              option: str = "--vary") -> dict[str, np.ndarray]:
    """Engine inputs with ``p`` at each of ``values``, the ones that differ from ``base``: ``{name: array}``.

    Exact, as ``compare --set`` computes them, and O(1) per value where possible. The values
    must lie within what the key allows (the caller checks the range first). Three ways, each
    checked against a validated rebuild (``override``) at the first, middle and last value:

    1. vectorized: the value goes into the profile as an array and ``inputs.build`` runs once.
       numpy arithmetic is IEEE arithmetic, as Python's is; any branch on the value (``min``,
       ``if``, ``float()`` of an integer key) raises on an array and falls through to (2);
    2. one rebuild per value with the override unvalidated (a struct copy, no type hints);
    3. one validated rebuild per value (``override``), as compare does.
    """
    v = np.asarray(values, dtype=float)
    n = len(v)
    if n == 0:
        return {}
    probes = sorted({0, n // 2, n - 1})
    exact = {i: input_row(*override(r, model, p, v[i], option), options) for i in probes}
    got = None
    if n > 1:
        try:
            with np.errstate(all="raise"):
                arr = v.copy() if not p.integer else np.rint(v)
                changed = _set(r, model, p, arr)
                x = inputs.build([changed[0]], changed[1], options) if changed is not None else dict(base)
            got = _row_arrays(x, n)
        except Exception:  # noqa: BLE001 - any failure means: not vectorizable, take the next way
            got = None
        if got is not None and not all(_same(exact[i], got, i) for i in probes):
            got = None
    if got is None:
        got = _rebuilt(r, model, p, v, base, options, exact, option)
    return {k: np.broadcast_to(a, (n,)) if a.shape == (1,) else a
            for k, a in got.items() if not np.array_equal(np.broadcast_to(a, (n,)), np.broadcast_to(base[k], (n,)))}


def _rebuilt(r, model, p, v, base, options, exact, option) -> dict:
    """One rebuild per value, all in one ``inputs.build`` over as many setups (a setup's key) or one
    build each (a model's key, as a run has one model): unvalidated copies where they agree with
    ``exact`` at the probes, else validated overrides."""
    n = len(v)
    i0 = next(iter(exact))
    try:
        changed = _set(r, model, p, python_number(p, v[i0]))
        quick = changed is not None and _same(exact[i0], input_row(changed[0], changed[1], options), 0)
    except Exception:  # noqa: BLE001 - the validated way is always there
        quick = False
    if quick and p.attr != "model":
        out = {k: np.empty(n, dtype=a.dtype) for k, a in base.items()}
        for lo in range(0, n, REBUILD_BATCH):
            setups = [_set(r, model, p, python_number(p, value))[0] for value in v[lo:lo + REBUILD_BATCH].tolist()]
            for k, a in inputs.build(setups, model, options).items():
                out[k][lo:lo + len(setups)] = a
    else:
        def one(value):
            if quick:
                r2, m2 = _set(r, model, p, python_number(p, value))
                return input_row(r2, m2, options)
            return input_row(*override(r, model, p, value, option), options)

        out = {k: np.empty(n, dtype=a.dtype) for k, a in base.items()}
        for i, value in enumerate(v.tolist()):
            for k, a in (exact[i] if i in exact else one(value)).items():
                out[k][i] = a[0]
    for i, row in exact.items():  # the probes agree, as checked; they are kept exactly
        for k, a in row.items():
            out[k][i] = a[0]
    return out


def changed_fields(base: dict, rows: list[dict]) -> list[str]:
    """Names of the inputs that differ from ``base`` in any of ``rows``, in input order."""
    # one comparison per input over all rows (a NaN differs, as np.array_equal has it)
    return [k for k in base if rows and not np.array_equal(np.stack([row[k] for row in rows]),
                                                           np.broadcast_to(base[k], (len(rows), *np.shape(base[k]))))]


def all_numeric_paths(r: ResolvedSetup, model=None) -> list[NumericPath]:
    """Every numeric key that is set in the setup's profiles (and the model's, when given)."""
    out = []
    roots = [("setup", r.setup)] + [(a, getattr(r, a)) for a in ("system", "hardware", "site", "finance", "offer",
                                                                  "workload",
                                                                  "runtime")]
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
