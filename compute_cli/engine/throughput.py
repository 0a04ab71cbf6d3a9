"""Roofline throughput: bytes moved and FLOPs done against bandwidth and compute.

A decode step produces one token for each of ``batch`` sequences. It reads the
weights the batch touches and every sequence's KV cache, and does
2 x params FLOPs per token plus attention over the context (Kaplan et al. 2020,
eq. 2.1; Pope et al. 2022, "Efficiently Scaling Transformer Inference", sec. 2).
Its time is the larger of the memory time and the compute time, each at an
achievable fraction (eta) of the datasheet peak, plus the fixed costs a serving
engine pays per step, per layer and per MoE expert, and the collectives of
multi-device execution: two all-reduces per layer under tensor parallelism
(Megatron-LM, Shoeybi et al. 2019), a dispatch and a combine per MoE layer under
expert parallelism. All functions broadcast.
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


def kv_replication(gpus, kv_heads, split_heads):
    """Copies of the KV cache a group holds in all: 1, or more when there are fewer KV heads than devices.

    Tensor parallelism splits attention by heads; with ``kv_heads`` < ``gpus`` each KV
    head is stored on gpus / kv_heads devices (vLLM and TensorRT-LLM replicate it), and
    a multi-head latent (MLA, one latent per token) is stored on every device.
    ``split_heads`` is False for pipeline and data-parallel attention (each device holds
    its own layers or sequences).

    >>> float(kv_replication(8, 8, True)), float(kv_replication(8, 4, True)), float(kv_replication(8, 1, True))
    (1.0, 2.0, 8.0)
    >>> float(kv_replication(8, 1, False))
    1.0
    """
    n = np.asarray(gpus, dtype=float)
    return np.where(split_heads, np.clip(n / np.maximum(kv_heads, 1.0), 1.0, np.maximum(n, 1.0)), 1.0)


def held_bytes(weight_bytes_total, routed_bytes_total, kv_bytes, gpus, tensor_parallel, expert_parallel, kv_heads):
    """(weights, KV cache) a group of ``gpus`` holds in all [B].

    Every weight is held once, except that data-parallel attention (expert parallelism)
    keeps a copy of the non-expert weights on each device; the KV cache is held once,
    except that tensor parallelism replicates the KV heads it cannot split
    (``throughput.kv_replication``).

    >>> w, kv = held_bytes(100.0, 60.0, 10.0, 8.0, True, True, 8.0)  # 40 B of dense weights on each of 8
    >>> float(w), float(kv)
    (380.0, 10.0)
    """
    tp, ep = np.asarray(tensor_parallel, dtype=bool), np.asarray(expert_parallel, dtype=bool)
    dense = weight_bytes_total - routed_bytes_total
    weights = np.where(tp & ep, dense * gpus + routed_bytes_total, weight_bytes_total)
    return weights, kv_bytes * kv_replication(gpus, kv_heads, tp & ~ep)


def allreduce_s(payload_bytes, gpus, link_gb_per_s, latency_s, bandwidth_share=1.0):
    """Ring all-reduce time: latency + 2 (n-1)/n x payload / (link bandwidth x share); 0 on one device.

    Patarasuk & Yuan 2009, "Bandwidth optimal all-reduce algorithms". ``bandwidth_share``
    is the share of the link an all-reduce of this size achieves (docs/methodology.md,
    "Collectives").

    >>> float(allreduce_s(1.0e9, 1, 100.0, 1e-5))
    0.0
    >>> round(float(allreduce_s(1.0e9, 2, 100.0, 0.0)), 6)
    0.01
    >>> round(float(allreduce_s(1.0e9, 2, 100.0, 0.0, 0.5)), 6)
    0.02
    """
    n = np.asarray(gpus, dtype=float)
    t = 2.0 * (n - 1.0) / n * payload_bytes / (link_gb_per_s * BYTES_PER_GB * bandwidth_share) + latency_s
    return np.where(n > 1, t, 0.0)


def all_to_all_s(tokens, experts_active, hidden_size, gpus, link_gb_per_s, latency_s, bandwidth_share=1.0):
    """Expert-parallel dispatch and combine for one MoE layer: latency + the bytes each device sends [s].

    Each device sends its tokens/gpus tokens' activations to the ``experts_active``
    experts each picks and receives as many back (DeepSeek-V3 technical report sec. 3.2;
    DeepEP): 2 x tokens/n x k x hidden x 2 B x (n-1)/n per device. 0 on one device.

    >>> float(all_to_all_s(64.0, 8.0, 7168.0, 1.0, 450.0, 1e-4))
    0.0
    >>> round(float(all_to_all_s(64.0, 8.0, 7168.0, 8.0, 450.0, 1e-4)) * 1e6, 2)  # 100 us + 1.6 MB / 450 GB/s
    103.57
    """
    n = np.asarray(gpus, dtype=float)
    sent = 2.0 * tokens / n * experts_active * hidden_size * ACTIVATION_BYTES * (n - 1.0) / n
    t = latency_s + sent / (link_gb_per_s * BYTES_PER_GB * bandwidth_share)
    return np.where(n > 1, t, 0.0)


def step_time_s(weight_bytes, matmul_flops, kv_bytes, attn_flops, memory_bandwidth_tb_per_s, peak_tflops,
                eta_memory, eta_compute, kv_bandwidth_share, overhead_s, comm_s):
    """One forward step on one device of a group, from the bytes and FLOPs that device handles [s].

    The weight matrix multiplications and the attention over the KV cache are
    separate kernels that run one after the other, so each gets its own roofline
    and the step is their sum, plus the fixed costs and the collectives:
    max(weights / BW, matmul FLOPs / peak) + max(KV / (BW x s_kv), attention FLOPs / peak)
    + overhead + communication, with BW and peak at their achievable fractions (eta).
    Attention reads the KV cache at ``kv_bandwidth_share`` of the weights' bandwidth
    (blocked, per-head reads and reductions stream less efficiently than weight GEMV).

    Returns a dict of the step's terms [s], which add up to ``step_s``: ``weights_s``
    (streaming the weights), ``kv_s`` (streaming the KV cache), ``compute_s``
    (arithmetic beyond the memory time it overlaps), ``comm_s``, ``overhead_s``; and the
    busy times ``memory_s`` and ``compute_busy_s`` of the memory system and the tensor units.

    >>> t = step_time_s(16e9, 16e9, 0.0, 0.0, 3.35, 989.0, 0.8, 0.5, 0.75, 1e-3, 0.0)
    >>> round(float(t["step_s"]) * 1e3, 3), round(float(t["weights_s"]) * 1e3, 3)  # 16 GB / 2.68 TB/s + 1 ms
    (6.97, 5.97)
    """
    bandwidth = memory_bandwidth_tb_per_s * BYTES_PER_TB * eta_memory
    compute = peak_tflops * FLOPS_PER_TFLOPS * eta_compute
    w_mem, w_comp = weight_bytes / bandwidth, matmul_flops / compute
    a_mem, a_comp = kv_bytes / (bandwidth * kv_bandwidth_share), attn_flops / compute
    excess = np.maximum(w_comp - w_mem, 0.0) + np.maximum(a_comp - a_mem, 0.0)
    step = w_mem + a_mem + excess + overhead_s + comm_s
    return {"step_s": step, "weights_s": w_mem, "kv_s": a_mem, "compute_s": excess, "comm_s": comm_s + 0.0 * step,
            "overhead_s": overhead_s + 0.0 * step, "memory_s": w_mem + a_mem, "compute_busy_s": w_comp + a_comp}


def memory_needed_bytes(weight_bytes_total, kv_bytes, memory_reserve_fraction, gpus, memory_gb):
    """(need, have) in bytes: weights + KV cache (as the group holds them) against its memory less a reserve."""
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
