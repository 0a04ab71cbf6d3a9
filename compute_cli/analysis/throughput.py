"""``throughput``: tokens/s, energy and memory fit for one model on one accelerator or system."""

from __future__ import annotations

from compute_cli import inputs
from compute_cli.contract import SCHEMA_VERSION
from compute_cli.engine.constants import BYTES_PER_GB
from compute_cli.errors import InputError, UsageError
from compute_cli.pipeline import clean, evaluate_resolved
from compute_cli.profiles import standins
from compute_cli.profiles.catalog import Catalog, ResolvedSetup
from compute_cli.profiles.overrides import Assignment


def resolve(catalog: Catalog, hardware_id: str | None, system_id: str | None, gpus: int,
            precision: str, kv_precision: str, batch: int, context: int) -> ResolvedSetup:
    """The system (a profile, or ``gpus`` of one accelerator on PCIe) and a setup carrying the run's knobs."""
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
        system = standins.hardware_group(sources["hardware"].profile, gpus)
    setup = standins.throughput_setup(precision, kv_precision, batch, context)
    return ResolvedSetup(setup=setup, hardware=sources["hardware"].profile, system=system, sources=sources)


def run(catalog: Catalog, model_id: str, *, hardware_id=None, system_id=None, precision="bf16", kv_precision="bf16",
        batch=1, context=1024, prompt_tokens=None, prefill_batch=1, gpus=0, parallelism="tensor",
        assignments: list[Assignment] = ()) -> dict:
    r = resolve(catalog, hardware_id, system_id, gpus, precision, kv_precision, batch, context)
    options = inputs.RunOptions(gpus=gpus, prompt_tokens=prompt_tokens or context, prefill_batch=prefill_batch,
                                parallelism=parallelism, cap_batch=False)
    evaluated = evaluate_resolved(catalog, [r], catalog.model(model_id), assignments, options,
                                  catalog.get("models", model_id))
    model = evaluated.model
    x, y = evaluated.scalars(0)
    n = int(y["gpus"])
    need_gb = (y["weight_bytes"] + y["kv_cache_bytes"]) / BYTES_PER_GB
    have_gb = y["memory_available_bytes"] / BYTES_PER_GB
    if y["max_batch"] < 1:
        reserve = x["memory_reserve_fraction"]
        weights_gb = y["weight_bytes"] / BYTES_PER_GB
        one_kv_gb = y["kv_cache_bytes"] / batch / BYTES_PER_GB
        raise InputError(
            f"{model.id} at {precision} does not fit: weights need {weights_gb:,.1f} GB and one sequence of "
            f"{context} tokens {one_kv_gb:,.2f} GB of KV cache, but {n} x {r.hardware.id} hold {have_gb:,.1f} GB "
            f"after the {reserve:.0%} runtime reserve (short by {weights_gb + one_kv_gb - have_gb:,.1f} GB)"
        )
    result = {
        "schema_version": SCHEMA_VERSION,
        "model": model.id,
        "hardware": r.hardware.id,
        "system": system_id,
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
