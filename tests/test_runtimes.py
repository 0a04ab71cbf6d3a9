"""Runtime profiles (configs/runtimes/), the step terms they feed, and the limits of issue 13.

Figures quoted in comments are the shipped profiles' (each sourced in the YAML).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compute_cli import inputs, pipeline
from compute_cli.analysis import throughput
from compute_cli.engine.evaluate import STEP_TERMS, evaluate
from compute_cli.errors import ExitCode, InputError, UsageError
from compute_cli.inputs import RunOptions
from compute_cli.profiles.catalog import Catalog
from compute_cli.profiles.keypaths import numeric_keys
from compute_cli.profiles.overrides import parse_assignment

SHIPPED = Catalog(environ={})
RUNTIMES = SHIPPED.ids("runtimes")


def test_the_six_runtimes_ship():
    assert {"vllm", "sglang", "tensorrt-llm", "llama.cpp", "tinygrad", "mlx"} <= set(RUNTIMES)


@pytest.mark.parametrize("runtime_id", RUNTIMES)
def test_each_runtime_profile_loads_and_every_figure_is_sourced(runtime_id):
    loaded = SHIPPED.runtime(runtime_id)
    keys = list(numeric_keys(loaded.profile))
    assert keys, f"{runtime_id} states no figure"
    for key in keys:
        prov = loaded.provenance.get(key)
        assert prov is not None, f"{loaded.file}: {'.'.join(key)} has neither a source nor an assumption"
        assert prov.source or prov.assumption, f"{loaded.file}: {'.'.join(key)}"
        if prov.source:
            assert prov.as_of, f"{loaded.file}: {'.'.join(key)} has a source without as_of"
    assert loaded.profile.version, f"{runtime_id}: say which engine versions the figures describe"


def test_unknown_runtime_is_an_input_error_with_a_suggestion():
    r = SHIPPED.resolve("aws-p5-ondemand")
    with pytest.raises(InputError, match=r"no runtime profile 'vlm' \(did you mean 'vllm'\?\)"):
        SHIPPED.with_runtime(r, "vlm")


def test_setup_runtime_figures_reach_the_engine_with_their_origin():
    run = pipeline.evaluate(SHIPPED, ["aws-p5-ondemand"], "llama-3.1-70b")
    record = run.origins[0]
    (origin,) = [o for o in record.inputs["step_overhead_s"] if o.path and o.path.startswith("runtime.")]
    assert origin.path == "runtime.step_overhead_s"
    assert origin.profile == "runtimes/vllm" and origin.basis == "source" and origin.as_of
    assert float(run.x["step_overhead_s"][0]) == pytest.approx(0.0003)
    # a term vLLM does not state comes from the hardware class's table
    eta = record.inputs["eta_memory"][-1]
    assert eta.basis == "engine" and "EFFICIENCY['datacenter']" in eta.text


def test_without_a_runtime_the_class_factors_apply():
    r = SHIPPED.resolve("tinybox-red-v2-oregon")
    assert r.runtime is None
    run = pipeline.evaluate(SHIPPED, ["tinybox-red-v2-oregon"], "llama-3.1-70b")
    assert all(o.basis != "source" for o in run.origins[0].inputs["layer_overhead_s"][1:])


def test_runtime_figure_by_hardware_class():
    # llama.cpp: 180 us per layer on Apple GPUs, 90 us on consumer GPUs, 150 us on datacenter GPUs
    def layer_us(hardware):
        r = throughput.resolve(SHIPPED, hardware, None, 1, "int4", "bf16", 1, 128, "llama.cpp")
        x = inputs.build([r], SHIPPED.model("llama-3.1-8b"))
        return float(x["layer_overhead_s"][0]) * 1e6, x.origins[0]
    apple, record = layer_us("m2-ultra")
    assert apple == pytest.approx(180)
    assert record.inputs["layer_overhead_s"][-1].path == "runtime.by_category.apple.layer_overhead_s"
    assert "runtime.by_category.consumer.layer_overhead_s" in record.ignored
    assert layer_us("rtx-4090")[0] == pytest.approx(90)
    assert layer_us("h100-pcie")[0] == pytest.approx(150)


def test_set_on_a_runtime_figure_moves_the_step():
    fixed = parse_assignment("batch=64")  # a batch of its own: no operating point is searched for
    base = pipeline.evaluate(SHIPPED, ["aws-p5-ondemand"], "llama-3.1-70b", [fixed])
    slower = pipeline.evaluate(SHIPPED, ["aws-p5-ondemand"], "llama-3.1-70b",
                               [fixed, parse_assignment("runtime.step_overhead_s=0.0013")])
    assert float(slower.y["decode_step_ms"][0] - base.y["decode_step_ms"][0]) == pytest.approx(1.0)


def test_set_on_another_class_figure_warns_that_it_changes_nothing():
    run_args = dict(hardware_id="h100-sxm", precision="bf16", batch=1, context=128, runtime_id="llama.cpp")
    with pytest.warns(Warning, match="accelerator is of class datacenter, not apple"):
        throughput.run(SHIPPED, "llama-3.1-8b", assignments=[
            parse_assignment("runtime.by_category.apple.layer_overhead_s=0.001")], **run_args)


# ------------------------------------------------------------------ MoE and multi-GPU step
def gptoss_tp8(batch, **kw):
    return throughput.run(SHIPPED, "gpt-oss-120b", system_id="hgx-h100-8", gpus=8, precision="int4", batch=batch,
                          context=1536, runtime_id="vllm", **kw)


def test_moe_step_rises_from_batch_1_to_8_and_the_breakdown_names_its_terms():
    results = [gptoss_tp8(b) for b in (1, 2, 4, 8)]
    steps = [r["decode_step_ms"] for r in results]
    assert steps == sorted(steps) and steps[0] < steps[-1]
    for r in results:
        terms = r["decode_breakdown_ms"]
        assert set(terms) == {f"{t}_ms" for t in STEP_TERMS} == {"weights_ms", "kv_ms", "compute_ms", "comm_ms",
                                                                 "overhead_ms"}
        assert sum(terms.values()) == pytest.approx(r["decode_step_ms"], rel=1e-4)
    # more sequences touch more experts, so more weight bytes; the collectives and fixed costs stay
    touched = [r["experts_touched"] for r in results]
    assert touched[0] == pytest.approx(4.0) and touched == sorted(touched)  # top-4 of 128 at batch 1
    assert results[-1]["decode_breakdown_ms"]["weights_ms"] > 1.5 * results[0]["decode_breakdown_ms"]["weights_ms"]


def test_gpt_oss_tp8_batch_4_is_latency_bound_near_the_measured_tpot():
    # SemiAnalysis InferenceX issue #828: vLLM 0.15.1, 8x H100, TP8, 1k/1k, concurrency 4: TPOT 3.72 ms
    r = gptoss_tp8(4)
    terms = r["decode_breakdown_ms"]
    assert r["decode_step_ms"] == pytest.approx(3.72, rel=0.10)
    # the 72 all-reduces and the per-step, per-layer and per-MoE-layer fixed costs dominate the weights
    assert terms["comm_ms"] + terms["overhead_ms"] > 3 * terms["weights_ms"]
    assert terms["comm_ms"] > 1.0  # 36 layers x 2 all-reduces x ~20 us
    json.dumps(r)  # the breakdown is JSON-ready


def test_throughput_json_names_the_runtime(cli):
    result = cli("throughput", "--system", "hgx-h100-8", "--gpus", "8", "--model", "gpt-oss-120b", "--precision",
                 "int4", "--batch", "4", "--context", "1536", "--runtime", "vllm", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["runtime"] == "vllm"
    assert set(data["decode_breakdown_ms"]) == {"weights_ms", "kv_ms", "compute_ms", "comm_ms", "overhead_ms"}
    table = cli("throughput", "--system", "hgx-h100-8", "--model", "gpt-oss-120b", "--precision", "int4",
                "--runtime", "vllm").stdout
    assert "collectives [ms]" in table and "fixed costs [ms]" in table and "experts touched" in table


def test_unknown_runtime_option_exits_3(cli):
    result = cli("throughput", "--hardware", "h100-sxm", "--model", "llama-3.1-8b", "--runtime", "vlm")
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert "did you mean 'vllm'" in result.stderr and "Traceback" not in result.stderr


def test_expert_parallel_exchanges_tokens_instead_of_all_reducing():
    tp = throughput.run(SHIPPED, "deepseek-v3", system_id="hgx-h200-8", gpus=8, precision="fp8", batch=64,
                        context=2048, runtime_id="sglang")
    ep = throughput.run(SHIPPED, "deepseek-v3", system_id="hgx-h200-8", gpus=8, precision="fp8", batch=64,
                        context=2048, runtime_id="sglang", parallelism="expert")
    assert ep["parallelism"] == "expert"
    # attention data-parallel: each device keeps the dense weights, so the group holds more weight bytes
    assert ep["weights_gb"] > tp["weights_gb"]
    # and the latent KV cache is no longer replicated on all 8 devices
    assert ep["kv_cache_gb"] == pytest.approx(tp["kv_cache_gb"] / 8, rel=1e-4)
    # 58 MoE layers x one dispatch + combine of ~100 us
    assert 58 * 0.1 < ep["decode_breakdown_ms"]["comm_ms"] < 58 * 0.2


# ------------------------------------------------------------------------- energy
@settings(max_examples=60, deadline=None)
@given(batch=st.sampled_from([1.0, 4.0, 16.0, 64.0]), gpus=st.sampled_from([2.0, 4.0, 8.0]),
       idle=st.floats(0.0, 150.0), layers_scale=st.floats(0.5, 2.0))
def test_pipeline_energy_per_token_not_above_tensor_for_the_same_bytes(make_inputs, batch, gpus, idle, layers_scale):
    """Layer split moves the same bytes as tensor parallelism, one stage at a time; the waiting stages
    idle. So its energy above the idle floor is never above tensor parallelism's (which also pays the
    all-reduces), and with no idle power its whole energy per token is not either."""
    def run(parallelism, idle_w):
        x = make_inputs(["toy-own"], options=RunOptions(gpus=int(gpus), parallelism=parallelism), batch=batch,
                        idle_w=idle_w, layers=40.0 * layers_scale)
        return x, evaluate(x)
    x_pp, pp = run("pipeline", idle)
    _x_tp, tp = run("tensor", idle)
    step_pp = pp["decode_step_ms"][0] / 1e3
    step_tp = tp["decode_step_ms"][0] / 1e3
    idle_pp = gpus * idle * step_pp / batch  # every device's idle floor over the step, per token
    idle_tp = gpus * idle * step_tp / batch
    assert pp["energy_j_per_output_token"][0] - idle_pp <= tp["energy_j_per_output_token"][0] - idle_tp + 1e-9
    _x, pp0 = run("pipeline", 0.0)
    _x, tp0 = run("tensor", 0.0)
    assert pp0["energy_j_per_output_token"][0] <= tp0["energy_j_per_output_token"][0] + 1e-12


def test_pipeline_stages_idle_at_idle_power():
    # tinybox red v2 (4x RX 9070 XT), Llama-3.1-70B int4, batch 13: each device works a quarter of the step
    args = dict(system_id="tinybox-red-v2", precision="int4", batch=13)
    pp = throughput.run(SHIPPED, "llama-3.1-70b", parallelism="pipeline", **args)
    tp = throughput.run(SHIPPED, "llama-3.1-70b", parallelism="tensor", **args)
    assert pp["decode_power_w"] < 0.5 * tp["decode_power_w"]
    assert pp["decode_energy_j_per_token"] < 1.1 * tp["decode_energy_j_per_token"]  # was 3.9x before issue 13


# ------------------------------------------------------------------------- limits
def test_context_beyond_the_window_is_refused_by_throughput(cli):
    result = cli("throughput", "--hardware", "h100-sxm", "--model", "llama-3.1-8b", "--context", "200000")
    assert result.exit_code == ExitCode.USAGE
    assert "--context 200,000: llama-3.1-8b reads at most 131,072 tokens (max_context_tokens" in result.stderr
    with pytest.raises(UsageError, match="--prompt-tokens 5,000: llama-2-7b reads at most 4,096"):
        throughput.run(SHIPPED, "llama-2-7b", hardware_id="h100-sxm", context=1000, prompt_tokens=5000)


def test_context_beyond_the_window_is_flagged_by_compare(cli):
    # the setup's workload sets its context: input tokens + half the output tokens
    result = cli("compare", "aws-p5-ondemand", "--set", "workload.input_tokens=1000000", "--format", "json")
    assert result.exit_code == 0, result.stderr
    (row,) = json.loads(result.stdout)["setups"]
    assert row["fits"] is False
    assert row["cost_usd_per_million_output_tokens"] is None and row["decode_tokens_per_s_per_gpu"] is None
    assert "beyond llama-3.1-70b's window of 131,072 tokens" in row["note"]


def test_the_window_in_the_engine(make_inputs):
    x = make_inputs(["toy-own"], context_tokens=np.array([1000.0, 5000.0]), max_context_tokens=4096.0)
    y = evaluate(x)
    assert list(y["context_fits"]) == [True, False]
    assert list(y["fits"]) == [True, False]
    assert np.isnan(y["decode_tokens_per_s"][1]) and not np.isnan(y["decode_tokens_per_s"][0])
    unstated = evaluate({**x, "max_context_tokens": np.array([0.0, 0.0])})
    assert list(unstated["context_fits"]) == [True, True]


def test_every_shipped_model_states_its_window():
    for model_id in SHIPPED.ids("models"):
        loaded = SHIPPED.get("models", model_id)
        assert loaded.profile.max_context_tokens > 0, model_id
        assert loaded.provenance[("max_context_tokens",)].source, model_id


def test_gpus_auto_with_hardware_picks_the_fewest_that_fit(cli):
    # Llama-3.1-70B bf16: 141 GB of weights; one H100 holds 72 GB after the 10 % reserve, two hold 144 GB
    result = cli("throughput", "--hardware", "h100-sxm", "--model", "llama-3.1-70b", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["gpus"] == 2 and data["fits"] is True
    # at fp8 (70.6 GB) one is enough
    one = throughput.run(SHIPPED, "llama-3.1-70b", hardware_id="h100-sxm", precision="fp8")
    assert one["gpus"] == 1


def test_a_count_that_does_not_fit_names_the_count_that_would(cli):
    result = cli("throughput", "--hardware", "h100-sxm", "--gpus", "1", "--model", "llama-3.1-70b")
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert "does not fit" in result.stderr and "2 would hold it (--gpus 2)" in result.stderr
    result = cli("throughput", "--system", "hgx-h100-8", "--model", "deepseek-v3")
    assert result.exit_code == ExitCode.INVALID_INPUT
    # DeepSeek-V3 bf16: 1.34 TB of weights; 16 H100s hold 1.15 TB, 32 hold 2.3 TB
    assert "32 x h100-sxm would hold it (--hardware h100-sxm --gpus 32)" in result.stderr
