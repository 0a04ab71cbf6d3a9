"""``throughput``: tokens/s, energy and memory fit for one model on one accelerator or system."""

from __future__ import annotations

import numpy as np

from compute_cli import inputs
from compute_cli.contract import SCHEMA_VERSION
from compute_cli.engine.constants import BYTES_PER_GB
from compute_cli.engine.evaluate import STEP_TERMS
from compute_cli.engine.evaluate import evaluate as engine_evaluate
from compute_cli.errors import InputError, UsageError
from compute_cli.pipeline import clean, evaluate_resolved
from compute_cli.profiles import standins
from compute_cli.profiles.catalog import Catalog, ResolvedSetup
from compute_cli.profiles.overrides import Assignment

# `--hardware H --gpus auto` looks for the fewest of H that fit among the divisors of this
# count (powers of two: the group sizes tensor parallelism splits attention heads into).
AUTO_GPUS_LIMIT = 1024


def resolve(catalog: Catalog, hardware_id: str | None, system_id: str | None, gpus: int,
            precision: str, kv_precision: str, batch: int, context: int, runtime_id: str | None = None) -> ResolvedSetup:
    """The system (a profile, or ``gpus`` of one accelerator on PCIe) and a setup carrying the run's knobs.

    With ``--hardware`` and ``gpus`` 0 (auto) the stand-in group is ``AUTO_GPUS_LIMIT`` devices,
    of which the engine serves on the fewest that fit.
    """
    if bool(hardware_id) == bool(system_id):
        raise UsageError("give exactly one of --hardware or --system")
    sources = {}
    if system_id:
        sources["system"] = sys_loaded = catalog.get("systems", system_id)
        system = sys_loaded.profile
        sources["hardware"] = catalog.get("hardware", system.accelerator, referrer=(sys_loaded, "accelerator"))
        if gpus > system.accelerator_count:
            raise UsageError(f"--gpus {gpus}: system '{system.id}' has {system.accelerator_count} accelerators")
    else:
        sources["hardware"] = catalog.get("hardware", hardware_id)
        system = standins.hardware_group(sources["hardware"].profile, gpus or AUTO_GPUS_LIMIT)
    setup = standins.throughput_setup(precision, kv_precision, batch, context)
    r = ResolvedSetup(setup=setup, hardware=sources["hardware"].profile, system=system, sources=sources)
    return catalog.with_runtime(r, runtime_id)


def check_context(catalog: Catalog, model_id: str, context: int, prompt_tokens: int | None) -> None:
    """Refuse a context (or prompt) beyond the model's window, naming where the window is stated."""
    loaded = catalog.get("models", model_id)
    limit = loaded.profile.max_context_tokens
    for option, tokens in (("--context", context), ("--prompt-tokens", prompt_tokens)):
        if limit and tokens and tokens > limit:
            where = f" ({loaded.file}:{loaded.line_of('max_context_tokens')})" if loaded.line_of("max_context_tokens") else ""
            raise UsageError(f"{option} {tokens:,}: {loaded.id} reads at most {limit:,} tokens "
                             f"(max_context_tokens{where})")


def fewest_gpus(x: dict) -> int | None:
    """The fewest accelerators (a power of two up to ``AUTO_GPUS_LIMIT``) that hold the weights and the batch's
    KV cache, from the run's own engine inputs; None when not even that many do."""
    trial = dict(x)
    trial["accelerator_count"] = np.array([float(AUTO_GPUS_LIMIT)])
    trial["gpus"] = np.array([0.0])
    y = engine_evaluate(trial)
    return int(y["gpus"][0]) if bool(y["fits"][0]) else None


def run(catalog: Catalog, model_id: str, *, hardware_id=None, system_id=None, precision="bf16", kv_precision="bf16",
        batch=1, context=1024, prompt_tokens=None, prefill_batch=1, gpus=0, parallelism="tensor", runtime_id=None,
        assignments: list[Assignment] = ()) -> dict:
    check_context(catalog, model_id, context, prompt_tokens)
    r = resolve(catalog, hardware_id, system_id, gpus, precision, kv_precision, batch, context, runtime_id)
    options = inputs.RunOptions(gpus=gpus, prompt_tokens=prompt_tokens or context, prefill_batch=prefill_batch,
                                parallelism=parallelism, cap_batch=False)
    evaluated = evaluate_resolved(catalog, [r], catalog.model(model_id), assignments, options,
                                  catalog.get("models", model_id))
    model = evaluated.model
    x, y = evaluated.scalars(0)
    n = int(y["gpus"])
    need_gb = (y["weight_bytes"] + y["kv_cache_bytes"]) / BYTES_PER_GB
    have_gb = y["memory_available_bytes"] / BYTES_PER_GB
    if not y["context_fits"]:
        raise InputError(f"context {int(x['context_tokens']):,} tokens is beyond {model.id}'s window of "
                         f"{int(x['max_context_tokens']):,} tokens (model.max_context_tokens)")
    if y["max_batch"] < 1:
        reserve = x["memory_reserve_fraction"]
        weights_gb = y["weight_bytes"] / BYTES_PER_GB
        one_kv_gb = y["kv_cache_bytes"] / batch / BYTES_PER_GB
        would = fewest_gpus({k: np.atleast_1d(v) for k, v in evaluated.x.items()})
        hint = ""
        if would is not None:
            hint = (f"; {would} x {r.hardware.id} would hold it (--hardware {r.hardware.id} --gpus {would})"
                    if system_id else f"; {would} would hold it (--gpus {would})")
        raise InputError(
            f"{model.id} at {precision} does not fit: weights need {weights_gb:,.1f} GB and one sequence of "
            f"{context} tokens {one_kv_gb:,.2f} GB of KV cache, but {n} x {r.hardware.id} hold {have_gb:,.1f} GB "
            f"after the {reserve:.0%} runtime reserve (short by {weights_gb + one_kv_gb - have_gb:,.1f} GB){hint}"
        )
    result = {
        "schema_version": SCHEMA_VERSION,
        "model": model.id,
        "hardware": r.hardware.id,
        "system": system_id,
        "runtime": r.runtime.id if r.runtime else None,
        "precision": precision,
        "kv_precision": kv_precision,
        "parallelism": parallelism,
        "batch": batch,
        "context_tokens": context,
        "prompt_tokens": prompt_tokens or context,
        "gpus": n,
        "fits": bool(y["fits"]),
        "max_batch": int(y["max_batch"]),
        "bound": "memory" if y["bound_is_memory"] else "compute",
        "decode_tokens_per_s": clean(y["decode_tokens_per_s"]),
        "decode_tokens_per_s_per_sequence": clean(y["decode_tokens_per_s"] / batch),
        "decode_step_ms": clean(y["decode_step_ms"]),
        "decode_breakdown_ms": {f"{term}_ms": clean(y[f"decode_{term}_ms"]) for term in STEP_TERMS},
        "experts_touched": clean(y["experts_touched"]),
        "prefill_tokens_per_s": clean(y["prefill_tokens_per_s"]),
        "decode_energy_j_per_token": clean(y["energy_j_per_output_token"]),
        "prefill_energy_j_per_token": clean(y["energy_j_per_input_token"]),
        "decode_power_w": clean(y["decode_power_w"] * n),
        "prefill_power_w": clean(y["prefill_power_w"] * n),
        "weights_gb": clean(y["weight_bytes"] / BYTES_PER_GB),
        "kv_cache_gb": clean(y["kv_cache_bytes"] / BYTES_PER_GB),
        "memory_available_gb": clean(have_gb),
    }
    if not result["fits"]:
        result["note"] = (f"batch {batch} at {context} tokens needs {need_gb:,.1f} GB but {n} x {r.hardware.id} "
                          f"hold {have_gb:,.1f} GB; at most {result['max_batch']} sequences fit")
    return result
