"""Ranges of a result: a seeded Monte Carlo over the distributions declared next to the figures it used.

``compare --ranges`` and ``invest --ranges`` ask, for each setup, what its answer is
when every uncertain figure varies over its declared range at once. The machinery
is ``simulate``'s (``analysis/simulate.py``): the same mapping of each uncertain key
to the engine inputs it moves, the same per-key random streams, the same chunks.
So ``compare --ranges --seed S --samples N`` gives for each setup the p5, p50 and
p95 that ``simulate SETUP --seed S --samples N`` gives, and the same seed always
gives the same bytes. A setup whose figures declare no distribution has a range
of one point: its value.

The operating point is stated, not sampled: a cost per token holds at a batch, a
context length and a prompt:output ratio (``OPERATING_POINT_KEYS``), which say
*which* question is asked rather than how uncertain its figures are; moving them is
what ``sweep`` does. Shipped profiles declare no range on them, nor on a workload's
tokens and latency targets (``configs/workloads``), which choose the operating point.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from compute_cli import inputs
from compute_cli.analysis import simulate
from compute_cli.errors import UsageError
from compute_cli.pipeline import clean

OPERATING_POINT_KEYS = ("batch", "context_tokens", "input_tokens_per_output_token")
DEFAULT_SAMPLES = 10_000
MAX_SAMPLES = 10_000_000


@dataclass(frozen=True)
class RangeOptions:
    """How to draw a result's ranges: how many samples, from which seed, in chunks of how many."""

    samples: int = DEFAULT_SAMPLES
    seed: int = 0
    chunk: int = simulate.CHUNK_SAMPLES

    def check(self) -> RangeOptions:
        if not 1 <= self.samples <= MAX_SAMPLES:
            raise UsageError(f"--samples {self.samples}: expected a whole number from 1 to {MAX_SAMPLES:,}")
        if self.seed < 0:
            raise UsageError(f"--seed {self.seed}: expected a whole number >= 0")
        return self

    def as_dict(self) -> dict:
        return {"samples": self.samples, "seed": self.seed}


def percentiles(values: np.ndarray) -> dict:
    """``{"p5", "p50", "p95"}`` over the finite values (None when there are none), as ``simulate`` takes them.

    >>> percentiles(np.arange(101.0))
    {'p5': 5, 'p50': 50, 'p95': 95}
    """
    finite = values[np.isfinite(values)]
    if not finite.size:
        return {"p5": None, "p50": None, "p95": None}
    p5, p50, p95 = np.percentile(finite, simulate.PERCENTILES)
    return {"p5": clean(p5), "p50": clean(p50), "p95": clean(p95)}


def setup_samples(run, i: int, opts: RangeOptions, options: inputs.RunOptions = inputs.RunOptions()):
    """The ``i``-th setup of an evaluated run, drawn ``opts.samples`` times: ``(uncertain keys, chunks)``.

    ``chunks`` yields ``(start, n, engine inputs, engine outputs)`` (see ``simulate.sampled``).
    """
    base, us = simulate.plan_setup(run, i, options=options)
    return us, simulate.sampled(base, us, opts.samples, opts.seed, opts.chunk)


def setup_ranges(run, i: int, metrics, opts: RangeOptions,
                 options: inputs.RunOptions = inputs.RunOptions()) -> tuple[dict, list[str]]:
    """``({metric: {p5, p50, p95}}, [uncertain key paths])`` of the ``i``-th setup of ``run``."""
    us, chunks = setup_samples(run, i, opts, options)
    values = {m: np.empty(opts.samples) for m in metrics}
    for start, n, _x, y in chunks:
        for m in metrics:
            values[m][start:start + n] = np.broadcast_to(y[m], (n,))
    return {m: percentiles(values[m]) for m in metrics}, [u.path.text for u in us]
