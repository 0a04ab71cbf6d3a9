"""``%.Ng`` for whole numpy arrays at once, byte for byte what Python's ``%`` operator prints.

CSV output is bound by turning floats into text. Python formats one value at a
time (about 0.35 us each); this module formats a whole array with a few dozen
numpy operations, about 20 ns a value.

How. C's ``%.Pg`` (C99 7.19.6.1, which Python's ``%`` follows) rounds the value to P
significant digits, ``m x 10^(X-P+1)`` with ``10^(P-1) <= m < 10^P``, then prints it
as ``ddd.ddd`` when ``-4 <= X < P`` and as ``d.ddde+XX`` otherwise, with the trailing
zeros of the fraction (and a bare point) removed. Here ``m`` and ``X`` are found in
floating point: ``|x| x 10^(P-1-X)`` carries a relative error of a few units in the
last place, so wherever its fraction lies within a safe margin of one half (where
that error could change the rounding), and for magnitudes beyond 1e+-280, ``m`` and
``X`` are taken from Python's own ``'%.{P-1}e'`` instead: rare, and exact. Every other
value is rounded exactly as printf rounds it.

The text of each value is laid out in *byte slots*: sign, leading ``0.000``, each
digit followed by a slot for a decimal point, the exponent. A slot holds an ASCII
byte or 0 for nothing; joined in order with the zeros dropped, the slots spell the
value. Slots that are empty for every value are not returned at all, so a column of
prices such as 0.199411 costs about as many slots as it has characters.
"""

from __future__ import annotations

import numpy as np

# the limits of the fast path: within them |x| x 10^k neither overflows nor loses precision
FAST_MIN, FAST_MAX = 1e-280, 1e280
MINUS, POINT, ZERO, E_CHAR, PLUS = (ord(c) for c in "-.0e+")

# 10^k for k in -320..320, correctly rounded, at index k + 320
_POW10 = np.array([float(f"1e{k}") for k in range(-320, 321)])
_DIGITS3 = np.array([int.from_bytes(f"{i:03d}".encode(), "little") for i in range(1000)], dtype=np.uint32)


def _check_precision(precision: int) -> int:
    if precision not in (3, 6, 9, 12):
        raise ValueError(f"precision must be 3, 6, 9 or 12, got {precision}")
    return precision


def _digits_exponent(a: np.ndarray, p: int) -> tuple[np.ndarray, np.ndarray]:
    """(m, X) of ``|x|`` rounded to ``p`` significant digits; ``a`` finite and non-zero.

    m is a float holding an integer in [10^(p-1), 10^p); X is the decimal exponent (int).
    """
    fast = (a >= FAST_MIN) & (a < FAST_MAX)
    all_fast = bool(fast.all())
    safe = a if all_fast else np.where(fast, a, 1.0)
    exponent = np.floor(np.log10(safe)).astype(np.intp)
    # s = |x| x 10^(p-1-X): two roundings at most (the power's and the product's)
    s = safe * _POW10.take((p - 1 + 320) - exponent)
    lo, hi = 10.0 ** (p - 1), 10.0**p
    high, low = s >= hi, s < lo  # log10 one off near a power of ten
    if high.any() or low.any():
        exponent += high
        exponent -= low
        s = safe * _POW10.take((p - 1 + 320) - exponent)
    m = np.rint(s)
    # |error of s| <= 2^-52 s < 2^-52 x 10^p: the rounding is certain beyond that from .5
    unsure = np.abs(np.abs(s - m) - 0.5) < hi * 2.0**-48
    unsure |= (m < lo) | (m > hi)
    if not all_fast:
        unsure |= ~fast
    carry = m == hi  # 999999.7 -> 1000000: one more digit before the point
    if carry.any():
        m[carry] = lo
        exponent += carry
    if unsure.any():
        index = np.flatnonzero(unsure)
        text = [f"%.{p - 1}e" % x for x in a[index].tolist()]
        m[index] = [float(t[0] + t[2:p + 1]) for t in text]
        exponent[index] = [int(t[t.index("e") + 1:]) for t in text]
    return m, exponent


def g_slots(values, precision: int) -> list[np.ndarray]:
    """``'%.{precision}g' % x`` of every value as byte slots (see the module doc), NaN and inf as nothing.

    Returns uint8 arrays shaped like ``values``: ``b"".join`` of the slots, zeros
    removed, is each value's text. The slots that are empty everywhere are left out.

    >>> x = np.array([0.199411, -1234567.0, 2.5e-07, 100.0, 0.0, np.nan])
    >>> [bytes(col).replace(b"\\0", b"").decode() for col in np.stack(g_slots(x, 6), axis=1)]
    ['0.199411', '-1.23457e+06', '2.5e-07', '100', '0', '']
    """
    p = _check_precision(precision)
    v = np.asarray(values)
    if v.dtype != np.float64:
        v = v.astype(np.float64)
    shape = v.shape
    v = v.ravel()
    a = np.abs(v)
    finite = np.isfinite(a)
    live = finite & (a != 0)  # values with digits; zeros print as "0"
    all_live = bool(live.all())
    if all_live:
        m, exponent = _digits_exponent(a, p)
    else:
        m = np.zeros(v.size)
        exponent = np.zeros(v.size, dtype=np.int64)
        if live.any():
            m[live], exponent[live] = _digits_exponent(a[live], p)

    groups = p // 3
    # digits in groups of three, each group's text looked up as the 3 ASCII bytes of a uint32
    digits = []
    upper = None
    for i in range(groups):
        if i < groups - 1:
            q = np.floor((m + 0.5) * 10.0 ** (-3 * (groups - 1 - i)))
            g = q if upper is None else q - 1000.0 * upper
            upper = q
        else:
            g = m if upper is None else m - 1000.0 * upper
        text = _DIGITS3.take(g.astype(np.intp)).view(np.uint8).reshape(-1, 4)
        digits += [text[:, 0], text[:, 1], text[:, 2]]
    significant = np.zeros(v.size, dtype=np.uint8)  # digits up to the last non-zero one; 0 for zero
    for j in range(p - 1, -1, -1):
        np.maximum(significant, (digits[j] != ZERO) * np.uint8(j + 1), out=significant)
    fixed = (exponent >= -4) & (exponent < p)
    point_at = (exponent * fixed).astype(np.int8)  # digits before the point, less one
    keep = np.maximum(significant, (point_at + 1).astype(np.uint8) * (point_at >= 0))
    if not all_live:
        keep = np.maximum(keep, 1) * finite  # "0"; nothing for NaN and inf

    slots: list[np.ndarray] = []
    neg = np.signbit(v) & finite
    if neg.any():
        slots.append(neg * np.uint8(MINUS))
    lowest = int(point_at.min()) if point_at.size else 0
    if lowest < 0:  # 0.0001234: "0." and up to three zeros before the digits
        below = point_at < 0
        slots += [below * np.uint8(ZERO), below * np.uint8(POINT)]
        slots += [(point_at <= -(i + 1)) * np.uint8(ZERO) for i in range(1, -lowest)]
    highest_point = int(point_at.max()) if point_at.size else 0
    most = int(keep.max()) if keep.size else 0
    least = int(keep.min()) if keep.size else 0
    lowest_point = max(lowest, 0) if lowest == highest_point else -1  # the point's place when all share it
    for j in range(min(most, p)):
        # a digit every value has is the digit itself; a point every value has there, a constant
        slots.append(digits[j] if j < least else digits[j] * (keep > j))
        if max(lowest, 0) <= j <= highest_point and j + 1 < most:
            if j == lowest_point and j + 1 < least:
                slots.append(np.broadcast_to(np.uint8(POINT), digits[j].shape))
            else:
                slots.append(((point_at == j) & (keep > j + 1)) * np.uint8(POINT))
    scientific = ~fixed if all_live else ~fixed & live
    if scientific.any():
        x = np.minimum(np.abs(exponent), 999)
        text = _DIGITS3.take(x).view(np.uint8).reshape(-1, 4)  # hundreds, tens, units
        slots.append(scientific * np.uint8(E_CHAR))
        slots.append(scientific * np.where(exponent < 0, np.uint8(MINUS), np.uint8(PLUS)))
        hundreds = scientific & (x >= 100)
        if hundreds.any():
            slots.append(hundreds * text[:, 0])
        slots.append(scientific * text[:, 1])
        slots.append(scientific * text[:, 2])
    # a slot empty for every value costs its bytes in every row: leave it out
    return [np.broadcast_to(s, v.shape).reshape(shape) if s.strides == (0,) else s.reshape(shape) for s in slots
            if s.strides == (0,) or s.any()]
