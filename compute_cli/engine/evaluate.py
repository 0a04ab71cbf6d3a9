"""The whole engine in one vectorized pass: throughput, power, cost per GPU-hour, per token.

``evaluate(x)`` takes a mapping of named, broadcastable arrays (see
``compute_cli.inputs.INPUT_FIELDS`` for the names and units) and returns a dict
of named arrays. No profile objects, no I/O.
"""

from __future__ import annotations

import numpy as np

from compute_cli.engine import costs, energy, facility, throughput

LINE_ITEMS = (
    "capital",
    "maintenance",
    "insurance_tax",
    "energy",
    "facility",
    "site_operations",
    "staff",
    "rent",
    "payout",
    "wear",
)


def group_gpus(x, batch):
    """Fewest accelerators of the system (a divisor of its count) that hold the weights and
    ``batch`` sequences' KV cache; the whole system when none does."""
    count = np.asarray(x["accelerator_count"], dtype=float)
    kv_seq = throughput.kv_cache_bytes(1.0, x["context_tokens"], x["kv_bytes_per_token_full"],
                                       x["kv_bytes_per_token_window"], x["window_tokens"])
    need = throughput.memory_needed_bytes(x["weight_bytes_total"], batch * kv_seq, x["memory_reserve_fraction"], 1.0,
                                          x["memory_gb"])[0]
    fewest = throughput.fewest_gpus(need, x["memory_gb"], x["memory_reserve_fraction"])
    return throughput.smallest_divisor_at_least(count, fewest)


def evaluate(x) -> dict:
    """Every output metric for every scenario in ``x`` (arrays broadcast together).

    Degenerate inputs (zero utilization, a model that does not fit) give inf or NaN
    in the affected metrics, which the callers report as null; numpy's warnings
    about them are silenced here, once.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return _evaluate(x)


def _evaluate(x) -> dict:
    out: dict = {}
    requested_batch = np.asarray(x["batch"], dtype=float)
    fixed = np.asarray(x["gpus"], dtype=float)
    gpus = np.where(fixed > 0, fixed, group_gpus(x, requested_batch))
    kv_seq = throughput.kv_cache_bytes(1.0, x["context_tokens"], x["kv_bytes_per_token_full"],
                                       x["kv_bytes_per_token_window"], x["window_tokens"])
    max_batch = throughput.max_batch(x["weight_bytes_total"], kv_seq, x["memory_reserve_fraction"], gpus, x["memory_gb"])
    weights_fit = max_batch >= 1
    # compare serves at most max_batch sequences; throughput reports the requested batch as asked
    capped = np.maximum(np.minimum(requested_batch, max_batch), 1.0)
    batch = np.where(np.asarray(x["cap_batch"], dtype=bool), capped, requested_batch)
    fits = weights_fit & (batch <= max_batch)
    tp = np.asarray(x["tensor_parallel"], dtype=bool)

    # ---------------------------------------------------------------- decode
    weight_bytes = throughput.weight_bytes_per_step(x["dense_params_read"], x["expert_params"], x["moe_layers"],
                                                    x["experts_total"], x["experts_active"], batch, x["bytes_per_param"])
    kv_bytes = batch * kv_seq
    matmul_flops = batch * 2.0 * x["matmul_params"]
    attn_flops = throughput.attention_flops(batch, x["context_tokens"], x["attn_flops_full_per_ctx"],
                                            x["attn_flops_window_per_ctx"], x["window_tokens"])
    tp_comm = np.where(tp, 1.0, 0.0)
    decode_comm = tp_comm * x["layers"] * 2.0 * throughput.allreduce_s(
        batch * x["hidden_size"] * throughput.ACTIVATION_BYTES, gpus, x["link_gb_per_s"], x["link_latency_s"])
    step, mem_s, comp_s = throughput.step_time_s(weight_bytes, matmul_flops, kv_bytes, attn_flops, gpus, tp,
                                                 x["memory_bandwidth_tb_per_s"], x["peak_tflops"], x["eta_memory"],
                                                 x["eta_compute"], x["layers"], x["layer_overhead_s"], decode_comm,
                                                 x["kv_bandwidth_share"])
    # software efficiency (x2 = twice the tokens from the same hardware) and, for device
    # fleets, the share lost to coordination: both scale delivered speed, not power draw
    speed = x["speed_factor"]
    step, mem_s, comp_s = step / speed, mem_s / speed, comp_s / speed
    decode_tps = batch / step
    out["gpus"] = gpus
    out["batch"] = batch
    out["max_batch"] = max_batch
    out["fits"] = fits
    out["weight_bytes"] = x["weight_bytes_total"] + 0.0 * batch
    out["kv_cache_bytes"] = batch * kv_seq
    out["memory_available_bytes"] = throughput.memory_needed_bytes(
        x["weight_bytes_total"], 0.0, x["memory_reserve_fraction"], gpus, x["memory_gb"])[1]
    out["decode_step_ms"] = step * 1e3
    out["decode_tokens_per_s"] = decode_tps
    out["decode_tokens_per_s_per_gpu"] = decode_tps / gpus
    out["bound_is_memory"] = mem_s >= comp_s

    # --------------------------------------------------------------- prefill
    prompt = np.asarray(x["prompt_tokens"], dtype=float)
    p_tokens = x["prefill_batch"] * prompt
    p_weight_bytes = throughput.weight_bytes_per_step(x["dense_params_read"], x["expert_params"], x["moe_layers"],
                                                      x["experts_total"], x["experts_active"], p_tokens,
                                                      x["bytes_per_param"])
    p_kv_bytes = throughput.kv_cache_bytes(x["prefill_batch"], prompt, x["kv_bytes_per_token_full"],
                                           x["kv_bytes_per_token_window"], x["window_tokens"])
    p_matmul_flops = p_tokens * 2.0 * x["matmul_params"]
    p_attn_flops = throughput.attention_flops(p_tokens, prompt / 2.0, x["attn_flops_full_per_ctx"],
                                              x["attn_flops_window_per_ctx"], x["window_tokens"])
    p_comm = tp_comm * x["layers"] * 2.0 * throughput.allreduce_s(
        p_tokens * x["hidden_size"] * throughput.ACTIVATION_BYTES, gpus, x["link_gb_per_s"], x["link_latency_s"])
    p_step, p_mem_s, p_comp_s = throughput.step_time_s(p_weight_bytes, p_matmul_flops, p_kv_bytes, p_attn_flops, gpus,
                                                       tp, x["memory_bandwidth_tb_per_s"], x["peak_tflops"],
                                                       x["eta_memory"], x["eta_compute"], x["layers"],
                                                       x["layer_overhead_s"], p_comm, x["kv_bandwidth_share"])
    p_step, p_mem_s, p_comp_s = p_step / speed, p_mem_s / speed, p_comp_s / speed
    out["prefill_tokens_per_s"] = p_tokens / p_step
    out["prefill_tokens_per_s_per_gpu"] = out["prefill_tokens_per_s"] / gpus

    # ----------------------------------------------------------------- power
    p_decode = energy.board_power_w(x["idle_w"], x["tdp_w"], mem_s / step, comp_s / step, x["memory_power_weight"])
    p_prefill = energy.board_power_w(x["idle_w"], x["tdp_w"], p_mem_s / p_step, p_comp_s / p_step,
                                     x["memory_power_weight"])
    gpu_s_out = gpus * step / batch  # accelerator-seconds per output token
    gpu_s_in = gpus * p_step / p_tokens  # accelerator-seconds per input token
    out["decode_power_w"] = p_decode
    out["prefill_power_w"] = p_prefill
    out["energy_j_per_output_token"] = p_decode * gpu_s_out
    out["energy_j_per_input_token"] = p_prefill * gpu_s_in

    ratio = x["input_tokens_per_output_token"]
    busy_in = ratio * gpu_s_in
    prefill_share = busy_in / (busy_in + gpu_s_out)
    serving_w = prefill_share * p_prefill + (1.0 - prefill_share) * p_decode
    util = x["utilization"]
    count = x["accelerator_count"]
    host_w_per_gpu = x["host_power_w"] / count
    avg_it_w = energy.average_power_w(x["idle_w"], serving_w, util) + host_w_per_gpu
    provisioned_w = x["tdp_w"] + host_w_per_gpu
    out["avg_power_w_per_gpu"] = avg_it_w

    # ------------------------------------------------------- cost per GPU-hour
    own = np.asarray(x["owned"], dtype=float)
    capex = costs.capex_per_accelerator_usd(x["accelerator_price_usd"], count, x["host_capex_usd"], x["network_capex_usd"])
    rate = x["cost_of_capital_per_year"]
    items = {
        "capital": own * costs.capital_usd_per_hour(capex, rate, x["economic_life_years"], x["residual_value_fraction"]),
        "maintenance": own * costs.fraction_of_capex_usd_per_hour(capex, x["maintenance_fraction_per_year"]),
        "insurance_tax": own * costs.fraction_of_capex_usd_per_hour(capex, x["insurance_tax_fraction_per_year"]),
        "energy": x["pays_energy"] * energy.energy_cost_usd_per_hour(avg_it_w - x["energy_baseline_w"], x["pue"],
                                                                     x["electricity_usd_per_kwh"]),
        "facility": own * (facility.colocation_usd_per_hour(provisioned_w, x["colocation_usd_per_kw_month"])
                           + facility.owned_facility_usd_per_hour(provisioned_w, x["facility_capex_usd_per_mw"], rate,
                                                                  x["facility_life_years"])),
        "site_operations": own * facility.operations_usd_per_hour(provisioned_w, x["operations_usd_per_kw_month"]),
        "staff": costs.staff_usd_per_gpu_hour(x["staff_usd_per_year"], x["systems_count"] * count),
        "rent": x["rent_usd_per_gpu_hour"] + x["rent_extras_usd_per_gpu_hour"],
        "payout": x["payout_usd_per_device_hour"],
        "wear": x["wear_usd_per_device_hour"],
    }
    total = sum(items.values())
    out["capex_usd_per_gpu"] = own * capex
    out["cost_usd_per_gpu_hour"] = total
    for name, value in items.items():
        out[f"{name}_usd_per_gpu_hour"] = value

    # ------------------------------------------------------------- per token
    c_out = costs.usd_per_million_tokens(total, gpu_s_out, util)
    c_in = costs.usd_per_million_tokens(total, gpu_s_in, util)
    blended = costs.blended_usd_per_million_tokens(c_in, c_out, ratio)
    not_fit = ~weights_fit
    out["cost_usd_per_million_output_tokens"] = costs.nan_where(not_fit, c_out)
    out["cost_usd_per_million_input_tokens"] = costs.nan_where(not_fit, c_in)
    out["cost_usd_per_million_tokens_blended"] = costs.nan_where(not_fit, blended)
    sell = costs.selling_price(blended, x["margin_fraction"], x["marketplace_fee_fraction"])
    out["price_usd_per_million_tokens_blended"] = costs.nan_where(not_fit, sell)
    out["price_usd_per_million_output_tokens"] = costs.nan_where(
        not_fit, costs.selling_price(c_out, x["margin_fraction"], x["marketplace_fee_fraction"]))
    tokens_per_s_per_gpu_avg = 1.0 / (gpu_s_out + ratio * gpu_s_in)  # output tokens/s with their prompts
    out["gpu_seconds_per_output_token"] = gpu_s_out
    out["gpu_seconds_per_input_token"] = gpu_s_in
    out["served_output_tokens_per_s_per_gpu"] = costs.nan_where(not_fit, tokens_per_s_per_gpu_avg)
    out["accelerators_total"] = x["systems_count"] * count
    out["provisioned_w_per_gpu"] = provisioned_w
    out["output_tokens_per_day_per_mw"] = costs.nan_where(
        not_fit, costs.tokens_per_day_per_mw(tokens_per_s_per_gpu_avg, util, provisioned_w, x["pue"]))
    out["tokens_per_joule"] = costs.nan_where(not_fit, 1.0 / out["energy_j_per_output_token"])
    for key in ("decode_tokens_per_s", "decode_tokens_per_s_per_gpu", "prefill_tokens_per_s",
                "prefill_tokens_per_s_per_gpu", "energy_j_per_output_token", "energy_j_per_input_token",
                "decode_step_ms"):
        out[key] = costs.nan_where(not_fit, out[key])
    return out
