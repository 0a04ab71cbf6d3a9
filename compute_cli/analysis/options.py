"""Checks of the numeric options of the investment commands: one line and exit 2 for a bad one.

invest, rent-or-buy, breakeven and fleet take money, rates and counts on the command line;
a negative price, a NaN or an option that contradicts another is refused before any work
is done (a NaN would otherwise flow through every formula and print as n/a).
"""

from __future__ import annotations

import math

from compute_cli.errors import UsageError


def number(option: str, value, *, low: float | None = None, high: float | None = None, low_open: bool = False,
           high_open: bool = False, what: str = "a number") -> float:
    """``value`` as a float if it is finite and within the bounds; else a one-line usage error.

    >>> number("--years", 5, low=0, low_open=True)
    5.0
    >>> number("--price-scale", -1, low=0, low_open=True, what="a factor")
    Traceback (most recent call last):
    ...
    compute_cli.errors.UsageError: --price-scale -1: expected a factor > 0
    """
    v = float(value)
    parts = []
    if low is not None:
        parts.append(f"{'>' if low_open else '>='} {low:g}")
    if high is not None:
        parts.append(f"{'<' if high_open else '<='} {high:g}")
    expected = f"expected {what}" + (f" {' and '.join(parts)}" if parts else "")
    if not math.isfinite(v):
        raise UsageError(f"{option} {value}: {expected}, not {'NaN' if v != v else 'infinite'}")
    if low is not None and (v < low or (low_open and v == low)):
        raise UsageError(f"{option} {value:g}: {expected}")
    if high is not None and (v > high or (high_open and v == high)):
        raise UsageError(f"{option} {value:g}: {expected}")
    return v


def distinct(option: str, ids, what: str = "setups") -> list:
    """Refuse the same id twice: comparing a setup with itself answers nothing.

    >>> distinct("rent-or-buy", ["a", "b"])
    ['a', 'b']
    >>> distinct("breakeven", ["a", "a"])
    Traceback (most recent call last):
    ...
    compute_cli.errors.UsageError: breakeven: 'a' given twice; name different setups
    """
    seen = []
    for i in ids:
        if i in seen:
            raise UsageError(f"{option}: '{i}' given twice; name different {what}")
        seen.append(i)
    return seen


def one_of(*named) -> None:
    """Refuse options that exclude each other: ``one_of(("--a", a), ("--b", b))``.

    >>> one_of(("--rent-out-usd-per-gpu-hour", 6.0), ("--sell-price-usd-per-million-tokens", None))
    >>> one_of(("--market", "m"), ("--sell-price-usd-per-million-tokens", 1.0))
    Traceback (most recent call last):
    ...
    compute_cli.errors.UsageError: --market and --sell-price-usd-per-million-tokens exclude each other; give one
    """
    given = [name for name, value in named if value is not None]
    if len(given) > 1:
        raise UsageError(f"{' and '.join(given)} exclude each other; give one")
