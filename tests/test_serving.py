"""The operating point: TPOT, TTFT, the concurrency and GPUs per replica chosen under latency targets.

Hand-computed on the toy catalog (tests/data/profiles + tests/data/extra), properties with
Hypothesis on the shipped setups, and the commands that choose, report and refuse points.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compute_cli import inputs, pipeline
from compute_cli.analysis import frontier
from compute_cli.engine import serving
from compute_cli.engine.efficiency import EFFICIENCY
from compute_cli.engine.evaluate import evaluate
from compute_cli.errors import ExitCode, InputError
from compute_cli.profiles.catalog import Catalog

WIDE = ("-C", "tests/data/extra", "-C", "tests/data/profiles")
SHIPPED = Catalog(environ={})
DC = EFFICIENCY["datacenter"]

# ------------------------------------------------------------ by hand
# toy-auto serves toy-dense (10e9 params, bf16: 20e9 B of weights, 40 layers, 163,840 B of KV per
# token) on toy-gpu (2.0 TB/s, 1000 TFLOPS) for toy-chat: 1000 prompt and 1000 output tokens, so
# a mean context of 1000 + 1000 / 2 = 1500 tokens and r = 1 prompt token per output token.
# On one GPU (no tensor parallelism, no all-reduce):
#   decode(C)  = 20e9 / 1.6e12 (weights, memory-bound below C = 312)          = 12.5 ms
#              + C x 1500 x 163,840 / 1.2e12 (KV at 0.75 of 1.6 TB/s)        = C x 0.2048 ms
#              + 40 x 20 us                                                    = 0.8 ms
#   prefill    = max(12.5 ms, 1000 x 2 x 10e9 / 5e14 = 40 ms) + max(KV 0.1365 ms, attention
#                1000 x 500 x 819,200 / 5e14 = 0.8192 ms) + 0.8 ms           = 41.6192 ms
#   TPOT(C)    = decode(C) + C x r x 41.6192 ms / 1000 = 13.3 ms + C x 0.2464192 ms
#     C = 1: 13.5464192 ms (73.82 tokens/s per user, 73.82 output tokens/s per GPU)
#     C = 2: 13.7928384 ms (72.50 tokens/s per user, 145.00 output tokens/s per GPU)
#     C = 3: 14.0392576 ms: over toy-chat's 14 ms target, so the chosen point is C = 2
#   TTFT       = q x prefill, q = min(2 + (ceil(C x 1000 / 8192) - 3) / 20, 4) = 1.9 for C <= 8
#              = 1.9 x 41.6192 = 79.07648 ms, within the 100 ms target
W_S = 20e9 / (2.0e12 * DC["eta_memory"])
KV_S_PER_SEQ = 1500 * 163840 / (2.0e12 * DC["eta_memory"] * DC["kv_bandwidth_share"])
OVERHEAD_S = 40 * DC["layer_overhead_s"]
PREFILL_S = 1000 * 2 * 10e9 / (1000e12 * DC["eta_compute"]) + 1000 * 500 * 819200 / (1000e12 * DC["eta_compute"]) \
    + OVERHEAD_S


def tpot_s(c):
    return W_S + c * KV_S_PER_SEQ + OVERHEAD_S + c * 1.0 * PREFILL_S / 1000


def test_the_hand_computation_uses_the_engine_constants():
    assert W_S == pytest.approx(0.0125) and KV_S_PER_SEQ == pytest.approx(2.048e-4)
    assert PREFILL_S == pytest.approx(0.0416192) and tpot_s(2) == pytest.approx(0.0137928384)


def test_two_points_by_hand(make_inputs):
    x = make_inputs(["toy-auto", "toy-auto"], options=inputs.RunOptions(gpus=1), batch=[1.0, 2.0])
    y = evaluate(x)
    assert y["gpus"].tolist() == [1.0, 1.0]
    assert y["tpot_ms"] == pytest.approx([13.5464192, 13.7928384], rel=1e-9)
    assert y["ttft_ms"] == pytest.approx([1.9 * 41.6192] * 2, rel=1e-9)
    assert y["tokens_per_s_per_user"] == pytest.approx([1 / tpot_s(1), 1 / tpot_s(2)], rel=1e-9)
    assert y["served_output_tokens_per_s_per_gpu"] == pytest.approx([1 / tpot_s(1), 2 / tpot_s(2)], rel=1e-9)
    assert y["slo_met"].tolist() == [True, True]
    assert not y["operating_point_chosen"].any()


def test_the_chosen_point_by_hand(make_inputs):
    y = evaluate(make_inputs(["toy-auto"], options=inputs.RunOptions(gpus=1)))
    assert y["batch"][0] == 2 and y["gpus"][0] == 1
    assert y["tpot_ms"][0] == pytest.approx(13.7928384, rel=1e-9)
    assert bool(y["slo_met"][0]) and bool(y["operating_point_chosen"][0])
    assert y["best_tpot_ms"][0] == pytest.approx(13.5464192, rel=1e-9)  # concurrency 1
    # one more sequence breaks the 14 ms target: C = 3 gives 14.039 ms
    assert tpot_s(3) * 1e3 > 14.0


def test_memory_caps_concurrency(make_inputs):
    # no target: as many sequences as fit beside the weights, floor((0.9 x 80e9 - 20e9) / 245.76e6) = 211
    free = inputs.RunOptions(gpus=1, max_tpot_ms=1e9, max_ttft_ms=1e9)
    y = evaluate(make_inputs(["toy-auto"], options=free))
    assert y["batch"][0] == 211 == y["max_batch"][0] and y["fits"][0]
    # on all 8 GPUs memory holds floor((576e9 - 20e9) / 245.76e6) = 2262; the engine cap stops at 1,024
    y8 = evaluate(make_inputs(["toy-auto"], options=inputs.RunOptions(gpus=8, max_tpot_ms=1e9, max_ttft_ms=1e9)))
    assert y8["max_batch"][0] == 2262 and y8["batch"][0] == serving.MAX_CONCURRENCY == 1024


def test_a_target_no_point_meets_gives_null_costs_and_the_best_latency(make_inputs):
    x = make_inputs(["toy-auto"], options=inputs.RunOptions(gpus=1, max_tpot_ms=13.0))
    y = evaluate(x)
    assert not y["slo_met"][0] and y["batch"][0] == 1
    assert np.isnan(y["cost_usd_per_million_output_tokens"][0]) and np.isnan(y["served_output_tokens_per_s_per_gpu"][0])
    assert y["best_tpot_ms"][0] == pytest.approx(13.5464192, rel=1e-9)
    assert y["tpot_ms"][0] == pytest.approx(13.5464192, rel=1e-9)  # the latency stays visible


def test_an_explicit_batch_is_served_and_reported_against_the_targets(make_inputs):
    y = evaluate(make_inputs(["toy-auto"], options=inputs.RunOptions(gpus=1), batch=[8.0]))
    assert y["batch"][0] == 8 and not y["slo_met"][0]  # 13.3 + 8 x 0.2464 = 15.27 ms > 14 ms
    assert np.isfinite(y["cost_usd_per_million_output_tokens"][0])  # its own batch: costs stay, the report says


def test_the_queueing_factor_grows_with_the_prompts_in_flight():
    c = np.array([1, 8, 9, 24, 25, 1000, 10000])
    q = serving.queueing_factor(c, 1000.0)
    # ceil(C x 1000 / 8192) steps: 1, 1, 2, 3, 4, 123, 1221
    assert q.tolist() == pytest.approx([1.9, 1.9, 1.95, 2.0, 2.05, 4.0, 4.0])
    assert (np.diff(q) >= 0).all()


# ------------------------------------------------------- properties
def shipped(model="llama-3.1-70b", **options):
    return pipeline.evaluate(SHIPPED, SHIPPED.ids("setups"), model, options=inputs.RunOptions(**options))


@pytest.fixture(scope="module")
def shipped_x():
    return {m: dict(shipped(m).x) for m in ("llama-3.1-70b", "llama-3.1-8b", "gpt-oss-120b")}


def _one(x, i, **replace):
    out = {k: np.asarray(v)[i:i + 1] for k, v in x.items()}
    out.update({k: np.asarray([v], dtype=float) for k, v in replace.items()})
    return out


@settings(max_examples=60, deadline=None)
@given(model=st.sampled_from(["llama-3.1-70b", "llama-3.1-8b", "gpt-oss-120b"]), i=st.integers(0, 10),
       c1=st.integers(1, 400), dc=st.integers(1, 400), g=st.sampled_from([1, 2, 4, 8]),
       prompt=st.integers(16, 16000), output=st.integers(16, 8000))
def test_more_concurrency_means_fewer_tokens_per_user_and_more_per_gpu(shipped_x, model, i, c1, dc, g, prompt,
                                                                         output):
    x = shipped_x[model]
    i %= len(x["batch"])
    if x["accelerator_count"][i] % g:
        g = 1
    ctx, ratio = prompt + output / 2, prompt / output
    common = dict(gpus=g, context_tokens=ctx, input_tokens_per_output_token=ratio, prompt_tokens=prompt)
    y1, y2 = (evaluate(_one(x, i, batch=c, **common)) for c in (c1, c1 + dc))
    if not (y1["weights_fit"] if "weights_fit" in y1 else y1["max_batch"][0] >= 1):
        return
    assert y2["tokens_per_s_per_user"][0] <= y1["tokens_per_s_per_user"][0] * (1 + 1e-12)
    assert y2["tpot_ms"][0] >= y1["tpot_ms"][0] * (1 - 1e-12) and y2["ttft_ms"][0] >= y1["ttft_ms"][0] * (1 - 1e-12)
    if np.isfinite(y1["served_output_tokens_per_s_per_gpu"][0]):
        assert y2["served_output_tokens_per_s_per_gpu"][0] >= y1["served_output_tokens_per_s_per_gpu"][0] * (1 - 1e-12)


@settings(max_examples=60, deadline=None)
@given(model=st.sampled_from(["llama-3.1-70b", "llama-3.1-8b", "gpt-oss-120b"]), i=st.integers(0, 10),
       tight=st.floats(2.0, 150.0), looser=st.floats(0.0, 150.0), ttft=st.floats(50.0, 5000.0))
def test_a_tighter_tpot_target_never_gives_a_cheaper_token(shipped_x, model, i, tight, looser, ttft):
    """Tightening TPOT never raises the throughput per GPU nor lowers the cost of a token with its prompt
    (blended: the operating point minimises the cost of a request); the split between input and
    output tokens can shift between tensor-parallel degrees."""
    x = shipped_x[model]
    i %= len(x["batch"])
    if x["batch"][i] > 0:
        return  # a setup's own batch is not chosen
    ya, yb = (evaluate(_one(x, i, max_tpot_ms=t, max_ttft_ms=ttft)) for t in (tight, tight + looser))
    served_a, served_b = ya["served_output_tokens_per_s_per_gpu"][0], yb["served_output_tokens_per_s_per_gpu"][0]
    if np.isnan(served_b):
        assert np.isnan(served_a)  # what the looser target cannot serve, the tighter cannot either
        return
    if np.isnan(served_a):
        return
    assert served_a <= served_b * (1 + 1e-12)
    # the cost of a token (blended, prompts included): an owned setup's energy line moves with the power
    # of the point, a small share of its hour; a rented one pays the same hour whatever the point
    owned = x["owned"][i] > 0
    blended_a, blended_b = ya["cost_usd_per_million_tokens_blended"][0], yb["cost_usd_per_million_tokens_blended"][0]
    assert blended_a >= blended_b * (1 - (0.02 if owned else 1e-12)), (blended_a, blended_b)


@settings(max_examples=60, deadline=None)
@given(model=st.sampled_from(["llama-3.1-70b", "llama-3.1-8b", "gpt-oss-120b"]), i=st.integers(0, 10),
       tpot=st.floats(3.0, 300.0), ttft=st.floats(20.0, 20000.0), prompt=st.integers(16, 30000),
       output=st.integers(16, 8000))
def test_every_chosen_point_meets_its_targets_and_is_the_largest(shipped_x, model, i, tpot, ttft, prompt, output):
    x = shipped_x[model]
    i %= len(x["batch"])
    if x["batch"][i] > 0:
        return
    common = dict(max_tpot_ms=tpot, max_ttft_ms=ttft, context_tokens=prompt + output / 2,
                  input_tokens_per_output_token=prompt / output, prompt_tokens=prompt)
    y = evaluate(_one(x, i, **common))
    if not y["slo_met"][0]:
        assert np.isnan(y["cost_usd_per_million_output_tokens"][0]) or y["max_batch"][0] < 1
        return
    c, g = y["batch"][0], y["gpus"][0]
    assert y["tpot_ms"][0] <= tpot and y["ttft_ms"][0] <= ttft and c <= y["max_batch"][0]
    assert c <= serving.MAX_CONCURRENCY
    # the next sequence on the same GPUs breaks a target, or does not fit, or passes the engine's cap
    y1 = evaluate(_one(x, i, batch=c + 1, gpus=g, **common))
    assert (not y1["slo_met"][0]) or c + 1 > y1["max_batch"][0] or c + 1 > serving.MAX_CONCURRENCY


def test_the_chosen_point_is_the_best_point_of_the_frontier():
    result = frontier.run(SHIPPED, SHIPPED.ids("setups"), "llama-3.1-70b")
    for s in result["setups"]:
        op = s["operating_point"]
        if not op["chosen"] or not op["slo_met"]:
            continue
        chosen = [p for p in s["points"] if p["chosen"]]
        assert len(chosen) == 1
        best = max(p["output_tokens_per_s_per_gpu"] for p in s["points"] if p["slo_met"])
        assert chosen[0]["output_tokens_per_s_per_gpu"] == pytest.approx(best, rel=1e-6)


def test_the_frontier_is_one_engine_call_whatever_the_number_of_setups(monkeypatch):
    calls = []
    real = frontier.engine_evaluate

    def counting(x):
        calls.append(np.broadcast(np.asarray(x["batch"]), np.asarray(x["gpus"])).shape)
        return real(x)

    monkeypatch.setattr(frontier, "engine_evaluate", counting)
    result = frontier.run(SHIPPED, SHIPPED.ids("setups"), "llama-3.1-70b")
    n = len(result["setups"])
    assert len(calls) == 2  # the memory cap of every degree, then every point of every setup
    assert calls[1][0] == n and calls[1][1] >= 20


# ---------------------------------------------------------------- CLI
def test_compare_reports_the_operating_point(cli):
    result = cli(*WIDE, "compare", "toy-auto", "--model", "toy-dense", "-f", "json")
    assert result.exit_code == 0, result.stderr
    row = json.loads(result.stdout)["setups"][0]
    op = row["operating_point"]
    assert set(op) >= {"concurrency", "tokens_per_s_per_user", "ttft_ms", "tpot_ms", "slo_met"}
    assert op["slo_met"] and op["chosen"] and op["tpot_ms"] <= 14 and op["ttft_ms"] <= 100
    assert row["workload"]["id"] == "toy-chat"


def test_compare_table_says_at_which_latency(cli):
    result = cli(*WIDE, "compare", "toy-auto", "--model", "toy-dense", "--max-tpot-ms", "20")
    assert result.exit_code == 0, result.stderr
    assert "latency: toy-chat (1,000 in, 1,000 out; TPOT <= 20 ms, TTFT <= 100 ms)" in result.stdout
    assert "TTFT / TPOT [ms]" in result.stdout and "latency targets" in result.stdout


def test_an_infeasible_target_gives_null_costs_and_a_note(cli):
    result = cli(*WIDE, "compare", "toy-auto", "--model", "toy-dense", "--max-tpot-ms", "1", "-f", "json")
    assert result.exit_code == 0, result.stderr
    row = json.loads(result.stdout)["setups"][0]
    assert row["cost_usd_per_million_output_tokens"] is None and row["cost_usd_per_million_tokens_blended"] is None
    assert row["operating_point"]["slo_met"] is False
    assert "no concurrency meets TPOT <= 1 ms" in row["note"] and "the best this setup reaches is TPOT" in row["note"]
    table = cli(*WIDE, "compare", "toy-auto", "--model", "toy-dense", "--max-tpot-ms", "1")
    assert "note: toy-auto: no concurrency meets TPOT <= 1 ms" in table.stdout
    assert "missed" in table.stdout


def test_an_explicit_batch_that_misses_the_targets_says_so(cli):
    result = cli(*WIDE, "compare", "toy-own", "--model", "toy-dense", "--workload", "toy-chat", "--max-tpot-ms", "10",
                 "-f", "json")
    row = json.loads(result.stdout)["setups"][0]
    assert row["operating_point"]["chosen"] is False and row["operating_point"]["slo_met"] is False
    assert row["cost_usd_per_million_output_tokens"] is not None
    assert "its batch of 1 misses the targets (TPOT <= 10 ms" in row["note"]


def test_invest_refuses_a_target_no_point_meets(cli):
    result = cli("invest", "hyperscaler-hgx-h100-campus", "--max-tpot-ms", "2")
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert "no concurrency meets TPOT <= 2 ms" in result.stderr and "Traceback" not in result.stderr


def test_check_gates_on_interactivity(cli):
    ok = cli(*WIDE, "check", "toy-auto", "--model", "toy-dense", "--min-tokens-per-s-per-user", "60")
    assert ok.exit_code == 0, ok.stdout
    bad = cli(*WIDE, "check", "toy-auto", "--model", "toy-dense", "--min-tokens-per-s-per-user", "1000",
              "--max-usd-per-million-output-tokens", "100")
    assert bad.exit_code == ExitCode.THRESHOLD
    assert "operating_point.tokens_per_s_per_user" in bad.stdout and "cannot be computed" in bad.stdout
    explicit = cli(*WIDE, "check", "toy-own", "--model", "toy-dense", "--max-tpot-ms", "10")
    assert explicit.exit_code == ExitCode.THRESHOLD and "operating_point.tpot_ms 13.4" in explicit.stdout


def test_a_policy_can_limit_the_operating_point(cli, tmp_path):
    policy = tmp_path / "p.yaml"
    policy.write_text("rules:\n  - metric: operating_point.tpot_ms\n    max: 13.0\n")
    result = cli(*WIDE, "check", "toy-auto", "--model", "toy-dense", "--policy", str(policy))
    assert result.exit_code == ExitCode.THRESHOLD and "breach: toy-auto: operating_point.tpot_ms 13.9" in result.stdout
    assert "> max 13 (" in result.stdout and "p.yaml:2)" in result.stdout


def test_fleet_marks_an_accelerator_that_misses_the_targets(cli):
    result = cli("-q", "fleet", "--power-mw", "1", "--hardware", "h100-sxm", "--hardware", "rx-9070-xt",
                 "--max-tpot-ms", "20", "-f", "json")
    assert result.exit_code == 0, result.stderr
    rows = {r["hardware"]: r for r in json.loads(result.stdout)["rows"]}
    assert rows["h100-sxm"]["operating_point"]["tpot_ms"] <= 20 and rows["h100-sxm"]["accelerators"] > 0
    assert rows["rx-9070-xt"]["slo_met"] is False and "no concurrency meets" in rows["rx-9070-xt"]["note"]


def test_sweep_runs_each_row_at_its_own_operating_point(cli):
    result = cli("-q", "sweep", "hyperscaler-hgx-h100-campus", "--vary", "workload.max_tpot_ms=20:60:3", "-M", "batch",
                 "-M", "tpot_ms", "-M", "cost_usd_per_million_tokens_blended", "-f", "csv")
    assert result.exit_code == 0, result.stderr
    rows = [line.split(",") for line in result.stdout.splitlines()[1:]]
    assert [float(r[0]) for r in rows] == [20, 40, 60]
    assert all(float(r[2]) <= float(r[0]) for r in rows)
    blended = [float(r[3]) for r in rows]
    assert blended == sorted(blended, reverse=True)


def test_workload_options_are_checked(cli):
    both = cli("compare", "--workload", "chat", "--input-tokens", "10", "--output-tokens", "10")
    assert both.exit_code == ExitCode.USAGE and "not both" in both.stderr
    half = cli("compare", "--input-tokens", "10")
    assert half.exit_code == ExitCode.USAGE and "go together" in half.stderr
    zero = cli("compare", "--max-tpot-ms", "0")
    assert zero.exit_code == ExitCode.USAGE and "expected a number > 0" in zero.stderr
    typo = cli("compare", "--workload", "chta")
    assert typo.exit_code == ExitCode.INVALID_INPUT and "did you mean 'chat'" in typo.stderr


def test_input_and_output_tokens_make_a_workload_without_targets(cli):
    result = cli("-q", "compare", "hyperscaler-hgx-h100-campus", "--input-tokens", "2000", "--output-tokens", "500",
                 "-f", "json")
    row = json.loads(result.stdout)["setups"][0]
    assert row["workload"]["input_tokens"] == 2000 and row["workload"]["max_tpot_ms"] is None
    assert row["context_tokens"] == 2250 and row["operating_point"]["targets"] == {"max_ttft_ms": None,
                                                                                   "max_tpot_ms": None}


def test_a_workload_key_can_be_set_and_a_setup_context_then_changes_nothing(cli):
    result = cli("compare", "hyperscaler-hgx-h100-campus", "--set", "workload.max_tpot_ms=30", "--set",
                 "context_tokens=8192", "-f", "json")
    assert result.exit_code == 0
    row = json.loads(result.stdout)["setups"][0]
    assert row["operating_point"]["targets"]["max_tpot_ms"] == 30 and row["operating_point"]["tpot_ms"] <= 30
    assert "--set context_tokens=8192 changes nothing" in result.stderr and "its workload sets the context" in result.stderr


def test_a_setup_without_context_or_workload_is_refused(cli, tmp_path):
    f = tmp_path / "setups" / "bare.yaml"
    f.parent.mkdir()
    f.write_text("id: bare\nname: bare\nkind: rent\noffer: aws-p5\nutilization: 0.5\nprecision: fp8\n")
    result = cli("compare", str(f))
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert "context_tokens: setup 'bare' needs context_tokens, or a workload" in result.stderr
    assert cli("-q", "compare", str(f), "--workload", "chat").exit_code == 0


def test_every_shipped_workload_loads_and_states_its_figures():
    ids = SHIPPED.ids("workloads")
    assert {"chat", "long-context-rag", "agentic", "reasoning", "offline-batch", "mlperf-llama2-70b-server",
            "mlperf-llama2-70b-interactive"} <= set(ids)
    for wid in ids:
        loaded = SHIPPED.get("workloads", wid)
        for key in ("input_tokens", "output_tokens", "max_ttft_ms", "max_tpot_ms"):
            if getattr(loaded.profile, key) is None:
                continue
            prov = loaded.provenance.get((key,))
            assert prov is not None and (prov.source or prov.assumption), (wid, key)
    server = SHIPPED.get("workloads", "mlperf-llama2-70b-server").profile
    interactive = SHIPPED.get("workloads", "mlperf-llama2-70b-interactive").profile
    # MLPerf Inference Llama-2-70B latency bounds (loadgen/mlperf.conf; figures.md I)
    assert (server.max_ttft_ms, server.max_tpot_ms) == (2000, 200)
    assert (interactive.max_ttft_ms, interactive.max_tpot_ms) == (450, 40)
    assert SHIPPED.get("workloads", "offline-batch").profile.max_tpot_ms is None


def test_every_shipped_setup_names_a_workload():
    for sid in SHIPPED.ids("setups"):
        assert SHIPPED.resolve(sid).workload is not None, sid


# ---------------------------------------------------------- frontier
def test_frontier_json_lists_points_with_a_pareto_front(cli):
    result = cli("-q", "frontier", "hyperscaler-hgx-h100-campus", "tinybox-red-v2-oregon", "-f", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["workload"]["id"] == "chat" and doc["model"]["id"] == "llama-3.1-70b"
    for s in doc["setups"]:
        pts = s["points"]
        assert len(pts) >= 8 and sum(p["chosen"] for p in pts) == 1
        front = sorted((p for p in pts if p["pareto"]), key=lambda p: p["tokens_per_s_per_user"])
        # along the front, more tokens per user costs throughput per GPU
        per_gpu = [p["output_tokens_per_s_per_gpu"] for p in front]
        assert per_gpu == sorted(per_gpu, reverse=True)
        for p in pts:
            assert 1 <= p["concurrency"] <= serving.MAX_CONCURRENCY
            assert p["gpus_per_replica"] * p["replicas_per_system"] <= 8


def test_frontier_formats_and_chart(cli):
    table = cli("-q", "frontier", "tinybox-red-v2-oregon")
    assert table.exit_code == 0
    assert "◆" in table.stdout and "output tokens/s per GPU against tokens/s per user" in table.stdout
    assert "latency: chat (1,024 in, 627 out; TPOT <= 50 ms, TTFT <= 1,000 ms)" in table.stdout
    csv = cli("-q", "frontier", "tinybox-red-v2-oregon", "-f", "csv").stdout.splitlines()
    assert csv[0].startswith("setup,model,workload,gpus_per_replica,replicas_per_system,concurrency")
    md = cli("-q", "frontier", "tinybox-red-v2-oregon", "-f", "markdown").stdout
    assert md.startswith("**frontier: llama-3.1-70b") and "| setup |" in md


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_frontier_plot(cli, tmp_path, suffix):
    pytest.importorskip("matplotlib")
    out = tmp_path / f"front{suffix}"
    result = cli("-q", "frontier", "hyperscaler-hgx-h100-campus", "tinybox-red-v2-oregon", "--plot", str(out))
    assert result.exit_code == 0, result.stderr
    assert out.stat().st_size > 1000


def test_frontier_plot_needs_an_image_name(cli, tmp_path):
    result = cli("frontier", "--plot", str(tmp_path / "front.pdf"))
    assert result.exit_code == ExitCode.USAGE and ".png or .svg" in result.stderr


def test_frontier_of_a_model_that_does_not_fit_has_no_points_and_a_note(cli):
    result = cli(*WIDE, "frontier", "toy-own", "--model", "toy-huge", "-f", "json")
    row = json.loads(result.stdout)["setups"][0]
    assert row["points"] == [] and "does not fit" in row["note"]


def test_scenarios_say_at_which_latency_their_costs_hold():
    from compute_cli.analysis import scenario

    for sid in SHIPPED.ids("scenarios"):
        result = scenario.run(SHIPPED, sid)
        if any(s.command in ("compare", "invest", "fleet") for s in SHIPPED.get("scenarios", sid).profile.steps):
            assert result["latency"], sid
            assert all("TPOT" in line and "TTFT" in line for line in result["latency"]), sid


def test_a_missing_workload_reference_names_the_setup_line(tmp_path):
    (tmp_path / "setups").mkdir()
    (tmp_path / "setups" / "w.yaml").write_text("id: w\nname: w\nkind: rent\noffer: aws-p5\nworkload: chatt\n"
                                                "utilization: 0.5\nprecision: fp8\n")
    with pytest.raises(InputError, match=r"w.yaml:5: workload: no workload profile 'chatt' \(did you mean 'chat'\?\)"):
        Catalog([tmp_path], environ={}).resolve("w")


def test_docs_list_the_workload_kind():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    assert "`workloads/`" in readme
