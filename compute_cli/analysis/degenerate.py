"""Results at the edge of the range of a number are null, without numpy's warnings.

Inputs a profile or an option allows can still overflow an intermediate: a price of 1e308,
a utilization of 1e-320, a distribution as wide as the float range. The engine's arithmetic
then gives inf or NaN, which every result reports as null (``compare.clean``) with a note where
the cause is known. ``evaluate`` silences numpy's warnings about them for the engine; the
analyses that compute beyond it (cash flows, Monte Carlo summaries, sensitivities) are wrapped
in :func:`overflow_is_null`, so a warning never reaches stderr.
"""

from __future__ import annotations

import functools

import numpy as np


def overflow_is_null(func):
    """Run ``func`` with numpy's floating-point warnings off (divide, invalid, overflow, underflow)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
            return func(*args, **kwargs)

    return wrapper
