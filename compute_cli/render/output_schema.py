"""JSON Schema of everything computecost prints as JSON: ``computecost schema output``.

One definition per output under ``$defs``, named after the command that prints
it (``compare``, ``check``, ``profiles_list``, ...), plus the row definitions that
``--format jsonl`` prints one per line (``compare_setup``, ``check_result``, ...).
A definition does not depend on a ``"command"`` key: each stands on its own, and
the top-level schema accepts any of them.

Contract: every JSON document carries ``schema_version`` (1 here). Within a
version, keys may be added but are never removed, renamed or retyped; anything
else bumps the version. So the published schema allows unknown keys, while the
test suite validates against ``output_schema(strict=True)``, which does not: a
key the code prints and this file does not describe fails a test.

To describe a new command's output: write its definition below as plain data
(the helpers keep it short), add it to ``OUTPUTS``, and add an invocation to
``tests/test_gates.py::JSON_OUTPUTS``.
"""

from __future__ import annotations

from compute_cli.analysis.compare import METRICS as COMPARE_METRICS
from compute_cli.analysis.compare import RANGE_METRICS as COMPARE_RANGE_METRICS
from compute_cli.contract import SCHEMA_VERSION
from compute_cli.engine.evaluate import STEP_TERMS
from compute_cli.engine.registry import LINE_NAMES
DIALECT = "https://json-schema.org/draft/2020-12/schema"

NUMBER = {"type": ["number", "null"]}  # null: cannot be computed (a model that does not fit); never NaN
INTEGER = {"type": "integer"}
TEXT = {"type": "string"}
TEXT_OR_NULL = {"type": ["string", "null"]}
BOOL = {"type": "boolean"}
TEXTS = {"type": "array", "items": TEXT}


def ref(name: str) -> dict:
    return {"$ref": f"#/$defs/{name}"}


def obj(properties: dict, optional=(), description: str | None = None) -> dict:
    """An object with these properties, all required except ``optional``."""
    out = {"type": "object", "properties": properties, "required": [k for k in properties if k not in optional]}
    if description:
        out["description"] = description
    return out


def document(description: str, properties: dict, optional=()) -> dict:
    """A top-level JSON output: ``schema_version`` first, then ``properties``."""
    return obj({"schema_version": {"const": SCHEMA_VERSION}, **properties}, optional, description)


# ----------------------------------------------------------- the operating point
INT_OR_NULL = {"type": ["integer", "null"]}
WORKLOAD = {
    "anyOf": [obj({"id": TEXT, "name": TEXT, "input_tokens": INTEGER, "output_tokens": INTEGER,
                   "max_ttft_ms": NUMBER, "max_tpot_ms": NUMBER, "min_tokens_per_s_per_user": NUMBER}),
              {"type": "null"}],
    "description": "the workload served: tokens per request and latency targets [ms] (null: none)",
}
# ------------------------------------------------------------------ ranges
RANGE = obj({"p5": NUMBER, "p50": NUMBER, "p95": NUMBER},
            description="5th, 50th and 95th percentile of a metric over Monte Carlo samples of the declared "
                        "distributions (null when no sample has a value)")
MONTE_CARLO = obj({"samples": INTEGER, "seed": INTEGER, "uncertain_inputs": TEXTS}, optional=("uncertain_inputs",),
                  description="how --ranges drew its samples: the same seed gives the same numbers")

# ------------------------------------------------------------------ compare
# Cost lines added within schema_version 2: a compare output written before them lacks them.
LINES_ADDED_IN_V2 = ("network", "storage", "failures")
COMPARE_SETUP = obj(
    {
        "id": TEXT, "name": TEXT, "kind": TEXT, "hardware": TEXT, "system": TEXT_OR_NULL, "site": TEXT_OR_NULL,
        "offer": TEXT_OR_NULL, "term": {"enum": ["on_demand", "spot", "reserved_1y", "reserved_3y", None]},
        "precision": TEXT,
        "runtime": {"type": ["string", "null"], "description": "the setup's runtime profile, or null: the hardware "
                    "class's factors"},
        "utilization": NUMBER, "context_tokens": INTEGER,
        "batch": INTEGER, "accelerators": INTEGER, "price_as_of": TEXT_OR_NULL, "gpus": INTEGER, "fits": BOOL,
        "bound": {"enum": ["memory", "compute"]},
        "breakdown_usd_per_gpu_hour": {**obj({name: NUMBER for name in LINE_NAMES}, optional=LINES_ADDED_IN_V2),
                                       "description": "cost_usd_per_gpu_hour by cost line [USD/GPU-h]"},
        **{metric: NUMBER for metric in COMPARE_METRICS},
        "workload": WORKLOAD,
        "operating_point": ref("operating_point"),
        "note": TEXT,
        "model": {"type": "string", "description": "model id; in `--format jsonl` lines only"},
        "ranges": {**obj({m: ref("range") for m in COMPARE_RANGE_METRICS}),
                   "description": "with --ranges: p5, p50, p95 of each metric over the setup's declared distributions"},
        "uncertain_inputs": {**TEXTS, "description": "with --ranges: the key paths drawn (none: a single point)"},
    },
    optional=("note", "model", "runtime", "workload", "operating_point", "ranges", "uncertain_inputs", "term",
              "cost_usd_per_used_gpu_hour", "marginal_usd_per_used_gpu_hour", "accelerators", "price_as_of"),
    description="One setup of `compare` (a line of `compare --format jsonl`).",
)
COMPARE = document(
    "`computecost compare --format json`",
    {"model": obj({"id": TEXT, "name": TEXT}), "overrides": TEXTS, "setups": {"type": "array", "items": ref("compare_setup")},
     "monte_carlo": ref("monte_carlo")},
    optional=("monte_carlo",),
)

# ----------------------------------------------------------------- frontier
FRONTIER_POINT = obj(
    {"gpus_per_replica": INTEGER, "replicas_per_system": INTEGER, "concurrency": INTEGER,
     **{k: NUMBER for k in ("tokens_per_s_per_user", "output_tokens_per_s_per_gpu", "ttft_ms", "tpot_ms",
                            "cost_usd_per_million_output_tokens", "cost_usd_per_million_tokens_blended")},
     "slo_met": BOOL, "pareto": {"type": "boolean", "description": "no other point of the setup gives as much of "
                                                                   "both axes and more of one"},
     "chosen": {"type": "boolean", "description": "the operating point compare uses"}},
    description="One point of `frontier`: a concurrency on a number of GPUs per replica.",
)
FRONTIER_ROW = obj(
    {"setup": TEXT, "model": TEXT, "workload": TEXT_OR_NULL, **FRONTIER_POINT["properties"]},
    description="A line of `frontier --format jsonl` (or a CSV row): one point, with its setup.",
)
FRONTIER = document(
    "`computecost frontier --format json`: each setup's points over concurrency and GPUs per replica",
    {"model": obj({"id": TEXT, "name": TEXT}), "workload": WORKLOAD, "overrides": TEXTS,
     "setups": {"type": "array", "items": obj(
         {"id": TEXT, "name": TEXT, "kind": TEXT, "hardware": TEXT, "precision": TEXT, "workload": WORKLOAD,
          "operating_point": ref("operating_point"), "points": {"type": "array", "items": ref("frontier_point")},
          "note": TEXT}, optional=("note",))}},
)

# --------------------------------------------------------------- throughput
THROUGHPUT = document(
    "`computecost throughput --format json` (its one row is also the line of `--format jsonl`)",
    {
        "model": TEXT, "hardware": TEXT, "system": TEXT_OR_NULL,
        "runtime": {"type": ["string", "null"], "description": "the runtime profile, or null: the hardware class's "
                    "factors"},
        "precision": TEXT, "kv_precision": TEXT,
        "parallelism": {"enum": ["tensor", "pipeline", "expert"]}, "batch": INTEGER, "context_tokens": INTEGER,
        "prompt_tokens": INTEGER, "gpus": INTEGER, "fits": BOOL, "max_batch": INTEGER,
        "bound": {"enum": ["memory", "compute"]},
        **{k: NUMBER for k in ("decode_tokens_per_s", "decode_tokens_per_s_per_sequence", "decode_step_ms",
                               "prefill_tokens_per_s", "decode_energy_j_per_token", "prefill_energy_j_per_token",
                               "decode_power_w", "prefill_power_w", "weights_gb", "kv_cache_gb", "memory_available_gb")},
        "decode_breakdown_ms": {**obj({f"{term}_ms": NUMBER for term in STEP_TERMS}),
                                "description": "the decode step's terms, which add up to decode_step_ms [ms]"},
        "experts_touched": {**NUMBER, "description": "distinct routed experts a decode step reads per MoE layer "
                            "(0 for a dense model)"},
        "note": TEXT,
    },
    optional=("note", "runtime", "decode_breakdown_ms", "experts_touched"),  # the last three added within version 2
)

# -------------------------------------------------------------------- check
CHECK_RULE = obj({"metric": TEXT, "max": NUMBER, "min": NUMBER, "setups": {"type": ["array", "null"], "items": TEXT},
                  "origin": {"type": "string", "description": "the option, or file:line of the rule in the policy"},
                  "name": TEXT_OR_NULL})
CHECK_RESULT = obj(
    {"rule": {"type": "integer", "description": "index into rules"}, "setup": TEXT, "metric": TEXT, "value": NUMBER,
     "max": NUMBER, "min": NUMBER, "status": {"enum": ["ok", "breach"]},
     "note": {"type": ["string", "null"], "description": "why the value is null"}},
    description="One (rule, setup) result of `check` (a line of `check --format jsonl`).",
)
CHECK = document(
    "`computecost check --format json`: every rule's result on every setup it applies to",
    {"model": obj({"id": TEXT, "name": TEXT}), "overrides": TEXTS, "policy": TEXT_OR_NULL, "setups": TEXTS,
     "rules": {"type": "array", "items": ref("check_rule")},
     "results": {"type": "array", "items": ref("check_result")},
     "breaches": INTEGER, "ok": BOOL},
)

# --------------------------------------------------------------------- diff
ANY_VALUE = {"type": ["number", "string", "boolean", "null"]}
DIFF_SIDE = obj({"file": TEXT, "model": TEXT_OR_NULL, "overrides": TEXTS, "setups": INTEGER})
DIFF_CHANGE = obj(
    {"setup": TEXT, "metric": {"type": "string", "description": "key of a compare setup; nested keys dotted"},
     "base": ANY_VALUE, "new": ANY_VALUE,
     "change": {"type": ["number", "null"], "description": "new - base, numbers only"},
     "change_fraction": {"type": ["number", "null"], "description": "(new - base) / |base|; null when base is 0"},
     "watched": BOOL, "breach": BOOL},
    description="One changed value of `diff` (a line of `diff --format jsonl`).",
)
DIFF = document(
    "`computecost diff --format json`: changed values between two compare outputs",
    {"base": ref("diff_side"), "new": ref("diff_side"),
     "fail_on_increase": {"type": ["number", "null"], "description": "limit as a fraction (5% = 0.05)"},
     "watched": TEXTS, "setups_compared": INTEGER, "added_setups": TEXTS, "removed_setups": TEXTS,
     "changes": {"type": "array", "items": ref("diff_change")}, "breaches": INTEGER, "ok": BOOL},
)

# ----------------------------------------------------------------- profiles
PROFILES_LIST_ROW = obj({"kind": TEXT, "id": TEXT, "name": TEXT, "origin": TEXT},
                        description="One profile of `profiles list` (a line of `--format jsonl`).")
PROFILES_LIST = document("`computecost profiles list --format json`",
                         {"profiles": {"type": "array", "items": ref("profiles_list_row")}})
PROFILES_SHOW_FIELD = obj({"key": TEXT, "value": {}, "source": TEXT_OR_NULL, "as_of": TEXT_OR_NULL,
                           "assumption": TEXT_OR_NULL,
                           "distribution": {"type": ["object", "null"],
                                            "description": "declared uncertainty, e.g. {triangular: {low, mode, high}}"}},
                          description="One value of `profiles show` with its provenance (a line of `--format jsonl`).")
PROFILES_SHOW = document("`computecost profiles show --format json`",
                         {"kind": TEXT, "id": TEXT, "file": TEXT, "also_in_kinds": TEXTS,
                          "fields": {"type": "array", "items": ref("profiles_show_field")}})

# ------------------------------------------- investment questions (issue 4)
MARKET = obj({"market": TEXT, "providers": INTEGER, "input_usd_per_million_tokens": NUMBER,
              "output_usd_per_million_tokens": NUMBER})
INVEST_PRICE = obj(
    {"mode": {"enum": ["tokens", "rent-out"]}, "source": TEXT, "usd_per_gpu_hour": NUMBER,
     "input_usd_per_million_tokens": NUMBER, "output_usd_per_million_tokens": NUMBER,
     "output_tokens_per_month": NUMBER, "marketplace_fee_fraction": NUMBER},
    optional=("source", "usd_per_gpu_hour", "input_usd_per_million_tokens", "output_usd_per_million_tokens",
              "output_tokens_per_month", "marketplace_fee_fraction"),
    description="What the output sells for: tokens at a price, or GPU-hours rented out.",
)
INVEST_YEAR = obj({"year": INTEGER, "revenue_usd": NUMBER, "opex_usd": NUMBER, "tax_usd": NUMBER, "resale_usd": NUMBER,
                   "net_usd": NUMBER}, optional=("tax_usd",))
OPERATING_POINT = obj(
    {"concurrency": {"type": "integer", "description": "sequences in flight per replica"},
     "tokens_per_s_per_user": NUMBER, "ttft_ms": NUMBER, "tpot_ms": NUMBER,
     "slo_met": {"type": "boolean", "description": "TPOT and TTFT within the targets"},
     "chosen": {"type": "boolean", "description": "chosen as the highest-throughput point meeting the targets "
                                                  "(false: the setup's own batch)"},
     "gpus_per_replica": INTEGER, "replicas_per_system": INTEGER,
     "targets": obj({"max_ttft_ms": NUMBER, "max_tpot_ms": NUMBER}),
     # what invest, rent-or-buy and breakeven add: the rest of what the answer holds at
     "model": TEXT, "utilization": NUMBER, "precision": TEXT, "context_tokens": INTEGER,
     "input_tokens_per_output_token": NUMBER, "term": TEXT_OR_NULL, "hardware_price_as_of": TEXT_OR_NULL,
     "rent_as_of": TEXT_OR_NULL},
    optional=("model", "utilization", "precision", "context_tokens", "input_tokens_per_output_token", "term",
              "hardware_price_as_of", "rent_as_of"),
    description="Where a setup runs and the latency its users get; a target no point meets gives null costs and a "
                "note. invest, rent-or-buy and breakeven add the utilization, rental term and price vintage.",
)
INVEST = document(
    "`computecost invest --format json`: cash flows, NPV, IRR and payback of one setup",
    {"setup": TEXT, "kind": TEXT, "model": TEXT, "years": NUMBER, "accelerators": INTEGER,
     "operating_point": ref("operating_point"),
     "price": ref("invest_price"), "price_decline_per_year": NUMBER, "cost_of_capital_per_year": NUMBER,
     "financing": obj({"cost_of_capital_per_year": NUMBER, "basis": TEXT, "income_tax_rate": NUMBER,
                       "tax_depreciation": TEXT}, optional=("income_tax_rate", "tax_depreciation")),
     "capex_usd": NUMBER, "revenue_usd_first_month": NUMBER, "opex_usd_per_month": NUMBER, "resale_usd": NUMBER,
     "resale_basis": TEXT, "npv_usd": NUMBER, "npv_usd_per_accelerator": NUMBER, "npv_per_usd_invested": NUMBER,
     "irr": NUMBER, "irr_roots_per_year": {"type": "array", "items": NUMBER}, "irr_note": TEXT_OR_NULL,
     "payback_months": {"type": ["integer", "null"]}, "discounted_payback_months": {"type": ["integer", "null"]},
     "payback_note": TEXT_OR_NULL, "stranded_price_decline_per_year": NUMBER, "stranded_note": TEXT_OR_NULL,
     "cash_flows_by_year": {"type": "array", "items": ref("invest_year")},
     "ranges": {**obj({"npv_usd": ref("range"), "irr": ref("range")}),
                "description": "with --ranges: NPV and IRR over the declared distributions of the setup's figures and "
                               "the market's quotes"},
     "monte_carlo": ref("monte_carlo"), "workload": WORKLOAD, "npv_by_decline": obj(
         {"price_decline_per_year": {"type": "array", "items": NUMBER}, "npv_usd": {"type": "array", "items": NUMBER}})},
    optional=("ranges", "monte_carlo", "workload", "npv_by_decline"),
)
RENT_OR_BUY = document(
    "`computecost rent-or-buy --format json`",
    {"own": TEXT, "rent": TEXT, "model": TEXT, "metric": TEXT, "rent_term": TEXT,
     "operating_point": ref("operating_point"), "rent_cost_usd_per_million_output_tokens": NUMBER,
     "own_cost_usd_per_million_output_tokens_at_setup_utilization": NUMBER, "own_cost_usd_per_used_gpu_hour": NUMBER,
     "rent_cost_usd_per_used_gpu_hour": NUMBER, "setup_utilization": NUMBER,
     "breakeven_utilization": NUMBER, "breakeven_note": TEXT_OR_NULL, "owning_cheaper_at_setup_utilization": BOOL,
     "capex_usd": NUMBER, "rent_usd_per_month_for_same_tokens": NUMBER, "own_opex_usd_per_month": NUMBER,
     "economic_life_years": NUMBER, "breakeven_months": {"type": ["integer", "null"]},
     "discounted_breakeven_months": {"type": ["integer", "null"]}, "breakeven_months_note": TEXT_OR_NULL},
)
FLEET_ROW = obj(
    {"hardware": TEXT, "system": TEXT, "precision": TEXT, "fits": BOOL, "slo_met": BOOL, "batch": INTEGER,
     "operating_point": ref("operating_point"), "accelerators": INTEGER,
     **{k: NUMBER for k in ("site_w_per_accelerator", "tokens_per_day", "tokens_per_joule",
                            "tokens_per_joule_accelerator", "cost_usd_per_million_output_tokens", "capex_usd",
                            "cost_usd_per_year", "revenue_usd_per_year", "margin_usd_per_year")},
     "rank_tokens_per_day": INTEGER, "rank_tokens_per_joule": INTEGER, "rank_margin": INTEGER, "note": TEXT},
    optional=("system", "precision", "slo_met", "batch", "operating_point", "accelerators", "site_w_per_accelerator",
              "tokens_per_day",
              "tokens_per_joule", "tokens_per_joule_accelerator", "cost_usd_per_million_output_tokens", "capex_usd",
              "cost_usd_per_year", "revenue_usd_per_year", "margin_usd_per_year", "rank_tokens_per_day",
              "rank_tokens_per_joule", "rank_margin", "note"),
    description="One accelerator kind of `fleet`; a kind the model fits on no precision has only hardware, "
                "fits and note; one no operating point serves within the targets has no figures, slo_met false and "
                "a note.",
)
FLEET = document(
    "`computecost fleet --format json`: a power budget filled with each kind of accelerator",
    {"power_mw": NUMBER, "model": TEXT, "site": TEXT, "finance": TEXT, "utilization": NUMBER,
     "batch": {"type": ["integer", "null"]}, "context_tokens": {"type": ["integer", "null"]},
     "input_tokens_per_output_token": NUMBER,
     "ranked_by": {"enum": ["tokens_per_day", "tokens_per_joule", "margin_usd_per_year"]},
     "market": {"anyOf": [ref("market"), {"type": "null"}]}, "workload": WORKLOAD,
     "rows": {"type": "array", "items": ref("fleet_row")}},
    optional=("workload",),
)
BREAKEVEN = document(
    "`computecost breakeven --format json`",
    {"setups": TEXTS, "model": TEXT, "vary": TEXT, "metric": TEXT, "current_value": NUMBER,
     "metric_at_current": {"type": "array", "items": NUMBER},
     "operating_points": {"type": "array", "items": ref("operating_point")},
     "search_range": {"type": "array", "items": NUMBER},
     "breakeven_value": NUMBER, "note": TEXT_OR_NULL},
)
SCENARIO_LIST_ROW = obj({"id": TEXT, "name": TEXT, "question": TEXT})
SCENARIO_LIST = document("`computecost scenario list --format json`",
                         {"scenarios": {"type": "array", "items": ref("scenario_list_row")}})
SCENARIO_RUN = document(
    "`computecost scenario run --format json`: the answer, and each step's own output by step name",
    {"scenario": TEXT, "name": TEXT, "question": TEXT, "answer": TEXT, "commands": TEXTS, "sources": TEXTS,
     "latency": {**TEXTS, "description": "at which operating point and latency each step's costs hold"},
     "results": {"type": "object", "additionalProperties": {"anyOf": [ref(n) for n in (
         "compare", "throughput", "invest", "rent_or_buy", "fleet", "breakeven")]}}},
    optional=("latency",),
)

# ---------------------------------------- sweep, sensitivity, simulate (issue 5)
SWEEP_ROW = {"type": "object", "additionalProperties": NUMBER,
             "description": "One grid point of `sweep` (a line of `sweep --format jsonl`): the varied values, then "
                            "the metrics, named by `columns`."}
SWEEP = document(
    "`computecost sweep --format json`: one row per point of a grid",
    {"setup": TEXT, "model": TEXT, "overrides": TEXTS,
     "vary": {"type": "array", "items": obj({"path": TEXT, "start": NUMBER, "stop": NUMBER, "steps": INTEGER,
                                             "inputs_changed": TEXTS})},
     "row_count": INTEGER, "columns": TEXTS, "rows": {"type": "array", "items": ref("sweep_row")}},
)
SENSITIVITY = document(
    "`computecost sensitivity --format json`: each input moved down and up, by its effect on one metric",
    {"setup": TEXT, "model": TEXT, "overrides": TEXTS, "metric": TEXT, "swing": NUMBER, "metric_at_base": NUMBER,
     "parameters": {"type": "array", "items": obj(
         {"parameter": TEXT, "base_value": NUMBER, "low_value": NUMBER, "high_value": NUMBER, "metric_at_low": NUMBER,
          "metric_at_high": NUMBER, "range": TEXT, "clipped": TEXT_OR_NULL})},
     "not_swung": {"type": "array", "items": obj({"parameter": TEXT, "base_value": NUMBER, "reason": TEXT})}},
)
SIMULATE_SUMMARY = obj({k: NUMBER for k in ("p5", "p50", "p95", "mean", "base")} | {"not_computed": INTEGER})
SIMULATE = document(
    "`computecost simulate --format json`: percentiles of every metric over Monte Carlo samples",
    {"setup": TEXT, "model": TEXT, "overrides": TEXTS, "samples": INTEGER, "seed": INTEGER,
     "inputs": {"type": "array", "items": obj(
         {"parameter": TEXT, "distribution": {"type": "object", "minProperties": 1, "maxProperties": 1,
                                              "additionalProperties": {"type": "object",
                                                                       "additionalProperties": NUMBER}},
          "declared_in": TEXT_OR_NULL, "base_value": NUMBER, "inputs_moved": TEXTS, "clipped_samples": INTEGER})},
     "metrics": {"type": "object", "additionalProperties": ref("simulate_summary")},
     "histogram": obj({"metric": TEXT, "edges": {"type": "array", "items": NUMBER},
                       "counts": {"type": "array", "items": INTEGER}, "below": INTEGER, "above": INTEGER})},
)

# ------------------------------------------------- the rows of csv and jsonl
# What `--format jsonl` prints (a line each) and `--format csv` (a row each) for the commands whose
# document is not already a list of rows: one row per thing listed, the result's own figures repeated
# on each row so that a row stands alone (render/rows.py).
def _line(document_def: dict, item: dict | None = None, drop=(), extra: dict | None = None, description: str = "",
          optional=(), lead: dict | None = None) -> dict:
    """A row: ``lead``, the document's properties but ``drop`` (and schema_version), ``extra``, then ``item``'s."""
    head = {k: v for k, v in document_def["properties"].items() if k not in ("schema_version", *drop)}
    props = {**(lead or {}), **head, **(extra or {})}
    for key, value in (item["properties"] if item else {}).items():  # a key both have: the item's, or the document's
        props[key] = {"anyOf": [props[key], value]} if key in props and props[key] != value else value
    required = (set(document_def["required"]) | set(extra or {}) | set(lead or {})
                | set(item["required"] if item else ()))
    return obj(props, optional=[k for k in props if k not in required or k in optional], description=description)


INVEST_LINE = _line(INVEST, INVEST_YEAR, drop=("cash_flows_by_year",), description="A line of `invest --format "
                    "jsonl` (or a CSV row): one year of cash flows, with the investment's figures.")
RENT_OR_BUY_LINE = _line(RENT_OR_BUY, description="The line of `rent-or-buy --format jsonl` (or the CSV row).")
FLEET_LINE = _line(FLEET, FLEET_ROW, drop=("rows", "market"), optional=("workload",),
                   description="A line of `fleet --format jsonl` (or a CSV row): one accelerator kind, with the budget.")
BREAKEVEN_LINE = _line(BREAKEVEN, drop=("setups", "metric_at_current", "operating_points"),
                       lead={"setup": TEXT}, extra={"metric_at_current": NUMBER,
                                                    "operating_point": ref("operating_point")},
                       description="A line of `breakeven --format jsonl` (or a CSV row): one of the two setups.")
SENSITIVITY_LINE = _line(SENSITIVITY, SENSITIVITY["properties"]["parameters"]["items"], drop=("parameters",
                         "not_swung"), description="A line of `sensitivity --format jsonl` (or a CSV row): one "
                         "input moved down and up.")
SIMULATE_LINE = _line(SIMULATE, SIMULATE_SUMMARY, drop=("inputs", "metrics", "histogram"), extra={"metric": TEXT},
                      description="A line of `simulate --format jsonl` (or a CSV row): one metric's percentiles.")
SCENARIO_RUN_LINE = _line(SCENARIO_RUN, drop=("results",), description="The line of `scenario run --format jsonl` "
                          "(or the CSV row): the question, the answer, the commands that reproduce it.")
THROUGHPUT_LINE = _line(THROUGHPUT, description="The line of `throughput --format jsonl` (or the CSV row).")


# ------------------------------------------------------------------ prices
PRICES_IMPORT_WRITTEN = obj(
    {"kind": {"enum": ["markets", "offers"]}, "id": TEXT, "file": TEXT, "replaced": BOOL,
     "based_on": {"type": ["string", "null"], "description": "the profile the imported prices were merged into"},
     "providers": TEXTS, "kept": TEXTS, "provider": TEXT, "accelerator": TEXT, "terms": TEXTS},
    optional=("providers", "kept", "provider", "accelerator", "terms"),
    description="One profile `prices import` wrote: a market (providers imported, providers kept) or an offer.")
PRICES_IMPORT = document(
    "`computecost prices import --format json`: the profiles written, and what was not imported and why",
    {"file": TEXT, "format": {"enum": ["openrouter", "litellm", "csv"]}, "kind": {"enum": ["markets", "offers"]},
     "as_of": TEXT_OR_NULL, "into": TEXT, "written": {"type": "array", "items": ref("prices_import_written")},
     "not_imported": {"type": "array", "items": obj({"name": TEXT, "reason": TEXT})}},
)
PRICES_STALE_ROW = obj({"file": TEXT, "line": {"type": ["integer", "null"]}, "key": TEXT, "as_of": TEXT,
                        "age_days": INTEGER},
                       description="One price due for a refresh (a line of `prices stale --format jsonl`).")
PRICES_STALE = document(
    "`computecost prices stale --format json`: dated prices older than the limit, oldest first",
    {"today": TEXT, "max_age_days": INTEGER, "prices_checked": INTEGER,
     "due": {"type": "array", "items": ref("prices_stale_row")}},
)

# Every definition, by name. Documents and jsonl rows alike; the top level accepts any.
OUTPUTS: dict[str, dict] = {
    "compare": COMPARE,
    "compare_setup": COMPARE_SETUP,
    "operating_point": OPERATING_POINT,
    "frontier": FRONTIER,
    "frontier_point": FRONTIER_POINT,
    "frontier_row": FRONTIER_ROW,
    "throughput": THROUGHPUT,
    "check": CHECK,
    "check_rule": CHECK_RULE,
    "check_result": CHECK_RESULT,
    "diff": DIFF,
    "diff_side": DIFF_SIDE,
    "diff_change": DIFF_CHANGE,
    "profiles_list": PROFILES_LIST,
    "profiles_list_row": PROFILES_LIST_ROW,
    "profiles_show": PROFILES_SHOW,
    "profiles_show_field": PROFILES_SHOW_FIELD,
    "market": MARKET,
    "invest": INVEST,
    "invest_price": INVEST_PRICE,
    "invest_year": INVEST_YEAR,
    "rent_or_buy": RENT_OR_BUY,
    "fleet": FLEET,
    "fleet_row": FLEET_ROW,
    "breakeven": BREAKEVEN,
    "scenario_list": SCENARIO_LIST,
    "scenario_list_row": SCENARIO_LIST_ROW,
    "scenario_run": SCENARIO_RUN,
    "sweep": SWEEP,
    "sweep_row": SWEEP_ROW,
    "sensitivity": SENSITIVITY,
    "simulate": SIMULATE,
    "simulate_summary": SIMULATE_SUMMARY,
    "range": RANGE,
    "monte_carlo": MONTE_CARLO,
    "invest_line": INVEST_LINE,
    "rent_or_buy_line": RENT_OR_BUY_LINE,
    "fleet_line": FLEET_LINE,
    "breakeven_line": BREAKEVEN_LINE,
    "sensitivity_line": SENSITIVITY_LINE,
    "simulate_line": SIMULATE_LINE,
    "scenario_run_line": SCENARIO_RUN_LINE,
    "throughput_line": THROUGHPUT_LINE,
    "prices_import": PRICES_IMPORT,
    "prices_import_written": PRICES_IMPORT_WRITTEN,
    "prices_stale": PRICES_STALE,
    "prices_stale_row": PRICES_STALE_ROW,
}


def _closed(node):
    """A copy where every object with listed properties refuses other keys."""
    if isinstance(node, dict):
        out = {k: _closed(v) for k, v in node.items()}
        if "properties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out
    if isinstance(node, list):
        return [_closed(v) for v in node]
    return node


def csv_columns(name: str, rows: list[dict] = (), gated=()) -> list[str]:
    """The CSV header of rows of definition ``name``: its properties in order, nested objects flattened
    with '.', so the columns do not depend on the data (a column no row fills stays, empty).

    ``gated`` names top-level properties an option adds (``ranges`` with ``--ranges``): they are
    columns only when some row has them. Keys of open objects (no listed properties) come from the rows.
    """
    defs = dict(OUTPUTS)

    def walk(node, prefix: str, present) -> list[str]:
        while "$ref" in node:
            node = defs[node["$ref"].rsplit("/", 1)[-1]]
        if "anyOf" in node:
            node = next((n for n in node["anyOf"] if n.get("type") == "object"), node["anyOf"][0])
        props = node.get("properties")
        if node.get("type") != "object" or not props:
            keys = sorted({k for r in present if isinstance(r, dict) for k in r}) if node.get("type") == "object" \
                else None
            if keys is None:
                return [prefix[:-1]]
            out = []
            for k in keys:
                out += [f"{prefix}{k}"] if not isinstance(present[0].get(k) if present else None, dict) else \
                    walk({"type": "object"}, f"{prefix}{k}.", [r.get(k) for r in present if isinstance(r, dict)])
            return out
        out = []
        for key, sub in props.items():
            if not prefix and key in gated and not any(key in r for r in present):
                continue
            out += walk(sub, f"{prefix}{key}.", [r[key] for r in present if isinstance(r, dict) and key in r])
        return out

    return walk(defs[name], "", list(rows))


def output_schema(name: str | None = None, strict: bool = False) -> dict:
    """The whole output schema, or one definition (``name``) as a schema of its own."""
    defs = _closed(OUTPUTS) if strict else OUTPUTS
    urn = f"urn:computecost:schema:output:{SCHEMA_VERSION}"
    if name is None:
        return {"$schema": DIALECT, "$id": urn, "title": f"computecost JSON output, schema_version {SCHEMA_VERSION}",
                "description": "Every JSON document computecost prints, and every line of --format jsonl. "
                               "Keys may be added within a schema_version, never removed or retyped. "
                               "A number that cannot be computed is null, never NaN.",
                "anyOf": [ref(n) for n in defs], "$defs": defs}
    return {"$schema": DIALECT, "$id": f"{urn}:{name}", "title": f"computecost {name} output, schema_version "
            f"{SCHEMA_VERSION}", **ref(name), "$defs": defs}
