"""Roofline throughput: bytes moved and FLOPs done against bandwidth and compute.

A decode step produces one token for each of ``batch`` sequences. It reads the
weights the batch touches and every sequence's KV cache, and does
2 x params FLOPs per token plus attention over the context (Kaplan et al. 2020,
eq. 2.1; Pope et al. 2022, "Efficiently Scaling Transformer Inference", sec. 2).
Its time is the larger of the memory time and the compute time, each at an
achievable fraction (eta) of the datasheet peak, plus a fixed per-layer cost
(kernel launches, synchronisation) and, for tensor parallelism, two all-reduces
per layer (Megatron-LM, Shoeybi et al. 2019). All functions broadcast.
"""

from __future__ import annotations

import numpy as np

from compute_cli.engine.constants import BYTES_PER_GB, BYTES_PER_TB, FLOPS_PER_TFLOPS

ACTIVATION_BYTES = 2.0  # bf16 activations exchanged between tensor-parallel ranks


def experts_touched(batch, experts_total, experts_active):
    """Expected distinct routed experts one MoE layer reads for a batch.

    With uniform routing each token picks k of E experts, so an expert is missed by
    all B tokens with probability (1 - k/E)^B: touched = E (1 - (1 - k/E)^B).

    >>> float(experts_touched(1, 256, 8))
    8.0
    >>> round(float(experts_touched(64, 8, 2)), 3)
    8.0
    >>> float(experts_touched(4, 0, 0))
    0.0
    """
    total = np.asarray(experts_total, dtype=float)
    if not total.any():  # dense models: no routed experts (skips a power per scenario)
        return np.zeros(np.broadcast(total, experts_active).shape)
    safe = np.where(total > 0, total, 1.0)
    touched = total * (1.0 - np.power(1.0 - experts_active / safe, batch))
    return np.where(total > 0, touched, 0.0)


def weight_bytes_per_step(dense_params_read, expert_params, moe_layers, experts_total, experts_active,
                          batch, bytes_per_param):
    """Weight bytes one decode step reads: always-read weights plus the experts the batch touches [B]."""
    touched = experts_touched(batch, experts_total, experts_active)
    return (dense_params_read + moe_layers * touched * expert_params) * bytes_per_param


def kv_cache_bytes(batch, context_tokens, kv_bytes_per_token_full, kv_bytes_per_token_window, window_tokens):
    """KV-cache bytes held (and read once per decode step) for ``batch`` sequences [B].

    Full-attention layers keep every context token; sliding-window layers at most ``window_tokens``.

    >>> int(kv_cache_bytes(2, 1024, 131072, 0, 0))
    268435456
    """
    windowed = np.minimum(context_tokens, np.where(window_tokens > 0, window_tokens, context_tokens))
    return batch * (context_tokens * kv_bytes_per_token_full + windowed * kv_bytes_per_token_window)


def attention_flops(tokens, context_tokens, attn_flops_full_per_ctx, attn_flops_window_per_ctx, window_tokens):
    """Attention FLOPs for ``tokens`` new tokens each attending over ``context_tokens``."""
    windowed = np.minimum(context_tokens, np.where(window_tokens > 0, window_tokens, context_tokens))
    return tokens * (context_tokens * attn_flops_full_per_ctx + windowed * attn_flops_window_per_ctx)


def allreduce_s(payload_bytes, gpus, link_gb_per_s, latency_s):
    """Ring all-reduce time: 2 (n-1)/n x payload / link bandwidth + latency; 0 on one device.

    Patarasuk & Yuan 2009, "Bandwidth optimal all-reduce algorithms".

    >>> float(allreduce_s(1.0e9, 1, 100.0, 1e-5))
    0.0
    >>> round(float(allreduce_s(1.0e9, 2, 100.0, 0.0)), 6)
    0.01
    """
    n = np.asarray(gpus, dtype=float)
    t = 2.0 * (n - 1.0) / n * payload_bytes / (link_gb_per_s * BYTES_PER_GB) + latency_s
    return np.where(n > 1, t, 0.0)


def step_time_s(weight_bytes, matmul_flops, kv_bytes, attn_flops, gpus, tensor_parallel,
                memory_bandwidth_tb_per_s, peak_tflops, eta_memory, eta_compute, layers, layer_overhead_s, comm_s,
                kv_bandwidth_share=1.0):
    """Time of one forward step on a group of ``gpus`` accelerators [s].

    The weight matrix multiplications and the attention over the KV cache are
    separate kernels that run one after the other, so each gets its own roofline
    and the step is their sum: max(weights / BW, matmul FLOPs / peak) +
    max(KV / BW, attention FLOPs / peak), plus per-layer overhead and communication.
    Tensor parallelism splits bytes and FLOPs over the group; layer-split
    (pipeline) execution without micro-batching runs the stages one after another,
    so a single step sees one device's bandwidth for all the bytes. Attention reads the
    KV cache at ``kv_bandwidth_share`` of the weights' achievable bandwidth (blocked,
    per-head reads and reductions stream less efficiently than weight GEMV).
    Returns (step_s, memory_s, compute_s): memory_s and compute_s are the time
    the memory system and the tensor units are busy.
    """
    share = np.where(tensor_parallel, 1.0 / gpus, 1.0)
    bandwidth = memory_bandwidth_tb_per_s * BYTES_PER_TB * eta_memory
    compute = peak_tflops * FLOPS_PER_TFLOPS * eta_compute
    w_mem, w_comp = weight_bytes * share / bandwidth, matmul_flops * share / compute
    a_mem, a_comp = kv_bytes * share / (bandwidth * kv_bandwidth_share), attn_flops * share / compute
    step = np.maximum(w_mem, w_comp) + np.maximum(a_mem, a_comp) + layers * layer_overhead_s + comm_s
    return step, w_mem + a_mem, w_comp + a_comp


def memory_needed_bytes(weight_bytes_total, kv_bytes, memory_reserve_fraction, gpus, memory_gb):
    """(need, have) in bytes: weights + KV cache against the group's memory less a runtime reserve."""
    have = gpus * memory_gb * BYTES_PER_GB * (1.0 - memory_reserve_fraction)
    return weight_bytes_total + kv_bytes, have


def max_batch(weight_bytes_total, kv_bytes_per_sequence, memory_reserve_fraction, gpus, memory_gb):
    """Most sequences whose KV cache fits beside the weights (0 when the weights alone do not fit)."""
    have = gpus * memory_gb * BYTES_PER_GB * (1.0 - memory_reserve_fraction)
    room = np.maximum(have - weight_bytes_total, 0.0)
    return np.floor(room / np.maximum(kv_bytes_per_sequence, 1.0))


# Distinct accelerator counts up to which each count's divisors are listed one by one (by
# trial division up to its square root); more distinct counts (a sweep over the count) are
# searched in one vectorized pass over every candidate up to the square root of the largest.
DIVISOR_LISTS_MAX = 64


def divisors(n: int) -> list[int]:
    """Every divisor of a whole number ``n`` >= 1, ascending, by trial division up to sqrt(n).

    >>> divisors(12), divisors(1), divisors(97)
    ([1, 2, 3, 4, 6, 12], [1], [1, 97])
    """
    import math

    small, large = [], []
    for k in range(1, math.isqrt(n) + 1):
        if n % k == 0:
            small.append(k)
            if k != n // k:
                large.append(n // k)
    return small + large[::-1]


def smallest_divisor_at_least(count, minimum):
    """The smallest divisor of each ``count`` that is >= ``minimum``; ``count`` itself where
    ``minimum`` exceeds it or is not a number. Broadcasts; ``count`` holds whole numbers >= 1.

    O(sqrt(count)) per distinct count, never a loop over 1..count.

    >>> smallest_divisor_at_least(np.array([8, 8, 8, 6, 7]), np.array([1, 3, 9, 4, 2])).tolist()
    [1.0, 4.0, 8.0, 6.0, 7.0]
    >>> smallest_divisor_at_least(np.arange(1, 200), 5).tolist() == [min(d for d in range(5, c + 1) if c % d == 0)
    ...                                                              if c >= 5 else c for c in range(1, 200)]
    True
    """
    import math

    count, minimum = np.broadcast_arrays(np.asarray(count, dtype=float), np.asarray(minimum, dtype=float))
    c = count.astype(np.int64)
    out = count.astype(float)  # where none is found: the whole count
    want = np.isfinite(minimum) & (minimum <= count)
    m = np.where(want, np.maximum(minimum, 1.0), 1.0)
    distinct = set(c[want].ravel().tolist())
    if len(distinct) <= DIVISOR_LISTS_MAX:
        for n in distinct:
            sel = want & (c == n)
            d = np.array(divisors(n), dtype=float)
            out[sel] = d[np.searchsorted(d, m[sel], side="left")]
        return out
    best = np.where(want, out, np.inf)
    for k in range(1, math.isqrt(int(c[want].max())) + 1):
        divides = want & (c % k == 0)
        for d in (np.float64(k), c // k):
            best = np.where(divides & (d >= m) & (d < best), d, best)
    return np.where(want, best, out)


def fewest_gpus(need_bytes, memory_gb, memory_reserve_fraction):
    """The fewest accelerators whose memory (less the reserve) holds ``need_bytes``: the smallest n
    with ``need <= have(n)`` as :func:`memory_needed_bytes` computes ``have``; NaN when none can."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        per_gpu = memory_needed_bytes(0.0, 0.0, memory_reserve_fraction, 1.0, memory_gb)[1]
        n = np.ceil(np.asarray(need_bytes, dtype=float) / per_gpu)
        n = np.where(np.asarray(need_bytes) <= 0, 1.0, n)
        n = np.where(np.isfinite(n), np.maximum(n, 1.0), np.nan)

        def holds(k):
            return need_bytes <= memory_needed_bytes(need_bytes, 0.0, memory_reserve_fraction, k, memory_gb)[1]

        # the division rounds: step to the exact boundary of the comparison the engine makes
        n = np.where((n > 1) & holds(n - 1), n - 1, n)
        return np.where(holds(n), n, n + 1)
