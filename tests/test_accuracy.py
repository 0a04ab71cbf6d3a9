"""The throughput model against public measurements (benchmarks/accuracy.py lists each with its source).

Bounds are the documented accuracy of docs/methodology.md section 6: each regime's median error
within 12 % (or the bound the table states for a regime that misses it), no row beyond 35 %
unless it says why, and the table in the document is the one the code prints today.
"""

import importlib.util
import sys
from pathlib import Path

import pytest

from compute_cli.profiles.catalog import Catalog

ROOT = Path(__file__).parents[1]
spec = importlib.util.spec_from_file_location("accuracy", ROOT / "benchmarks" / "accuracy.py")
accuracy = importlib.util.module_from_spec(spec)
sys.modules["accuracy"] = accuracy  # its dataclasses look their module up by name
spec.loader.exec_module(accuracy)

ROWS = accuracy.rows(Catalog(environ={}))
SUMMARY = accuracy.summary(ROWS)


def test_at_least_forty_measurements_across_every_regime():
    assert len(ROWS) >= 40
    for regime in accuracy.REGIMES:
        assert regime in SUMMARY, f"no measurement in regime {regime!r}"
        assert SUMMARY[regime][0] >= 3, regime
    assert len({r.m.id for r in ROWS}) == len(ROWS), "ids are unique"


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.m.id)
def test_each_row_says_what_was_measured_and_where(row):
    m = row.m
    for field in ("what", "engine", "precision", "conditions", "source"):
        assert getattr(m, field).strip(), f"{m.id}: {field}"
    assert m.metric in accuracy.UNIT
    assert set(m.regimes) <= set(accuracy.REGIMES) and m.regimes


@pytest.mark.parametrize("regime", accuracy.REGIMES)
def test_regime_median_error_within_its_bound(regime):
    n, median, _worst = SUMMARY[regime]
    bound = accuracy.MEDIAN_BOUND.get(regime, accuracy.MEDIAN_GOAL)
    assert median <= bound, f"{regime}: median |error| {median:.1%} over {n} rows, bound {bound:.0%}"


@pytest.mark.parametrize("row", [r for r in ROWS if abs(r.error) > accuracy.MAX_GOAL], ids=lambda r: r.m.id)
def test_a_row_beyond_35_percent_says_why(row):
    assert row.m.why, f"{row.m.id}: {row.error:+.0%} and no reason given"


def test_hold_out_rows_are_reported_apart():
    held = [r for r in ROWS if r.m.holdout]
    assert len(held) >= 10
    assert not any(r.m.sets for r in held), "a hold-out row sets no figure"
    text = accuracy.markdown(ROWS)
    assert "Hold-out rows only" in text


def test_methodology_shows_the_current_table():
    doc = (ROOT / "docs" / "methodology.md").read_text()
    _head, _, rest = doc.partition(accuracy.START)
    table, found, _tail = rest.partition(accuracy.END)
    assert found, "docs/methodology.md has no generated accuracy table"
    assert table.strip() == accuracy.markdown(ROWS).strip(), \
        "docs/methodology.md section 6 is stale: run python benchmarks/accuracy.py --write"
