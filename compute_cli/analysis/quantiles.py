"""Exact percentiles of a stream of numbers that can be read again, in memory independent of its length.

``simulate`` draws its samples from seeded streams, so the same samples come back on every
pass over them. Their percentiles are found exactly, as ``np.percentile`` (method "linear")
finds them on the whole array, by a radix selection on the numbers' bits:

1. Each finite float64 is mapped to a 64-bit key with the same order (the sign bit flipped
   for positives, every bit for negatives). The first pass counts keys by their top 16 bits.
2. The order statistics a percentile needs (the two around rank (n - 1) q) are each in one
   bucket. A bucket that holds at most COLLECT_KEYS keys is collected on the next pass and
   sorted; a larger one is counted by its next 12 bits, and so on. 64 bits make at most 5
   passes; with float data a pass after the first usually suffices to narrow a bucket to a few
   thousand keys, so percentiles cost two or three passes in all.

Memory: 65,536 counts per metric in the first pass, 4,096 per pending bucket after, and at
most COLLECT_KEYS keys per bucket collected: independent of the number of samples.
"""

from __future__ import annotations

import numpy as np

TOP_BITS = 16
STEP_BITS = 12
COLLECT_KEYS = 1 << 13
_SIGN = np.uint64(1 << 63)


def float_keys(v: np.ndarray) -> np.ndarray:
    """Keys that sort as the (finite) floats do.

    >>> v = np.array([3.0, -1.0, 0.0, -2.5, 1e-300, -0.0])
    >>> float_floats(np.sort(float_keys(v))).tolist()
    [-2.5, -1.0, -0.0, 0.0, 1e-300, 3.0]
    """
    bits = np.ascontiguousarray(v, dtype=np.float64).view(np.uint64)
    return np.where(bits & _SIGN, ~bits, bits | _SIGN)


def float_floats(keys: np.ndarray) -> np.ndarray:
    """The floats of :func:`float_keys`."""
    keys = np.asarray(keys, dtype=np.uint64)
    return np.where(keys & _SIGN, keys ^ _SIGN, ~keys).view(np.float64)


def percentile_ranks(n: int, percent: float) -> list[int]:
    """The order statistics (0-based ranks) ``np.percentile(v, percent)`` reads for ``n`` values."""
    vi = (n - 1) * np.true_divide(percent, 100)
    if vi >= n - 1:
        return [n - 1]
    lo = int(np.floor(vi))
    return [lo, lo + 1]


def percentile(stat, n: int, percent: float) -> float:
    """``np.percentile`` (method "linear") from the order statistics, ``stat(rank) -> value``.

    >>> v = np.random.default_rng(0).lognormal(size=1001)
    >>> s = np.sort(v)
    >>> all(percentile(lambda r: s[r], len(v), q) == np.percentile(v, q) for q in (0.5, 5, 50, 95, 99.5))
    True
    """
    vi = (n - 1) * np.true_divide(percent, 100)
    if vi >= n - 1:
        return float(stat(n - 1))
    lo = np.floor(vi)
    gamma = vi - lo
    a, b = np.float64(stat(int(lo))), np.float64(stat(int(lo) + 1))
    diff = b - a
    return float(b - diff * (1 - gamma)) if gamma >= 0.5 else float(a + diff * gamma)


class _Bucket:
    """Keys sharing their top ``bits`` bits (``prefix``): ``count`` of them, ``below`` keys smaller."""

    def __init__(self, bits: int, prefix: int, count: int, below: int, ranks):
        self.bits, self.prefix, self.count, self.below, self.ranks = bits, prefix, count, below, set(ranks)
        self.parts: list[np.ndarray] = []
        self.counts = None
        self.low = self.high = None  # the smallest and largest key seen in it this pass

    def see(self, keys: np.ndarray) -> None:
        if len(keys):
            low, high = int(keys.min()), int(keys.max())
            self.low = low if self.low is None else min(self.low, low)
            self.high = high if self.high is None else max(self.high, high)

    @property
    def collect(self) -> bool:
        return self.count <= COLLECT_KEYS


class OrderStatistics:
    """The values at given ranks (0-based, ascending) of the finite numbers of a re-readable stream.

    ``first(keys)`` feeds the top-bit counts of the first pass (keys of every chunk),
    ``start(ranks)`` says which ranks are wanted; then, while ``pending``, every chunk goes
    to ``feed(keys)`` and each pass ends with ``end_pass()``; ``value(rank)`` is the answer.
    """

    def __init__(self):
        self.ranks: list[int] = []
        self.top = np.zeros(1 << TOP_BITS, dtype=np.int64)
        self.found: dict[int, float] = {}
        self.buckets: list[_Bucket] = []
        self.whole = _Bucket(0, 0, 0, 0, ())

    def first(self, keys: np.ndarray) -> None:
        self.top += np.bincount((keys >> np.uint64(64 - TOP_BITS)).astype(np.intp), minlength=1 << TOP_BITS)
        self.whole.see(keys)

    def start(self, ranks) -> None:
        """After the first pass: the bucket of every rank asked for (none when every value is the same)."""
        self.ranks = sorted(set(ranks))
        self.whole.ranks = set(self.ranks)
        same = self.whole.low is not None and self.whole.low == self.whole.high
        if same:
            self._all(self.whole)
        self.buckets = self._split(self.top, 0, 0, 0, [] if same else self.ranks, TOP_BITS)
        self.top = None
        self._resolve_whole_keys()

    @property
    def pending(self) -> bool:
        return bool(self.buckets)

    def feed(self, keys: np.ndarray) -> None:
        for b in self.buckets:
            inside = keys[(keys >> np.uint64(64 - b.bits)) == np.uint64(b.prefix)]
            b.see(inside)
            if b.collect:
                b.parts.append(inside)
            else:
                shift = np.uint64(64 - b.bits - STEP_BITS)
                digits = ((inside >> shift) & np.uint64((1 << STEP_BITS) - 1)).astype(np.intp)
                counts = np.bincount(digits, minlength=1 << STEP_BITS)
                b.counts = counts if b.counts is None else b.counts + counts

    def end_pass(self) -> None:
        left = []
        for b in self.buckets:
            if b.collect:
                keys = np.sort(np.concatenate(b.parts)) if b.parts else np.empty(0, dtype=np.uint64)
                if len(keys) != b.count:
                    raise RuntimeError(f"a pass saw {len(keys)} values in a bucket of {b.count}: the stream changed")
                for r in b.ranks:
                    self.found[r] = float(float_floats(keys[r - b.below:r - b.below + 1])[0])
            elif b.low is not None and b.low == b.high:  # one value, however many times
                self._all(b)
            else:
                counts = b.counts if b.counts is not None else np.zeros(1 << STEP_BITS, dtype=np.int64)
                if int(counts.sum()) != b.count:
                    raise RuntimeError("a pass saw a different number of values: the stream changed")
                left += self._split(counts, b.bits, b.prefix, b.below, b.ranks, STEP_BITS)
        self.buckets = left
        self._resolve_whole_keys()

    def value(self, rank: int) -> float:
        return self.found[rank]

    def _all(self, b: _Bucket) -> None:
        v = float(float_floats(np.array([b.low], dtype=np.uint64))[0])
        self.found.update((r, v) for r in b.ranks)

    def _resolve_whole_keys(self) -> None:
        """A bucket of all 64 bits holds one value, however many times: no pass needed."""
        kept = []
        for b in self.buckets:
            if b.bits == 64:
                v = float(float_floats(np.array([b.prefix], dtype=np.uint64))[0])
                self.found.update((r, v) for r in b.ranks)
            else:
                kept.append(b)
        self.buckets = kept

    @staticmethod
    def _split(counts: np.ndarray, bits: int, prefix: int, below: int, ranks, step: int) -> list[_Bucket]:
        cum = np.cumsum(counts)
        out: dict[int, _Bucket] = {}
        for r in ranks:
            digit = int(np.searchsorted(cum, r - below, side="right"))
            if digit not in out:
                under = below + (int(cum[digit - 1]) if digit else 0)
                out[digit] = _Bucket(bits + step, (prefix << step) | digit, int(counts[digit]), under, ())
            out[digit].ranks.add(r)
        return list(out.values())
