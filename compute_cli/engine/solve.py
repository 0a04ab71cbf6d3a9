"""Root finding, once: a sign change on a grid, then bisection (vectorized).

Bisection rather than Newton: it cannot diverge, needs no derivative, and the
functions solved here (NPV in a rate or a price decline, the cost gap of two
setups in one parameter) are evaluated cheaply and in bulk.
"""

from __future__ import annotations

import numpy as np


def bisect(f, lo, hi, iterations: int = 60, f_lo=None):
    """A root of ``f`` in [lo, hi] where ``f(lo)`` and ``f(hi)`` differ in sign; broadcasts over arrays of brackets.

    ``f`` maps an array of points to an array of values (NaN counts as the ``hi`` side).
    After ``iterations`` halvings the bracket is ``(hi - lo) / 2**iterations`` wide.

    >>> round(float(bisect(lambda x: x * x - 2.0, 0.0, 2.0)), 12)
    1.414213562373
    >>> [round(float(r), 6) for r in bisect(lambda x: x - np.array([0.25, 0.75]), 0.0, 1.0)]
    [0.25, 0.75]
    """
    lo = np.asarray(lo, dtype=float)
    hi = np.asarray(hi, dtype=float)
    lo, hi = np.broadcast_arrays(lo, hi)
    f_lo = f(lo) if f_lo is None else np.asarray(f_lo, dtype=float)
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        f_mid = f(mid)
        same = np.sign(f_mid) == np.sign(f_lo)
        lo, f_lo = np.where(same, mid, lo), np.where(same, f_mid, f_lo)
        hi = np.where(same, hi, mid)
    return 0.5 * (lo + hi)


def sign_changes(values) -> np.ndarray:
    """Indices ``i`` where ``values[i]`` and ``values[i + 1]`` are finite and differ in sign (or ``values[i]`` is 0).

    >>> sign_changes([3.0, 1.0, -1.0, np.nan, 2.0, -2.0]).tolist()
    [1, 4]
    """
    v = np.asarray(values, dtype=float)
    a, b = v[:-1], v[1:]
    finite = np.isfinite(a) & np.isfinite(b)
    return np.nonzero(finite & ((a == 0) | (np.sign(a) != np.sign(b))))[0]
