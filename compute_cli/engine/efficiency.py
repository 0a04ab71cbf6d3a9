"""Achievable fractions of datasheet peaks, per hardware class, and precision formats.

These are assumptions, each justified from public measurements in
docs/methodology.md ("Efficiency factors"); none is fitted to a single point.
"""

from __future__ import annotations

from types import MappingProxyType

# eta_memory: achieved / datasheet memory bandwidth in decode GEMV-like kernels.
# eta_compute: achieved / dense datasheet tensor peak in large GEMMs (prefill).
# layer_overhead_s: fixed time per transformer layer per step (kernel launches,
#   synchronisation, sampling amortised), independent of bytes and FLOPs.
# memory_power_weight: share of the idle->TDP power range that a fully
#   memory-bound step draws (a compute-saturated step draws all of it).
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
        "memory_power_weight": 0.55,
        "memory_reserve_fraction": 0.10,
        "kv_bandwidth_share": 0.75,
    }),
    "consumer": MappingProxyType({
        "eta_memory": 0.90,
        "eta_compute": 0.50,
        "layer_overhead_s": 90e-6,
        "memory_power_weight": 0.55,
        "memory_reserve_fraction": 0.10,
        "kv_bandwidth_share": 0.75,
    }),
    "apple": MappingProxyType({
        "eta_memory": 0.85,
        "eta_compute": 0.50,
        "layer_overhead_s": 180e-6,
        "memory_power_weight": 0.55,
        "memory_reserve_fraction": 0.25,
        "kv_bandwidth_share": 0.75,
    }),
})

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

# Per-collective latency of an all-reduce on each interconnect [s] (assumptions:
# NVLink/NCCL small-message all-reduce ~10 us; PCIe through host ~30 us).
LINK_LATENCY_S = MappingProxyType({
    "nvlink": 10e-6,
    "infinity-fabric": 15e-6,
    "pcie": 30e-6,
    "unified-memory": 0.0,
    "none": 0.0,
})
