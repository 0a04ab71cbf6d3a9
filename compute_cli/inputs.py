"""Turn resolved profiles into the engine's named, broadcastable arrays."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from compute_cli.engine import architecture
from compute_cli.engine.constants import HOURS_PER_DAY
from compute_cli.engine.efficiency import (
    BYTES_PER_PARAM,
    COMPUTE_PRECISION,
    EFFICIENCY,
    KV_BYTES_PER_ELEMENT,
    LINK_LATENCY_S,
    WEIGHT_ONLY_FALLBACK,
)
from compute_cli.profiles.catalog import ResolvedSetup
from compute_cli.profiles.schema import Model


@dataclass(frozen=True)
class RunOptions:
    """Per-run knobs that are not profile fields."""

    gpus: int = 0  # 0 = auto (fewest that fit)
    prompt_tokens: int | None = None  # None = the setup's context_tokens
    prefill_batch: int = 1
    parallelism: str = "tensor"  # or "pipeline"
    cap_batch: bool = True  # serve at most the batch that fits (compare); False: report as asked


def model_fields(m: Model, kv_precision: str) -> dict:
    total, _active_derived, one_expert, moe_layers, embedding = architecture.parameter_counts(m)
    is_mla = m.attention == "mla"
    kv_layer = float(architecture.kv_bytes_per_token_per_layer(
        m.kv_heads, m.head_dim, is_mla, m.kv_lora_rank, m.qk_rope_head_dim, KV_BYTES_PER_ELEMENT[kv_precision]))
    attn_layer = float(architecture.attention_flops_per_token_per_context(
        m.attention_heads, m.head_dim, is_mla, m.kv_lora_rank, m.qk_rope_head_dim, m.v_head_dim))
    window_layers = m.sliding_window_layers if m.sliding_window > 0 else 0
    full_layers = m.layers - window_layers
    # The input embedding is a table look-up: neither read in full nor multiplied.
    lookup_only = 0 if m.tied_embeddings else embedding
    matmul_params = m.active_params - lookup_only
    routed_active = moe_layers * m.experts_active * one_expert
    return {
        "weight_params_total": float(m.total_params),
        "matmul_params": float(matmul_params),
        "dense_params_read": float(matmul_params - routed_active),
        "expert_params": float(one_expert),
        "moe_layers": float(moe_layers),
        "experts_total": float(m.experts_total),
        "experts_active": float(m.experts_active),
        "kv_bytes_per_token_full": kv_layer * full_layers,
        "kv_bytes_per_token_window": kv_layer * window_layers,
        "window_tokens": float(m.sliding_window),
        "attn_flops_full_per_ctx": attn_layer * full_layers,
        "attn_flops_window_per_ctx": attn_layer * window_layers,
        "layers": float(m.layers),
        "hidden_size": float(m.hidden_size),
    }


def site_energy_price(site) -> float:
    """Price of a kWh at a site: the on-site generator's levelized cost where it has one, else the grid."""
    if site.generation != "grid" and site.onsite_lcoe_usd_per_kwh is not None:
        return site.onsite_lcoe_usd_per_kwh
    return site.electricity_usd_per_kwh


def peak_for(hardware, precision: str) -> tuple[float, str]:
    """(peak TFLOPS, precision the matrix units run at) for a weight format on this hardware."""
    compute = COMPUTE_PRECISION[precision]
    peak = getattr(hardware.peak_tflops, compute)
    if peak is not None:
        return peak, compute
    return hardware.peak_tflops.bf16, WEIGHT_ONLY_FALLBACK


def setup_fields(r: ResolvedSetup, options: RunOptions) -> dict:
    s, h, sy = r.setup, r.hardware, r.system
    eff = EFFICIENCY[h.category]
    peak, _ = peak_for(h, s.precision)
    own = s.kind == "own"
    fleet = s.kind == "device-fleet"
    site, fin, offer = r.site, r.finance, r.offer
    row = {
        # hardware
        "memory_gb": h.memory_gb,
        "memory_bandwidth_tb_per_s": h.memory_bandwidth_tb_per_s,
        "peak_tflops": peak,
        "tdp_w": h.tdp_w,
        "idle_w": min(h.idle_w, h.tdp_w),
        "accelerator_price_usd": h.price_usd,
        **eff,
        # system
        "accelerator_count": float(sy.accelerator_count),
        "host_capex_usd": sy.host_capex_usd,
        "network_capex_usd": sy.network_capex_usd,
        "host_power_w": sy.host_power_w,
        "link_gb_per_s": sy.interconnect_bandwidth_gb_per_s,
        "link_latency_s": LINK_LATENCY_S[sy.interconnect],
        # site (a renter pays no power or facility: the rent includes them)
        "electricity_usd_per_kwh": site_energy_price(site) if site else s.electricity_usd_per_kwh if fleet else 0.0,
        "pue": site.pue if site else 1.0,
        "colocation_usd_per_kw_month": site.colocation_usd_per_kw_month if site and site.facility == "colocation" else 0.0,
        "facility_capex_usd_per_mw": site.facility_capex_usd_per_mw if site and site.facility == "owned" else 0.0,
        "facility_life_years": site.facility_life_years if site else 1.0,
        "operations_usd_per_kw_month": site.operations_usd_per_kw_month if site else 0.0,
        # finance
        "cost_of_capital_per_year": fin.cost_of_capital_per_year if fin else 0.0,
        "economic_life_years": fin.economic_life_years if fin else 1.0,
        "residual_value_fraction": fin.residual_value_fraction if fin else 0.0,
        "maintenance_fraction_per_year": fin.maintenance_fraction_per_year if fin else 0.0,
        "insurance_tax_fraction_per_year": (fin.insurance_fraction_per_year + fin.property_tax_fraction_per_year) if fin else 0.0,
        # offer
        "rent_usd_per_gpu_hour": getattr(offer.usd_per_gpu_hour, s.term) if offer else 0.0,
        "rent_extras_usd_per_gpu_hour": offer.extras_usd_per_gpu_hour if offer else 0.0,
        # operations
        "owned": 1.0 if own else 0.0,
        "pays_energy": 1.0 if (own or fleet) else 0.0,
        # a device owner's machine idles anyway: the fleet pays only the energy above idle
        "energy_baseline_w": min(h.idle_w, h.tdp_w) if fleet else 0.0,
        "payout_usd_per_device_hour": s.payout_usd_per_device_hour if fleet else 0.0,
        "wear_usd_per_device_hour": s.wear_usd_per_device_hour if fleet else 0.0,
        "availability_hours_per_day": s.availability_hours_per_day if fleet else HOURS_PER_DAY,
        "speed_factor": s.efficiency_multiplier * (1.0 - (s.coordination_overhead_fraction if fleet else 0.0)),
        "systems_count": float(s.devices_count if fleet else s.systems_count),
        "utilization": s.utilization,
        "batch": float(s.batch),
        "context_tokens": float(s.context_tokens),
        "input_tokens_per_output_token": s.input_tokens_per_output_token,
        "staff_usd_per_year": s.staff_usd_per_year,
        "margin_fraction": s.margin_fraction,
        "marketplace_fee_fraction": s.marketplace_fee_fraction,
        "bytes_per_param": BYTES_PER_PARAM[s.precision],
        # run options
        "gpus": float(options.gpus),
        "prompt_tokens": float(options.prompt_tokens or s.context_tokens),
        "prefill_batch": float(options.prefill_batch),
        "tensor_parallel": options.parallelism == "tensor",
        "cap_batch": options.cap_batch,
    }
    return row


BOOL_FIELDS = ("tensor_parallel", "cap_batch")


def build(resolved: list[ResolvedSetup], model: Model, options: RunOptions = RunOptions()) -> dict:
    """One array element per setup: ``{name: ndarray(shape=(len(resolved),))}``."""
    rows = []
    for r in resolved:
        row = setup_fields(r, options)
        row.update(model_fields(model, r.setup.kv_precision))
        row["weight_bytes_total"] = row["weight_params_total"] * row["bytes_per_param"]
        rows.append(row)
    names = rows[0].keys()
    return {k: np.array([row[k] for row in rows], dtype=bool if k in BOOL_FIELDS else float) for k in names}
