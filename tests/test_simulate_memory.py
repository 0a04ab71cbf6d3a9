"""Issue 16, item 9: Monte Carlo in chunks, with exact percentiles and memory independent of the sample count.

Beyond EXACT_VALUES kept values, the seeded streams are drawn again for the order statistics
(analysis/quantiles.py); the answer must be the one the kept values give, digit for digit.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compute_cli.analysis import quantiles, simulate
from compute_cli.profiles.distributions import parse_spec

RUNS = [
    ("toy-own", (("utilization", "uniform:0.2:0.9"), ("site.electricity_usd_per_kwh", "lognormal:0.08:0.6")), ()),
    ("toy-own", (("batch", "uniform:1:400"),), ("all",)),  # batches that do not fit: values missing
    ("toy-rent", (("offer.usd_per_gpu_hour.on_demand", "normal:3:0.5"),), ("cost_usd_per_gpu_hour",)),
]


def _run(catalog, setup, dists, metrics, **kwargs):
    return simulate.run(catalog, setup, "toy-dense", (), [(k, parse_spec(v)) for k, v in dists], metrics=metrics,
                        **kwargs)


@pytest.mark.parametrize("setup, dists, metrics", RUNS)
def test_passes_over_the_samples_give_what_kept_values_give(wide_catalog, monkeypatch, setup, dists, metrics):
    kept = _run(wide_catalog, setup, dists, metrics, samples=30_000, seed=5, chunk=4096)
    monkeypatch.setattr(simulate, "EXACT_VALUES", 100)
    monkeypatch.setattr(quantiles, "COLLECT_KEYS", 64)  # more refinement passes than a real run needs
    streamed = _run(wide_catalog, setup, dists, metrics, samples=30_000, seed=5, chunk=777)
    assert streamed == kept


def test_percentiles_are_those_of_numpy_on_all_samples(wide_catalog):
    dists = (("utilization", "triangular:0.1:0.5:0.9"),)
    result = _run(wide_catalog, "toy-own", dists, ("cost_usd_per_million_output_tokens",), samples=20_000, seed=9)
    u = simulate.stream(9, "utilization")
    from compute_cli import pipeline

    x = pipeline.evaluate(wide_catalog, ["toy-own"], "toy-dense").x
    x = dict(x)
    x["utilization"] = u.triangular(0.1, 0.5, 0.9, 20_000)
    from compute_cli.engine.evaluate import evaluate

    v = evaluate(x)["cost_usd_per_million_output_tokens"]
    got = result["metrics"]["cost_usd_per_million_output_tokens"]
    from compute_cli.analysis.compare import clean

    assert [got["p5"], got["p50"], got["p95"]] == [clean(q) for q in np.percentile(v, [5, 50, 95])]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False, width=64), min_size=1, max_size=300),
       st.integers(min_value=1, max_value=50))
def test_order_statistics_match_numpy(values, chunk):
    v = np.array(values)
    n = len(v)
    ranks = sorted({k for q in (0.5, 5, 50, 95, 99.5) for k in quantiles.percentile_ranks(n, q)})
    order = quantiles.OrderStatistics()
    chunks = [v[i:i + chunk] for i in range(0, n, chunk)]
    for c in chunks:
        order.first(quantiles.float_keys(c))
    order.start(ranks)
    while order.pending:
        for c in chunks:
            order.feed(quantiles.float_keys(c))
        order.end_pass()
    s = np.sort(v)
    assert [order.value(k) for k in ranks] == [float(s[k]) for k in ranks]
    for q in (5, 50, 95):
        want = np.percentile(v, q)
        got = quantiles.percentile(order.value, n, q)
        assert got == want or (np.isinf(want) and got == want)


def _peak(catalog, samples) -> int:
    tracemalloc.start()
    try:
        _run(catalog, "toy-own", RUNS[0][1], (), samples=samples, seed=1, chunk=2048)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_peak_memory_does_not_grow_with_samples(wide_catalog, monkeypatch):
    monkeypatch.setattr(simulate, "EXACT_VALUES", 10_000)
    small, large = _peak(wide_catalog, 30_000), _peak(wide_catalog, 240_000)
    assert large < 1.3 * small + 200_000, (small, large)  # eight times the samples
    assert large < 240_000 * 9 * 8 / 2  # well below holding the samples of every metric
