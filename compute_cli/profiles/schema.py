"""Typed profile structs: the profile format, one struct per kind.

Every numeric figure in a YAML profile may be written bare (``pue: 1.2``) or
with its provenance (``pue: {value: 1.2, source: "...", as_of: 2025-06}`` or
``{value: 0.7, assumption: "why"}``). The loader unwraps provenance before the
values reach these structs, and keeps it beside them (see ``loader.Provenance``).

Units are in the names (``tdp_w``, ``price_usd``); fractions are 0..1.
"""

# No ``from __future__ import annotations`` here: msgspec would then evaluate every field's
# annotation string on the first profile it reads (~4 ms on each call of the command).
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from compute_cli.profiles.limits import (
    MAX_ACCELERATORS_PER_SYSTEM,
    MAX_BATCH,
    MAX_CONTEXT_TOKENS,
    MAX_DEVICES,
    MAX_DIMENSION,
    MAX_EXPERTS,
    MAX_HEADS,
    MAX_LAYERS,
    MAX_PARAMS,
    MAX_SYSTEMS,
    MAX_VOCAB,
)

# ----------------------------------------------------------------- value types
NonNeg = Annotated[float, Meta(ge=0)]
Pos = Annotated[float, Meta(gt=0)]
Fraction = Annotated[float, Meta(ge=0, le=1)]
FractionBelowOne = Annotated[float, Meta(ge=0, lt=1)]
Pue = Annotated[float, Meta(ge=1, le=5)]
Id = Annotated[str, Meta(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=80)]
Year = Annotated[int, Meta(ge=1990, le=2100)]

Precision = Literal["bf16", "fp8", "int8", "int4"]
KvPrecision = Literal["bf16", "fp8"]


def _count(high: int, low: int = 1):
    """A whole number from ``low`` to ``high``: counts and sizes stop at the documented maxima of limits.py."""
    return Annotated[int, Meta(ge=low, le=high)]


Accelerators = _count(MAX_ACCELERATORS_PER_SYSTEM)
Params = _count(MAX_PARAMS)
Layers = _count(MAX_LAYERS)
LayersOrNone = _count(MAX_LAYERS, 0)
Dimension = _count(MAX_DIMENSION)
DimensionOrNone = _count(MAX_DIMENSION, 0)
Heads = _count(MAX_HEADS)
ExpertsOrNone = _count(MAX_EXPERTS, 0)
Tokens = _count(MAX_CONTEXT_TOKENS)


class Base(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, omit_defaults=True):
    pass


class PeakTflops(Base, kw_only=True):
    """Dense peak tensor throughput per precision [TFLOPS or TOPS]; absent = not supported."""

    bf16: Pos
    fp8: Pos | None = None
    int8: Pos | None = None
    int4: Pos | None = None


class PricePoint(Base, kw_only=True):
    """One dated price of an accelerator (or its share of a system) in the sources: history, not an input."""

    as_of: str
    usd_per_accelerator: NonNeg
    basis: str  # what the price covers: 'GPU', 'share of an 8-GPU server', ...
    source: str


class Hardware(Base, kw_only=True):
    id: Id
    name: str
    vendor: str
    category: Literal["datacenter", "consumer", "apple"]
    memory_gb: Pos
    memory_bandwidth_tb_per_s: Pos
    peak_tflops: PeakTflops
    tdp_w: Pos
    idle_w: NonNeg
    price_usd: NonNeg
    launch_year: Year
    failure_rate_per_year: Fraction = 0.0  # accelerators replaced at the owner's cost per accelerator-year
    price_history: list[PricePoint] = []  # dated prices the sources give; shown, not computed with
    notes: str = ""


class System(Base, kw_only=True):
    id: Id
    name: str
    accelerator: Id
    accelerator_count: Accelerators
    host_capex_usd: NonNeg
    network_capex_usd: NonNeg = 0.0
    host_power_w: NonNeg  # at full load
    host_idle_power_w: NonNeg | None = None  # while the accelerators idle; absent: the full-load figure
    network_power_w: NonNeg = 0.0  # switches and optics beyond the host's own NICs
    storage_capex_usd: NonNeg = 0.0
    storage_power_w: NonNeg = 0.0
    interconnect: Literal["nvlink", "infinity-fabric", "pcie", "unified-memory", "none"]
    interconnect_bandwidth_gb_per_s: Pos
    notes: str = ""


class Site(Base, kw_only=True):
    id: Id
    name: str
    region: str
    electricity_usd_per_kwh: NonNeg
    pue: Pue
    facility: Literal["colocation", "owned", "none"]
    colocation_usd_per_kw_month: NonNeg = 0.0
    facility_capex_usd_per_mw: NonNeg = 0.0
    facility_life_years: Annotated[float, Meta(gt=0, le=100)] = 20.0
    operations_usd_per_kw_month: NonNeg = 0.0
    carbon_kg_per_kwh: NonNeg = 0.0
    generation: Literal["grid", "gas-turbine", "solar-battery", "other-onsite"] = "grid"
    onsite_lcoe_usd_per_kwh: NonNeg | None = None
    notes: str = ""


Rate = Annotated[float, Meta(ge=0, le=1)]
TaxDepreciation = Literal["straight-line", "macrs-5", "expensing"]


class Finance(Base, kw_only=True):
    """How an owner pays for and books its hardware (docs/methodology.md, "Terminal value, taxes and financing")."""

    id: Id
    name: str
    # the cost of capital: a WACC, or a debt/equity split it is computed from
    cost_of_capital_per_year: Rate | None = None
    debt_fraction: Fraction | None = None
    cost_of_debt_per_year: Rate | None = None
    cost_of_equity_per_year: Rate | None = None
    economic_life_years: Annotated[float, Meta(gt=0, le=30)]
    # what the hardware fetches when sold: a curve by age, or one value at the end of the life
    residual_value_fraction: Fraction | None = None
    resale_fraction_by_age: list[Fraction] = []  # at ages 1, 2, 3, ... years, share of the price paid
    hardware_price_decline_per_year: Annotated[float, Meta(ge=-0.5, lt=1)] = 0.0  # beyond what the curve holds
    income_tax_rate: FractionBelowOne = 0.0
    tax_depreciation: TaxDepreciation = "straight-line"
    maintenance_fraction_per_year: Fraction = 0.0
    insurance_fraction_per_year: Fraction = 0.0  # of the book value
    property_tax_fraction_per_year: Fraction = 0.0  # of the book value
    # operations the owner scales with its fleet (a deployment's own fixed team is the setup's staff_usd_per_year)
    staff_usd_per_accelerator_year: NonNeg = 0.0
    staff_usd_per_mw_year: NonNeg = 0.0  # per MW of provisioned IT power
    hot_spare_fraction: Fraction = 0.0  # accelerators bought and powered, idle, per serving one
    notes: str = ""

    def __post_init__(self):
        split = (self.debt_fraction, self.cost_of_debt_per_year, self.cost_of_equity_per_year)
        if self.cost_of_capital_per_year is None and any(v is None for v in split):
            raise ValueError("cost_of_capital_per_year: give the cost of capital (a WACC), or debt_fraction, "
                             "cost_of_debt_per_year and cost_of_equity_per_year")
        if self.resale_fraction_by_age and self.residual_value_fraction:
            raise ValueError("residual_value_fraction: give resale_fraction_by_age (a curve) or "
                             "residual_value_fraction (the value at the end of the life), not both; "
                             "residual_value_fraction: 0 means nothing is recovered")
        if any(b > a for a, b in zip(self.resale_fraction_by_age, self.resale_fraction_by_age[1:], strict=False)):
            raise ValueError("resale_fraction_by_age: must not rise with age")


class OfferPrices(Base, kw_only=True):
    """Rental price per accelerator-hour by commitment term [USD/GPU-h]."""

    on_demand: NonNeg
    spot: NonNeg | None = None
    reserved_1y: NonNeg | None = None
    reserved_3y: NonNeg | None = None


Term = Literal["on_demand", "spot", "reserved_1y", "reserved_3y"]


class Offer(Base, kw_only=True):
    id: Id
    name: str
    provider: str
    provider_kind: Literal["hyperscaler", "neocloud", "marketplace", "lab"]
    accelerator: Id
    system: Id | None = None
    gpus_per_instance: Accelerators = 1
    region: str = ""
    usd_per_gpu_hour: OfferPrices
    extras_usd_per_gpu_hour: NonNeg = 0.0
    notes: str = ""


class Model(Base, kw_only=True):
    id: Id
    name: str
    total_params: Params
    active_params: Params
    layers: Layers
    hidden_size: Dimension
    attention_heads: Heads
    kv_heads: Heads
    head_dim: Dimension
    attention: Literal["gqa", "mla"] = "gqa"
    kv_lora_rank: DimensionOrNone = 0
    qk_rope_head_dim: DimensionOrNone = 0
    q_lora_rank: DimensionOrNone = 0
    v_head_dim: DimensionOrNone = 0
    sliding_window: _count(MAX_CONTEXT_TOKENS, 0) = 0
    sliding_window_layers: LayersOrNone = 0
    ffn_kind: Literal["swiglu", "gelu"]
    ffn_size: Dimension
    experts_total: ExpertsOrNone = 0
    experts_active: ExpertsOrNone = 0
    shared_experts: ExpertsOrNone = 0
    moe_ffn_size: DimensionOrNone = 0
    dense_layers: LayersOrNone = 0
    vocab_size: _count(MAX_VOCAB)
    tied_embeddings: bool = False
    max_context_tokens: _count(MAX_CONTEXT_TOKENS, 0) = 0  # context window (HF max_position_embeddings); 0 = unstated
    notes: str = ""


class RuntimeTerms(Base, kw_only=True):
    """What a serving engine achieves on a device; every term optional (absent: the hardware class's value).

    Names are the engine inputs they become (``engine/registry.py``); fractions are 0..1.
    """

    eta_memory: Annotated[float, Meta(gt=0, le=1)] | None = None  # achieved / datasheet bandwidth, weight streaming
    eta_compute: Annotated[float, Meta(gt=0, le=1)] | None = None  # achieved / dense tensor peak, large GEMMs
    kv_bandwidth_share: Annotated[float, Meta(gt=0, le=1)] | None = None  # KV reads at this share of eta_memory
    layer_overhead_s: NonNeg | None = None  # fixed time per layer per step (launches, small kernels)
    step_overhead_s: NonNeg | None = None  # fixed time per step (scheduling, sampling, host sync)
    moe_layer_overhead_s: NonNeg | None = None  # fixed time per MoE layer per step (router, top-k, permute)
    moe_expert_overhead_s: NonNeg | None = None  # fixed time per routed expert a step touches, per MoE layer
    memory_reserve_fraction: FractionBelowOne | None = None  # device memory the runtime keeps
    memory_power_weight: Fraction | None = None  # share of idle->TDP a memory-bound step draws
    overhead_power_weight: Fraction | None = None  # share of idle->TDP drawn during fixed costs and collectives


class Collective(Base, kw_only=True):
    """Collectives on one interconnect, as this runtime's communication library achieves them."""

    allreduce_latency_s: NonNeg | None = None  # one small all-reduce, decode-sized message
    allreduce_bandwidth_share: Annotated[float, Meta(gt=0, le=1)] | None = None  # achieved / link bandwidth
    all_to_all_latency_s: NonNeg | None = None  # expert-parallel dispatch + combine, per MoE layer


class Collectives(Base, kw_only=True):
    nvlink: Collective | None = None
    infinity_fabric: Collective | None = None
    pcie: Collective | None = None


class RuntimeByCategory(Base, kw_only=True):
    """Terms that differ by hardware class (llama.cpp on an Apple GPU is not llama.cpp on an H100)."""

    datacenter: RuntimeTerms | None = None
    consumer: RuntimeTerms | None = None
    apple: RuntimeTerms | None = None


class Runtime(RuntimeTerms, kw_only=True):
    """A serving engine (vLLM, SGLang, TensorRT-LLM, llama.cpp, ...): what it achieves of the hardware."""

    id: Id
    name: str
    version: str = ""  # the engine versions its figures describe
    collectives: Collectives | None = None
    by_category: RuntimeByCategory | None = None
    notes: str = ""


class Workload(Base, kw_only=True):
    """What a request looks like and how fast its user wants it: tokens in and out, latency targets.

    ``max_ttft_ms`` bounds the time to the first token, ``max_tpot_ms`` the time per output
    token after it (``min_tokens_per_s_per_user`` is the same bound written as a speed:
    1000 / max_tpot_ms). A workload without targets is served at the highest throughput
    memory allows (offline batch).
    """

    id: Id
    name: str
    description: str = ""
    input_tokens: Tokens  # mean prompt tokens per request
    output_tokens: Tokens  # mean generated tokens per request
    max_ttft_ms: Pos | None = None
    max_tpot_ms: Pos | None = None
    min_tokens_per_s_per_user: Pos | None = None
    notes: str = ""


class Setup(Base, kw_only=True):
    id: Id
    name: str
    kind: Literal["own", "rent", "device-fleet"]
    description: str = ""
    model: Id | None = None  # the model this setup serves by default
    workload: Id | None = None  # the requests it serves and their latency targets (configs/workloads)
    runtime: Id | None = None  # the serving engine (runtimes/); none: the hardware class's efficiency factors
    in_default_comparison: bool = False  # shown by a bare `computecost compare`
    # own
    system: Id | None = None
    site: Id | None = None
    finance: Id | None = None
    systems_count: _count(MAX_SYSTEMS) = 1
    # rent
    offer: Id | None = None
    term: Term = "on_demand"
    # device-fleet: idle consumer devices whose owners already paid for them
    device: Id | None = None
    devices_count: _count(MAX_DEVICES) = 1
    availability_hours_per_day: Annotated[float, Meta(gt=0, le=24)] = 24.0
    electricity_usd_per_kwh: NonNeg = 0.0
    payout_usd_per_device_hour: NonNeg = 0.0
    wear_usd_per_device_hour: NonNeg = 0.0
    coordination_overhead_fraction: FractionBelowOne = 0.0
    # operations (every kind)
    efficiency_multiplier: Annotated[float, Meta(gt=0, le=100)] = 1.0
    utilization: Fraction
    precision: Precision
    kv_precision: KvPrecision = "bf16"
    batch: _count(MAX_BATCH) | None = None  # sequences decoding together; none: the operating point is chosen
    context_tokens: _count(MAX_CONTEXT_TOKENS) | None = None  # KV-cache tokens per sequence; none: from the workload
    input_tokens_per_output_token: NonNeg = 1.0  # used without a workload
    staff_usd_per_year: NonNeg = 0.0
    markup_fraction: Annotated[float, Meta(ge=0, le=100)] = 0.0  # on cost: price = cost x (1 + markup)
    margin_fraction: FractionBelowOne = 0.0  # on price: price = cost / (1 - margin)
    marketplace_fee_fraction: FractionBelowOne = 0.0
    notes: str = ""

    def __post_init__(self):
        if self.markup_fraction and self.margin_fraction:
            raise ValueError("margin_fraction: give markup_fraction (a markup on cost) or margin_fraction (a margin "
                             "on the selling price), not both")


class MarketQuote(Base, kw_only=True):
    """One provider's list price for a model [USD per million tokens]."""

    provider: str
    input_usd_per_million_tokens: NonNeg
    output_usd_per_million_tokens: NonNeg
    notes: str = ""


class Market(Base, kw_only=True):
    """What buyers pay for one model's tokens, per provider, and the platform's take from sellers."""

    id: Id
    name: str
    model: Id
    quotes: Annotated[list[MarketQuote], Meta(min_length=1)]
    platform_fee_fraction: FractionBelowOne = 0.0
    notes: str = ""


class ScenarioStep(Base, kw_only=True):
    name: Annotated[str, Meta(pattern=r"^[a-z][a-z0-9_]*$")]
    command: Literal["compare", "throughput", "invest", "rent-or-buy", "fleet", "breakeven"]
    args: dict[str, Any] = {}


class Scenario(Base, kw_only=True):
    """A question, the runs that answer it, and the answer as a sentence with the numbers filled in."""

    id: Id
    name: str
    question: str
    steps: Annotated[list[ScenarioStep], Meta(min_length=1)]
    answer: str
    sources: list[str] = []  # where the numbers in the steps' arguments come from, or why they are assumed
    notes: str = ""


KINDS: dict[str, type[Base]] = {
    "hardware": Hardware,
    "systems": System,
    "sites": Site,
    "finance": Finance,
    "offers": Offer,
    "models": Model,
    "setups": Setup,
    "workloads": Workload,
    "markets": Market,
    "scenarios": Scenario,
    "runtimes": Runtime,
}

# Setup fields that name another profile, and the kind they name.
SETUP_REFERENCES = {"system": "systems", "site": "sites", "finance": "finance", "offer": "offers", "device": "hardware"}
REQUIRED_REFERENCES = {"own": ("system", "site", "finance"), "rent": ("offer",), "device-fleet": ("device",)}
# Setup fields that may name a profile of any kind of setup.
OPTIONAL_REFERENCES = {"workload": "workloads", "runtime": "runtimes"}
