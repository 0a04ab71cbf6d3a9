"""The benchmark's pure-Python reference (benchmarks/bench.py, ``python_cost_per_million_output``) computes
what the engine computes.

The reference re-implements the engine's chain in plain floats and is both a cross-check and the timed
floor of a naive implementation; the benchmark stops when it disagrees, but a benchmark is not run on
every change, so the agreement is asserted here too: the engine cannot change a formula without the
reference (and docs/methodology.md, which it is written from) following.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import numpy_financial as npf
import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("bench", ROOT / "benchmarks" / "bench.py")
bench = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = bench
spec.loader.exec_module(bench)

SCENARIOS = 300  # per case, seeded
METHODS = {0.0: "straight-line", 1.0: "macrs-5", 2.0: "expensing"}  # finance.TAX_DEPRECIATION's codes


@pytest.mark.parametrize("case", bench.CHECKED, ids=lambda c: c.name)
def test_the_reference_agrees_with_the_engine(case):
    scenarios, x = bench.python_scenarios(SCENARIOS, case, seed=7)
    err = bench.python_errors(SCENARIOS, case, seed=7)
    assert err.shape == (SCENARIOS,)
    assert np.all(err <= bench.AGREE_RTOL), f"{case.name}: {err.max():.1e} relative"
    if x["owned"][0]:  # every depreciation method drawn with income tax, and each agrees on its own
        taxed = np.asarray(x["income_tax_rate"]) >= 0.1
        for code, method in METHODS.items():
            mine = taxed & (np.asarray(x["tax_depreciation_method"]) == code)
            assert mine.sum() >= 20, method
            assert err[mine].max() <= bench.AGREE_RTOL, method


def test_the_cases_cover_owning_renting_on_demand_and_reserved_and_a_fleet():
    cases = {case.name: case for case in bench.CHECKED}

    def first(name):
        return {k: float(np.asarray(v).ravel()[0]) for k, v in bench.case_inputs(cases[name]).items()}

    owned = first("owned building, income tax")
    assert owned["owned"] == 1 and owned["income_tax_rate"] > 0 and owned["facility_capex_usd_per_mw"] > 0
    assert first("owned, colocation")["colocation_usd_per_kw_month"] > 0
    on_demand, reserved = first("rented on demand"), first("rented, reserved 3 years")
    assert on_demand["owned"] == reserved["owned"] == 0
    assert on_demand["rent_billed_per_used_hour"] == 1 and reserved["rent_billed_per_used_hour"] == 0
    fleet = first("device fleet")
    assert fleet["payout_usd_per_device_hour"] > 0 and fleet["energy_baseline_w"] > 0
    assert not first("owned, layers split (pipeline)")["tensor_parallel"]
    assert first("owned, sliding-window layers")["kv_bytes_per_token_window"] > 0
    kv = first("owned, 8-way tensor parallel, KV replicated")
    assert kv["gpus"] > kv["kv_heads"]


def test_a_reference_that_drifts_stops_the_benchmark(monkeypatch):
    assert bench.python_agreement(50) <= bench.AGREE_RTOL
    monkeypatch.setattr(bench, "HOURS_PER_YEAR", 8784.0)  # a leap year in the reference only
    with pytest.raises(SystemExit, match="disagrees with the engine"):
        bench.python_agreement(50)


def test_the_references_finance_against_published_values():
    # monthly recovery: 12 x numpy-financial's pmt at the monthly rate over 60 months (finance doctest: 25.2427)
    i = 1.1 ** (1 / 12) - 1
    assert bench._capital_usd_per_hour(100.0, 0.1, 5.0, 0.0, 0.0, 1.0) * 8760 == pytest.approx(
        12 * npf.pmt(i, 60, -100.0), rel=1e-12)
    assert 12 * npf.pmt(i, 60, -100.0) == pytest.approx(25.2427, abs=1e-4)
    # expensing spread over year 1's months at 10 %/yr: finance.depreciation_pv_fraction's doctest
    assert bench._depreciation_pv(2.0, 0.1, 4.0) == pytest.approx(0.950041, abs=1e-6)
    # MACRS over a 6-year life: the table sums to 1 and at rate 0 nothing is discounted
    assert sum(bench.MACRS_5_YEAR_SHARES) == pytest.approx(1.0, abs=1e-12)
    assert bench._depreciation_pv(1.0, 0.0, 6.0) == pytest.approx(1.0, abs=1e-12)
    # book value levelized at 10 % over 6 years, nothing recovered: 0.547397 (finance doctest); (1 + rho)/2 at 0
    assert bench._book_value_fraction(0.1, 6.0, 0.0) == pytest.approx(0.547397, abs=1e-6)
    assert bench._book_value_fraction(0.0, 6.0, 0.3) == pytest.approx(0.65, abs=1e-12)
