"""The engine's contract, declared once: its inputs, its cost lines and its outputs.

Every other layer derives from these lists. ``compute_cli.inputs.build`` must
produce exactly ``INPUTS`` (and says where each value came from); ``evaluate``
reads nothing else; the compare rows and breakdowns, the investment split into
capital and operating cost, the output schema and the docs all iterate
``COST_LINES``; sweeps and charts take names and units from ``OUTPUTS``.

Where to add things (see docs/architecture.md):

* an **input** read straight from a profile: one ``Input`` below with its
  ``read`` path (paths as ``--set`` writes them) and, when only some kinds of
  setup pay it, ``kinds``; then the profile field in ``profiles/schema.py``.
  An input that needs a rule (which of two figures applies) names no ``read``
  and gets a function in ``inputs.DERIVED``.
* a **cost line**: one ``CostLine`` below and its formula in ``engine/costs.py``
  (a function whose parameter names are inputs or ``INTERMEDIATES``), plus the
  profile field its input reads. Nothing else changes by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

KINDS = ("own", "rent", "device-fleet")
OWN = frozenset({"own"})
RENT = frozenset({"rent"})
FLEET = frozenset({"device-fleet"})

# What a setup of each kind pays for itself; the reason given when a --set changes nothing.
KIND_REASON = MappingProxyType({
    "own": "it owns its hardware",
    "rent": "it rents (the rent covers hardware, power and facility)",
    "device-fleet": "it is a fleet of devices whose owners already paid for them",
})


@dataclass(frozen=True)
class Input:
    """One engine input: a named array, one element per scenario."""

    name: str
    unit: str  # [-] for dimensionless, 'bool' for flags
    meaning: str
    read: str | None = None  # profile path relative to a setup, as --set writes it; None: derived (inputs.DERIVED)
    kinds: frozenset | None = None  # setup kinds that read it; the others get ``otherwise``
    otherwise: float = 0.0
    dtype: type = float


def by_name(*items) -> MappingProxyType:
    """A read-only ``{item.name: item}`` in declaration order."""
    return MappingProxyType({i.name: i for i in items})


INPUTS = by_name(
    # --------------------------------------------------------------- accelerator
    Input("memory_gb", "GB", "device memory of one accelerator", "accelerator.memory_gb"),
    Input("memory_bandwidth_tb_per_s", "TB/s", "datasheet memory bandwidth of one accelerator",
          "accelerator.memory_bandwidth_tb_per_s"),
    Input("peak_tflops", "TFLOPS", "dense tensor peak at the precision the weights are multiplied in"),
    Input("tdp_w", "W", "board power limit of one accelerator", "accelerator.tdp_w"),
    Input("idle_w", "W", "board power of one idle accelerator", "accelerator.idle_w"),
    Input("price_usd", "USD", "purchase price of one accelerator", "accelerator.price_usd", OWN),
    Input("failure_rate_per_year", "1/yr", "accelerators replaced at the owner's cost per accelerator-year",
          "accelerator.failure_rate_per_year", OWN),
    # what the serving engine achieves: the setup's runtime profile, else the hardware class's
    # factors (docs/methodology.md "Efficiency factors" and "Runtimes")
    Input("eta_memory", "[-]", "achieved / datasheet memory bandwidth in decode"),
    Input("eta_compute", "[-]", "achieved / datasheet tensor peak in large GEMMs"),
    Input("layer_overhead_s", "s", "fixed time per transformer layer per step (launches, synchronisation)"),
    Input("step_overhead_s", "s", "fixed time per step (scheduling, sampling, host-device sync)"),
    Input("moe_layer_overhead_s", "s", "fixed time per MoE layer per step (router, top-k, permute)"),
    Input("moe_expert_overhead_s", "s", "fixed time per routed expert a step touches, per MoE layer"),
    Input("memory_power_weight", "[-]", "share of the idle-to-TDP power range a memory-bound step draws"),
    Input("overhead_power_weight", "[-]", "share of the idle-to-TDP power range drawn during fixed costs and "
          "collectives"),
    Input("memory_reserve_fraction", "[-]", "device memory kept by the runtime, not free for weights or KV cache"),
    Input("kv_bandwidth_share", "[-]", "KV-cache reads stream at this share of the weights' achieved bandwidth"),
    # --------------------------------------------------------------------- system
    Input("accelerator_count", "accelerators", "accelerators in one system", "system.accelerator_count"),
    Input("host_capex_usd", "USD", "host (CPUs, chassis, memory) price of one system", "system.host_capex_usd", OWN),
    Input("network_capex_usd", "USD", "network share of one system's price", "system.network_capex_usd", OWN),
    Input("host_power_w", "W", "host power of one system at full load", "system.host_power_w"),
    Input("host_idle_power_w", "W", "host power of one system while its accelerators idle (the system's figure, "
          "else its full-load power)"),
    Input("network_power_w", "W", "network power per system (switches, optics) beyond the host's own NICs",
          "system.network_power_w"),
    Input("storage_capex_usd", "USD", "storage share of one system's price", "system.storage_capex_usd", OWN),
    Input("storage_power_w", "W", "storage power per system", "system.storage_power_w"),
    Input("interconnect_bandwidth_gb_per_s", "GB/s", "accelerator-to-accelerator bandwidth, one direction",
          "system.interconnect_bandwidth_gb_per_s"),
    Input("allreduce_latency_s", "s", "latency of one decode-sized all-reduce on the system's interconnect"),
    Input("allreduce_bandwidth_share", "[-]", "share of the interconnect's bandwidth an all-reduce achieves"),
    Input("all_to_all_latency_s", "s", "latency of one expert-parallel dispatch + combine per MoE layer"),
    # ----------------------------------------------------------------------- site
    Input("electricity_usd_per_kwh", "USD/kWh", "price of the energy the setup pays for"),
    Input("pue", "[-]", "power usage effectiveness of the site", "site.pue", OWN, otherwise=1.0),
    Input("colocation_usd_per_kw_month", "USD/kW-month", "colocation rent on provisioned IT power"),
    Input("facility_capex_usd_per_mw", "USD/MW", "construction cost of an owned building per MW of IT load"),
    Input("facility_life_years", "yr", "life over which an owned building is annualized"),
    Input("operations_usd_per_kw_month", "USD/kW-month", "site operations per provisioned kW",
          "site.operations_usd_per_kw_month", OWN),
    # -------------------------------------------------------------------- finance
    Input("cost_of_capital_per_year", "1/yr", "after-tax rate the capital is charged at: the finance profile's "
          "cost of capital, or the WACC of its debt/equity split"),
    Input("economic_life_years", "yr", "life over which the hardware is annualized", "finance.economic_life_years",
          OWN, otherwise=1.0),
    Input("residual_value_fraction", "[-]", "resale value of the accelerators and hosts at the end of their life, "
          "share of their price, from the finance profile's resale curve or residual value"),
    Input("hardware_price_decline_per_year", "1/yr", "yearly fall of hardware prices beyond what the resale curve "
          "holds; lowers every resale", "finance.hardware_price_decline_per_year", OWN),
    Input("horizon_years", "yr", "age at which the hardware is sold: the run's horizon (invest), else the end of "
          "its economic life"),
    Input("resale_fraction_at_horizon", "[-]", "resale value at the horizon from the resale curve, share of the price"),
    Input("income_tax_rate", "[-]", "income tax on the owner's profit", "finance.income_tax_rate", OWN),
    Input("tax_depreciation_method", "[-]", "tax depreciation schedule: 0 straight line over the life, 1 MACRS "
          "5-year, 2 expensing (engine.finance.TAX_DEPRECIATION)"),
    Input("maintenance_fraction_per_year", "1/yr", "maintenance per year, share of capex",
          "finance.maintenance_fraction_per_year", OWN),
    Input("insurance_fraction_per_year", "1/yr", "insurance per year, share of the book value",
          "finance.insurance_fraction_per_year", OWN),
    Input("property_tax_fraction_per_year", "1/yr", "property tax per year, share of the book value",
          "finance.property_tax_fraction_per_year", OWN),
    Input("staff_usd_per_accelerator_year", "USD/yr", "staff the owner adds per accelerator it runs",
          "finance.staff_usd_per_accelerator_year", OWN),
    Input("staff_usd_per_mw_year", "USD/yr", "staff the owner adds per MW of provisioned IT power",
          "finance.staff_usd_per_mw_year", OWN),
    Input("hot_spare_fraction", "[-]", "spare accelerators (with their servers) bought and kept powered, idle, per "
          "serving one", "finance.hot_spare_fraction", OWN),
    # ---------------------------------------------------------------------- offer
    Input("rent_usd_per_gpu_hour", "USD/GPU-h", "rental price at the setup's term"),
    Input("rent_billed_per_used_hour", "bool", "1 when the term bills only the hours used (on demand, spot); 0 when "
          "it bills every hour (a reservation)"),
    Input("extras_usd_per_gpu_hour", "USD/GPU-h", "storage, egress and other extras of a rental",
          "offer.extras_usd_per_gpu_hour", RENT),
    # ---------------------------------------------------------------------- setup
    Input("owned", "bool", "1 when the setup owns its hardware (pays capital, facility, site operations)"),
    Input("pays_energy", "bool", "1 when the setup pays for its own energy (owned, or a device fleet)"),
    Input("energy_baseline_w", "W", "power the device draws anyway (a device fleet pays only above it)"),
    Input("payout_usd_per_device_hour", "USD/device-h", "paid to a device's owner per hour",
          "payout_usd_per_device_hour", FLEET),
    Input("wear_usd_per_device_hour", "USD/device-h", "wear compensation per device-hour", "wear_usd_per_device_hour",
          FLEET),
    Input("availability_hours_per_day", "h/day", "hours a day the capacity can serve",
          "availability_hours_per_day", FLEET, otherwise=24.0),
    Input("efficiency_multiplier", "[-]", "software speed-up over the roofline's efficiency factors",
          "efficiency_multiplier"),
    Input("coordination_overhead_fraction", "[-]", "share of a device fleet's speed lost to coordination",
          "coordination_overhead_fraction", FLEET),
    Input("systems_count", "systems", "systems (or devices) in the deployment, sharing its staff"),
    Input("utilization", "[-]", "share of hours serving paid traffic", "utilization"),
    Input("batch", "sequences", "sequences decoding together; 0: the operating point is chosen"),
    Input("context_tokens", "tokens", "tokens in each sequence's KV cache while decoding (the workload's "
          "input + output / 2)"),
    Input("input_tokens_per_output_token", "[-]", "prompt tokens per generated token (the workload's input / output)"),
    Input("max_ttft_ms", "ms", "latency target on the time to first token (inf: none)"),
    Input("max_tpot_ms", "ms", "latency target on the time per output token (inf: none)"),
    Input("staff_usd_per_year", "USD/yr", "fixed staff cost of the deployment (its own team)", "staff_usd_per_year"),
    Input("markup_fraction", "[-]", "markup on cost: price = cost x (1 + markup)", "markup_fraction"),
    Input("margin_fraction", "[-]", "margin on the selling price: price = cost / (1 - margin)", "margin_fraction"),
    Input("marketplace_fee_fraction", "[-]", "share of the price a marketplace keeps", "marketplace_fee_fraction"),
    Input("bytes_per_param", "B", "bytes per weight at the setup's precision, quantization scales included"),
    # ------------------------------------------------------------- run options
    Input("gpus", "accelerators", "accelerators serving one copy of the model; 0 = the fewest that fit"),
    Input("prompt_tokens", "tokens", "prompt length of the prefill figures (the workload's input tokens)"),
    Input("prefill_batch", "sequences", "prompts prefilled together"),
    Input("tensor_parallel", "bool", "split every layer over the group (else layers one after another)", dtype=bool),
    Input("expert_parallel", "bool", "attention data-parallel, experts spread over the group, tokens exchanged "
          "all-to-all", dtype=bool),
    Input("cap_batch", "bool", "serve at most the batch that fits in memory", dtype=bool),
    # ---------------------------------------------------------------------- model
    Input("weight_params_total", "params", "every weight of the model, all experts"),
    Input("matmul_params", "params", "weights one token multiplies (active, embedding look-up excluded)"),
    Input("dense_params_read", "params", "weights every step reads whatever the routing"),
    Input("expert_params", "params", "weights of one routed expert"),
    Input("moe_layers", "layers", "layers with routed experts"),
    Input("experts_total", "experts", "routed experts per MoE layer"),
    Input("experts_active", "experts", "routed experts each token uses"),
    Input("kv_bytes_per_token_full", "B/token", "KV cache per token over the full-attention layers"),
    Input("kv_bytes_per_token_window", "B/token", "KV cache per token over the sliding-window layers"),
    Input("window_tokens", "tokens", "sliding-window length (0: none)"),
    Input("attn_flops_full_per_ctx", "FLOP/token/token", "attention FLOPs per new token per cached token, full layers"),
    Input("attn_flops_window_per_ctx", "FLOP/token/token", "the same over the sliding-window layers"),
    Input("layers", "layers", "transformer layers"),
    Input("hidden_size", "[-]", "width of the residual stream"),
    Input("kv_heads", "heads", "KV heads tensor parallelism can split (1 for a multi-head latent)"),
    Input("max_context_tokens", "tokens", "the model's context window (0: not stated)"),
)


# Intermediates the stages compute that cost-line formulas may take by name.
INTERMEDIATES = MappingProxyType({
    "capex_usd_per_gpu": "USD",
    "hardware_capex_usd_per_gpu": "USD",
    "network_capex_usd_per_gpu": "USD",
    "storage_capex_usd_per_gpu": "USD",
    "provisioned_w_per_gpu": "W",
    "avg_power_w_per_gpu": "W",
    "accelerators_total": "accelerators",
})

CAPITAL, OPERATING = "capital", "operating"


@dataclass(frozen=True)
class CostLine:
    """One line of the cost of an accelerator-hour [USD/GPU-h].

    ``formula`` names a function of ``compute_cli.engine.costs`` whose parameters are
    engine inputs or ``INTERMEDIATES``; ``group`` is the row of the compare table
    that sums it; ``nature`` says whether investment cash flows pay it up front
    (capital) or month by month (operating).
    """

    name: str
    label: str
    group: str
    nature: str
    formula: str


COST_LINES = (
    CostLine("capital", "capital recovery of the accelerators and hosts, spares included, net of resale and of the "
             "depreciation tax shield", "capital", CAPITAL, "capital_line"),
    CostLine("network", "capital recovery of the network", "network+storage", CAPITAL, "network_line"),
    CostLine("storage", "capital recovery of storage", "network+storage", CAPITAL, "storage_line"),
    CostLine("maintenance", "maintenance", "maintenance+insurance+tax", OPERATING, "maintenance_line"),
    CostLine("failures", "replacing failed accelerators", "maintenance+insurance+tax", OPERATING, "failures_line"),
    CostLine("insurance_tax", "insurance and property tax on the book value", "maintenance+insurance+tax", OPERATING,
             "insurance_tax_line"),
    CostLine("energy", "electricity, facility overhead included", "energy", OPERATING, "energy_line"),
    CostLine("facility", "colocation rent or the owned building", "facility+site ops", OPERATING, "facility_line"),
    CostLine("site_operations", "site operations", "facility+site ops", OPERATING, "site_operations_line"),
    CostLine("staff", "staff", "staff", OPERATING, "staff_line"),
    CostLine("rent", "rent and its extras", "rent", OPERATING, "rent_line"),
    CostLine("payout", "payout to device owners", "owner payout+wear", OPERATING, "payout_line"),
    CostLine("wear", "device wear", "owner payout+wear", OPERATING, "wear_line"),
)
LINE_NAMES = tuple(line.name for line in COST_LINES)


def line_groups() -> list[tuple[str, tuple[str, ...]]]:
    """``[(group, (line names...))]`` in the order the groups first appear.

    >>> line_groups()[1]
    ('network+storage', ('network', 'storage'))
    """
    groups: dict[str, list[str]] = {}
    for line in COST_LINES:
        groups.setdefault(line.group, []).append(line.name)
    return [(g, tuple(names)) for g, names in groups.items()]


@dataclass(frozen=True)
class Output:
    name: str
    unit: str
    meaning: str


OUTPUTS = by_name(
    Output("gpus", "accelerators", "accelerators serving one copy of the model"),
    Output("batch", "sequences", "sequences served together (capped at max_batch when cap_batch)"),
    Output("max_batch", "sequences", "most sequences whose KV cache fits beside the weights"),
    Output("fits", "bool", "the weights and the batch's KV cache fit in the group's memory, within the model's "
           "context window"),
    Output("context_fits", "bool", "the context is within the model's context window"),
    Output("weight_bytes", "B", "bytes of weights the group holds (every weight; dense ones on each device under "
           "expert parallelism)"),
    Output("kv_cache_bytes", "B", "KV-cache bytes of the batch as the group holds them (replicated KV heads "
           "included)"),
    Output("memory_available_bytes", "B", "memory of the group after the runtime reserve"),
    Output("decode_step_ms", "ms", "time of one decode step"),
    Output("decode_weights_ms", "ms", "of the decode step: streaming the weights the batch touches"),
    Output("decode_kv_ms", "ms", "of the decode step: streaming the KV cache"),
    Output("decode_compute_ms", "ms", "of the decode step: arithmetic beyond the memory time it overlaps"),
    Output("decode_comm_ms", "ms", "of the decode step: collectives between the devices"),
    Output("decode_overhead_ms", "ms", "of the decode step: fixed costs per step, layer and MoE expert"),
    Output("experts_touched", "experts", "distinct routed experts a decode step reads per MoE layer"),
    Output("decode_tokens_per_s", "tokens/s", "output tokens per second of the group, all sequences"),
    Output("decode_tokens_per_s_per_gpu", "tokens/s", "the same per accelerator"),
    Output("bound_is_memory", "bool", "the decode step is limited by memory rather than compute"),
    Output("prefill_tokens_per_s", "tokens/s", "prompt tokens per second of the group"),
    Output("prefill_tokens_per_s_per_gpu", "tokens/s", "the same per accelerator"),
    Output("decode_power_w", "W", "board power of one accelerator while decoding"),
    Output("prefill_power_w", "W", "board power of one accelerator while prefilling"),
    Output("energy_j_per_output_token", "J/token", "accelerator energy per generated token"),
    Output("energy_j_per_input_token", "J/token", "accelerator energy per prompt token"),
    Output("avg_power_w_per_gpu", "W", "time-average IT power per accelerator, host share included"),
    Output("marginal_usd_per_used_gpu_hour", "USD/GPU-h", "what one more busy hour costs with the capacity already "
           "paid for: the extra energy over idling (owned), the price (rented per used hour)"),
    Output("capex_usd_per_gpu", "USD", "purchase price per serving accelerator: its host, network, storage and "
           "spares share included"),
    Output("terminal_value_usd_per_gpu", "USD", "what the accelerators and hosts of one serving accelerator fetch "
           "when sold at the horizon"),
    Output("cost_usd_per_gpu_hour", "USD/GPU-h", "all cost lines of an accelerator-hour, every hour of the "
           "deployment counted"),
    Output("cost_usd_per_used_gpu_hour", "USD/GPU-h", "the same per hour that serves paid traffic (/ utilization): "
           "what owning and renting are compared on"),
    *(Output(f"{line.name}_usd_per_gpu_hour", "USD/GPU-h", line.label) for line in COST_LINES),
    Output("operating_usd_per_gpu_hour", "USD/GPU-h", "the operating cost lines: what is paid month by month"),
    Output("cost_usd_per_million_output_tokens", "USD/M tokens", "cost of a million generated tokens"),
    Output("cost_usd_per_million_input_tokens", "USD/M tokens", "cost of a million prompt tokens"),
    Output("cost_usd_per_million_tokens_blended", "USD/M tokens", "average over all tokens at the input:output ratio"),
    Output("price_usd_per_million_tokens_blended", "USD/M tokens", "selling price after margin and marketplace fee"),
    Output("price_usd_per_million_output_tokens", "USD/M tokens", "the same per generated token"),
    Output("gpu_seconds_per_output_token", "GPU-s/token", "accelerator time per generated token"),
    Output("gpu_seconds_per_input_token", "GPU-s/token", "accelerator time per prompt token"),
    Output("served_output_tokens_per_s_per_gpu", "tokens/s", "output tokens per second per accelerator, prompts "
           "included, while serving"),
    Output("output_tokens_per_day_per_gpu", "tokens/day", "output tokens an accelerator serves a day at its "
           "utilization of the hours it is available"),
    Output("accelerators_total", "accelerators", "accelerators in the deployment"),
    Output("provisioned_w_per_gpu", "W", "nameplate IT power per accelerator, host share included"),
    Output("output_tokens_per_day_per_mw", "tokens/day/MW", "output tokens a megawatt of site power makes a day"),
    Output("tokens_per_joule", "tokens/J", "generated tokens per joule of accelerator energy"),
    # the operating point (engine/serving.py)
    Output("tpot_ms", "ms", "time per output token a user sees: the decode step and the prefill it carries"),
    Output("ttft_ms", "ms", "time to first token: the prompt's prefill times the queueing factor"),
    Output("tokens_per_s_per_user", "tokens/s", "output tokens per second each user receives (1 / TPOT)"),
    Output("queueing_factor", "[-]", "TTFT over the prompt's own prefill time"),
    Output("slo_met", "bool", "TPOT and TTFT within the latency targets"),
    Output("operating_point_chosen", "bool", "the batch and accelerators per replica were chosen to meet the targets"),
    Output("replicas", "replicas", "copies of the model one system serves"),
    Output("best_tpot_ms", "ms", "lowest TPOT any tensor-parallel degree reaches (concurrency 1) when the point "
           "is chosen"),
    Output("best_ttft_ms", "ms", "lowest TTFT any tensor-parallel degree reaches (concurrency 1) when the point "
           "is chosen"),
)
