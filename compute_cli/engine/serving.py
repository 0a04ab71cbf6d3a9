"""Serving under latency targets: the operating point of continuous batching.

A replica of ``g`` accelerators serves ``C`` sequences at once (its concurrency). With
``P`` prompt tokens and ``O`` output tokens per request (``r = P / O`` prompt tokens per
output token), in steady state:

* every step decodes one token for each of the ``C`` sequences, at their mean context
  ``P + O / 2`` (``engine.evaluate.forward_step``, the roofline);
* ``C / O`` requests finish per step and as many arrive, so the steps also carry
  ``C r`` prompt tokens of prefill, chunked and interleaved with decode. Their time is
  that of prefill (the prompt tokens at the prefill step's rate) and adds to the decode
  step's: the two are not assumed to overlap. So the time per output token a user sees
  is ``TPOT = t_decode(C) + C r t_prefill_per_token``; tokens/s per user is ``1 / TPOT``
  and output tokens/s per accelerator ``C / (g TPOT)``, prompts included.
* the first token waits for its prompt's prefill, and for the other prompts queued
  with it: ``TTFT = q(C) x t_prefill(P)``, with aiconfigurator's queueing factor
  ``q = min(2 + (s - 3) / 20, 4)`` where ``s = ceil(C P / chunk)`` is the number of
  steps a chunk budget of ``chunk`` prompt tokens per step needs to prefill every
  in-flight prompt (ai-dynamo/aiconfigurator, sdk/backends/trtllm_backend.py).
* memory holds ``C`` sequences when the weights and ``C`` KV caches at the mean context
  fit (``engine.evaluate.memory_plan``).

Throughput per accelerator rises with ``C`` and so do TPOT and TTFT (each step's time
over ``C`` falls; the prefill added per step and the queueing factor grow), so the
highest-throughput concurrency meeting the targets is the largest that meets them. It is
found by bisection over whole ``C`` for each tensor-parallel degree that divides the
system (replicas are the rest), and the degree with the most output tokens/s per
accelerator wins. docs/methodology.md, section 10, documents every term and checks
it against public measurements. All functions broadcast.
"""

from __future__ import annotations

import numpy as np

from compute_cli.engine import throughput
from compute_cli.engine.constants import S_PER_MS

# Engine defaults that bound the search (assumptions, docs/methodology.md section 10):
# the running batch is capped at vLLM's default max_num_seqs on accelerators with >= 70 GiB
# (vllm/engine/arg_utils.py: 1,024; 256 on smaller ones; range 256-2,048), and prefill takes
# at most TensorRT-LLM's default max_num_tokens of prompt tokens per step (8,192, also
# vLLM's max_num_batched_tokens for its API server on such GPUs; range 2,048-16,384).
MAX_CONCURRENCY = 1024.0
PREFILL_CHUNK_TOKENS = 8192.0

# aiconfigurator's TTFT correction for aggregated serving: 2 at 3 prefill steps, +1 per 20
# more, capped at 4 (sdk/backends/trtllm_backend.py, ``correction_factor``).
QUEUE_BASE = 2.0
QUEUE_BASE_STEPS = 3.0
QUEUE_STEPS_PER_UNIT = 20.0
QUEUE_CAP = 4.0


def queueing_factor(concurrency, prompt_tokens, prefill_chunk_tokens=PREFILL_CHUNK_TOKENS):
    """TTFT over the prompt's own prefill time [-]: min(2 + (s - 3) / 20, 4), s = ceil(C P / chunk).

    concurrency : sequences in flight on the replica [-]
    prompt_tokens : prompt tokens per request [tokens]
    prefill_chunk_tokens : prompt tokens prefilled per step at most [tokens]

    >>> float(queueing_factor(1, 1000)), float(queueing_factor(64, 1024)), float(queueing_factor(1024, 8192))
    (1.9, 2.25, 4.0)
    """
    steps = np.ceil(concurrency * prompt_tokens / prefill_chunk_tokens)
    return np.minimum(QUEUE_BASE + (steps - QUEUE_BASE_STEPS) / QUEUE_STEPS_PER_UNIT, QUEUE_CAP)


def time_per_output_token_s(decode_step_s, concurrency, input_tokens_per_output_token, prefill_s_per_token):
    """What a user waits between two of its tokens [s]: the decode step plus the prefill it carries.

    decode_step_s : one decode step over ``concurrency`` sequences [s]
    input_tokens_per_output_token : prompt tokens arriving per output token [-]
    prefill_s_per_token : prefill time of one prompt token on the replica [s]

    >>> round(float(time_per_output_token_s(0.020, 64, 3.0, 2e-5)) * 1e3, 2)  # 20 ms + 192 x 0.02 ms
    23.84
    """
    return decode_step_s + concurrency * input_tokens_per_output_token * prefill_s_per_token


def time_to_first_token_s(prefill_step_s, queueing_factor):
    """The prompt's prefill, times the queueing factor [s].

    >>> round(float(time_to_first_token_s(0.1, queueing_factor(64, 1024))), 3)
    0.225
    """
    return prefill_step_s * queueing_factor


def meets_targets(tpot_ms, ttft_ms, max_tpot_ms, max_ttft_ms):
    """Both latencies within their targets (an infinite target always holds; an unknown latency never does).

    >>> bool(meets_targets(30.0, 500.0, 40.0, np.inf)), bool(meets_targets(45.0, 500.0, 40.0, 2000.0))
    (True, False)
    """
    return (tpot_ms <= max_tpot_ms) & (ttft_ms <= max_ttft_ms)


def latency(decode_step_s, prefill_step_s, batch, input_tokens_per_output_token, prefill_tokens, prompt_tokens,
            max_tpot_ms, max_ttft_ms, prefill_chunk_tokens=PREFILL_CHUNK_TOKENS):
    """TPOT, TTFT, tokens/s per user and whether the targets hold, for ``batch`` sequences in flight.

    prefill_step_s : one prefill step of ``prefill_tokens`` prompt tokens [s]
    Returns tpot_ms [ms], ttft_ms [ms], tokens_per_s_per_user [tokens/s], queueing_factor [-], slo_met (bool).

    >>> r = latency(0.020, 0.05, 64, 3.0, 1000.0, 1000.0, 40.0, 1000.0)
    >>> round(float(r["tpot_ms"]), 1), round(float(r["ttft_ms"]), 1), bool(r["slo_met"])
    (29.6, 112.5, True)
    """
    tpot = time_per_output_token_s(decode_step_s, batch, input_tokens_per_output_token,
                                   prefill_step_s / prefill_tokens)
    q = queueing_factor(batch, prompt_tokens, prefill_chunk_tokens)
    tpot_ms, ttft_ms = tpot / S_PER_MS, time_to_first_token_s(prefill_step_s, q) / S_PER_MS
    return {"tpot_ms": tpot_ms, "ttft_ms": ttft_ms, "tokens_per_s_per_user": 1.0 / tpot, "queueing_factor": q,
            "slo_met": meets_targets(tpot_ms, ttft_ms, max_tpot_ms, max_ttft_ms)}


def tensor_parallel_degrees(accelerator_count, gpus):
    """Candidate accelerators per replica, shape (T,), and which apply to each scenario, shape (..., T).

    A degree applies when it divides the system's count (the rest are replicas), or is the
    fixed ``gpus`` of the run when that is set (> 0).

    >>> g, ok = tensor_parallel_degrees(np.array([8.0, 4.0]), np.array([0.0, 0.0]))
    >>> g.tolist(), ok.tolist()
    ([1.0, 2.0, 4.0, 8.0], [[True, True, True, True], [True, True, True, False]])
    """
    count = np.asarray(accelerator_count, dtype=float)
    fixed = np.asarray(gpus, dtype=float)
    counts = set(count.astype(int).ravel().tolist())
    degrees = {d for c in counts for d in range(1, c + 1) if c % d == 0}
    degrees |= {int(f) for f in fixed.ravel().tolist() if f > 0}
    g = np.array(sorted(degrees), dtype=float)
    count, fixed = count[..., None], fixed[..., None]
    applies = np.where(fixed > 0, g == fixed, np.mod(count, g) == 0)
    return g, applies


def choose_operating_point(v, step, max_concurrency=MAX_CONCURRENCY, prefill_chunk_tokens=PREFILL_CHUNK_TOKENS):
    """The highest-throughput (concurrency, accelerators per replica) that meets the targets.

    v : the engine's named arrays (inputs, ``weight_bytes_total``, ``routed_bytes_total``, ``kv_bytes_per_sequence``,
        ``speed_factor``)
    step : ``step(values) -> (step_s, memory_busy_s, compute_busy_s)``, one forward step from named arrays
        (``engine.evaluate.forward_step`` by name)
    Returns, broadcast over the scenarios: ``batch`` and ``gpus`` (the point; concurrency 1 on the
    degree with the lowest TPOT when no point meets the targets), ``feasible`` (a point meets
    them), ``best_tpot_ms`` and ``best_ttft_ms`` (the lowest any degree reaches, at concurrency 1).
    """
    g, applies = tensor_parallel_degrees(v["accelerator_count"], v["gpus"])
    w = {k: np.asarray(val)[..., None] for k, val in v.items()}  # a trailing axis for the degrees
    w["gpus"] = g
    weights, kv_seq = throughput.held_bytes(w["weight_bytes_total"], w["routed_bytes_total"], w["kv_bytes_per_sequence"],
                                            g, w["tensor_parallel"], w["expert_parallel"], w["kv_heads"])
    fits = throughput.max_batch(weights, kv_seq, w["memory_reserve_fraction"], g, w["memory_gb"])
    cap = np.minimum(fits, max_concurrency)
    applies = applies & (cap >= 1)
    prompt = w["prompt_tokens"]
    p_tokens = w["prefill_batch"] * prompt
    p_kv = throughput.kv_cache_bytes(w["prefill_batch"], prompt, w["kv_bytes_per_token_full"],
                                     w["kv_bytes_per_token_window"], w["window_tokens"])
    prefill_s = step({**w, "tokens": p_tokens, "attended_tokens": prompt / 2.0, "kv_bytes": p_kv})[0]
    max_tpot_ms, max_ttft_ms = w["max_tpot_ms"], w["max_ttft_ms"]

    def point(c):
        decode_s = step({**w, "tokens": c, "attended_tokens": w["context_tokens"],
                         "kv_bytes": c * w["kv_bytes_per_sequence"]})[0]
        lat = latency(decode_s, prefill_s, c, w["input_tokens_per_output_token"], p_tokens, prompt, max_tpot_ms,
                      max_ttft_ms, prefill_chunk_tokens)
        return lat, lat["slo_met"] & (c <= cap)

    one, ok_one = point(np.ones(np.shape(cap)))
    lo = np.ones(np.broadcast(cap, ok_one).shape)
    hi = np.where(applies & ok_one, cap, 1.0)
    while (lo < hi).any():  # largest whole C that meets the targets: each test halves [lo, hi]
        mid = np.floor((lo + hi + 1.0) / 2.0)
        ok = point(mid)[1]
        lo, hi = np.where(ok, mid, lo), np.where(ok, hi, mid - 1.0)
    best, _ = point(lo)
    feasible_g = applies & ok_one
    served = np.where(feasible_g, lo / (g * best["tpot_ms"] * S_PER_MS), -np.inf)  # output tokens/s per accelerator
    pick = np.argmax(served, axis=-1)[..., None]
    feasible = np.take_along_axis(feasible_g, pick, axis=-1)[..., 0]
    fastest = np.argmin(np.where(applies, one["tpot_ms"], np.inf), axis=-1)[..., None]
    batch = np.where(feasible, np.take_along_axis(lo, pick, axis=-1)[..., 0], 1.0)
    any_fit = applies.any(axis=-1)
    gpus = np.where(feasible, g[pick[..., 0]], np.where(any_fit, g[fastest[..., 0]], np.asarray(v["accelerator_count"])))
    best_tpot = np.where(any_fit, np.min(np.where(applies, one["tpot_ms"], np.inf), axis=-1), np.nan)
    best_ttft = np.where(any_fit, np.min(np.where(applies, one["ttft_ms"], np.inf), axis=-1), np.nan)
    return {"batch": batch, "gpus": gpus, "feasible": feasible, "best_tpot_ms": best_tpot, "best_ttft_ms": best_ttft}
