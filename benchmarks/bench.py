"""Engine, sweep and Monte Carlo benchmarks (`make bench`); figures go to docs/performance.md.

Each figure is measured in this one run on this one machine, and the engine is
reported as a ratio to the memory-bandwidth floor measured alongside it (numpy
``a + b`` over float64 arrays of the same length), so runs on different machines
compare. Targets (issue 5):

  (a) whole engine over 10 M scenarios: >= 10 M scenarios/s per core, within 10x of the floor
  (b) 10 M-row sweep to CSV: peak memory < 1 GB
  (c) Monte Carlo, 1 M samples: < 1 s
  (d) pure-Python loop over the same formula, for contrast (the issue quotes < 1 M/s)

Usage: python benchmarks/bench.py [--quick]   (--quick: 1/10 of the sizes, for a smoke run)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from compute_cli import inputs  # noqa: E402
from compute_cli.analysis import simulate, sweep  # noqa: E402
from compute_cli.analysis.memory import keep_freed_memory  # noqa: E402
from compute_cli.engine.constants import (HOURS_PER_MONTH, HOURS_PER_YEAR, SECONDS_PER_HOUR,  # noqa: E402
                                          TOKENS_PER_MILLION, W_PER_KW)
from compute_cli.engine.evaluate import evaluate  # noqa: E402
from compute_cli.profiles.catalog import Catalog  # noqa: E402
from compute_cli.profiles.distributions import parse_spec  # noqa: E402

SETUP = "neocloud-hgx-h100-colo"
MODEL = "llama-3.1-70b"
# the inputs varied per scenario: one or more in every stage (throughput, power, capital, energy, per token)
VARIED = {
    "batch": ("batch", 16, 128, True),
    "context_tokens": ("context_tokens", 1024, 8192, True),
    "utilization": ("utilization", 0.3, 0.95, False),
    "electricity_usd_per_kwh": ("site.electricity_usd_per_kwh", 0.03, 0.15, False),
    "accelerator_price_usd": ("accelerator.price_usd", 20_000, 35_000, False),
    "cost_of_capital_per_year": ("finance.cost_of_capital_per_year", 0.04, 0.15, False),
}
CHUNK = sweep.CHUNK_ROWS
FLAT_CHUNK = simulate.CHUNK_SAMPLES


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def bandwidth_floor(n: int) -> float:
    """Seconds for ``a + b`` over two float64 arrays of n (a fresh result, as the engine makes)."""
    rng = np.random.default_rng(0)
    a, b = rng.random(n), rng.random(n)
    return best_of(lambda: a + b, 5)


def base_inputs():
    cat = Catalog([])
    return inputs.build([cat.resolve(SETUP)], cat.model(MODEL))


def engine_flat(n: int) -> float:
    """Every scenario its own draw of the six inputs: n-long arrays, evaluated chunk by chunk."""
    base = base_inputs()
    rng = np.random.default_rng(1)
    drawn = {}
    for name, (_path, lo, hi, integer) in VARIED.items():
        v = rng.uniform(lo, hi, n)
        drawn[name] = np.rint(v) if integer else v

    def run():
        for start in range(0, n, FLAT_CHUNK):
            x = dict(base)
            for name, v in drawn.items():
                x[name] = v[start:start + FLAT_CHUNK]
            evaluate(x)

    return best_of(run, 2)


def sweep_grid(n: int):
    """The same six inputs as a cartesian grid of about n points, through sweep's open-grid blocks."""
    steps = [10, 10, 10, 10, 10, max(1, n // 100_000)]
    varies = [sweep.parse_vary(f"{path}={lo}:{hi}:{s}") for (path, lo, hi, _i), s in zip(VARIED.values(), steps,
                                                                                           strict=True)]
    grid = sweep.plan(Catalog([]), SETUP, MODEL, [], varies, metrics=("all",))
    return grid


def engine_grid(grid, metrics) -> float:
    """Seconds to evaluate every block of the grid and lay ``metrics`` out as one value per scenario."""
    def run():
        for index in sweep.block_indices(grid.shape, CHUNK):
            shape, y = sweep.evaluate_block(grid.base, grid.axes, index)
            for m in metrics:
                np.broadcast_to(y[m], shape).ravel()

    return best_of(run, 2)


def sweep_csv_subprocess(rows: int, out: Path) -> dict:
    """``computecost sweep`` writing CSV in a child process: wall time and the child's peak RSS."""
    steps = (100, 100, max(1, rows // 10_000))
    args = [sys.executable, "-m", "compute_cli", "sweep", SETUP, "--model", MODEL,
            "--vary", f"utilization=0.3:0.95:{steps[0]}",
            "--vary", f"site.electricity_usd_per_kwh=0.03:0.15:{steps[1]}",
            "--vary", f"accelerator.price_usd=20000:35000:{steps[2]}",
            "--format", "csv", "--output", str(out)]
    code = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
            "r = subprocess.run(sys.argv[1:]); w = time.perf_counter() - t; "
            "print(r.returncode, w, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT, check=True)
    returncode, wall, maxrss_kb = done.stdout.split()
    if int(returncode) != 0:
        raise SystemExit(f"sweep failed: {done.stderr}")
    with open(out, "rb") as fh:
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
    return {"rows": lines - 1, "wall_s": float(wall), "peak_rss_mb": int(maxrss_kb) / 1024,
            "bytes": out.stat().st_size}


def monte_carlo(samples: int) -> tuple[float, dict]:
    dists = [("utilization", parse_spec("triangular:0.4:0.7:0.9")),
             ("site.electricity_usd_per_kwh", parse_spec("triangular:0.03:0.06:0.12")),
             ("accelerator.price_usd", parse_spec("uniform:22000:32000")),
             ("finance.cost_of_capital_per_year", parse_spec("normal:0.10:0.02"))]
    cat = Catalog([])
    simulate.run(cat, SETUP, MODEL, cli_dists=dists, samples=10_000, seed=1)  # warm caches
    t = time.perf_counter()
    result = simulate.run(cat, SETUP, MODEL, cli_dists=dists, samples=samples, seed=1)
    return time.perf_counter() - t, result


# ------------------------------------------------------------- pure Python
def python_cost_per_million_output(s: dict) -> float:
    """The engine's chain for one scenario of a dense model on one GPU group, in plain Python floats:
    roofline decode and prefill step, board power, capital (CRF), maintenance, energy, colocation,
    operations, staff, then $/M output tokens. Checked against the engine before timing."""
    gpus = s["gpus"]
    share = 1.0 / gpus if s["tensor_parallel"] else 1.0
    bw = s["memory_bandwidth_tb_per_s"] * 1e12 * s["eta_memory"]
    peak = s["peak_tflops"] * 1e12 * s["eta_compute"]

    def step(tokens, kv_tokens, attn_ctx):
        w_mem = s["dense_params_read"] * s["bytes_per_param"] * share / bw
        w_comp = tokens * 2.0 * s["matmul_params"] * share / peak
        a_mem = kv_tokens * s["kv_bytes_per_token_full"] * share / (bw * s["kv_bandwidth_share"])
        a_comp = tokens * attn_ctx * s["attn_flops_full_per_ctx"] * share / peak
        n = gpus
        comm = 0.0
        if s["tensor_parallel"] and n > 1:
            link = s["interconnect_bandwidth_gb_per_s"] * 1e9 * s["allreduce_bandwidth_share"]
            comm = s["layers"] * 2.0 * (2.0 * (n - 1) / n * tokens * s["hidden_size"] * 2.0 / link
                                        + s["allreduce_latency_s"])
        fixed = s["step_overhead_s"] + s["layers"] * s["layer_overhead_s"]
        t = max(w_mem, w_comp) + max(a_mem, a_comp) + fixed + comm
        f = s["efficiency_multiplier"] * (1.0 - s["coordination_overhead_fraction"])
        return t / f, (w_mem + a_mem) / f, (w_comp + a_comp) / f, (fixed + comm) / f

    b = s["batch"]
    t, m, c, o = step(b, b * s["context_tokens"], s["context_tokens"])
    p_tokens = s["prefill_batch"] * s["prompt_tokens"]
    pt, pm, pc, po = step(p_tokens, p_tokens, s["prompt_tokens"] / 2.0)
    idle, tdp, wm, wo = s["idle_w"], s["tdp_w"], s["memory_power_weight"], s["overhead_power_weight"]
    p_dec = idle + (tdp - idle) * min(1.0, wm * m / t + c / t + wo * o / t)
    p_pre = idle + (tdp - idle) * min(1.0, wm * pm / pt + pc / pt + wo * po / pt)
    s_out = gpus * t / b
    s_in = gpus * pt / p_tokens
    busy_in = s["input_tokens_per_output_token"] * s_in
    share_in = busy_in / (busy_in + s_out)
    serving = share_in * p_pre + (1.0 - share_in) * p_dec
    count = s["accelerator_count"]
    host = s["host_power_w"] / count
    avg_w = idle + (serving - idle) * s["utilization"] + host
    prov_w = tdp + host
    capex = s["price_usd"] + (s["host_capex_usd"] + s["network_capex_usd"]) / count
    r, life = s["cost_of_capital_per_year"], s["economic_life_years"]
    crf = 1.0 / life if r == 0 else r * (1 + r) ** life / ((1 + r) ** life - 1)
    capital = (capex - capex * s["residual_value_fraction"] / (1 + r) ** life) * crf / HOURS_PER_YEAR
    per_hour = (capital + capex * (s["maintenance_fraction_per_year"] + s["insurance_fraction_per_year"]
                                + s["property_tax_fraction_per_year"])
                / HOURS_PER_YEAR
                + (avg_w - s["energy_baseline_w"]) / W_PER_KW * s["pue"] * s["electricity_usd_per_kwh"]
                + prov_w / W_PER_KW * (s["colocation_usd_per_kw_month"] + s["operations_usd_per_kw_month"])
                / HOURS_PER_MONTH
                + s["staff_usd_per_year"] / (s["systems_count"] * count * HOURS_PER_YEAR))
    return per_hour / SECONDS_PER_HOUR * s_out / s["utilization"] * TOKENS_PER_MILLION


def python_loop(n: int) -> tuple[float, float]:
    """(seconds for n scenarios, largest relative difference from the engine on the first 1,000)."""
    base = base_inputs()
    y0 = evaluate(base)
    scalar = {k: (bool(v[0]) if v.dtype == bool else float(v[0])) for k, v in base.items()}
    scalar["gpus"] = float(y0["gpus"][0])
    scalar["batch"] = float(y0["batch"][0])  # the batch served (at most what fits)
    rng = np.random.default_rng(2)
    draws = {name: rng.uniform(lo, hi, n) for name, (_p, lo, hi, _i) in VARIED.items() if name not in
             ("batch", "context_tokens")}
    scenarios = [dict(scalar, **{k: float(v[i]) for k, v in draws.items()}) for i in range(n)]
    t = time.perf_counter()
    got = [python_cost_per_million_output(s) for s in scenarios]
    elapsed = time.perf_counter() - t
    x = dict(base)
    m = min(n, 1000)
    for k, v in draws.items():
        x[k] = v[:m]
    want = evaluate(x)["cost_usd_per_million_output_tokens"]
    err = float(np.max(np.abs(np.array(got[:m]) - want) / np.abs(want)))
    return elapsed, err


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    n = 10_000_000 // scale
    keep_freed_memory()
    fig = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.processor() or platform.platform()}",
           "python": platform.python_version(), "numpy": np.__version__,
           "openblas_env": {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if k in os.environ}}
    print(f"machine: {fig['machine']}; Python {fig['python']}, numpy {fig['numpy']}; "
          f"OPENBLAS env: {fig['openblas_env'] or 'unset'} (elementwise numpy does not use BLAS)")

    floor = bandwidth_floor(n)
    fig["floor_s"] = floor
    print(f"\n(a) engine over {n:,} scenarios (setup {SETUP}, model {MODEL}; {len(VARIED)} inputs varied: "
          f"{', '.join(VARIED)})")
    print(f"    floor: numpy a + b over {n:,} float64           {floor * 1e3:8.1f} ms")
    flat = engine_flat(n)
    fig["engine_flat_s"] = flat
    print(f"    every scenario drawn apart (flat arrays, chunks of {FLAT_CHUNK:,}):  {flat * 1e3:8.1f} ms  "
          f"{n / flat / 1e6:6.1f} M scenarios/s  {flat / floor:5.1f}x floor")
    grid = sweep_grid(n)
    assert grid.size == n
    print(f"    the same six inputs as a {'x'.join(map(str, grid.shape))} grid, in sweep's open-grid blocks of "
          f"{CHUNK:,}:")
    for label, metrics in (("$/M output tokens per scenario", ("cost_usd_per_million_output_tokens",)),
                           (f"the {len(sweep.DEFAULT_METRICS)} sweep columns", sweep.DEFAULT_METRICS)):
        g = engine_grid(grid, metrics)
        fig[f"engine_grid_s ({label})"] = g
        print(f"      {label:<34}           {g * 1e3:8.1f} ms  {n / g / 1e6:6.1f} M scenarios/s  "
              f"{g / floor:5.1f}x floor")

    rows = n
    with tempfile.TemporaryDirectory() as tmp:
        s = sweep_csv_subprocess(rows, Path(tmp) / "sweep.csv")
    fig["sweep_csv"] = s
    print(f"\n(b) sweep to CSV, {s['rows']:,} rows x 11 columns ({s['bytes'] / 1e6:,.0f} MB): {s['wall_s']:.1f} s wall "
          f"({s['rows'] / s['wall_s'] / 1e6:.2f} M rows/s), peak RSS {s['peak_rss_mb']:,.0f} MB")

    samples = 1_000_000 // scale
    mc, result = monte_carlo(samples)
    fig["monte_carlo_s"] = mc
    m = result["metrics"]["cost_usd_per_million_output_tokens"]
    print(f"\n(c) Monte Carlo, {samples:,} samples, 4 uncertain inputs, {len(result['metrics'])} metrics: "
          f"{mc:.3f} s  (p5/p50/p95 $/M output tokens {m['p5']}/{m['p50']}/{m['p95']})")

    loop_n = 300_000 // scale
    py, err = python_loop(loop_n)
    fig["python_loop_s"], fig["python_loop_n"] = py, loop_n
    print(f"\n(d) pure-Python loop, {loop_n:,} scenarios: {py:.2f} s  {loop_n / py / 1e6:.2f} M scenarios/s "
          f"(agrees with the engine to {err:.1e} relative)")

    print("\ntargets: (a) >= 10 M scenarios/s per core and <= 10x floor; (b) peak < 1 GB; (c) < 1 s")
    g = fig["engine_grid_s ($/M output tokens per scenario)"]
    print(f"    (a) grid {n / g / 1e6:.1f} M/s, {g / floor:.1f}x floor; flat {n / flat / 1e6:.1f} M/s, "
          f"{flat / floor:.1f}x   (b) {s['peak_rss_mb']:,.0f} MB   (c) {mc:.2f} s")
    if args.json:
        print(json.dumps(fig, indent=2))


if __name__ == "__main__":
    main()
