"""The operating-point model against public serving measurements: TPOT, TTFT and throughput per GPU
at a stated concurrency, maximum throughput, and MLPerf Offline, Server and Interactive.

Run: .venv/bin/python benchmarks/serving_accuracy.py  (prints the table of docs/methodology.md
section 8, "The operating point against public measurements"; tests/test_serving_accuracy.py checks
that the docs hold exactly this output and that the errors stay within the bounds documented there)

Every row is a public measurement with its source. Nothing is fitted to these rows: the model is the
roofline of section 1 with the efficiency factors of its hardware class, the steps of
engine/serving.py, and the published configuration of each run (GPUs, precision, tokens).
"""

from __future__ import annotations

import dataclasses
import sys

import msgspec
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from compute_cli import inputs, pipeline  # noqa: E402
from compute_cli.analysis import throughput  # noqa: E402
from compute_cli.engine import serving  # noqa: E402
from compute_cli.profiles.catalog import Catalog, ResolvedSetup  # noqa: E402
from compute_cli.profiles.schema import System  # noqa: E402

TRT_ONLINE = ("NVIDIA/TensorRT-LLM docs/source/performance/perf-overview.md@258c7540, online serving table "
              "(v0.14.0, Triton backend, BF16, 500 requests, Poisson QPS); concurrency derived as output tok/s x ITL")
TRT_MAX = ("NVIDIA/TensorRT-LLM docs/source/performance/perf-overview.md@258c7540, throughput table (v0.17, FP8 "
           "weights and KV, maximum load, output tok/s of the TP group)")
IX_DSR1 = ("SemiAnalysisAI/InferenceX issue #870 (2026-03-05): DeepSeek-R1-0528, SGLang v0.5.7, FP8, TP8, H200, "
           "ISL/OSL 1024/1024, mean TPOT / output tput per GPU / mean TTFT")
IX_OSS_MI300X = ("SemiAnalysisAI/InferenceX PR #1061 (2026-04-17): gpt-oss-120b MXFP4, one MI300X, vLLM 0.17.0, "
                 "ISL/OSL 1024/1024, output TPS and median TPOT")
IX_OSS_H100 = "SemiAnalysisAI/InferenceX issue #828 (2026-03-01): gpt-oss-120b MXFP4, 8x H100 TP8, vLLM, 1k/1k (figures.md I)"
MLPERF_H200 = ("mlcommons/inference_results_v4.1 closed/GigaComputing/summary.csv: GIGABYTE G593-SD1 8x H200, "
               "llama2-70b-99 (TensorRT 10.2, FP8)")
MLPERF_MI355X = ("mlcommons/inference_results_v6.1 summary.csv: AMD 8xMI355X_2xEPYC_9575F, llama2-70b-99.9 "
                 "(FP4 weights, served here as fp8: the ratio, not the level)")

# A system for MI355X, which the catalog has none of: 8 on Infinity Fabric at MI300X's link rate (assumption).
MI355X_8 = System(id="mi355x-8-benchmark", name="8x MI355X (benchmark stand-in)", accelerator="mi355x",
                  accelerator_count=8, host_capex_usd=0.0, host_power_w=0.0, interconnect="infinity-fabric",
                  interconnect_bandwidth_gb_per_s=448.0)


@dataclasses.dataclass(frozen=True)
class Run:
    """One served configuration: the system, GPUs per replica, model, precision and the requests."""

    system: str
    gpus: int  # 0: chosen with the operating point
    model: str
    precision: str
    kv: str
    isl: int
    osl: int
    batch: int | None = None  # None: the operating point is chosen
    workload: str | None = None  # instead of isl/osl: a workload profile (targets included)


def evaluate(catalog: Catalog, run: Run) -> dict:
    """The engine's outputs for one configuration (scalars)."""
    if run.system == MI355X_8.id:
        hw = catalog.get("hardware", "mi355x")
        r0 = throughput.resolve(catalog, "mi355x", None, 1, run.precision, run.kv, 1, run.isl)
        r = ResolvedSetup(setup=r0.setup, hardware=hw.profile, system=MI355X_8, sources={"hardware": hw})
    else:
        r = throughput.resolve(catalog, None, run.system, run.gpus, run.precision, run.kv, 1, run.isl)
    r = dataclasses.replace(r, setup=msgspec.structs.replace(r.setup, batch=run.batch, context_tokens=None))
    if run.workload:
        options = inputs.RunOptions(gpus=run.gpus, workload=run.workload)
    else:
        options = inputs.RunOptions(gpus=run.gpus, input_tokens=run.isl, output_tokens=run.osl)
    result = pipeline.evaluate_resolved(catalog, [r], catalog.model(run.model), [], options,
                                        catalog.get("models", run.model))
    return {k: float(v) for k, v in result.scalars(0)[1].items()}


def output_tokens_per_s(y: dict, group: bool = False) -> float:
    """Output tokens/s per accelerator while serving (prompts included), or of the whole group."""
    per_gpu = y["served_output_tokens_per_s_per_gpu"]
    return per_gpu * y["gpus"] if group else per_gpu


METRICS = {
    "TPOT": ("ms", lambda y: y["tpot_ms"]),
    "TTFT": ("ms", lambda y: y["ttft_ms"]),
    "out/GPU": ("tok/s", output_tokens_per_s),
    "out/group": ("tok/s", lambda y: output_tokens_per_s(y, group=True)),
    "out/system": ("tok/s", lambda y: output_tokens_per_s(y) * 8),
}

# (group, label, run, metric, measured, source)
H100, H200 = "hgx-h100-8", "hgx-h200-8"
L70, L8 = "llama-3.1-70b", "llama-3.1-8b"
ONLINE = [  # QPS, derived concurrency, mean TTFT, mean ITL
    (H100, L70, 4, [(2, 10, 62, 21), (8, 60, 92, 32), (16, 209, 175, 66)]),
    (H200, L70, 4, [(2, 9, 58, 18), (8, 51, 84, 27), (16, 196, 165, 60)]),
    (H100, L8, 1, [(2, 4, 23, 8), (16, 41, 30, 11), (32, 129, 50, 19)]),
    (H200, L8, 1, [(2, 3, 21, 6), (16, 34, 27, 9), (32, 112, 44, 16)]),
]
ROWS = []
for system, model, tp, loads in ONLINE:
    gpu = "H100" if system == H100 else "H200"
    for qps, c, ttft, itl in loads:
        run = Run(system, tp, model, "bf16", "bf16", 467, 256, batch=c)
        name = f"{gpu} TP{tp}, {model.replace('llama-3.1-', 'Llama-3.1-').upper().replace('LLAMA', 'Llama')}"
        ROWS.append(("TensorRT-LLM online", f"{name} BF16, 467/256, QPS {qps} (C {c})", run, "TPOT", itl,
                     TRT_ONLINE))
        ROWS.append(("TensorRT-LLM online", f"{name} BF16, 467/256, QPS {qps} (C {c})", run, "TTFT", ttft,
                     TRT_ONLINE))
for c, tpot, per_gpu, ttft in [(8, 12.8, 74.6, 330.6), (16, 17.2, 111.9, 356.0), (32, 25.6, 151.1, 426.5),
                               (64, 34.6, 223.6, 423.1)]:
    run = Run(H200, 8, "deepseek-v3", "fp8", "bf16", 1024, 1024, batch=c)
    label = f"8x H200 TP8, DeepSeek-R1 FP8, 1k/1k, C {c}"
    ROWS += [("InferenceX", label, run, "TPOT", tpot, IX_DSR1), ("InferenceX", label, run, "out/GPU", per_gpu, IX_DSR1),
             ("InferenceX", label, run, "TTFT", ttft, IX_DSR1)]
for c, out, tpot in [(64, 2008, 31.4), (96, 2561, 36.6), (128, 2990, 41.3), (256, 4271, 58.3)]:
    run = Run("mi300x-8", 1, "gpt-oss-120b", "int4", "bf16", 1024, 1024, batch=c)
    label = f"1x MI300X, gpt-oss-120b MXFP4 (as int4), 1k/1k, C {c}"
    ROWS += [("InferenceX", label, run, "TPOT", tpot, IX_OSS_MI300X),
             ("InferenceX", label, run, "out/GPU", out, IX_OSS_MI300X)]
run = Run(H100, 8, "gpt-oss-120b", "int4", "bf16", 1024, 1024, batch=4)
ROWS += [("InferenceX", "8x H100 TP8, gpt-oss-120b MXFP4 (as int4), 1k/1k, C 4", run, "TPOT", 3.72, IX_OSS_H100),
         ("InferenceX", "8x H100 TP8, gpt-oss-120b MXFP4 (as int4), 1k/1k, C 4", run, "out/GPU", 129.6, IX_OSS_H100)]
for system, tp, model, isl, osl, measured in [
        (H100, 2, L70, 1000, 1000, 4390.53), (H100, 4, L70, 1000, 1000, 7430.99), (H100, 8, L70, 1000, 1000, 11451.16),
        (H200, 1, L70, 1000, 1000, 2823.45), (H200, 2, L70, 1000, 1000, 5164.76), (H200, 4, L70, 1000, 1000, 8911.29),
        (H200, 8, L70, 1000, 1000, 13181.24), (H100, 1, L8, 1000, 1000, 15244.78), (H200, 1, L8, 1000, 1000, 17537.96),
        (H100, 8, L70, 20000, 2000, 1512.6), (H200, 8, L70, 20000, 2000, 1920.45)]:
    gpu = "H100" if system == H100 else "H200"
    run = Run(system, tp, model, "fp8", "fp8", isl, osl)
    label = f"{gpu} TP{tp}, {'Llama-3.1-70B' if model == L70 else 'Llama-3.1-8B'} FP8, {isl}/{osl}, max load"
    ROWS.append(("TensorRT-LLM max throughput", label, run, "out/group", measured, TRT_MAX))
MLPERF_RUNS = {
    ("H200", "Offline"): Run(H200, 0, "llama-2-70b", "fp8", "fp8", 294, 284, workload="mlperf-llama2-70b-offline"),
    ("H200", "Server"): Run(H200, 0, "llama-2-70b", "fp8", "fp8", 294, 284, workload="mlperf-llama2-70b-server"),
    ("MI355X", "Offline"): Run(MI355X_8.id, 0, "llama-2-70b", "fp8", "fp8", 294, 284,
                               workload="mlperf-llama2-70b-offline"),
    ("MI355X", "Server"): Run(MI355X_8.id, 0, "llama-2-70b", "fp8", "fp8", 294, 284, workload="mlperf-llama2-70b-server"),
    ("MI355X", "Interactive"): Run(MI355X_8.id, 0, "llama-2-70b", "fp8", "fp8", 294, 284,
                                   workload="mlperf-llama2-70b-interactive"),
}
ROWS += [("MLPerf", "8x H200, Llama-2-70B FP8, Offline", MLPERF_RUNS[("H200", "Offline")], "out/system", 31263.8,
          MLPERF_H200),
         ("MLPerf", "8x H200, Llama-2-70B FP8, Server (TTFT <= 2 s, TPOT <= 200 ms)", MLPERF_RUNS[("H200", "Server")],
          "out/system", 29715.3, MLPERF_H200)]
# (label, numerator, denominator, measured ratio, source)
RATIOS = [
    ("8x H200, Llama-2-70B, Server / Offline", ("H200", "Server"), ("H200", "Offline"), 29715.3 / 31263.8, MLPERF_H200),
    ("8x MI355X, Llama-2-70B, Server / Offline", ("MI355X", "Server"), ("MI355X", "Offline"), 103275.0 / 106517.0,
     MLPERF_MI355X),
    ("8x MI355X, Llama-2-70B, Interactive (TTFT <= 450 ms, TPOT <= 40 ms) / Offline", ("MI355X", "Interactive"),
     ("MI355X", "Offline"), 73191.5 / 106517.0, MLPERF_MI355X),
]


def rows(catalog: Catalog | None = None):
    """(group, label, metric, unit, measured, predicted, error, source) for every measurement."""
    catalog = catalog or Catalog(environ={})
    cache: dict = {}

    def y_of(run):
        if run not in cache:
            cache[run] = evaluate(catalog, run)
        return cache[run]

    for group, label, run, metric, measured, source in ROWS:
        unit, get = METRICS[metric]
        predicted = get(y_of(run))
        yield group, label, metric, unit, measured, predicted, (predicted - measured) / measured, source
    for label, num, den, measured, source in RATIOS:
        out = METRICS["out/system"][1]
        predicted = out(y_of(MLPERF_RUNS[num])) / out(y_of(MLPERF_RUNS[den]))
        yield "MLPerf ratio", label, "ratio", "[-]", measured, predicted, (predicted - measured) / measured, source


def summary(table) -> list[str]:
    groups: dict[tuple[str, str], list[float]] = {}
    for group, _label, metric, _unit, _m, _p, err, _s in table:
        key = (group, "throughput" if metric.startswith("out") or metric == "ratio" else metric)
        groups.setdefault(key, []).append(err)
    out = []
    for (group, metric), errs in groups.items():
        a = sorted(abs(e) for e in errs)
        median = a[len(a) // 2] if len(a) % 2 else (a[len(a) // 2 - 1] + a[len(a) // 2]) / 2
        mean = sum(errs) / len(errs)
        out.append(f"- {group}, {metric}: {len(errs)} points, median |error| {median:.0%}, max {a[-1]:.0%}, "
                   f"mean error {mean:+.0%}")
    return out


def table_text(catalog: Catalog | None = None) -> str:
    table = list(rows(catalog))
    lines = ["| measurement | metric | measured | predicted | error | source |", "|---|---|---:|---:|---:|---|"]
    for group, label, metric, unit, measured, predicted, err, source in table:
        lines.append(f"| {group}: {label} | {metric} | {measured:,.4g} {unit} | {predicted:,.4g} | {err:+.0%} | "
                     f"{source} |")
    lines.append("")
    lines += summary(table)
    lines.append(f"- the engine's caps in these runs: concurrency <= {serving.MAX_CONCURRENCY:,.0f} per replica, "
                 f"{serving.PREFILL_CHUNK_TOKENS:,.0f} prompt tokens per step")
    return "\n".join(lines) + "\n"


def main() -> None:
    sys.stdout.write(table_text())


if __name__ == "__main__":
    main()
