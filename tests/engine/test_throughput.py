"""Roofline throughput (compute_cli/engine/throughput.py) and its use in evaluate().

Integration tests build engine inputs from the toy catalog with compute_cli.inputs.build
(toy-gpu: 80 GB, 2.0 TB/s, 1000 bf16 TFLOPS; toy-dense: 10e9 params, 40 layers, 8 KV heads x 128)
and run compute_cli.engine.evaluate.evaluate on them.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compute_cli.engine import throughput
from compute_cli.engine.efficiency import COLLECTIVES, EFFICIENCY
from compute_cli.engine.evaluate import evaluate
from compute_cli.inputs import RunOptions

DC = EFFICIENCY["datacenter"]
KV_TOY = 40 * 2 * 8 * 128 * 2  # 163,840 B per token: 40 layers x K,V x 8 heads x 128 x bf16
WEIGHTS_TOY = 10e9 * 2  # 20e9 B at bf16


# ------------------------------------------------------------------ experts_touched
@pytest.mark.parametrize("experts_total, experts_active", [(256, 8), (8, 2), (128, 4), (10, 2), (64, 6)])
def test_experts_touched_batch_one_is_k(experts_total, experts_active):
    # E (1 - (1 - k/E)^1) = k
    assert float(throughput.experts_touched(1, experts_total, experts_active)) == pytest.approx(experts_active)


@pytest.mark.parametrize("experts_total, experts_active", [(256, 8), (8, 2), (10, 2)])
def test_experts_touched_huge_batch_is_every_expert(experts_total, experts_active):
    assert float(throughput.experts_touched(1e6, experts_total, experts_active)) == pytest.approx(experts_total)


def test_experts_touched_two_tokens_by_hand():
    # E = 8, k = 2: missed by one token with p = 6/8; by both 0.5625; touched = 8 x 0.4375 = 3.5
    assert float(throughput.experts_touched(2, 8, 2)) == pytest.approx(3.5)


def test_experts_touched_dense_model_is_zero():
    assert float(throughput.experts_touched(16, 0, 0)) == 0.0


@settings(max_examples=200, deadline=None)
@given(
    e=st.integers(min_value=1, max_value=512),
    data=st.data(),
    b=st.integers(min_value=1, max_value=100_000),
)
def test_experts_touched_between_k_and_e_and_rising(e, data, b):
    k = data.draw(st.integers(min_value=1, max_value=e))
    t1 = float(throughput.experts_touched(b, e, k))
    t2 = float(throughput.experts_touched(b + 1, e, k))
    assert k * (1 - 1e-9) <= t1 <= e * (1 + 1e-12)
    assert t2 >= t1 - 1e-9


# --------------------------------------------------------------------- all-reduce
def test_allreduce_single_device_is_free():
    assert float(throughput.allreduce_s(1e9, 1, 400.0, 10e-6)) == 0.0


def test_allreduce_two_devices():
    # 2 (2-1)/2 x 1e9 B / 100e9 B/s = 0.01 s
    assert float(throughput.allreduce_s(1e9, 2, 100.0, 0.0)) == pytest.approx(0.01)


def test_allreduce_eight_devices_with_latency():
    # 2 x 7/8 x 1e9 / 400e9 = 0.004375 s, + 10 us latency = 0.004385 s
    assert float(throughput.allreduce_s(1e9, 8, 400.0, 10e-6)) == pytest.approx(0.004385)
    # at half the link's bandwidth: 0.00875 + 10 us
    assert float(throughput.allreduce_s(1e9, 8, 400.0, 10e-6, 0.5)) == pytest.approx(0.00876)


def test_all_to_all_single_device_is_free_and_eight_pay_latency_and_bytes():
    assert float(throughput.all_to_all_s(64.0, 8.0, 7168.0, 1.0, 450.0, 1e-4)) == 0.0
    # each of 8 devices sends 8 tokens x 8 experts x 7168 x 2 B, 7/8 of it off-device, and receives as much:
    # 2 x 8 x 8 x 7168 x 2 x 7/8 = 1,605,632 B / 450e9 B/s = 3.568 us, + 100 us
    got = float(throughput.all_to_all_s(64.0, 8.0, 7168.0, 8.0, 450.0, 1e-4))
    assert got == pytest.approx(1e-4 + 1_605_632 / 450e9)


def test_kv_replication_when_heads_are_fewer_than_devices():
    # 8 KV heads over 8 GPUs: one each; 4 heads over 8: each head on 2 GPUs; a latent (1 "head"): on all 8
    np.testing.assert_allclose(throughput.kv_replication(np.array([1, 8, 8, 8]), np.array([8, 8, 4, 1]), True),
                               [1.0, 1.0, 2.0, 8.0])
    assert float(throughput.kv_replication(8, 1, False)) == 1.0  # pipeline / data-parallel attention


def test_allreduce_broadcasts():
    got = throughput.allreduce_s(1e9, np.array([1, 2, 8]), 100.0, 0.0)
    np.testing.assert_allclose(got, [0.0, 0.01, 0.0175])


# ------------------------------------------------------------------ memory and time
def test_kv_cache_bytes_with_a_sliding_window():
    # 2 sequences x (10000 tokens x 100 B on full layers + min(10000, 4096) x 50 B on windowed layers)
    # = 2 x (1,000,000 + 204,800) = 2,409,600 B
    assert float(throughput.kv_cache_bytes(2, 10000, 100, 50, 4096)) == 2_409_600
    # a context shorter than the window keeps all of it: 2 x (1000 x 100 + 1000 x 50) = 300,000
    assert float(throughput.kv_cache_bytes(2, 1000, 100, 50, 4096)) == 300_000


def step(weight_bytes, matmul_flops, kv_bytes, attn_flops, overhead_s=0.0, comm_s=0.0, eff=DC):
    """throughput.step_time_s on the toy GPU (2.0 TB/s, 1000 TFLOPS), by keyword."""
    return throughput.step_time_s(
        weight_bytes=weight_bytes, matmul_flops=matmul_flops, kv_bytes=kv_bytes, attn_flops=attn_flops,
        memory_bandwidth_tb_per_s=2.0, peak_tflops=1000.0, eta_memory=eff["eta_memory"],
        eta_compute=eff["eta_compute"], kv_bandwidth_share=eff.get("kv_bandwidth_share", 1.0), overhead_s=overhead_s,
        comm_s=comm_s)


def test_step_time_toy_decode_batch_one():
    # Weights and attention are separate kernels, each on its own roofline, run one after the other.
    # weights:   20e9 B / (2.0e12 x 0.80) = 0.0125 s  vs  2 x 10e9 FLOPs / (1000e12 x eta_c): memory-bound
    # attention: 1000 x 163,840 B = 163.84e6 B / 1.6e12 = 1.024e-4 s  vs  1000 x 819,200 FLOPs: memory-bound
    # step = 0.0125 + 0.0001024 + 40 x 20e-6 = 0.0134024 s
    hand = {"eta_memory": 0.80, "eta_compute": 0.50}
    t = step(WEIGHTS_TOY, 2 * 10e9, 1000 * KV_TOY, 1000 * 819_200, overhead_s=40 * 20e-6, eff=hand)
    assert float(t["step_s"]) == pytest.approx(0.0134024)
    assert float(t["weights_s"]) == pytest.approx(0.0125)
    assert float(t["kv_s"]) == pytest.approx(1.024e-4)
    assert float(t["memory_s"]) == pytest.approx((WEIGHTS_TOY + 1000 * KV_TOY) / 1.6e12)
    assert float(t["compute_busy_s"]) == pytest.approx((2 * 10e9 + 1000 * 819_200) / 0.5e15)
    assert float(t["compute_s"]) == 0.0  # no arithmetic beyond the memory time


def test_step_time_each_kernel_on_its_own_roofline():
    # weights compute-bound, attention memory-bound: the step is the sum of the two maxima.
    # weights: 1.6e9 B -> 1 ms of memory, 1e12 FLOPs at 1000e12 x 0.5 -> 2 ms of compute
    # attention: 3.2e9 B -> 2 ms of memory, 1e11 FLOPs -> 0.2 ms of compute
    t = step(1.6e9, 1e12, 3.2e9, 1e11, eff={"eta_memory": 0.80, "eta_compute": 0.50})
    assert float(t["step_s"]) == pytest.approx(0.002 + 0.002)
    assert float(t["memory_s"]) == pytest.approx(0.001 + 0.002)  # time the memory system is busy
    assert float(t["compute_busy_s"]) == pytest.approx(0.002 + 0.0002)  # time the tensor units are busy
    assert float(t["compute_s"]) == pytest.approx(0.001)  # the weights' arithmetic beyond their 1 ms of memory


def test_step_time_terms_add_up():
    t = step(1.6e9, 1e12, 3.2e9, 1e11, overhead_s=0.0005, comm_s=0.0003, eff={"eta_memory": 0.8, "eta_compute": 0.5})
    parts = sum(float(t[k]) for k in ("weights_s", "kv_s", "compute_s", "comm_s", "overhead_s"))
    assert parts == pytest.approx(float(t["step_s"]))


def test_step_time_kv_bandwidth_share_slows_only_attention():
    # weights 1.6e9 B -> 1 ms; KV 1.6e9 B at 0.5 of 1.6e12 B/s -> 2 ms
    t = throughput.step_time_s(1.6e9, 0.0, 1.6e9, 0.0, 2.0, 1000.0, 0.8, 0.5, 0.5, 0.0, 0.0)
    assert float(t["step_s"]) == pytest.approx(0.003)
    assert float(t["kv_s"]) == pytest.approx(0.002)


def test_step_time_adds_overhead_and_communication():
    t = step(0.0, 0.0, 0.0, 0.0, overhead_s=40 * 20e-6, comm_s=0.001)
    assert float(t["step_s"]) == pytest.approx(40 * 20e-6 + 0.001)


def test_max_batch_toy():
    # 80e9 x (1 - 0.10) = 72e9 B; minus 20e9 B of weights = 52e9 B; / (1000 x 163,840 B) = 317.4 -> 317
    got = throughput.max_batch(WEIGHTS_TOY, 1000 * KV_TOY, 0.10, 1, 80.0)
    assert float(got) == 317.0
    # two devices: (144e9 - 20e9) / 163.84e6 = 756.8 -> 756
    assert float(throughput.max_batch(WEIGHTS_TOY, 1000 * KV_TOY, 0.10, 2, 80.0)) == 756.0


def test_max_batch_zero_when_weights_alone_do_not_fit():
    assert float(throughput.max_batch(800e9, 1000 * KV_TOY, 0.10, 8, 80.0)) == 0.0


def test_memory_needed():
    need, have = throughput.memory_needed_bytes(20e9, 5e9, 0.10, 2, 80.0)
    assert (float(need), float(have)) == (25e9, 144e9)


# ------------------------------------------------------------ evaluate(): rooflines
def test_evaluate_toy_decode_batch_one_hand_computed(make_inputs):
    y = evaluate(make_inputs(["toy-own"]))
    bw = 2.0e12 * DC["eta_memory"]
    # attention streams the KV cache at kv_bandwidth_share (0.75) of the weights' bandwidth; fixed costs per step
    # and per layer
    step_s = (WEIGHTS_TOY / bw + 1000 * KV_TOY / (bw * DC["kv_bandwidth_share"]) + DC["step_overhead_s"]
              + 40 * DC["layer_overhead_s"])
    assert y["gpus"][0] == 1
    assert y["decode_step_ms"][0] == pytest.approx(step_s * 1e3, rel=1e-12)
    assert y["decode_tokens_per_s"][0] == pytest.approx(1.0 / step_s, rel=1e-12)
    assert y["max_batch"][0] == 317
    assert y["decode_weights_ms"][0] == pytest.approx(WEIGHTS_TOY / bw * 1e3)
    assert y["decode_overhead_ms"][0] == pytest.approx((DC["step_overhead_s"] + 40 * DC["layer_overhead_s"]) * 1e3)
    assert y["decode_comm_ms"][0] == 0.0


def test_batch_one_decode_is_memory_bound(make_inputs):
    x = make_inputs(["toy-own"])
    y = evaluate(x)
    assert bool(y["bound_is_memory"][0])
    # Memory-bound means: more FLOPS change nothing, more bandwidth speeds the step up.
    faster_compute = evaluate({**x, "peak_tflops": x["peak_tflops"] * 4})
    assert faster_compute["decode_step_ms"][0] == pytest.approx(y["decode_step_ms"][0], rel=1e-12)
    faster_memory = evaluate({**x, "memory_bandwidth_tb_per_s": x["memory_bandwidth_tb_per_s"] * 2})
    assert faster_memory["decode_step_ms"][0] < 0.6 * y["decode_step_ms"][0]


def test_large_batch_prefill_is_compute_bound(make_inputs):
    x = make_inputs(["toy-own"], options=RunOptions(prefill_batch=8, prompt_tokens=2000))
    y = evaluate(x)
    # 16,000 tokens x (2 x 10e9 + 1000 x 40 x 20480 average attention) = 3.3311e14 FLOPs vs 20.3e9 B:
    # ~16,000 FLOPs per byte, far above the toy GPU's 1000e12 x 0.65 / 1.6e12 = 406.
    more_bw = evaluate({**x, "memory_bandwidth_tb_per_s": x["memory_bandwidth_tb_per_s"] * 4})
    assert more_bw["prefill_tokens_per_s"][0] == pytest.approx(y["prefill_tokens_per_s"][0], rel=1e-12)
    more_flops = evaluate({**x, "peak_tflops": x["peak_tflops"] * 2})
    assert more_flops["prefill_tokens_per_s"][0] > 1.9 * y["prefill_tokens_per_s"][0]
    # and it runs close to the achievable peak
    flops_per_token = 2 * 10e9 + 1000 * 40 * 4 * 40 * 128
    ceiling = 1000e12 * DC["eta_compute"] / flops_per_token
    assert 0.95 * ceiling < y["prefill_tokens_per_s"][0] <= ceiling


def test_large_batch_short_context_decode_is_compute_bound(make_inputs):
    # 1000 sequences of 16 tokens: 1000 x 2e10 FLOPs = 2e13 -> 0.0308 s of compute vs ~0.0125 s of memory
    y = evaluate(make_inputs(["toy-own"], options=RunOptions(gpus=1), batch=1000.0, context_tokens=16.0))
    assert y["batch"][0] == 1000
    assert not bool(y["bound_is_memory"][0])


def test_decode_throughput_rises_with_batch(make_inputs):
    batch = np.array([1, 2, 4, 8, 16, 64, 128, 256, 317], dtype=float)
    y = evaluate(make_inputs(["toy-own"], options=RunOptions(gpus=1), batch=batch))
    np.testing.assert_array_equal(y["batch"], batch)
    assert np.all(np.diff(y["decode_tokens_per_s"]) > 0)
    # but each sequence gets its token later
    assert np.all(np.diff(y["decode_step_ms"]) > 0)


def test_decode_throughput_rises_with_batch_auto_gpus(make_inputs):
    # With the group size chosen automatically, more sequences never give fewer tokens/s in total.
    batch = np.array([1, 8, 64, 317, 318, 634, 1000, 2000, 3000], dtype=float)
    y = evaluate(make_inputs(["toy-own"], batch=batch))
    assert np.all(np.diff(y["decode_tokens_per_s"]) >= 0)


def test_decode_throughput_falls_with_context(make_inputs):
    context = np.array([100, 500, 1000, 2000, 4000, 6000], dtype=float)
    y = evaluate(make_inputs(["toy-own"], options=RunOptions(gpus=1), batch=8.0, context_tokens=context))
    assert np.all(y["fits"])
    assert np.all(np.diff(y["decode_tokens_per_s"]) < 0)


def test_decode_throughput_per_gpu_falls_with_context_auto_gpus(make_inputs):
    context = np.array([100, 1000, 4000, 8000, 16000, 32000, 64000], dtype=float)
    y = evaluate(make_inputs(["toy-own"], batch=64.0, context_tokens=context))
    assert np.all(np.diff(y["decode_tokens_per_s_per_gpu"]) < 0)


def test_tensor_parallel_decode_pays_two_allreduces_per_layer(make_inputs):
    # 400 sequences x 163.84e6 B + 20e9 = 85.5e9 B > 72e9 on one GPU: two GPUs, tensor parallel.
    y = evaluate(make_inputs(["toy-own"], batch=400.0))
    assert y["gpus"][0] == 2
    bw, peak = 2.0e12 * DC["eta_memory"], 1000e12 * DC["eta_compute"]
    # each GPU holds half: weights 10e9 B, KV 400 x 1000 x 163,840 / 2 = 32.768e9 B
    weights_s = max(WEIGHTS_TOY / 2 / bw, 400 * 2 * 10e9 / 2 / peak)
    kv_bw = bw * DC["kv_bandwidth_share"]
    attention_s = max(400 * 1000 * KV_TOY / 2 / kv_bw, 400 * 1000 * 819_200 / 2 / peak)
    # all-reduce of 400 x 5120 x 2 B = 4.096e6 B: 2 x 1/2 x 4.096e6 / (400e9 x share) + latency, 2 per layer
    nvlink = COLLECTIVES["nvlink"]
    comm_s = 40 * 2 * (4.096e6 / (400e9 * nvlink["allreduce_bandwidth_share"]) + nvlink["allreduce_latency_s"])
    overhead_s = DC["step_overhead_s"] + 40 * DC["layer_overhead_s"]
    step_s = weights_s + attention_s + overhead_s + comm_s
    assert y["decode_step_ms"][0] == pytest.approx(step_s * 1e3, rel=1e-9)
    assert y["decode_comm_ms"][0] == pytest.approx(comm_s * 1e3, rel=1e-9)
    # pipeline: no split, no all-reduce
    pipeline = evaluate(make_inputs(["toy-own"], options=RunOptions(parallelism="pipeline"), batch=400.0))
    step_pp = (max(WEIGHTS_TOY / bw, 400 * 2 * 10e9 / peak)
               + max(400 * 1000 * KV_TOY / kv_bw, 400 * 1000 * 819_200 / peak)
               + overhead_s)
    assert pipeline["decode_step_ms"][0] == pytest.approx(step_pp * 1e3, rel=1e-9)


def test_moe_weight_bytes_from_active_to_total(make_inputs):
    # the decode step's weights term is the bytes it streams at the achievable bandwidth (1.6e12 B/s)
    bw = 2.0e12 * DC["eta_memory"]
    batch = np.array([1.0, 1e6])
    y = evaluate(make_inputs(["toy-own"], model_id="toy-moe", options=RunOptions(gpus=1, cap_batch=False),
                             batch=batch, context_tokens=1.0))
    streamed = y["decode_weights_ms"] / 1e3 * bw
    # batch 1 reads the always-on weights and k = 2 experts per layer: the active parameters
    assert float(streamed[0]) == pytest.approx(85_121_000 * 2)
    assert float(y["experts_touched"][0]) == pytest.approx(2.0)
    # a huge batch touches every expert: all parameters
    assert float(streamed[1]) == pytest.approx(325_121_000 * 2)


def test_model_that_does_not_fit(make_inputs):
    y = evaluate(make_inputs(["toy-own", "toy-rent"], model_id="toy-huge"))
    assert not np.any(y["fits"])
    np.testing.assert_array_equal(y["max_batch"], [0.0, 0.0])
    np.testing.assert_array_equal(y["gpus"], [8.0, 8.0])  # tried the whole node
    for key in ("decode_tokens_per_s", "cost_usd_per_million_output_tokens", "cost_usd_per_million_tokens_blended"):
        assert np.all(np.isnan(y[key])), key
    # a GPU-hour still costs what it costs
    assert y["cost_usd_per_gpu_hour"][1] == pytest.approx(3.0)


def test_fixed_group_too_small_does_not_fit(make_inputs):
    # toy-dense (20 GB) fits one GPU; toy-huge never fits one.
    y = evaluate(make_inputs(["toy-own"], model_id="toy-huge", options=RunOptions(gpus=1)))
    assert not bool(y["fits"][0]) and y["max_batch"][0] == 0
