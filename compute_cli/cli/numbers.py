"""Numeric command-line options: finite numbers within documented bounds, or a usage error (exit 2).

Typer's ``float`` accepts ``nan`` and ``inf``, and a bound written ``min=0`` lets NaN
through (every comparison with NaN is false), so a gate given ``--max-... nan`` would
pass everything. Every numeric option of computecost is parsed here instead::

    years: Annotated[float, typer.Option("--years", parser=number(gt=0, le=30))] = 5.0

A bound is kept as ``not (low <= x)`` style comparisons, so NaN can never satisfy it.
"""

from __future__ import annotations

import math

MAX_INT_DIGITS = 30  # longer integers are refused before Python converts them (it stops at 4,300 digits)


def _bounds_text(ge, gt, le, lt) -> str:
    parts = [f"{op} {v:,}" if isinstance(v, int) else f"{op} {v:g}"
             for op, v in ((">=", ge), (">", gt), ("<=", le), ("<", lt)) if v is not None]
    return " and ".join(parts)


def within(x, ge=None, gt=None, le=None, lt=None) -> bool:
    """Whether ``x`` is a finite number within the bounds (False for NaN, whatever the bounds).

    >>> within(0.5, ge=0, le=1), within(float("nan"), ge=0), within(float("inf"))
    (True, False, False)
    """
    if not math.isfinite(x):
        return False
    return ((ge is None or x >= ge) and (gt is None or x > gt) and (le is None or x <= le)
            and (lt is None or x < lt))


def parse_number(text, ge=None, gt=None, le=None, lt=None, integer: bool = False):
    """``text`` as a finite float (or an int when ``integer``) within the bounds; ValueError says what is expected.

    >>> parse_number("2.5", ge=0), parse_number("12", integer=True, ge=1)
    (2.5, 12)
    >>> parse_number("nan")
    Traceback (most recent call last):
    ...
    ValueError: 'nan': expected a finite number
    """
    kind = "a whole number" if integer else "a finite number"
    bounds = _bounds_text(ge, gt, le, lt)
    expected = kind + (f" {bounds}" if bounds else "")
    if isinstance(text, bool):
        raise ValueError(f"{text!r}: expected {expected}")
    if isinstance(text, int | float):
        value = text
    else:
        raw = str(text).strip()
        if len(raw) > MAX_INT_DIGITS + 10:
            raise ValueError(f"'{raw[:20]}...' ({len(raw):,} characters): expected {expected}")
        try:
            value = int(raw) if integer else float(raw)
        except ValueError:
            raise ValueError(f"{raw!r}: expected {expected}") from None
    if integer and not isinstance(value, int):
        if not float(value).is_integer():
            raise ValueError(f"{text!r}: expected {expected}")
        value = int(value)
    if not within(value, ge, gt, le, lt):
        raise ValueError(f"{text!r}: expected {expected}")
    return value


def number(ge=None, gt=None, le=None, lt=None, integer: bool = False):
    """A Typer ``parser=`` for an option: the value by :func:`parse_number`, or a usage error naming the option."""
    import typer

    def convert(text):
        try:
            return parse_number(text, ge, gt, le, lt, integer)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None

    convert.__name__ = "integer" if integer else "number"
    return convert
