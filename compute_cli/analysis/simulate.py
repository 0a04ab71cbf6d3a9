"""``simulate``: Monte Carlo over the distributions declared next to figures (or given with ``--dist``).

Method (docs/methodology.md, "Sweep, sensitivity and Monte Carlo"):

1. Each uncertain key ``p`` is mapped to the engine inputs it moves, the way
   ``compare --set`` would move them: the inputs are rebuilt at a handful of probe
   values across the distribution's range. Every input that moves must be a
   straight line in ``p`` there (``input = a + b x p``, checked at every probe to
   1e-9); almost all are the value itself. Inputs moved by two keys must add up
   (checked at a corner against a full rebuild).
2. Each key draws from its own PCG64 stream, seeded by ``--seed`` and the key's
   name, so the same seed gives the same numbers whatever the chunk size, and
   adding an uncertain key does not change the draws of the others.
3. Draws outside what the profile type allows (a fraction above 1, a PUE below
   1, a negative price) are clipped to the bound and counted; integer keys are
   rounded.
4. The engine runs on chunks of samples; p5, p50, p95 (linear interpolation
   between order statistics) and the mean are taken over the samples where the
   metric is defined (a sample whose model does not fit has none).
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np

from compute_cli import inputs, pipeline
from compute_cli.analysis import paths
from compute_cli.engine.evaluate import evaluate
from compute_cli.errors import InputError, UsageError
from compute_cli.pipeline import clean
from compute_cli.profiles.catalog import Catalog
from compute_cli.profiles.distributions import Distribution

CHUNK_SAMPLES = 1 << 15
PERCENTILES = (5.0, 50.0, 95.0)
HISTOGRAM_BINS = 20
DEFAULT_HISTOGRAM_METRIC = "cost_usd_per_million_output_tokens"
PROBE_QUANTILES = (0.001, 0.1, 0.25, 0.5, 0.75, 0.9, 0.999)
LINEAR_RTOL = 1e-9


# ------------------------------------------------------------------ distributions
def quantile(d: Distribution, q: float) -> float:
    """The value below which a fraction ``q`` of the distribution lies.

    >>> from compute_cli.profiles.distributions import parse_spec
    >>> quantile(parse_spec("uniform:0:10"), 0.25)
    2.5
    >>> round(quantile(parse_spec("triangular:0:0:1"), 0.75), 6)
    0.5
    """
    if d.kind == "uniform":
        return d["low"] + q * (d["high"] - d["low"])
    if d.kind == "triangular":
        low, mode, high = d["low"], d["mode"], d["high"]
        cut = (mode - low) / (high - low)
        if q < cut:
            return low + math.sqrt(q * (high - low) * (mode - low))
        return high - math.sqrt((1.0 - q) * (high - low) * (high - mode))
    if d.kind == "normal":
        return NormalDist(d["mean"], d["sd"]).inv_cdf(q)
    mu = math.log(d["mean"]) - d["sigma"] ** 2 / 2.0
    return math.exp(mu + d["sigma"] * NormalDist().inv_cdf(q))


def swing_range(d: Distribution) -> tuple[float, float]:
    """The range sensitivity uses for a declared distribution: [low, high] when bounded, else [p5, p95]."""
    if d.bounded:
        return d["low"], d["high"]
    return quantile(d, 0.05), quantile(d, 0.95)


def draw(d: Distribution, rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` draws from ``d`` (numpy's Generator methods; lognormal from its arithmetic mean, see the module doc)."""
    if d.kind == "uniform":
        return rng.uniform(d["low"], d["high"], n)
    if d.kind == "triangular":
        return rng.triangular(d["low"], d["mode"], d["high"], n)
    if d.kind == "normal":
        return rng.normal(d["mean"], d["sd"], n)
    sigma = d["sigma"]
    return rng.lognormal(math.log(d["mean"]) - sigma**2 / 2.0, sigma, n)


def stream(seed: int, name: str) -> np.random.Generator:
    """The PCG64 stream of one uncertain key: seeded by ``seed`` and the key's name."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(zlib.crc32(name.encode()),))))


# ------------------------------------------------------------- what a key moves
@dataclass
class Uncertain:
    """One uncertain key, its distribution, and the engine inputs it moves (``input = a + b x value``)."""

    path: paths.NumericPath
    dist: Distribution
    base_value: float
    declared_in: str
    fields: dict[str, tuple[float, float]] = field(default_factory=dict)  # name -> (a, b)
    identity: set = field(default_factory=set)  # inputs equal to the value itself
    clipped: int = 0


def declared(record) -> dict[str, Distribution]:
    """Distributions written next to the figures a setup's engine inputs were built from, by ``--set`` path.

    ``record`` is the setup's ``inputs.SetupOrigins``: a figure the engine does not use
    for this setup, or one a ``--set`` replaced, has no distribution there.
    """
    return dict(sorted((path, o.distribution) for path, o in record.figures() if o.distribution is not None))


def _probes(u: Uncertain) -> np.ndarray:
    qs = [quantile(u.dist, q) for q in PROBE_QUANTILES]
    if u.dist.bounded:
        qs += [u.dist["low"], u.dist["high"]]
    values, _ = u.path.clip(np.array(qs + [u.base_value]))
    return np.unique(values)


def map_inputs(r, model, u: Uncertain, base: dict, options) -> None:
    """Fill ``u.fields``: each input the key moves as a straight line in it, or raise."""
    probes = _probes(u)
    if len(probes) < 2:
        raise InputError(f"{u.declared_in}: {u.path.text}: the distribution {u.dist.text()} leaves no room to vary "
                         f"within what the key allows ({u.path.bounds_text()})")
    rows = paths.rows_at(r, model, u.path, probes, options, option="simulate")
    changed = paths.changed_fields(base, rows)
    if not changed:
        raise InputError(f"{u.declared_in}: {u.path.text}: changes none of the engine's inputs for setup "
                         f"'{r.setup.id}'; its distribution has nothing to move")
    lo, hi = probes[0], probes[-1]
    for name in changed:
        f = np.array([row[name][0] for row in rows], dtype=float)
        if np.array_equal(f, probes):
            u.identity.add(name)
        b = (f[-1] - f[0]) / (hi - lo)
        a = f[0] - b * lo
        predicted = a + b * probes
        if not np.allclose(predicted, f, rtol=LINEAR_RTOL, atol=LINEAR_RTOL * np.abs(f).max()):
            raise InputError(f"{u.declared_in}: {u.path.text}: the engine input '{name}' is not a straight line in it "
                             f"between {lo:g} and {hi:g}, so it cannot be sampled this way; use sweep over it instead")
        u.fields[name] = (float(base[name][0]), float(b))


def _check_pairs(r, model, us: list[Uncertain], base: dict, options) -> None:
    """Keys that move the same input must add up: check at the corner where both are high."""
    for i, a in enumerate(us):
        for b in us[i + 1:]:
            shared = set(a.fields) & set(b.fields)
            if not shared:
                continue
            va, vb = _probes(a)[-1], _probes(b)[-1]
            ra, ma = paths.override(r, model, a.path, va, "simulate")
            rb, mb = paths.override(ra, ma, b.path, vb, "simulate")
            exact = paths.input_row(rb, mb, options)
            for name in shared:
                composed = base[name][0] + a.fields[name][1] * (va - a.base_value) + b.fields[name][1] * (vb - b.base_value)
                if not math.isclose(exact[name][0], composed, rel_tol=LINEAR_RTOL, abs_tol=1e-300):
                    raise InputError(f"{a.path.text} and {b.path.text} both move the engine input '{name}' and it is "
                                     "not their sum; give only one of them a distribution")


# ------------------------------------------------------------------ the run
NO_UNCERTAINTY = ("has no uncertain figures: add a 'distribution' next to a value in its profiles (e.g. "
                  "electricity_usd_per_kwh: {value: 0.05, assumption: ..., distribution: {triangular: {low: 0.03, "
                  "mode: 0.05, high: 0.08}}}) or pass --dist PATH=triangular:LOW:MODE:HIGH")


def plan(catalog: Catalog, setup_id: str, model_id: str | None, assignments=(), cli_dists=(),
         options: inputs.RunOptions = inputs.RunOptions()):
    """Evaluate the setup with ``--set`` applied and gather its distributions: ``(pipeline.Run, [Uncertain])``."""
    run = pipeline.evaluate(catalog, [setup_id], model_id, assignments, options)
    _base, us = plan_setup(run, 0, cli_dists, options)
    if not us:
        raise InputError(f"setup '{setup_id}' {NO_UNCERTAINTY}")
    return run, us


def plan_setup(run, i: int, cli_dists=(), options: inputs.RunOptions = inputs.RunOptions()):
    """The ``i``-th setup of an evaluated run: ``(its engine inputs as shape-(1,) arrays, [Uncertain])``.

    The distributions are those declared next to the figures its inputs were built from
    (``declared``), and ``cli_dists`` (``[(path, Distribution)]``, from ``--dist``) on top.
    A setup with none gives an empty list.
    """
    r, model = run.resolved[i], run.model
    base = {k: np.asarray(v)[i:i + 1] for k, v in run.x.items()}
    dists = {k: (d, d.where) for k, d in declared(run.origins[i]).items()}
    for text, d in cli_dists:
        dists[paths.numeric_path(text, "--dist").canonical] = (d, "--dist")
    us = []
    for text, (d, where) in sorted(dists.items()):
        p = paths.numeric_path(text, "--dist" if where == "--dist" else "simulate")
        value = paths.current_value(r, model, p)
        if value is None:
            raise InputError(f"{where}: {text}: setup '{r.setup.id}' has no such value to make uncertain")
        u = Uncertain(path=p, dist=d, base_value=float(value), declared_in=where)
        map_inputs(r, model, u, base, options)
        us.append(u)
    _check_pairs(r, model, us, base, options)
    return base, us


def sample_inputs(base: dict, us: list[Uncertain], rngs: list, n: int, drawn: dict | None = None) -> dict:
    """Engine inputs for ``n`` samples: the base with every uncertain input drawn.

    ``drawn``, when given, receives each key's values as used (clipped, integers rounded), by path.
    """
    x = dict(base)
    sums: dict[str, np.ndarray] = {}
    for u, rng in zip(us, rngs, strict=True):
        v, moved = u.path.clip(draw(u.dist, rng, n))
        u.clipped += int(moved.sum())
        if drawn is not None:
            drawn[u.path.text] = v.astype(np.int64) if u.path.integer else v
        for name, (a, b) in u.fields.items():
            if name in u.identity and name not in sums and sum(name in o.fields for o in us) == 1:
                x[name] = v
                continue
            term = b * (v - u.base_value)
            sums[name] = sums[name] + term if name in sums else a + term
    for name, value in sums.items():
        x[name] = value
    return x


def sampled(base: dict, us: list[Uncertain], samples: int, seed: int, chunk: int = CHUNK_SAMPLES,
            drawn: dict | None = None):
    """``(start, n, inputs, outputs)`` for each chunk of ``samples`` draws: the engine run on every chunk.

    Each key draws from its own stream (``stream``), so the numbers depend on the seed and
    the keys, never on the chunk size. ``drawn``, when given, holds before each yield the
    chunk's ``sample`` numbers (int64) and each key's values as used, by path.
    """
    rngs = [stream(seed, u.path.text) for u in us]
    for start in range(0, samples, chunk):
        n = min(chunk, samples - start)
        if drawn is not None:
            drawn.clear()
            drawn["sample"] = np.arange(start, start + n, dtype=np.int64)
        x = sample_inputs(base, us, rngs, n, drawn)
        yield start, n, x, evaluate(x)


def run(catalog: Catalog, setup_id: str, model_id: str | None, assignments=(), cli_dists=(), samples: int = 100_000,
        seed: int = 0, metrics=(), histogram_metric: str = DEFAULT_HISTOGRAM_METRIC,
        chunk: int = CHUNK_SAMPLES, options: inputs.RunOptions = inputs.RunOptions(), on_progress=None,
        on_samples=None) -> dict:
    """Draw ``samples`` scenarios and summarise every metric; a JSON-ready dict.

    ``on_samples(header, inputs, metrics)``, when given, is called for every chunk of
    samples in order: ``header`` describes the run (JSON-ready, the same every call),
    ``inputs`` holds the ``sample`` number (int64) and each uncertain key's values by
    path, ``metrics`` each metric's values, all 1-D and as long as the chunk.
    """
    from compute_cli.analysis.sweep import check_metrics

    if samples < 1:
        raise UsageError(f"--samples {samples}: expected a whole number >= 1")
    run_, us = plan(catalog, setup_id, model_id, assignments, cli_dists, options)
    base = run_.x
    y0 = run_.y
    metrics = check_metrics(metrics, sorted(y0))
    if histogram_metric not in metrics:
        metrics = (*metrics, histogram_metric)
    from compute_cli.analysis.memory import keep_freed_memory

    keep_freed_memory()
    values = {m: np.empty(samples) for m in metrics}
    header = samples_header(run_, samples, seed, us, metrics) if on_samples else None
    drawn: dict | None = {} if on_samples else None
    for start, n, _x, y in sampled(base, us, samples, seed, chunk, drawn):
        for m in metrics:
            values[m][start:start + n] = np.broadcast_to(y[m], (n,))
        if on_samples:
            on_samples(header, dict(drawn), {m: np.broadcast_to(y[m], (n,)) for m in metrics})
        if on_progress:
            on_progress(n)
    summary = {m: summarise(values[m], float(y0[m][0])) for m in metrics}
    return {
        **run_.envelope(),
        "samples": samples,
        "seed": seed,
        "inputs": [{"parameter": u.path.text, "distribution": u.dist.as_dict(), "declared_in": u.declared_in,
                    "base_value": u.base_value, "inputs_moved": sorted(u.fields), "clipped_samples": u.clipped}
                   for u in us],
        "metrics": summary,
        "histogram": histogram(values[histogram_metric], histogram_metric),
    }


def samples_header(run_, samples: int, seed: int, us: list[Uncertain], metrics) -> dict:
    """What a file of samples holds, JSON-ready (its rows: sample, the uncertain keys, the metrics)."""
    return {
        **run_.envelope(),
        "command": "simulate",
        "samples": samples,
        "seed": seed,
        "inputs": [{"parameter": u.path.text, "distribution": u.dist.as_dict(), "declared_in": u.declared_in,
                    "base_value": u.base_value, "inputs_moved": sorted(u.fields)} for u in us],
        "columns": ["sample", *(u.path.text for u in us), *metrics],
    }


def summarise(v: np.ndarray, base: float) -> dict:
    """p5, p50, p95 and mean over the finite samples, and how many had no value."""

    finite = v[np.isfinite(v)]
    missing = int(v.size - finite.size)
    if not finite.size:
        return {"p5": None, "p50": None, "p95": None, "mean": None, "base": clean(base), "not_computed": missing}
    p5, p50, p95 = np.percentile(finite, PERCENTILES)
    return {"p5": clean(p5), "p50": clean(p50), "p95": clean(p95), "mean": clean(finite.mean()), "base": clean(base),
            "not_computed": missing}


def histogram(v: np.ndarray, metric: str, bins: int = HISTOGRAM_BINS) -> dict:
    """Counts in ``bins`` equal bins between the 0.5th and 99.5th percentiles; the tails counted apart."""

    finite = v[np.isfinite(v)]
    if not finite.size:
        return {"metric": metric, "edges": [], "counts": [], "below": 0, "above": 0}
    lo, hi = np.percentile(finite, [0.5, 99.5])
    if hi <= lo:
        lo, hi = float(finite.min()), float(finite.max())
    if hi <= lo:
        hi = lo + (abs(lo) or 1.0) * 1e-9
    counts, edges = np.histogram(finite, bins=bins, range=(lo, hi))
    return {"metric": metric, "edges": [clean(e) for e in edges], "counts": [int(c) for c in counts],
            "below": int((finite < lo).sum()), "above": int((finite > hi).sum())}
