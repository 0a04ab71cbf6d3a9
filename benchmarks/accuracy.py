"""Prediction vs public measurement: the throughput model against published tokens/s and J/token.

Run: .venv/bin/python benchmarks/accuracy.py  (prints the Markdown table in docs/methodology.md)

Each row is a public measurement from ../shared/reference/figures.md (section E),
re-stated here with its source. Nothing in the model is fitted to these rows one by
one; the efficiency factors are per hardware class (compute_cli/engine/efficiency.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from compute_cli.analysis import throughput  # noqa: E402
from compute_cli.profiles.catalog import Catalog  # noqa: E402

LLAMA_BENCH = "XiongjieDai/GPU-Benchmarks-on-LLM-Inference README (llama.cpp llama-bench: tg = 128 generated tokens, pp = 512-token prompt)"

TRTLLM_H200 = ("NVIDIA/TensorRT-LLM docs/source/blogs/H200launch.md (TensorRT-LLM v0.5.0, FP8, "
               "'preliminary measured performance', output tokens/s), 2023-11")

# (label, throughput.run kwargs, metric, measured, source)
# Q4_K_M (~4.9 bits/weight) is served as int4 (4.5 bits/weight): a known ~8 % byte undercount.
MEASUREMENTS = [
    ("RTX 4090, Llama-3-8B F16, tg", dict(hardware_id="rtx-4090", model_id="llama-3.1-8b", precision="bf16"), "decode", 54.8, LLAMA_BENCH + ", 2024-05"),
    ("RTX 4090, Llama-3-8B F16, pp512", dict(hardware_id="rtx-4090", model_id="llama-3.1-8b", precision="bf16"), "prefill", 9382, LLAMA_BENCH + ", 2024-05"),
    ("RTX 4090, Llama-2-7B Q4_0, tg", dict(hardware_id="rtx-4090", model_id="llama-2-7b", precision="int4"), "decode", 149.4, LLAMA_BENCH + ", 2023-12"),
    ("RTX 4090, Llama-2-7B F16, tg", dict(hardware_id="rtx-4090", model_id="llama-2-7b", precision="bf16"), "decode", 60.9, LLAMA_BENCH + ", 2023-12"),
    ("RTX 4090, Llama-2-7B F16, pp512", dict(hardware_id="rtx-4090", model_id="llama-2-7b", precision="bf16"), "prefill", 7245, LLAMA_BENCH + ", 2023-12"),
    ("2x RTX 4090, Llama-3-70B Q4_K_M, tg", dict(hardware_id="rtx-4090", gpus=2, parallelism="pipeline", model_id="llama-3.1-70b", precision="int4"), "decode", 19.2, LLAMA_BENCH + ", 2024-05"),
    ("8x RTX 4090, Llama-3-70B F16, tg", dict(hardware_id="rtx-4090", gpus=8, parallelism="pipeline", model_id="llama-3.1-70b", precision="bf16"), "decode", 6.5, LLAMA_BENCH + ", 2024-05"),
    ("H100 PCIe, Llama-2-7B F16, tg", dict(hardware_id="h100-pcie", model_id="llama-2-7b", precision="bf16"), "decode", 83.3, LLAMA_BENCH + ", 2023-12"),
    ("H100 PCIe, Llama-2-7B Q4_0, tg", dict(hardware_id="h100-pcie", model_id="llama-2-7b", precision="int4"), "decode", 133.8, LLAMA_BENCH + ", 2023-12"),
    ("H100 PCIe, Llama-2-70B Q4_0, tg", dict(hardware_id="h100-pcie", model_id="llama-2-70b", precision="int4"), "decode", 25.9, LLAMA_BENCH + ", 2023-12"),
    ("H100 PCIe, Llama-2-7B F16, pp512", dict(hardware_id="h100-pcie", model_id="llama-2-7b", precision="bf16"), "prefill", 7367, LLAMA_BENCH + ", 2023-12"),
    ("M2 Ultra 76c, Llama-3-8B Q4_K_M, tg", dict(hardware_id="m2-ultra", model_id="llama-3.1-8b", precision="int4"), "decode", 78.8, LLAMA_BENCH + ", 2024-05"),
    ("M2 Ultra 76c, Llama-3-70B Q4_K_M, tg", dict(hardware_id="m2-ultra", model_id="llama-3.1-70b", precision="int4"), "decode", 12.5, LLAMA_BENCH + ", 2024-05"),
    ("M3 Max 40c, Llama-3-8B Q4_K_M, tg", dict(hardware_id="m3-max", model_id="llama-3.1-8b", precision="int4"), "decode", 49.0, LLAMA_BENCH + ", 2024-05"),
    ("M3 Max 40c, Llama-3-70B Q4_K_M, tg", dict(hardware_id="m3-max", model_id="llama-3.1-70b", precision="int4"), "decode", 7.65, LLAMA_BENCH + ", 2024-05"),
    # End-to-end offline throughput: batch B of ISL-token prompts, each generating OSL tokens.
    ("H200, Llama-2-13B FP8, B=1024 TP1, 128/128", dict(hardware_id="h200", model_id="llama-2-13b", precision="fp8", kv_precision="fp8", batch=1024, isl=128, osl=128), "offline", 11819, TRTLLM_H200),
    ("H200, Llama-2-13B FP8, B=128 TP1, 128/2048", dict(hardware_id="h200", model_id="llama-2-13b", precision="fp8", kv_precision="fp8", batch=128, isl=128, osl=2048), "offline", 4750, TRTLLM_H200),
    ("H200, Llama-2-13B FP8, B=64 TP1, 2048/128", dict(hardware_id="h200", model_id="llama-2-13b", precision="fp8", kv_precision="fp8", batch=64, isl=2048, osl=128), "offline", 1349, TRTLLM_H200),
    ("H200, Llama-2-70B FP8, B=512 TP1, 128/128", dict(hardware_id="h200", model_id="llama-2-70b", precision="fp8", kv_precision="fp8", batch=512, isl=128, osl=128), "offline", 3014, TRTLLM_H200),
    ("H200, Llama-2-70B FP8, B=512 TP4, 128/2048", dict(system_id="hgx-h200-8", gpus=4, model_id="llama-2-70b", precision="fp8", kv_precision="fp8", batch=512, isl=128, osl=2048), "offline", 6616, TRTLLM_H200),
    ("H200, Llama-2-70B FP8, B=64 TP2, 2048/128", dict(system_id="hgx-h200-8", gpus=2, model_id="llama-2-70b", precision="fp8", kv_precision="fp8", batch=64, isl=2048, osl=128), "offline", 682, TRTLLM_H200),
    ("H200, Llama-2-70B FP8, B=32 TP1, 2048/128", dict(hardware_id="h200", model_id="llama-2-70b", precision="fp8", kv_precision="fp8", batch=32, isl=2048, osl=128), "offline", 303, TRTLLM_H200),
    ("B200, Qwen3-32B bf16, J/token, batch 128", dict(hardware_id="b200", model_id="qwen3-32b", precision="bf16", batch=128, context=1200), "energy", 0.209, "ML.ENERGY Leaderboard v3.0 blog (vLLM 0.11.1, text conversation), 2026-01-13"),
]

METRIC_KEY = {"decode": "decode_tokens_per_s", "prefill": "prefill_tokens_per_s", "energy": "decode_energy_j_per_token"}
UNIT = {"decode": "tok/s", "prefill": "tok/s", "energy": "J/token", "offline": "tok/s"}


def offline_tokens_per_s(catalog: Catalog, model: str, batch: int, isl: int, osl: int, **kwargs) -> float:
    """Output tokens/s of a batch that prefills ISL-token prompts, then decodes OSL tokens each.

    Time = prefill of batch x ISL tokens + OSL decode steps at the mean context ISL + OSL/2.
    """
    r = throughput.run(catalog, model, batch=batch, context=isl + osl // 2, prompt_tokens=isl,
                       prefill_batch=batch, **kwargs)
    prefill_s = batch * isl / r["prefill_tokens_per_s"]
    decode_s = osl * r["decode_step_ms"] / 1e3
    return batch * osl / (prefill_s + decode_s)


def predict(catalog: Catalog, kwargs: dict, metric: str) -> float:
    args = dict(kwargs)
    model = args.pop("model_id")
    if metric == "offline":
        return offline_tokens_per_s(catalog, model, **args)
    args.setdefault("context", 128 if metric == "decode" else 512)
    args.setdefault("batch", 1)
    if metric == "prefill":
        args["prompt_tokens"] = 512
    return throughput.run(catalog, model, **args)[METRIC_KEY[metric]]


def rows(catalog: Catalog | None = None):
    catalog = catalog or Catalog()
    for label, kwargs, metric, measured, source in MEASUREMENTS:
        predicted = predict(catalog, kwargs, metric)
        yield label, metric, measured, predicted, (predicted - measured) / measured, source


def main() -> None:
    print("| measurement | measured | predicted | error | source |")
    print("|---|---:|---:|---:|---|")
    errors = {"decode": [], "prefill": [], "offline": [], "energy": []}
    for label, metric, measured, predicted, err, source in rows():
        errors[metric].append(abs(err))
        print(f"| {label} | {measured:g} {UNIT[metric]} | {predicted:.3g} | {err:+.0%} | {source} |")
    print()
    for metric, errs in errors.items():
        if errs:
            errs.sort()
            print(f"- {metric}: {len(errs)} points, median |error| {errs[len(errs) // 2]:.0%}, max {errs[-1]:.0%}")


if __name__ == "__main__":
    main()
