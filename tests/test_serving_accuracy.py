"""The operating-point model against public serving measurements (benchmarks/serving_accuracy.py).

The table in docs/methodology.md section 10 is the script's output (make golden writes it), and
the bounds below are the accuracy documented there, so a change that makes the model worse on
real serving runs fails here.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from compute_cli.profiles.catalog import Catalog

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("serving_accuracy", ROOT / "benchmarks" / "serving_accuracy.py")
serving_accuracy = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = serving_accuracy
spec.loader.exec_module(serving_accuracy)

CATALOG = Catalog(environ={})
ROWS = list(serving_accuracy.rows(CATALOG))
# Known gaps, documented in methodology.md section 10: MoE models under load (routing, grouped GEMMs and
# expert all-to-all the roofline does not cost) and the Interactive/Offline ratio.
MOE = ("DeepSeek-R1", "gpt-oss-120b")


def test_the_docs_table_is_the_scripts_output():
    text = (ROOT / "docs" / "methodology.md").read_text()
    start, end = "<!-- serving-accuracy:start -->\n", "<!-- serving-accuracy:end -->"
    assert start in text and end in text
    table = text.split(start, 1)[1].split(end, 1)[0]
    assert table == serving_accuracy.table_text(CATALOG), "run `make golden` to refresh docs/methodology.md"


def test_there_are_points_of_every_kind():
    groups = {r[0] for r in ROWS}
    assert groups == {"TensorRT-LLM online", "InferenceX", "TensorRT-LLM max throughput", "MLPerf", "MLPerf ratio"}
    assert len(ROWS) >= 60
    assert {r[2] for r in ROWS} >= {"TPOT", "TTFT", "out/GPU", "out/group", "out/system", "ratio"}


BOUNDS = {  # (group, metric) -> max |error|
    ("TensorRT-LLM online", "TPOT"): 0.30,
    # the light-load rows (QPS 2, ~10 in flight) take the queueing factor's 1.9 and over-predict TTFT; with the
    # prefill's all-reduces at half the NVLink bandwidth (issue 13, docs/methodology.md "Collectives") the TP4
    # ones reach +51 %
    ("TensorRT-LLM online", "TTFT"): 0.55,
    ("TensorRT-LLM max throughput", "out/group"): 0.25,
    ("MLPerf", "out/system"): 0.25,
}


@pytest.mark.parametrize("row", [r for r in ROWS if not any(m in r[1] for m in MOE) and "Interactive" not in r[1]],
                         ids=lambda r: f"{r[0]}: {r[1]} {r[2]}")
def test_dense_serving_within_the_documented_bounds(row):
    group, label, metric, unit, measured, predicted, error, source = row
    bound = BOUNDS.get((group, metric), 0.10)  # the ratios: within 10 %
    assert abs(error) <= bound, f"{label} {metric}: predicted {predicted:.4g}, measured {measured:g} ({source})"


@pytest.mark.parametrize("row", [r for r in ROWS if any(m in r[1] for m in MOE) or "Interactive" in r[1]],
                         ids=lambda r: f"{r[0]}: {r[1]} {r[2]}")
def test_known_gaps_stay_within_known_factors(row):
    group, label, metric, unit, measured, predicted, error, source = row
    assert 1 / 8 <= predicted / measured <= 3.0, f"{label} {metric}: predicted {predicted:.4g}, measured {measured:g}"


def test_tpot_is_not_overpredicted_on_dense_models():
    """The roofline misses per-step costs, so it errs fast: a dense TPOT above the measured is a regression."""
    dense = [r for r in ROWS if r[0] == "TensorRT-LLM online" and r[2] == "TPOT"]
    assert all(r[6] <= 0.02 for r in dense)


def test_moe_decode_on_nvidia_within_10_percent():
    """Issue 13: with MoE layers' fixed costs, all-reduce latency and grouped-GEMM costs in the step, the
    DeepSeek-R1 (8x H200) and gpt-oss-120b (8x H100) TPOTs land within 10 %; the MI300X rows stay a gap."""
    moe = [r for r in ROWS if r[2] == "TPOT" and any(m in r[1] for m in MOE) and "MI300X" not in r[1]]
    assert len(moe) >= 5
    assert all(abs(r[6]) <= 0.10 for r in moe), [(r[1], f"{r[6]:+.0%}") for r in moe]
