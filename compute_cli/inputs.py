"""Turn resolved profiles into the engine's named, broadcastable arrays, and say where each came from.

``build`` produces exactly the inputs ``engine.registry.INPUTS`` declares, one
array element per setup. An input with a ``read`` path takes that profile value
(or its ``otherwise`` value for the kinds of setup that do not pay it); the others
are derived by the functions in ``DERIVED``, which name every profile value they
read and every one they pass over (and why).

Beside the arrays, ``build`` records for each setup and input its ``Origin``s: the
profile, key path, file and line, and the figure's source and date, or that it is
an assumption, a schema default, a ``--set`` value or a run option. Staleness,
``--set`` feedback, the ranges of ``simulate`` and the sources of a report all
read these records; none of them decides again which figures a setup uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from compute_cli.engine import architecture, finance
from compute_cli.engine.efficiency import (
    BYTES_PER_PARAM,
    COLLECTIVE_TERMS,
    COLLECTIVES,
    COMPUTE_PRECISION,
    EFFICIENCY,
    KV_BYTES_PER_ELEMENT,
    RUNTIME_TERMS,
    WEIGHT_ONLY_FALLBACK,
)
from compute_cli.engine.registry import INPUTS, KIND_REASON
from compute_cli.errors import InputError
from compute_cli.profiles.catalog import ResolvedSetup
from compute_cli.profiles.overrides import ROOTS
from compute_cli.profiles.schema import Model
from compute_cli.profiles.yamlio import format_path

MS_PER_S = 1000.0

# The first word of a path (as --set writes it) -> the ResolvedSetup attribute it reads.
ROOT_ATTR = {word: attr for word, (attr, _struct) in ROOTS.items()}


@dataclass(frozen=True)
class RunOptions:
    """Per-run knobs that are not profile fields."""

    gpus: int = 0  # 0 = auto (fewest that fit, or chosen with the operating point)
    prompt_tokens: int | None = None  # None = the workload's input tokens, else the setup's context_tokens
    prefill_batch: int = 1
    parallelism: str = "tensor"  # or "pipeline", or "expert" (data-parallel attention, experts spread)
    cap_batch: bool = True  # serve at most the batch that fits (compare); False: report as asked
    horizon_years: float | None = None  # when the hardware is sold (invest); None: at the end of its life
    # the operating point (--workload, --input-tokens/--output-tokens and the latency targets)
    workload: str | None = None  # a workload profile for every setup, instead of their own
    input_tokens: int | None = None  # with output_tokens: a workload made in code, without targets
    output_tokens: int | None = None
    max_ttft_ms: float | None = None  # replaces the workload's TTFT target
    max_tpot_ms: float | None = None  # with min_tokens_per_s_per_user, replaces its TPOT target
    min_tokens_per_s_per_user: float | None = None
    runtime: str | None = None  # a runtime profile for every setup (--runtime), instead of their own

    @property
    def tpot_options(self) -> list[tuple[str, float]]:
        """The TPOT targets given as options, each as a bound on TPOT [ms]."""
        out = []
        if self.max_tpot_ms is not None:
            out.append(("--max-tpot-ms", float(self.max_tpot_ms)))
        if self.min_tokens_per_s_per_user is not None:
            out.append(("--min-tokens-per-s-per-user", MS_PER_S / float(self.min_tokens_per_s_per_user)))
        return out


@dataclass(frozen=True)
class Origin:
    """Where one value an engine input was built from came from.

    basis: 'source' (a cited figure), 'assumption' (a labelled one), 'unsourced' (a bare
    number in a profile), 'default' (the schema's default, not in the file), '--set',
    'engine' (a table of the engine's own, documented in docs/methodology.md), 'option'
    (a command-line option of the run).
    """

    path: str | None  # as --set writes it: 'site.electricity_usd_per_kwh'; None for engine tables and options
    basis: str
    value: object = None
    profile: str | None = None  # 'sites/oregon-cheap-power'
    key: str | None = None  # the key path inside that profile: 'electricity_usd_per_kwh'
    file: str | None = None
    line: int | None = None
    source: str | None = None
    as_of: str | None = None
    text: str | None = None  # the assumption, the --set text, or what the engine table is
    distribution: object | None = None

    @property
    def figure(self) -> tuple:
        """What names this figure whichever setup used it: ``(file or profile, key path in it)``."""
        return (self.file or self.profile, self.key or self.path)

    @property
    def where(self) -> str:
        """``file:line`` (or the profile, or the basis) for messages."""
        if self.file:
            return self.file + (f":{self.line}" if self.line else "")
        return self.profile or self.basis


@dataclass
class SetupOrigins:
    """For one setup: the origins of every input, and the profile values passed over with the reason."""

    setup: str
    inputs: dict[str, tuple[Origin, ...]] = field(default_factory=dict)
    ignored: dict[str, str] = field(default_factory=dict)  # path -> why this setup does not use it

    def reads(self) -> set[str]:
        """Every profile path some input of this setup was built from."""
        return {o.path for origins in self.inputs.values() for o in origins if o.path}

    def figures(self):
        """Each profile value used, once: ``(path, Origin)``."""
        seen = {}
        for origins in self.inputs.values():
            for o in origins:
                if o.path and o.path not in seen:
                    seen[o.path] = o
        return seen.items()


class Inputs(dict):
    """``{input name: ndarray}`` for the engine, with ``origins[i]`` for the i-th setup."""

    origins: list[SetupOrigins]


def _root(path: str) -> str:
    """The ResolvedSetup attribute a path reads: ``'site.pue'`` -> ``'site'``, ``'utilization'`` -> ``'setup'``."""
    word, dot, _ = path.partition(".")
    return ROOT_ATTR.get(word, "setup") if dot else "setup"


def figure_origin(loaded, keys: tuple, path: str | None, value) -> Origin:
    """The origin of the value at key path ``keys`` of a loaded profile (``profiles.loader.Loaded``).

    ``path`` is how ``--set`` names it (None for a figure no setup path reaches, such as a
    market quote). The one place that turns a profile's provenance into an ``Origin``.
    """
    profile, key = f"{loaded.kind}/{loaded.id}", format_path(keys)
    prov = loaded.provenance.get(tuple(keys))
    line = loaded.line_of(*keys)
    if prov is None:
        basis = "unsourced" if line else "default"
        return Origin(path, basis, value, profile, key, loaded.file, line)
    basis = "source" if prov.source else "assumption" if prov.assumption else "unsourced"
    return Origin(path, basis, value, profile, key, loaded.file, line, prov.source, prov.as_of, prov.assumption,
                  prov.distribution)


class _Reader:
    """Reads one setup's profile values by path, recording each read's origin."""

    def __init__(self, r: ResolvedSetup, model: Model, options: RunOptions, model_source, overridden: dict[str, str]):
        self.r, self.model, self.model_source, self.overridden = r, model, model_source, overridden
        self.options = options
        self.kind = r.setup.kind
        self.model_values: dict | None = None  # computed once per setup, on the first model input
        self.model_origins: tuple[Origin, ...] = ()
        self.record = SetupOrigins(setup=r.setup.id)
        self._current: list[Origin] = []

    def profile(self, attr: str):
        return self.model if attr == "model" else getattr(self.r, attr)

    def read(self, path: str):
        """The value at ``path`` ('site.pue', 'utilization', 'accelerator.peak_tflops.fp8'), recorded."""
        word, _, rest = path.partition(".")
        attr = ROOT_ATTR.get(word) if rest else None
        keys = tuple(rest.split(".")) if attr else (path,)
        attr = attr or "setup"
        node = self.profile(attr)
        for k in keys:
            node = getattr(node, k)
        self._current.append(self._origin(attr, keys, path, node))
        return node

    def _origin(self, attr: str, keys: tuple, path: str, value) -> Origin:
        if path in self.overridden:
            return Origin(path, "--set", value, text=self.overridden[path])
        loaded = self.model_source if attr == "model" else self.r.sources.get(attr)
        if loaded is None:
            return Origin(path, "engine", value, text=f"stand-in {attr} made in code (profiles/standins.py)")
        return figure_origin(loaded, keys, path, value)

    def engine(self, table: str, value):
        """A value from one of the engine's own tables (docs/methodology.md), recorded."""
        self._current.append(Origin(None, "engine", value, text=table))
        return value

    def option(self, name: str, value):
        self._current.append(Origin(None, "option", value, text=name))
        return value

    def ignore(self, path: str, reason: str) -> None:
        self.record.ignored.setdefault(path, reason)

    def value_of(self, name: str) -> float:
        spec = INPUTS[name]
        self._current = []
        has_profile = self.profile(_root(spec.read)) is not None if spec.read else True
        if spec.read is None:
            value = DERIVED[name](self)
        elif (spec.kinds is None or self.kind in spec.kinds) and has_profile:
            value = self.read(spec.read)
        else:
            if has_profile:
                self.ignore(spec.read, KIND_REASON[self.kind])
            value = spec.otherwise  # the setup pays no such thing, or has no such profile (throughput's stand-in)
        self.record.inputs[name] = tuple(self._current)
        return value


# ------------------------------------------------------------ derived inputs
def _peak_tflops(c: _Reader):
    precision = c.read("precision")
    compute = COMPUTE_PRECISION[precision]
    used = compute if getattr(c.r.hardware.peak_tflops, compute) is not None else WEIGHT_ONLY_FALLBACK
    for other in c.r.hardware.peak_tflops.__struct_fields__:
        if other != used:
            c.ignore(f"accelerator.peak_tflops.{other}", f"its {precision} weights are multiplied at {used}")
    if used != compute:
        c.engine(f"COMPUTE_PRECISION: no {compute} matrix path on this hardware, {used} instead", used)
    return c.read(f"accelerator.peak_tflops.{used}")


def _runtime_term(name: str):
    """A term of the setup's runtime: its figure for the accelerator's class, else its own figure, else the
    hardware class's factor (``EFFICIENCY``). Figures for other classes are passed over, with the reason."""
    def get(c: _Reader):
        category = c.read("accelerator.category")
        runtime = c.r.runtime
        if runtime is not None:
            by = runtime.by_category
            for other in ("datacenter", "consumer", "apple"):
                terms = getattr(by, other) if by is not None else None
                if other != category and terms is not None and getattr(terms, name) is not None:
                    c.ignore(f"runtime.by_category.{other}.{name}", f"its accelerator is of class {category}, "
                             f"not {other} (accelerator.category)")
            own = getattr(by, category) if by is not None else None
            if own is not None and getattr(own, name) is not None:
                if getattr(runtime, name) is not None:
                    c.ignore(f"runtime.{name}", f"its runtime has a figure for {category} accelerators "
                             f"(runtime.by_category.{category}.{name})")
                return c.read(f"runtime.by_category.{category}.{name}")
            if getattr(runtime, name) is not None:
                return c.read(f"runtime.{name}")
        return c.engine(f"EFFICIENCY['{category}']['{name}'] (assumption, docs/methodology.md)",
                        EFFICIENCY[category][name])
    return get


# Interconnect (system.interconnect) -> the field of runtime.collectives that describes it.
LINK_FIELD = {"nvlink": "nvlink", "infinity-fabric": "infinity_fabric", "pcie": "pcie"}


def _collective(name: str):
    """A collective's figure on the system's interconnect: the runtime's, else ``COLLECTIVES``."""
    def get(c: _Reader):
        link = c.read("system.interconnect")
        runtime = c.r.runtime
        found = runtime.collectives if runtime is not None else None
        if found is not None:
            for other, field_name in LINK_FIELD.items():
                col = getattr(found, field_name)
                if other != link and col is not None and getattr(col, name) is not None:
                    c.ignore(f"runtime.collectives.{field_name}.{name}", f"its system's interconnect is {link} "
                             "(system.interconnect)")
            col = getattr(found, LINK_FIELD[link]) if link in LINK_FIELD else None
            if col is not None and getattr(col, name) is not None:
                return c.read(f"runtime.collectives.{LINK_FIELD[link]}.{name}")
        return c.engine(f"COLLECTIVES['{link}']['{name}'] (assumption, docs/methodology.md)", COLLECTIVES[link][name])
    return get


def _electricity(c: _Reader):
    if c.kind == "device-fleet":
        return c.read("electricity_usd_per_kwh")
    if c.kind != "own":
        c.ignore("electricity_usd_per_kwh", KIND_REASON[c.kind])
        return 0.0
    site = c.r.site
    if site is None:  # throughput's stand-in: no site, no energy bill
        return 0.0
    c.ignore("electricity_usd_per_kwh", "an owned setup pays its site's price, not a price of its own")
    if c.read("site.generation") != "grid" and site.onsite_lcoe_usd_per_kwh is not None:
        c.ignore("site.electricity_usd_per_kwh", f"its site generates on site ({site.generation}) and pays "
                 "site.onsite_lcoe_usd_per_kwh")
        return c.read("site.onsite_lcoe_usd_per_kwh")
    c.ignore("site.onsite_lcoe_usd_per_kwh", "its site buys from the grid (site.generation: grid)")
    return c.read("site.electricity_usd_per_kwh")


def _site_facility(c: _Reader, wanted: str, path: str, otherwise: float):
    """``path`` when the setup owns its hardware at a site whose facility is ``wanted``, else ``otherwise``."""
    if c.kind != "own" or c.r.site is None:
        return otherwise
    facility = c.read("site.facility")
    if facility == wanted:
        return c.read(path)
    c.ignore(path, f"its site's facility is {facility}, not {wanted} (site.facility)")
    return otherwise


def _colocation(c: _Reader):
    return _site_facility(c, "colocation", "site.colocation_usd_per_kw_month", 0.0)


def _facility_capex(c: _Reader):
    return _site_facility(c, "owned", "site.facility_capex_usd_per_mw", 0.0)


def _facility_life(c: _Reader):
    return _site_facility(c, "owned", "site.facility_life_years", 1.0)


# Terms billed per hour used (released when idle); the others bill every hour of the term.
BILLED_PER_USED_HOUR = {"on_demand": True, "spot": True, "reserved_1y": False, "reserved_3y": False}


def _rent(c: _Reader):
    if c.kind != "rent":
        c.ignore("term", KIND_REASON[c.kind])
        return 0.0
    term = c.read("term")
    for other in c.r.offer.usd_per_gpu_hour.__struct_fields__:
        if other != term:
            c.ignore(f"offer.usd_per_gpu_hour.{other}", f"it rents at term {term}")
    return c.read(f"offer.usd_per_gpu_hour.{term}")


def _rent_billing(c: _Reader):
    if c.kind != "rent":
        return 0.0
    return 1.0 if BILLED_PER_USED_HOUR[c.read("term")] else 0.0


# ------------------------------------------------------------- finance rules
def _owner(c: _Reader) -> bool:
    """An owned setup with a finance profile (throughput's stand-in owns hardware but has none)."""
    return c.kind == "own" and c.r.finance is not None


def _cost_of_capital(c: _Reader):
    """The finance profile's cost of capital (a WACC), else the WACC of its debt/equity split."""
    if not _owner(c):
        return 0.0
    split = ("finance.debt_fraction", "finance.cost_of_debt_per_year", "finance.cost_of_equity_per_year")
    if c.r.finance.cost_of_capital_per_year is not None:
        for path in split:
            c.ignore(path, "its finance profile gives cost_of_capital_per_year, which wins over a debt/equity split")
        return c.read("finance.cost_of_capital_per_year")
    debt, rate_debt, rate_equity = (c.read(path) for path in split)
    return float(finance.wacc(debt, rate_debt, rate_equity, c.read("finance.income_tax_rate")))


def _resale_points(c: _Reader):
    """The resale curve ``[(age, fraction)]`` of an owned setup's finance profile, read (and recorded)."""
    fin = c.r.finance
    if fin.residual_value_fraction is not None:
        residual = c.read("finance.residual_value_fraction")
        if fin.resale_fraction_by_age:
            c.ignore("finance.resale_fraction_by_age", "its finance profile sets residual_value_fraction: 0, so "
                     "nothing is recovered")
            return [(1.0, 0.0)]
        return [(c.read("finance.economic_life_years"), residual)]
    if fin.resale_fraction_by_age:
        curve = c.read("finance.resale_fraction_by_age")
        return [(float(age), f) for age, f in enumerate(curve, start=1)]
    return [(1.0, 0.0)]  # neither: nothing is recovered


def _residual(c: _Reader):
    if not _owner(c):
        return 0.0
    return finance.resale_fraction(c.r.finance.economic_life_years, _resale_points(c))


def _horizon(c: _Reader):
    if c.options.horizon_years is not None:
        return c.option("horizon_years", float(c.options.horizon_years))
    if not _owner(c):
        return 0.0
    return c.read("finance.economic_life_years")


def _resale_at_horizon(c: _Reader):
    if not _owner(c):
        return 0.0
    age = c.options.horizon_years if c.options.horizon_years is not None else c.r.finance.economic_life_years
    return finance.resale_fraction(age, _resale_points(c))


def _tax_depreciation(c: _Reader):
    if not _owner(c):
        return 0.0
    return finance.TAX_DEPRECIATION[c.read("finance.tax_depreciation")]


def _host_idle(c: _Reader):
    system = c.r.system
    if system.host_idle_power_w is None:
        return c.read("system.host_power_w")
    return c.read("system.host_idle_power_w")


def _owned(c: _Reader):
    return 1.0 if c.read("kind") == "own" else 0.0


def _pays_energy(c: _Reader):
    return 1.0 if c.read("kind") in ("own", "device-fleet") else 0.0


def _energy_baseline(c: _Reader):
    if c.kind != "device-fleet":
        return 0.0
    return min(c.read("accelerator.idle_w"), c.read("accelerator.tdp_w"))


def _systems_count(c: _Reader):
    if c.kind == "device-fleet":
        c.ignore("systems_count", "a device fleet counts devices_count")
        return float(c.read("devices_count"))
    c.ignore("devices_count", "only a device fleet counts devices")
    return float(c.read("systems_count"))


def _bytes_per_param(c: _Reader):
    precision = c.read("precision")
    return c.engine(f"BYTES_PER_PARAM['{precision}'] (quantization scales included)", BYTES_PER_PARAM[precision])


def _prompt_tokens(c: _Reader):
    if c.options.prompt_tokens:
        return c.option("prompt_tokens", float(c.options.prompt_tokens))
    if c.r.workload is not None:
        return float(c.read("workload.input_tokens"))
    return _setup_context(c)


def _setup_context(c: _Reader) -> float:
    if c.r.setup.context_tokens is None:
        loaded = c.r.sources.get("setup")
        raise InputError(f"setup '{c.r.setup.id}' needs context_tokens, or a workload whose input and output "
                         "tokens set it (workload: chat, or --workload)", file=loaded.file if loaded else None,
                         line=loaded.line_of("id") if loaded else None, path="context_tokens")
    return float(c.read("context_tokens"))


def _batch(c: _Reader):
    if c.r.setup.batch is None:
        return c.engine("operating point: the highest-throughput concurrency that meets the targets "
                        "(engine/serving.py)", 0.0)
    return float(c.read("batch"))


def _context_tokens(c: _Reader):
    """The mean context while decoding: the prompt and half the output (docs/methodology.md section 10)."""
    if c.r.workload is None:
        return _setup_context(c)
    c.ignore("context_tokens", "its workload sets the context (workload.input_tokens + workload.output_tokens / 2)")
    return float(c.read("workload.input_tokens")) + float(c.read("workload.output_tokens")) / 2.0


def _input_per_output(c: _Reader):
    if c.r.workload is None:
        return float(c.read("input_tokens_per_output_token"))
    c.ignore("input_tokens_per_output_token", "its workload sets the ratio (workload.input_tokens / "
             "workload.output_tokens)")
    return float(c.read("workload.input_tokens")) / float(c.read("workload.output_tokens"))


NO_TARGET = float("inf")


def _max_ttft(c: _Reader):
    w = c.r.workload
    if c.options.max_ttft_ms is not None:
        if w is not None:
            c.ignore("workload.max_ttft_ms", "--max-ttft-ms sets the TTFT target")
        return c.option("--max-ttft-ms", float(c.options.max_ttft_ms))
    if w is not None and w.max_ttft_ms is not None:
        return float(c.read("workload.max_ttft_ms"))
    return NO_TARGET


def _max_tpot(c: _Reader):
    """The tightest TPOT bound: the options' if any is given, else the workload's (a speed is 1000 / TPOT)."""
    w = c.r.workload
    given = c.options.tpot_options
    if given:
        if w is not None:
            for key in ("max_tpot_ms", "min_tokens_per_s_per_user"):
                c.ignore(f"workload.{key}", "the command line sets the TPOT target")
        return min(c.option(name, value) for name, value in given)
    bounds = [NO_TARGET]
    if w is not None and w.max_tpot_ms is not None:
        bounds.append(float(c.read("workload.max_tpot_ms")))
    if w is not None and w.min_tokens_per_s_per_user is not None:
        bounds.append(MS_PER_S / float(c.read("workload.min_tokens_per_s_per_user")))
    return min(bounds)


def _option(name: str, convert):
    return lambda c: c.option(name, convert(c.options))


# Model architecture -> per-token bytes and FLOPs. One function computes them all; each
# input records every architecture key it depends on.
MODEL_KEYS = ("total_params", "active_params", "layers", "hidden_size", "attention_heads", "kv_heads", "head_dim",
              "attention", "kv_lora_rank", "qk_rope_head_dim", "q_lora_rank", "v_head_dim", "sliding_window",
              "sliding_window_layers", "ffn_kind", "ffn_size", "experts_total", "experts_active", "shared_experts",
              "moe_ffn_size", "dense_layers", "vocab_size", "tied_embeddings", "max_context_tokens")


def model_fields(m: Model, kv_precision: str) -> dict:
    """Weights, KV bytes and attention FLOPs per token from a model's architecture."""
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
        "kv_heads": 1.0 if is_mla else float(m.kv_heads),  # one latent per token: tensor parallelism cannot split it
        "max_context_tokens": float(m.max_context_tokens),
    }


MODEL_INPUTS = ("weight_params_total", "matmul_params", "dense_params_read", "expert_params", "moe_layers",
                "experts_total", "experts_active", "kv_bytes_per_token_full", "kv_bytes_per_token_window",
                "window_tokens", "attn_flops_full_per_ctx", "attn_flops_window_per_ctx", "layers", "hidden_size",
                "kv_heads", "max_context_tokens")


def _model_input(name: str):
    def get(c: _Reader):
        if c.model_values is None:
            for key in MODEL_KEYS:
                c.read(f"model.{key}")
            kv_precision = c.read("kv_precision")
            c.model_origins = tuple(c._current)
            c.model_values = model_fields(c.model, kv_precision)
        else:
            c._current.extend(c.model_origins)
        return c.model_values[name]
    return get


DERIVED = {
    "peak_tflops": _peak_tflops,
    **{name: _runtime_term(name) for name in RUNTIME_TERMS},
    **{name: _collective(name) for name in COLLECTIVE_TERMS},
    "electricity_usd_per_kwh": _electricity,
    "colocation_usd_per_kw_month": _colocation,
    "facility_capex_usd_per_mw": _facility_capex,
    "facility_life_years": _facility_life,
    "rent_usd_per_gpu_hour": _rent,
    "cost_of_capital_per_year": _cost_of_capital,
    "residual_value_fraction": _residual,
    "horizon_years": _horizon,
    "resale_fraction_at_horizon": _resale_at_horizon,
    "tax_depreciation_method": _tax_depreciation,
    "host_idle_power_w": _host_idle,
    "rent_billed_per_used_hour": _rent_billing,
    "owned": _owned,
    "pays_energy": _pays_energy,
    "energy_baseline_w": _energy_baseline,
    "systems_count": _systems_count,
    "bytes_per_param": _bytes_per_param,
    "gpus": _option("gpus", lambda o: float(o.gpus)),
    "prompt_tokens": _prompt_tokens,
    "batch": _batch,
    "context_tokens": _context_tokens,
    "input_tokens_per_output_token": _input_per_output,
    "max_ttft_ms": _max_ttft,
    "max_tpot_ms": _max_tpot,
    "prefill_batch": _option("prefill_batch", lambda o: float(o.prefill_batch)),
    "tensor_parallel": _option("parallelism", lambda o: o.parallelism in ("tensor", "expert")),
    "expert_parallel": _option("parallelism", lambda o: o.parallelism == "expert"),
    "cap_batch": _option("cap_batch", lambda o: o.cap_batch),
    **{name: _model_input(name) for name in MODEL_INPUTS},
}


def setup_row(r: ResolvedSetup, model: Model, options: RunOptions, model_source=None,
              overridden: dict[str, str] | None = None) -> tuple[dict, SetupOrigins]:
    """One setup's inputs ``{name: value}`` and their origins."""
    reader = _Reader(r, model, options, model_source, overridden or {})
    row = {name: reader.value_of(name) for name in INPUTS}
    return row, reader.record


def build(resolved: list[ResolvedSetup], model: Model, options: RunOptions = RunOptions(), *, model_source=None,
          overridden: dict[str, str] | None = None) -> Inputs:
    """One array element per setup: ``{name: ndarray(shape=(len(resolved),))}``, with ``.origins``.

    model_source : the model's ``Loaded`` profile, for the origins of its figures
    overridden : ``{path: --set text}`` of the values the user replaced
    """
    rows, origins = [], []
    for r in resolved:
        row, record = setup_row(r, model, options, model_source, overridden)
        rows.append(row)
        origins.append(record)
    out = Inputs({name: np.array([row[name] for row in rows], dtype=spec.dtype) for name, spec in INPUTS.items()})
    out.origins = origins
    return out
