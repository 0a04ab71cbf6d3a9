"""The engine in one vectorized pass, as a chain of documented stages.

``evaluate(x)`` takes the named, broadcastable arrays ``engine.registry.INPUTS``
lists (``compute_cli.inputs.build`` makes them from profiles) and returns the
arrays ``engine.registry.OUTPUTS`` lists. The stages run one after another, each
on what the ones before it produced:

1. ``serving.choose_operating_point`` (when the batch is not given: the highest-throughput
   concurrency and tensor-parallel degree that meet the latency targets), ``serving_group``
   and ``memory_plan``: how many accelerators hold one copy of the model, how many
   sequences fit beside the weights, the batch actually served;
2. ``forward_step`` (twice): the time of a decode step and of a prefill step
   from bytes moved and FLOPs done (engine/throughput.py);
   then ``serving.latency``: TPOT, TTFT and tokens/s per user at that batch;
3. ``serving_power``: board power decoding and prefilling, the time-average IT power;
4. ``capex_per_gpu`` and ``cost_per_gpu_hour``: every line of ``registry.COST_LINES``;
5. ``per_token``: cost, price and energy per million tokens, tokens per MW.

Every stage is a pure function of named arrays, so it can be called alone (the
doctests do) and broadcasts over any scenario grid. No profile objects, no I/O.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from compute_cli.engine import costs, energy, finance, serving, throughput
from compute_cli.engine.constants import S_PER_MS, SECONDS_PER_HOUR
from compute_cli.engine.registry import COST_LINES, INPUTS, OPERATING

@cache
def _parameters(fn) -> tuple[str, ...]:
    code = fn.__code__
    return code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]


def call(fn, values):
    """``fn`` with each of its parameters taken from ``values`` by name."""
    return fn(**{name: values[name] for name in _parameters(fn)})


# ------------------------------------------------------------------ 1. memory
def group_gpus(x, batch):
    """Fewest accelerators of the system (a divisor of its count) that hold the weights and
    ``batch`` sequences' KV cache; the whole system when none does."""
    count = np.asarray(x["accelerator_count"], dtype=float)
    kv_seq = x["kv_bytes_per_sequence"]
    shape = np.broadcast(count, batch, kv_seq, x["weight_bytes_total"], x["routed_bytes_total"], x["memory_gb"],
                         x["memory_reserve_fraction"], x["kv_heads"], x["tensor_parallel"], x["expert_parallel"]).shape
    chosen = np.broadcast_to(count, shape).astype(float)
    found = np.zeros(shape, dtype=bool)
    # a set, not np.unique: np.unique imports numpy.ma (~20 ms of start-up for every call); the divisors by
    # trial division up to sqrt(count) (at most 240 of them for a count up to the schema's 1,000,000)
    counts = set(count.astype(int).ravel().tolist())
    candidates = sorted({d for c in counts for d in throughput.divisors(c)})
    for n in candidates:
        weights, kv = throughput.held_bytes(x["weight_bytes_total"], x["routed_bytes_total"], batch * kv_seq, float(n),
                                            x["tensor_parallel"], x["expert_parallel"], x["kv_heads"])
        need, have = throughput.memory_needed_bytes(weights, kv, x["memory_reserve_fraction"], n, x["memory_gb"])
        ok = (~found) & (count % n == 0) & (need <= have)
        chosen = np.where(ok, n, chosen)
        found |= ok
        if found.all():  # every scenario placed: larger groups would change nothing
            break
    return chosen


def serving_group(x, batch):
    """Accelerators serving one copy: the fixed ``gpus`` input, or the fewest that fit (``gpus`` = 0)."""
    fixed = np.asarray(x["gpus"], dtype=float)
    return np.where(fixed > 0, fixed, group_gpus(x, batch))


def memory_plan(batch, gpus, cap_batch, weight_bytes_total, routed_bytes_total, kv_bytes_per_sequence,
                memory_reserve_fraction, memory_gb, tensor_parallel, expert_parallel, kv_heads, context_tokens,
                prompt_tokens, max_context_tokens):
    """The batch served and whether it fits.

    batch : sequences asked for [-]; gpus : accelerators of the group [-]
    cap_batch : serve at most what fits (compare) rather than the batch as asked (throughput)
    weight_bytes_total, routed_bytes_total [B]: all weights, and the routed experts among them
    kv_bytes_per_sequence [B], memory_reserve_fraction [-], memory_gb [GB]
    context_tokens, prompt_tokens, max_context_tokens [tokens]: a context beyond the
    model's window (``max_context_tokens``, 0 when not stated) cannot be served at all.
    Returns max_batch, batch, fits (weights and the batch's KV cache fit, within the
    window), weights_fit, context_fits, memory_available_bytes [B].

    >>> p = memory_plan(64.0, 1.0, True, 16e9, 0.0, 0.5e9, 0.1, 80.0, True, False, 8.0, 1024.0, 1024.0, 131072.0)
    >>> int(p["max_batch"]), int(p["batch"]), bool(p["fits"])  # 72 GB free, 56 GB left for KV
    (112, 64, True)
    """
    weights, kv_seq = throughput.held_bytes(weight_bytes_total, routed_bytes_total, kv_bytes_per_sequence, gpus,
                                 tensor_parallel, expert_parallel, kv_heads)
    max_batch = throughput.max_batch(weights, kv_seq, memory_reserve_fraction, gpus, memory_gb)
    weights_fit = max_batch >= 1
    capped = np.maximum(np.minimum(batch, max_batch), 1.0)
    served = np.where(np.asarray(cap_batch, dtype=bool), capped, batch)
    available = throughput.memory_needed_bytes(weights, 0.0, memory_reserve_fraction, gpus, memory_gb)[1]
    limit = np.asarray(max_context_tokens, dtype=float)
    context_fits = (limit <= 0) | ((context_tokens <= limit) & (prompt_tokens <= limit))
    return {"max_batch": max_batch, "batch": served, "fits": weights_fit & (served <= max_batch) & context_fits,
            "weights_fit": weights_fit, "context_fits": context_fits, "memory_available_bytes": available}


# ---------------------------------------------------------------- 2. one step
def forward_step(tokens, attended_tokens, kv_bytes, gpus, tensor_parallel, expert_parallel, kv_heads,
                 dense_params_read, expert_params, moe_layers, experts_total, experts_active, bytes_per_param,
                 matmul_params, attn_flops_full_per_ctx, attn_flops_window_per_ctx, window_tokens, layers, hidden_size,
                 interconnect_bandwidth_gb_per_s, allreduce_latency_s, allreduce_bandwidth_share, all_to_all_latency_s,
                 memory_bandwidth_tb_per_s, peak_tflops, eta_memory, eta_compute, layer_overhead_s, step_overhead_s,
                 moe_layer_overhead_s, moe_expert_overhead_s, kv_bandwidth_share, speed_factor):
    """One forward step over ``tokens`` new tokens on a group of ``gpus``: its terms [s].

    tokens : tokens processed by the step (the batch when decoding, the prompts' tokens when prefilling)
    attended_tokens : context each new token attends over [tokens]
    kv_bytes : KV-cache bytes the step reads or writes, the whole batch's [B]

    Bytes: the weights every step reads plus the routed experts the tokens touch
    (expected coverage), the KV cache; FLOPs: 2 per multiplied weight per token, attention
    over the context. Each device of the group handles its share: tensor parallelism
    splits weights, FLOPs and KV heads over the devices (KV heads it cannot split are
    replicated); expert parallelism keeps the dense weights on every device and splits
    the experts and the sequences; layer-split (pipeline) execution runs the devices one
    after another, so a step sees one device for all the bytes. Fixed costs: one per step,
    one per layer, one per MoE layer and one per expert it touches (a grouped GEMM's ramp
    per expert). Collectives: two all-reduces per layer under tensor parallelism, a
    dispatch and a combine per MoE layer under expert parallelism. See
    ``throughput.step_time_s`` for the roofline and the terms returned; software
    efficiency (``speed_factor``: x2 = twice the tokens from the same hardware) scales the
    times, not the power. Also returns ``experts_touched``.

    >>> t = forward_step(1.0, 1024.0, 134e6, 1.0, True, False, 8.0, 8.0e9, 0.0, 0.0, 0.0, 0.0, 2.0, 7.5e9,
    ...     16384.0 * 32, 0.0, 0.0, 32.0, 4096.0, 32.0, 0.0, 1.0, 0.0, 3.35, 989.0, 0.8, 0.5, 20e-6, 0.0,
    ...     0.0, 0.0, 0.75, 1.0)
    >>> round(float(t["step_s"]) * 1e3, 3)  # 16 GB / 2.68 TB/s + 134 MB / 2.01 TB/s + 32 x 20 us
    6.677
    """
    tp = np.asarray(tensor_parallel, dtype=bool)
    ep = tp & np.asarray(expert_parallel, dtype=bool)
    touched = throughput.experts_touched(tokens, experts_total, experts_active)
    dense_bytes = dense_params_read * bytes_per_param
    routed_bytes = moe_layers * touched * expert_params * bytes_per_param
    matmul_flops = tokens * 2.0 * matmul_params
    attn_flops = throughput.attention_flops(tokens, attended_tokens, attn_flops_full_per_ctx,
                                            attn_flops_window_per_ctx, window_tokens)
    split = np.where(tp, 1.0 / gpus, 1.0)  # each device's share of what the group splits
    kv_share = np.where(tp & ~ep, throughput.kv_replication(gpus, kv_heads, True) / gpus, split)
    weight_bytes = dense_bytes * np.where(ep, 1.0, split) + routed_bytes * split

    allreduce = throughput.allreduce_s(tokens * hidden_size * throughput.ACTIVATION_BYTES, gpus,
                                       interconnect_bandwidth_gb_per_s, allreduce_latency_s, allreduce_bandwidth_share)
    exchange = throughput.all_to_all_s(tokens, experts_active, hidden_size, gpus, interconnect_bandwidth_gb_per_s,
                                       all_to_all_latency_s, allreduce_bandwidth_share)
    comm = np.where(ep, moe_layers * exchange, np.where(tp, 2.0 * layers * allreduce, 0.0))
    experts_per_device = touched * np.where(ep, 1.0 / gpus, 1.0)
    overhead = (step_overhead_s + layers * layer_overhead_s
                + moe_layers * (moe_layer_overhead_s + experts_per_device * moe_expert_overhead_s))
    terms = throughput.step_time_s(weight_bytes, matmul_flops * split, kv_bytes * kv_share, attn_flops * split,
                                   memory_bandwidth_tb_per_s, peak_tflops, eta_memory, eta_compute, kv_bandwidth_share,
                                   overhead, comm)
    out = {name: value / speed_factor for name, value in terms.items()}
    out["experts_touched"] = touched
    return out


# ------------------------------------------------------------------- 3. power
def phase_power_w(phase, idle_w, tdp_w, memory_power_weight, overhead_power_weight, duty):
    """Board power of one accelerator over one phase's step (``forward_step``'s terms) [W]."""
    step = phase["step_s"]
    return energy.board_power_w(idle_w, tdp_w, phase["memory_s"] / step, phase["compute_busy_s"] / step,
                                memory_power_weight, (phase["overhead_s"] + phase["comm_s"]) / step,
                                overhead_power_weight, duty)


def serving_power(decode, prefill, gpu_seconds_per_output_token, gpu_seconds_per_input_token, idle_w, tdp_w,
                  memory_power_weight, overhead_power_weight, tensor_parallel, gpus, input_tokens_per_output_token,
                  utilization, host_power_w, host_idle_power_w, network_power_w, storage_power_w, accelerator_count,
                  hot_spare_fraction):
    """Board power while decoding and prefilling, the time-average and the provisioned IT power per accelerator [W].

    decode, prefill : each phase's step terms (``forward_step``)
    gpu_seconds_per_output_token, gpu_seconds_per_input_token : accelerator time per token [s]
    Under layer-split (pipeline) execution each device works 1/gpus of the step and idles
    the rest. Serving mixes the phases by their share of accelerator time at the
    input:output ratio; outside ``utilization`` the accelerator idles. The host follows the
    accelerators' load, from its idle to its full-load power; network and storage draw their
    figures; hot spares idle, powered. Provisioned power is every part at full load, spares
    included. See docs/methodology.md, "Power".

    >>> d = {"step_s": 1.0, "memory_s": 1.0, "compute_busy_s": 0.0, "overhead_s": 0.0, "comm_s": 0.0}
    >>> f = {"step_s": 1.0, "memory_s": 0.0, "compute_busy_s": 1.0, "overhead_s": 0.0, "comm_s": 0.0}
    >>> p = serving_power(d, f, 1.0, 0.0, 100.0, 700.0, 0.5, 0.25, True, 1.0, 0.0, 0.5, 800.0, 800.0, 0.0, 0.0,
    ...                   8.0, 0.0)
    >>> float(p["decode_power_w"]), float(p["prefill_power_w"]), float(p["avg_power_w_per_gpu"])
    (400.0, 700.0, 350.0)
    >>> p = serving_power(d, f, 1.0, 0.0, 100.0, 700.0, 0.5, 0.25, True, 1.0, 0.0, 0.5, 800.0, 400.0, 0.0, 0.0,
    ...                   8.0, 0.0)  # host 50 W idle + 50 W x load 0.25 per accelerator
    >>> float(p["avg_power_w_per_gpu"]), float(p["provisioned_w_per_gpu"])
    (312.5, 800.0)
    >>> float(p["marginal_w_per_gpu"])  # a busy hour over an idle one: 300 W of board, 25 W of host
    325.0
    """
    idle = np.minimum(idle_w, tdp_w)
    duty = np.where(np.asarray(tensor_parallel, dtype=bool), 1.0, 1.0 / gpus)
    p_decode = phase_power_w(decode, idle, tdp_w, memory_power_weight, overhead_power_weight, duty)
    p_prefill = phase_power_w(prefill, idle, tdp_w, memory_power_weight, overhead_power_weight, duty)
    busy_in = input_tokens_per_output_token * gpu_seconds_per_input_token
    prefill_share = busy_in / (busy_in + gpu_seconds_per_output_token)
    serving_w = prefill_share * p_prefill + (1.0 - prefill_share) * p_decode
    board_w = energy.average_power_w(idle, serving_w, utilization)
    span = np.where(tdp_w > idle, tdp_w - idle, 1.0)
    load = np.where(tdp_w > idle, (board_w - idle) / span, 0.0)
    host_idle = np.minimum(host_idle_power_w, host_power_w)
    host_w = energy.host_power_w(host_idle, host_power_w, load)
    other_w = network_power_w + storage_power_w
    spare_w = hot_spare_fraction * (idle + (host_idle + other_w) / accelerator_count)
    host_per_load = (host_power_w - host_idle) / accelerator_count / span
    return {
        "marginal_w_per_gpu": (serving_w - idle) * (1.0 + host_per_load),
        "decode_power_w": p_decode,
        "prefill_power_w": p_prefill,
        "avg_power_w_per_gpu": board_w + (host_w + other_w) / accelerator_count + spare_w,
        "provisioned_w_per_gpu": (1.0 + hot_spare_fraction) * (tdp_w + (host_power_w + other_w) / accelerator_count),
    }


# ------------------------------------------------------------------ 4. costs
def capex_per_gpu(owned, price_usd, accelerator_count, host_capex_usd, network_capex_usd, storage_capex_usd,
                  hot_spare_fraction):
    """Purchase price per serving accelerator of an owned system, by part, spares included [USD]; 0 when rented.

    >>> c = capex_per_gpu(1.0, 25000.0, 8.0, 80000.0, 40000.0, 0.0, 0.0)
    >>> float(c["hardware_capex_usd_per_gpu"]), float(c["network_capex_usd_per_gpu"]), float(c["capex_usd_per_gpu"])
    (35000.0, 5000.0, 40000.0)
    """
    bought = owned * (1.0 + hot_spare_fraction)
    hardware = bought * costs.capex_per_accelerator_usd(price_usd, accelerator_count, host_capex_usd, 0.0)
    network = bought * network_capex_usd / accelerator_count
    storage = bought * storage_capex_usd / accelerator_count
    return {"hardware_capex_usd_per_gpu": hardware, "network_capex_usd_per_gpu": network,
            "storage_capex_usd_per_gpu": storage, "capex_usd_per_gpu": hardware + network + storage}


def terminal_value(owned, hardware_capex_usd_per_gpu, resale_fraction_at_horizon, hardware_price_decline_per_year,
                   horizon_years):
    """What the accelerators and hosts fetch when sold at the horizon, per serving accelerator [USD].

    >>> round(float(terminal_value(1.0, 40000.0, 0.46, 0.0, 3.0)), 6)
    18400.0
    """
    return owned * hardware_capex_usd_per_gpu * finance.resale_value_fraction(
        resale_fraction_at_horizon, hardware_price_decline_per_year, horizon_years)


def marginal_cost(pays_energy, marginal_w_per_gpu, pue, electricity_usd_per_kwh, rent_usd_per_gpu_hour,
                  extras_usd_per_gpu_hour, rent_billed_per_used_hour):
    """What one more busy hour costs when the capacity is already there [USD per used GPU-h].

    Owned hardware (capital, building, staff paid either way): the extra energy of serving over
    idling. A rental billed per used hour: its price. A reservation: nothing more.

    >>> float(marginal_cost(1.0, 500.0, 1.2, 0.1, 0.0, 0.0, 0.0)), float(marginal_cost(0.0, 500.0, 1.0, 0.0, 6.88, 0.0, 1.0))
    (0.06, 6.88)
    """
    return (pays_energy * energy.energy_cost_usd_per_hour(marginal_w_per_gpu, pue, electricity_usd_per_kwh)
            + rent_billed_per_used_hour * (rent_usd_per_gpu_hour + extras_usd_per_gpu_hour))


def cost_per_gpu_hour(values) -> dict:
    """Every line of ``registry.COST_LINES`` [USD/GPU-h], by name, from inputs and intermediates."""
    return {line.name: call(getattr(costs, line.formula), values) for line in COST_LINES}


# -------------------------------------------------------------- 5. per token
def per_token(cost_usd_per_gpu_hour, gpu_seconds_per_output_token, gpu_seconds_per_input_token, utilization,
              input_tokens_per_output_token, markup_fraction, margin_fraction, marketplace_fee_fraction,
              provisioned_w_per_gpu, pue, availability_hours_per_day):
    """Cost and price per million tokens, tokens per day per accelerator and per MW of site power.

    Every hour is paid, ``utilization`` of it serves; see ``costs.usd_per_million_tokens``.

    >>> t = per_token(3.6, 0.001, 0.0001, 0.5, 1.0, 0.0, 0.0, 0.0, 1000.0, 1.0, 24.0)
    >>> float(t["cost_usd_per_million_output_tokens"]), float(t["cost_usd_per_million_input_tokens"])
    (2.0, 0.2)
    """
    c_out = costs.usd_per_million_tokens(cost_usd_per_gpu_hour, gpu_seconds_per_output_token, utilization)
    c_in = costs.usd_per_million_tokens(cost_usd_per_gpu_hour, gpu_seconds_per_input_token, utilization)
    ratio = input_tokens_per_output_token
    blended = costs.blended_usd_per_million_tokens(c_in, c_out, ratio)
    served = 1.0 / (gpu_seconds_per_output_token + ratio * gpu_seconds_per_input_token)  # output tokens/s, prompts too
    return {
        "cost_usd_per_million_output_tokens": c_out,
        "cost_usd_per_million_input_tokens": c_in,
        "cost_usd_per_million_tokens_blended": blended,
        "price_usd_per_million_tokens_blended": costs.selling_price(blended, markup_fraction, margin_fraction,
                                                                    marketplace_fee_fraction),
        "price_usd_per_million_output_tokens": costs.selling_price(c_out, markup_fraction, margin_fraction,
                                                                   marketplace_fee_fraction),
        "served_output_tokens_per_s_per_gpu": served,
        "output_tokens_per_day_per_mw": costs.tokens_per_day_per_mw(served, utilization, provisioned_w_per_gpu, pue),
        "output_tokens_per_day_per_gpu": served * utilization * availability_hours_per_day * SECONDS_PER_HOUR,
    }


# The terms a step's time adds up from (``throughput.step_time_s``), each an output ``decode_<term>_ms``.
STEP_TERMS = ("weights", "kv", "compute", "comm", "overhead")

# Outputs that mean nothing when the weights do not fit, or the context is beyond the
# model's window: NaN there (JSON null).
UNDEFINED_WHEN_NOT_FIT = (
    "cost_usd_per_million_output_tokens", "cost_usd_per_million_input_tokens", "cost_usd_per_million_tokens_blended",
    "price_usd_per_million_tokens_blended", "price_usd_per_million_output_tokens",
    "served_output_tokens_per_s_per_gpu", "output_tokens_per_day_per_mw", "output_tokens_per_day_per_gpu",
    "tokens_per_joule", "decode_tokens_per_s",
    "decode_tokens_per_s_per_gpu", "prefill_tokens_per_s", "prefill_tokens_per_s_per_gpu", "energy_j_per_output_token",
    "energy_j_per_input_token", "decode_step_ms", *(f"decode_{term}_ms" for term in STEP_TERMS),
)
# Outputs that would break a latency target no operating point meets: NaN there too.
UNDEFINED_WHEN_INFEASIBLE = tuple(k for k in UNDEFINED_WHEN_NOT_FIT if k not in ("decode_step_ms",))


# ------------------------------------------------------------ orchestration
def evaluate(x) -> dict:
    """Every output metric for every scenario in ``x`` (arrays broadcast together).

    Degenerate inputs (zero utilization, a model that does not fit) give inf or NaN
    in the affected metrics, which the callers report as null; numpy's warnings
    about them are silenced here, once.
    """
    missing = [name for name in INPUTS if name not in x]
    if missing:
        raise KeyError(f"engine inputs missing: {', '.join(missing)}")
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return _evaluate(x)


def phases(x, v, batch):
    """(decode step, prefill step, prompt tokens, tokens prefilled per step): the decode step over ``batch``
    sequences at the setup's context, and the prefill of ``prefill_batch`` prompts attending half their
    length on average (docs/methodology.md section 1)."""
    decode = call(forward_step, {**v, "tokens": batch, "attended_tokens": x["context_tokens"],
                                 "kv_bytes": batch * v["kv_bytes_per_sequence"]})
    prompt = np.asarray(x["prompt_tokens"], dtype=float)
    p_tokens = x["prefill_batch"] * prompt
    p_kv = throughput.kv_cache_bytes(x["prefill_batch"], prompt, x["kv_bytes_per_token_full"],
                                     x["kv_bytes_per_token_window"], x["window_tokens"])
    prefill = call(forward_step, {**v, "tokens": p_tokens, "attended_tokens": prompt / 2.0, "kv_bytes": p_kv})
    return decode, prefill, prompt, p_tokens


def _evaluate(x) -> dict:
    v = dict(x)  # inputs, then each stage's intermediates, looked up by name
    v["weight_bytes_total"] = x["weight_params_total"] * x["bytes_per_param"]
    v["routed_bytes_total"] = x["moe_layers"] * x["experts_total"] * x["expert_params"] * x["bytes_per_param"]
    v["speed_factor"] = x["efficiency_multiplier"] * (1.0 - x["coordination_overhead_fraction"])
    v["kv_bytes_per_sequence"] = throughput.kv_cache_bytes(1.0, x["context_tokens"], x["kv_bytes_per_token_full"],
                                                           x["kv_bytes_per_token_window"], x["window_tokens"])
    point = operating_point(v, np.asarray(x["batch"], dtype=float))
    requested = point["batch"]
    v["gpus"] = gpus = point["gpus"]
    plan = call(memory_plan, {**v, "batch": requested})
    batch = plan["batch"]

    decode, prefill, prompt, p_tokens = phases(x, v, batch)
    v["gpu_seconds_per_output_token"] = gpus * decode["step_s"] / batch
    v["gpu_seconds_per_input_token"] = gpus * prefill["step_s"] / p_tokens
    lat = serving.latency(decode["step_s"], prefill["step_s"], batch, x["input_tokens_per_output_token"], p_tokens,
                          prompt, x["max_tpot_ms"], x["max_ttft_ms"])

    power = call(serving_power, {**v, "decode": decode, "prefill": prefill})
    v.update(power)
    v.update(call(capex_per_gpu, v))
    v["accelerators_total"] = x["systems_count"] * x["accelerator_count"]
    lines = cost_per_gpu_hour(v)
    v["cost_usd_per_gpu_hour"] = total = sum(lines.values())
    tokens = call(per_token, v)

    decode_tps = batch / decode["step_s"]
    prefill_tps = p_tokens / prefill["step_s"]
    held_weights, held_kv = throughput.held_bytes(v["weight_bytes_total"], v["routed_bytes_total"],
                                       batch * v["kv_bytes_per_sequence"], gpus, x["tensor_parallel"],
                                       x["expert_parallel"], x["kv_heads"])
    out = {
        "gpus": gpus,
        "batch": batch,
        "max_batch": plan["max_batch"],
        "fits": plan["fits"],
        "context_fits": plan["context_fits"],
        "weight_bytes": held_weights + 0.0 * batch,
        "kv_cache_bytes": held_kv,
        "memory_available_bytes": plan["memory_available_bytes"],
        "decode_step_ms": decode["step_s"] / S_PER_MS,
        **{f"decode_{term}_ms": decode[f"{term}_s"] / S_PER_MS for term in STEP_TERMS},
        "experts_touched": decode["experts_touched"] + 0.0 * batch,
        "decode_tokens_per_s": decode_tps,
        "decode_tokens_per_s_per_gpu": decode_tps / gpus,
        "bound_is_memory": decode["memory_s"] >= decode["compute_busy_s"],
        "prefill_tokens_per_s": prefill_tps,
        "prefill_tokens_per_s_per_gpu": prefill_tps / gpus,
        "decode_power_w": power["decode_power_w"],
        "prefill_power_w": power["prefill_power_w"],
        "energy_j_per_output_token": power["decode_power_w"] * v["gpu_seconds_per_output_token"],
        "energy_j_per_input_token": power["prefill_power_w"] * v["gpu_seconds_per_input_token"],
        "avg_power_w_per_gpu": power["avg_power_w_per_gpu"],
        "capex_usd_per_gpu": v["capex_usd_per_gpu"],
        "terminal_value_usd_per_gpu": call(terminal_value, v),
        "cost_usd_per_gpu_hour": total,
        "cost_usd_per_used_gpu_hour": total / x["utilization"],
        "marginal_usd_per_used_gpu_hour": call(marginal_cost, v),
        **{f"{name}_usd_per_gpu_hour": value for name, value in lines.items()},
        "operating_usd_per_gpu_hour": sum(lines[line.name] for line in COST_LINES if line.nature == OPERATING),
        **tokens,
        "gpu_seconds_per_output_token": v["gpu_seconds_per_output_token"],
        "gpu_seconds_per_input_token": v["gpu_seconds_per_input_token"],
        "accelerators_total": v["accelerators_total"],
        "provisioned_w_per_gpu": power["provisioned_w_per_gpu"],
        **serving_outputs(lat, point, plan, batch, x["accelerator_count"], gpus),
    }
    out["tokens_per_joule"] = 1.0 / out["energy_j_per_output_token"]
    undefined = ~(plan["weights_fit"] & plan["context_fits"])
    for key in (*UNDEFINED_WHEN_NOT_FIT, "tpot_ms", "ttft_ms", "tokens_per_s_per_user"):
        out[key] = costs.nan_where(undefined, out[key])
    for key in UNDEFINED_WHEN_INFEASIBLE:
        out[key] = costs.nan_where(point["infeasible"], out[key])
    return out


# ------------------------------------------------------- the operating point
def operating_point(v, batch):
    """The batch served and the accelerators per replica: the setup's own batch (> 0) on the fewest
    accelerators that hold it, or, where it is 0, the point ``serving.choose_operating_point`` picks.

    Returns batch, gpus, chosen, infeasible (chosen and no point meets the targets), best_tpot_ms,
    best_ttft_ms (NaN where the point is not chosen).
    """
    chosen = batch <= 0
    out = {"batch": batch, "chosen": chosen, "infeasible": np.zeros(np.shape(batch), dtype=bool),
           "best_tpot_ms": np.nan * batch, "best_ttft_ms": np.nan * batch}
    if not chosen.any():
        out["gpus"] = serving_group(v, batch)
        return out
    point = serving.choose_operating_point(v, _step)
    out["batch"] = np.where(chosen, point["batch"], batch)
    out["gpus"] = np.where(chosen, point["gpus"], serving_group(v, out["batch"]))
    out["infeasible"] = chosen & ~point["feasible"]
    out["best_tpot_ms"] = np.where(chosen, point["best_tpot_ms"], np.nan)
    out["best_ttft_ms"] = np.where(chosen, point["best_ttft_ms"], np.nan)
    return out


def serving_outputs(lat, point, plan, batch, accelerator_count, gpus) -> dict:
    """The operating point's outputs: latency, whether the targets hold, replicas, best achievable."""
    shape = 0.0 * batch  # every output at the scenarios' shape
    return {
        "tpot_ms": lat["tpot_ms"],
        "ttft_ms": lat["ttft_ms"],
        "tokens_per_s_per_user": lat["tokens_per_s_per_user"],
        "queueing_factor": lat["queueing_factor"],
        "slo_met": lat["slo_met"] & plan["weights_fit"],
        "operating_point_chosen": (point["chosen"] + shape) > 0,
        "replicas": np.floor(accelerator_count / gpus),
        "best_tpot_ms": point["best_tpot_ms"] + shape,
        "best_ttft_ms": point["best_ttft_ms"] + shape,
    }


def _step(values):
    """``forward_step`` with its parameters taken from ``values`` by name, as the operating-point search
    takes it: (step_s, memory_busy_s, compute_busy_s)."""
    t = call(forward_step, values)
    return t["step_s"], t["memory_s"], t["compute_busy_s"]
