"""Achievable fractions of datasheet peaks, per hardware class, and precision formats.

These are assumptions, each justified from public measurements in
docs/methodology.md ("Efficiency factors"); none is fitted to a single point.
"""

from __future__ import annotations

from types import MappingProxyType

# The hardware class's factors: what a setup gets when it names no runtime (or its
# runtime says nothing of a term). Each is an assumption with its range in
# docs/methodology.md ("Efficiency factors"); a runtime profile (configs/runtimes/)
# replaces any of them with a sourced figure.
#
# eta_memory: achieved / datasheet memory bandwidth in decode GEMV-like kernels.
# eta_compute: achieved / dense datasheet tensor peak in large GEMMs (prefill).
# layer_overhead_s: fixed time per transformer layer per step (kernel launches,
#   synchronisation, norms), independent of bytes and FLOPs.
# step_overhead_s: fixed time per step (scheduler, sampling, host-device sync).
# moe_layer_overhead_s: fixed time per MoE layer per step (router GEMM, top-k,
#   token permute and un-permute).
# moe_expert_overhead_s: fixed time per routed expert a step touches, per MoE layer
#   (a grouped GEMM pays a ramp per expert: at small batch each expert is a thin GEMM).
# memory_power_weight: share of the idle->TDP power range that a fully
#   memory-bound step draws (a compute-saturated step draws all of it).
# overhead_power_weight: the same while the step pays fixed costs and collectives
#   (clocks up, small kernels and launches in flight, links busy).
# memory_reserve_fraction: device memory not available for weights + KV cache
#   (runtime, activations, fragmentation).
# kv_bandwidth_share: attention reads the KV cache at this share of eta_memory
#   (blocked/paged reads, per-head reductions and softmax stream less efficiently
#   than weight GEMV); an assumption checked against the KV-heavy TensorRT-LLM rows
#   of docs/methodology.md section 6. Irrelevant at short contexts.
EFFICIENCY = MappingProxyType({
    "datacenter": MappingProxyType({
        "eta_memory": 0.80,
        "eta_compute": 0.50,
        "layer_overhead_s": 20e-6,
        "step_overhead_s": 300e-6,
        "moe_layer_overhead_s": 20e-6,
        "moe_expert_overhead_s": 0.3e-6,
        "memory_power_weight": 0.55,
        "overhead_power_weight": 0.20,
        "memory_reserve_fraction": 0.10,
        "kv_bandwidth_share": 0.75,
    }),
    "consumer": MappingProxyType({
        "eta_memory": 0.90,
        "eta_compute": 0.50,
        "layer_overhead_s": 90e-6,
        "step_overhead_s": 300e-6,
        "moe_layer_overhead_s": 20e-6,
        "moe_expert_overhead_s": 0.3e-6,
        "memory_power_weight": 0.55,
        "overhead_power_weight": 0.20,
        "memory_reserve_fraction": 0.10,
        "kv_bandwidth_share": 0.75,
    }),
    "apple": MappingProxyType({
        "eta_memory": 0.85,
        "eta_compute": 0.50,
        "layer_overhead_s": 180e-6,
        "step_overhead_s": 300e-6,
        "moe_layer_overhead_s": 20e-6,
        "moe_expert_overhead_s": 0.3e-6,
        "memory_power_weight": 0.55,
        "overhead_power_weight": 0.20,
        "memory_reserve_fraction": 0.25,
        "kv_bandwidth_share": 0.75,
    }),
})
# Terms a runtime profile may set and the hardware class supplies otherwise.
RUNTIME_TERMS = tuple(EFFICIENCY["datacenter"])

# Bytes per weight including quantization scales.
#   bf16: 2 bytes. fp8 (E4M3, per-tensor/per-channel scales): 1 byte.
#   int8: llama.cpp Q8_0 block = 32 int8 + one fp16 scale = 34 B / 32 weights.
#   int4: llama.cpp Q4_0 block = 32 x 4 bit + one fp16 scale = 18 B / 32 weights
#         (AWQ/GPTQ with group 128 carry ~4.25 bits; Q4_0 is the conservative case).
BYTES_PER_PARAM = MappingProxyType({"bf16": 2.0, "fp8": 1.0, "int8": 34.0 / 32.0, "int4": 18.0 / 32.0})
KV_BYTES_PER_ELEMENT = MappingProxyType({"bf16": 2.0, "fp8": 1.0})

# Which tensor-core rate a weight format runs at. fp8 and int8 serve as W8A8
# (fp8 / SmoothQuant-style int8 GEMMs); int4 serves as W4A16 (AWQ, GPTQ, llama.cpp
# Q4: weights dequantized, multiplied in 16-bit), so it never uses int4 tensor
# rates. A format the hardware has no matrix path for falls back to 16-bit.
COMPUTE_PRECISION = MappingProxyType({"bf16": "bf16", "fp8": "fp8", "int8": "int8", "int4": "bf16"})
WEIGHT_ONLY_FALLBACK = "bf16"

# Collectives on each interconnect when the runtime gives no figure of its own (assumptions,
# docs/methodology.md "Collectives"): the latency of one decode-sized all-reduce, the share
# of the link's bandwidth an all-reduce achieves at those sizes, and one expert-parallel
# dispatch + combine per MoE layer. Devices that share one memory, or serve alone, exchange nothing.
COLLECTIVES = MappingProxyType({
    "nvlink": MappingProxyType({"allreduce_latency_s": 20e-6, "allreduce_bandwidth_share": 0.5,
                                "all_to_all_latency_s": 100e-6}),
    "infinity-fabric": MappingProxyType({"allreduce_latency_s": 25e-6, "allreduce_bandwidth_share": 0.5,
                                         "all_to_all_latency_s": 150e-6}),
    "pcie": MappingProxyType({"allreduce_latency_s": 50e-6, "allreduce_bandwidth_share": 0.5,
                              "all_to_all_latency_s": 200e-6}),
    "unified-memory": MappingProxyType({"allreduce_latency_s": 0.0, "allreduce_bandwidth_share": 1.0,
                                        "all_to_all_latency_s": 0.0}),
    "none": MappingProxyType({"allreduce_latency_s": 0.0, "allreduce_bandwidth_share": 1.0,
                              "all_to_all_latency_s": 0.0}),
})
COLLECTIVE_TERMS = tuple(COLLECTIVES["nvlink"])
