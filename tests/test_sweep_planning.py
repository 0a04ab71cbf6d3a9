"""Issue 16, item 5: one-axis sweeps are planned in bounded memory and O(1) work per value, and streamed.

A sweep used to rebuild the engine inputs for every value up front (~0.75 ms and 12 KB a
value: an override validated through msgspec, type hints looked up, the inputs built, and every
input compared with the base one value at a time) and held them all. Now the row count is
checked first, values are computed for the block that needs them, and the inputs of a value
come from one vectorized rebuild where they are plain arithmetic in it (checked against
validated rebuilds); the result is the same as ``compare --set`` at every point.
"""

from __future__ import annotations

import math
import tracemalloc

import numpy as np
import pytest

from compute_cli import pipeline
from compute_cli import inputs
from compute_cli.analysis import paths, sweep
from compute_cli.errors import InputError, UsageError
from compute_cli.profiles.overrides import parse_assignment


def _rows(grid, chunk=sweep.CHUNK_ROWS) -> np.ndarray:
    return np.concatenate([np.column_stack([b[c] for c in grid.columns]) for b in grid.blocks(chunk)])


def _compare_at(catalog, setup, axis, value, metric):
    text = f"{axis.name}={int(value) if axis.vary.path.integer else repr(float(value))}"
    y = pipeline.evaluate(catalog, [setup], "toy-dense", [parse_assignment(text)]).y
    return float(np.asarray(y[metric], dtype=float)[0])


def test_a_huge_grid_is_refused_before_anything_is_allocated(wide_catalog):
    tracemalloc.start()
    try:
        with pytest.raises(UsageError, match="1,000,000,000,000 rows"):
            sweep.plan(wide_catalog, "toy-own", "toy-dense", [], [sweep.parse_vary("utilization=0.1:0.9:1000000000000")])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000


def test_counts_come_from_start_stop_steps_without_building_values():
    assert sweep.parse_vary("utilization=0.1:0.9:1000000000000").count() == 10**12
    assert sweep.parse_vary("batch=1:8:3000000").count() == 8  # closer than 0.5: every whole number
    assert sweep.parse_vary("batch=1:9000000:3000000").count() == 3_000_000  # 3 apart: each its own
    with pytest.raises(UsageError, match="closer than 0.5"):
        sweep.parse_vary("batch=1:2000000:2000000").count()


@pytest.mark.parametrize("start, stop, steps", [(0.01, 0.2, 1001), (1.0, 1.5, 7), (0.9, 0.1, 13), (0.3, 0.3, 5),
                                                (1e-9, 1e9, 101), (-5.0, 5.0, 11)])
def test_values_of_a_slice_are_those_of_the_whole_linspace(start, stop, steps):
    v = sweep.parse_vary(f"site.electricity_usd_per_kwh={start}:{stop}:{steps}")
    whole = np.array([float(f"{x:.12g}") for x in np.linspace(start, stop, steps)])
    assert np.array_equal(v.values(), whole)
    cut = sorted({0, steps // 3, steps // 2, steps})
    assert np.array_equal(np.concatenate([v.values_at(a, b) for a, b in zip(cut, cut[1:], strict=False)]), whole)


def test_integer_values_are_the_distinct_rounded_ones_in_every_layout():
    assert sweep.parse_vary("batch=1:4:7").values().tolist() == [1, 2, 3, 4]
    long_every = sweep.parse_vary("batch=10:1:2000000")
    assert long_every.count() == 10 and long_every.values().tolist() == list(range(10, 0, -1))
    each = sweep.parse_vary("batch=1:4000001:2000001")
    assert each.values_at(0, 3).tolist() == [1, 3, 5] and each.values_at(2000000, 2000001).tolist() == [4000001]


def test_one_axis_rows_equal_compare_with_set(wide_catalog, monkeypatch):
    """Long axes tabulated block by block (tables not kept) give the rows compare gives."""
    monkeypatch.setattr(sweep, "CHUNK_ROWS", 64)
    monkeypatch.setattr(sweep, "TABLE_CELLS", 10)
    for text, metric in [("site.electricity_usd_per_kwh=0.01:0.3:300", "cost_usd_per_million_output_tokens"),
                         ("batch=1:300:300", "decode_tokens_per_s_per_gpu"),
                         ("accelerator.idle_w=0:1400:301", "energy_j_per_output_token"),  # min(idle, tdp): a kink
                         ("model.layers=1:300:300", "cost_usd_per_million_output_tokens")]:
        grid = sweep.plan(wide_catalog, "toy-own", "toy-dense", [], [sweep.parse_vary(text)], metrics=(metric,))
        assert grid.axes[0].tables is None
        rows = _rows(grid, chunk=50)
        assert len(rows) == grid.size
        for i in range(0, grid.size, 37):
            want = _compare_at(wide_catalog, "toy-own", grid.axes[0], rows[i, 0], metric)
            assert rows[i, 1] == pytest.approx(want, rel=1e-12, abs=0.0) or (math.isnan(want) and math.isnan(rows[i, 1]))


def test_kept_and_rebuilt_tables_give_the_same_rows(wide_catalog, monkeypatch):
    varies = [sweep.parse_vary("utilization=0.1:1:250"), sweep.parse_vary("site.pue=1:2:3")]
    kept = _rows(sweep.plan(wide_catalog, "toy-own", "toy-dense", [], varies, metrics=("all",)), chunk=40)
    monkeypatch.setattr(sweep, "CHUNK_ROWS", 16)
    monkeypatch.setattr(sweep, "TABLE_CELLS", 1)
    grid = sweep.plan(wide_catalog, "toy-own", "toy-dense", [], varies, metrics=("all",))
    assert grid.axes[0].tables is None
    assert np.array_equal(_rows(grid, chunk=40), kept, equal_nan=True)


def test_planning_a_long_axis_holds_no_table_of_it(wide_catalog, monkeypatch):
    monkeypatch.setattr(sweep, "CHUNK_ROWS", 2048)
    monkeypatch.setattr(sweep, "TABLE_CELLS", 1000)
    varies = [sweep.parse_vary("site.electricity_usd_per_kwh=0.01:0.3:60000")]
    tracemalloc.start()
    try:
        grid = sweep.plan(wide_catalog, "toy-own", "toy-dense", [], varies)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert grid.size == 60_000 and grid.axes[0].fields == ["electricity_usd_per_kwh"]
    assert peak < 3_000_000, f"planning 60,000 values peaked at {peak:,} bytes"


def test_inputs_of_a_plain_key_are_built_once_for_all_values(wide_catalog, monkeypatch):
    r = wide_catalog.resolve("toy-own")
    model = wide_catalog.model("toy-dense")
    base = paths.input_row(r, model, inputs.RunOptions())
    calls = []
    real = inputs.build
    monkeypatch.setattr(inputs, "build", lambda *a, **k: calls.append(len(a[0])) or real(*a, **k))
    p = paths.numeric_path("site.electricity_usd_per_kwh")
    got = paths.inputs_at(r, model, p, np.linspace(0.01, 0.3, 5000), base, inputs.RunOptions())
    assert list(got) == ["electricity_usd_per_kwh"] and len(calls) == 4  # three checks and one build
    assert np.array_equal(got["electricity_usd_per_kwh"], np.linspace(0.01, 0.3, 5000))


def test_the_first_value_out_of_range_is_named(wide_catalog):
    with pytest.raises(InputError, match=r"utilization=1\.1: must be <= 1"):
        sweep.plan(wide_catalog, "toy-own", "toy-dense", [], [sweep.parse_vary("utilization=0.5:1.5:11")])


def test_a_span_beyond_floats_is_refused_without_a_numpy_warning(cli):
    result = cli("-C", "tests/data/profiles", "sweep", "toy-own", "--model", "toy-dense", "--vary",
                 "site.electricity_usd_per_kwh=-1e308:1e308:5")
    assert result.exit_code == 2 and "RuntimeWarning" not in result.stderr and result.stderr.count("\n") == 1
