"""Engine, sweep and Monte Carlo benchmarks (`make bench`); figures go to docs/performance.md.

Each figure is measured in this one run on this one machine, and the engine is
reported as a ratio to the memory-bandwidth floor measured alongside it (numpy
``a + b`` over float64 arrays of the same length), so runs on different machines
compare. Targets (issue 5):

  (a) whole engine over 10 M scenarios: >= 10 M scenarios/s per core, within 10x of the floor
  (b) 10 M-row sweep to CSV: peak memory < 1 GB
  (c) Monte Carlo, 1 M samples: < 1 s
  (d) pure-Python loop over the same formula, for contrast (the issue quotes < 1 M/s); it must agree
      with the engine to 1e-9 relative, or the benchmark stops with a non-zero exit (issue 17)

and the output of a sweep (issue 17):

  (b) the 10 M-row sweep to CSV: >= 2 M rows/s
  (e) the writers alone: Parquet and Arrow >= 10 M rows/s (and CSV, against the row-by-row formatter)
  (f) the same sweep in CSV, Parquet and Arrow, into a file and into /dev/null
  (g) a 1 M-row sweep into a new file, cold: CSV within 4x a cold `compare`, Parquet within 2x

Usage: python benchmarks/bench.py [--quick]   (--quick: 1/10 of the sizes, for a smoke run)
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import statistics
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
    # the setup serves a workload, whose prompt tokens set the context (a --vary of context_tokens changes nothing)
    "context_tokens": ("workload.input_tokens", 1024, 8192, True),
    "utilization": ("utilization", 0.3, 0.95, False),
    "electricity_usd_per_kwh": ("site.electricity_usd_per_kwh", 0.03, 0.15, False),
    "price_usd": ("accelerator.price_usd", 20_000, 35_000, False),
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


def cli_argv() -> list[str]:
    """How a person runs computecost: the installed script next to this interpreter, else ``-m``."""
    script = Path(sys.executable).with_name("computecost")
    return [str(script)] if script.exists() else [sys.executable, "-m", "compute_cli"]


def child_env() -> dict:
    # as installed: bytecode cached (see startup.py); no user profiles
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(COMPUTECOST_PATH="", NO_COLOR="1")
    return env


def sweep_argv(rows: int, fmt: str, out: Path | None) -> list[str]:
    """A sweep of about ``rows`` rows x 11 columns: three varied paths (100 x 100 x rows/10,000), 8 metrics."""
    steps = (100, 100, max(1, rows // 10_000))
    argv = [*cli_argv(), "-q", "sweep", SETUP, "--model", MODEL,
            "--vary", f"utilization=0.3:0.95:{steps[0]}",
            "--vary", f"site.electricity_usd_per_kwh=0.03:0.15:{steps[1]}",
            "--vary", f"accelerator.price_usd=20000:35000:{steps[2]}",
            "--format", fmt]
    return argv + (["--output", str(out)] if out is not None else [])


def sweep_subprocess(rows: int, fmt: str, out: Path | None, repeat: int = 2) -> dict:
    """``computecost sweep`` in a child process, into ``out`` (a new file each time) or (stdout) into /dev/null:
    the best wall time of ``repeat`` runs (load from elsewhere only ever adds), its CPU time, peak RSS."""
    best = None
    for _ in range(repeat):
        if out is not None and out.exists():
            out.unlink()
        fig = _sweep_subprocess(rows, fmt, out)
        if best is None or fig["wall_s"] < best["wall_s"]:
            best = fig
    return best


def _sweep_subprocess(rows: int, fmt: str, out: Path | None) -> dict:
    code = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
            "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); w = time.perf_counter() - t; "
            "u = resource.getrusage(resource.RUSAGE_CHILDREN); "
            "print(r.returncode, w, u.ru_maxrss, u.ru_utime + u.ru_stime)")
    done = subprocess.run([sys.executable, "-c", code, *sweep_argv(rows, fmt, out)], capture_output=True, text=True,
                          cwd=ROOT, check=True, env=child_env())
    returncode, wall, maxrss_kb, cpu = done.stdout.split()
    if int(returncode) != 0:
        raise SystemExit(f"sweep failed: {done.stderr}")
    fig = {"wall_s": float(wall), "cpu_s": float(cpu), "peak_rss_mb": int(maxrss_kb) / 1024, "rows": sweep_rows(rows)}
    if out is not None:
        fig["bytes"] = out.stat().st_size
        fig["rows_in_file"] = file_rows(out, fmt)
        if fig["rows_in_file"] != fig["rows"]:
            raise SystemExit(f"sweep wrote {fig['rows_in_file']:,} rows, expected {fig['rows']:,}")
    return fig


def sweep_rows(rows: int) -> int:
    return 100 * 100 * max(1, rows // 10_000)


def file_rows(path: Path, fmt: str) -> int:
    if fmt == "csv":
        with open(path, "rb") as fh:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b"")) - 1
    import pyarrow as pa
    import pyarrow.parquet as pq

    if fmt == "parquet":
        return pq.ParquetFile(path).metadata.num_rows
    with pa.memory_map(str(path)) as source:
        reader = pa.ipc.open_file(source)
        return sum(reader.get_batch(i).num_rows for i in range(reader.num_record_batches))


# ------------------------------------------------------------- writers in process
def sweep_blocks(rows: int):
    """The grid of ``sweep_argv`` planned, and its open blocks evaluated (kept: writers are timed alone)."""
    steps = (100, 100, max(1, rows // 10_000))
    varies = [sweep.parse_vary(t) for t in (f"utilization=0.3:0.95:{steps[0]}",
                                            f"site.electricity_usd_per_kwh=0.03:0.15:{steps[1]}",
                                            f"accelerator.price_usd=20000:35000:{steps[2]}")]
    grid = sweep.plan(Catalog([]), SETUP, MODEL, [], varies)
    return grid, list(grid.open_blocks())


def row_by_row_csv(grid, blocks, sink) -> None:
    """The CSV writer before whole-column formatting: one ``%`` over 16,384 rows, NaN and inf blanked."""
    cols = grid.columns
    row_fmt = ",".join(["%.12g"] * len(grid.axes) + ["%.6g"] * len(grid.metrics)) + "\n"
    for shape, block in blocks:
        n = math.prod(shape)
        a = np.column_stack([np.broadcast_to(np.asarray(block[c], dtype=float), shape).reshape(n) for c in cols])
        for start in range(0, n, 1 << 14):
            part = a[start:start + (1 << 14)]
            text = row_fmt * part.shape[0] % tuple(part.ravel().tolist())
            if not np.isfinite(part).all():
                text = text.replace("-inf", "").replace("inf", "").replace("nan", "")
            sink.write(text)


def writer_rows_per_s(grid, blocks, fmt: str, repeat: int = 3) -> tuple[float, float]:
    """Rows per second of one writer alone (the blocks already evaluated), into /dev/null: per second of
    wall time (best of ``repeat``) and per second of CPU of the whole process, its writer thread included
    (the figure another process's load changes least)."""
    from compute_cli.render.sweep import open_writer

    def run():
        with open(os.devnull, "wb" if fmt in ("parquet", "arrow") else "w") as sink:
            if fmt == "row-by-row csv":
                return row_by_row_csv(grid, blocks, sink)
            w = open_writer(grid.header(), [a.name for a in grid.axes], list(grid.metrics), fmt, sink,
                            grid.column_types())
            w.begin()
            for shape, block in blocks:
                w.write(block, shape)
            w.end()

    wall, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        run()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return grid.size / min(wall), grid.size / min(cpu)


# ------------------------------------------------------------- against a cold compare
def cold_ratios(rows: int, runs: int) -> dict:
    """Median wall time of a cold ``compare --format json`` (the floor) and of a ``rows``-row sweep into a
    file in CSV, Parquet and Arrow, interleaved ``runs`` times so that load on the machine hits all alike."""
    compare = [*cli_argv(), "-q", "compare", "--format", "json"]
    env = child_env()
    with tempfile.TemporaryDirectory() as tmp:
        cmds = {"compare": lambda i: compare}
        for fmt in ("csv", "parquet", "arrow"):
            cmds[fmt] = lambda i, fmt=fmt: sweep_argv(rows, fmt, Path(tmp) / f"run{i}.{fmt}")
        for argv in cmds.values():  # warm the OS file cache and write the .pyc files
            subprocess.run(argv(-1), stdout=subprocess.DEVNULL, check=True, cwd=ROOT, env=env)
        times = {name: [] for name in cmds}
        cpus = {name: [] for name in cmds}
        for i in range(runs):
            for name, argv in cmds.items():
                r0, t = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
                subprocess.run(argv(i), stdout=subprocess.DEVNULL, check=True, cwd=ROOT, env=env)
                times[name].append(time.perf_counter() - t)
                r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpus[name].append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
            for f in Path(tmp).iterdir():  # each run writes a new file, as a first run does
                f.unlink()
    return ({name: statistics.median(t) for name, t in times.items()},
            {name: statistics.median(t) for name, t in cpus.items()})


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
AGREE_RTOL = 1e-9  # the loop must compute what the engine computes, or its time means nothing


def python_cost_per_million_output(s: dict) -> float:
    """The engine's chain for one scenario of a dense model on one GPU group, in plain Python floats:
    roofline decode and prefill step (weights and KV cache as separate kernels, the KV cache streamed at
    ``kv_bandwidth_share`` of the weights' bandwidth, sliding-window layers capped at their window),
    board power, capital (CRF, residual value), maintenance, insurance and tax, energy, colocation or an
    owned building, site operations, staff, rent, payout and wear, then $/M output tokens. It follows
    ``engine/evaluate.py`` line for line and is checked against it (AGREE_RTOL) before it is timed."""
    gpus = s["gpus"]
    share = 1.0 / gpus if s["tensor_parallel"] else 1.0
    bw = s["memory_bandwidth_tb_per_s"] * 1e12 * s["eta_memory"]
    kv_bw = bw * s["kv_bandwidth_share"]
    peak = s["peak_tflops"] * 1e12 * s["eta_compute"]
    window = s["window_tokens"]

    def windowed(ctx):
        return min(ctx, window if window > 0 else ctx)

    def step(tokens, kv_bytes, attn_ctx):
        w_mem = s["dense_params_read"] * s["bytes_per_param"] * share / bw
        w_comp = tokens * 2.0 * s["matmul_params"] * share / peak
        a_mem = kv_bytes * share / kv_bw
        a_comp = tokens * (attn_ctx * s["attn_flops_full_per_ctx"] + windowed(attn_ctx) * s["attn_flops_window_per_ctx"]
                           ) * share / peak
        n = gpus
        comm = 0.0
        if s["tensor_parallel"] and n > 1:
            comm = s["layers"] * 2.0 * (2.0 * (n - 1) / n * tokens * s["hidden_size"] * 2.0
                                        / (s["interconnect_bandwidth_gb_per_s"] * 1e9) + s["link_latency_s"])
        t = max(w_mem, w_comp) + max(a_mem, a_comp) + s["layers"] * s["layer_overhead_s"] + comm
        f = s["efficiency_multiplier"] * (1.0 - s["coordination_overhead_fraction"])
        return t / f, (w_mem + a_mem) / f, (w_comp + a_comp) / f

    def kv_bytes(sequences, ctx):
        return sequences * (ctx * s["kv_bytes_per_token_full"] + windowed(ctx) * s["kv_bytes_per_token_window"])

    b, ctx, prompt = s["batch"], s["context_tokens"], s["prompt_tokens"]
    t, m, c = step(b, kv_bytes(b, ctx), ctx)
    p_tokens = s["prefill_batch"] * prompt
    pt, pm, pc = step(p_tokens, kv_bytes(s["prefill_batch"], prompt), prompt / 2.0)
    idle, tdp, wm = min(s["idle_w"], s["tdp_w"]), s["tdp_w"], s["memory_power_weight"]
    p_dec = idle + (tdp - idle) * min(1.0, wm * m / t + c / t)
    p_pre = idle + (tdp - idle) * min(1.0, wm * pm / pt + pc / pt)
    s_out = gpus * t / b
    s_in = gpus * pt / p_tokens
    busy_in = s["input_tokens_per_output_token"] * s_in
    share_in = busy_in / (busy_in + s_out)
    serving = share_in * p_pre + (1.0 - share_in) * p_dec
    count = s["accelerator_count"]
    util = s["utilization"]
    host = s["host_power_w"] / count
    avg_w = idle + (serving - idle) * util + host
    prov_w = tdp + host
    own = s["owned"]
    capex = s["price_usd"] + (s["host_capex_usd"] + s["network_capex_usd"]) / count
    r = s["cost_of_capital_per_year"]

    def crf(rate, life):
        return 1.0 / life if rate == 0 else rate * (1 + rate) ** life / ((1 + rate) ** life - 1)

    life = s["economic_life_years"]
    capital = (capex - capex * s["residual_value_fraction"] / (1 + r) ** life) * crf(r, life) / HOURS_PER_YEAR
    building = (prov_w / W_PER_KW / 1000.0 * s["facility_capex_usd_per_mw"] * crf(r, s["facility_life_years"])
                / HOURS_PER_YEAR)
    per_hour = (own * (capital + capex * (s["maintenance_fraction_per_year"] + s["insurance_fraction_per_year"]
                                     + s["property_tax_fraction_per_year"])
                       / HOURS_PER_YEAR)
                + s["pays_energy"] * (avg_w - s["energy_baseline_w"]) / W_PER_KW * s["pue"] * s["electricity_usd_per_kwh"]
                + own * (prov_w / W_PER_KW * (s["colocation_usd_per_kw_month"] + s["operations_usd_per_kw_month"])
                         / HOURS_PER_MONTH + building)
                + s["staff_usd_per_year"] / (s["systems_count"] * count * HOURS_PER_YEAR)
                + s["rent_usd_per_gpu_hour"] + s["extras_usd_per_gpu_hour"]
                + s["payout_usd_per_device_hour"] + s["wear_usd_per_device_hour"])
    return per_hour / SECONDS_PER_HOUR * s_out / util * TOKENS_PER_MILLION


def python_scenarios(n: int) -> tuple[list[dict], dict]:
    """n scenarios as dicts of Python floats (the four non-throughput inputs drawn), and the engine's inputs."""
    base = base_inputs()
    y0 = evaluate(base)
    if base["experts_total"][0]:
        raise SystemExit(f"(d) the pure-Python loop models a dense model; {MODEL} has routed experts")
    scalar = {k: (bool(v[0]) if v.dtype == bool else float(v[0])) for k, v in base.items()}
    scalar["gpus"] = float(y0["gpus"][0])
    scalar["batch"] = float(y0["batch"][0])  # the batch served (at most what fits)
    rng = np.random.default_rng(2)
    draws = {name: rng.uniform(lo, hi, n) for name, (_p, lo, hi, _i) in VARIED.items() if name not in
             ("batch", "context_tokens")}
    scenarios = [dict(scalar, **{k: float(v[i]) for k, v in draws.items()}) for i in range(n)]
    x = dict(base)
    for k, v in draws.items():
        x[k] = v
    return scenarios, x


def python_agreement(n: int = 1000) -> float:
    """Largest relative difference between the loop and the engine over n scenarios; exits non-zero
    (the benchmark stops) when it is above AGREE_RTOL."""
    scenarios, x = python_scenarios(n)
    got = np.array([python_cost_per_million_output(s) for s in scenarios])
    want = evaluate(x)["cost_usd_per_million_output_tokens"]
    err = float(np.max(np.abs(got - want) / np.abs(want)))
    if not err <= AGREE_RTOL:
        raise SystemExit(f"(d) the pure-Python loop disagrees with the engine by {err:.1e} relative (limit "
                         f"{AGREE_RTOL:.0e}): it no longer computes what the engine computes; update "
                         "python_cost_per_million_output to follow engine/evaluate.py")
    return err


def python_loop(n: int) -> tuple[float, float]:
    """(seconds for n scenarios, largest relative difference from the engine on the first 1,000)."""
    err = python_agreement(min(n, 1000))
    scenarios, _ = python_scenarios(n)
    t = time.perf_counter()
    for s in scenarios:
        python_cost_per_million_output(s)
    return time.perf_counter() - t, err


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    n = 10_000_000 // scale
    python_agreement()  # first: a loop that no longer computes what the engine does would time nothing
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
        s = sweep_subprocess(rows, "csv", Path(tmp) / "sweep.csv")
    fig["sweep_csv"] = s
    print(f"\n(b) sweep to CSV, {s['rows']:,} rows x 11 columns ({s['bytes'] / 1e6:,.0f} MB): {s['wall_s']:.1f} s wall "
          f"({s['rows'] / s['wall_s'] / 1e6:.2f} M rows/s; CPU {s['cpu_s']:.1f} s), peak RSS {s['peak_rss_mb']:,.0f} MB "
          "(best of 2)")

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

    print(f"\n(e) writers alone, in process, into /dev/null: the {sweep_rows(n // 10):,}-row sweep of (f), "
          "its blocks evaluated beforehand")
    wgrid, wblocks = sweep_blocks(n // 10)
    for fmt in ("row-by-row csv", "csv", "parquet", "arrow"):
        r, rc = writer_rows_per_s(wgrid, wblocks, fmt, 1 if fmt == "row-by-row csv" else 3)
        fig[f"writer_rows_per_s ({fmt})"] = r
        fig[f"writer_rows_per_cpu_s ({fmt})"] = rc
        print(f"    {fmt:<15} {r / 1e6:7.2f} M rows/s   ({rc / 1e6:6.2f} M rows per CPU-second)")
    del wblocks

    print(f"\n(f) sweep in a child process, {sweep_rows(n):,} rows x 11 columns, into a new file and (stdout) into "
          "/dev/null, best of 2")
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in ("csv", "parquet", "arrow"):
            for where in ("file", "/dev/null"):
                if (fmt, where) == ("csv", "file"):
                    f = s  # (b)
                else:
                    f = sweep_subprocess(rows, fmt, Path(tmp) / f"sweep.{fmt}" if where == "file" else None)
                fig[f"sweep {fmt} -> {where}"] = f
                size = f" ({f['bytes'] / 1e6:,.0f} MB)" if "bytes" in f else ""
                print(f"    {fmt:<8} -> {where:<9} {f['wall_s']:6.2f} s  {f['rows'] / f['wall_s'] / 1e6:6.2f} M rows/s  "
                      f"(CPU {f['cpu_s']:5.2f} s)  peak RSS {f['peak_rss_mb']:5,.0f} MB{size}")
            for p in Path(tmp).iterdir():
                p.unlink()

    ratio_rows, runs = 1_000_000 // scale, 9 if not args.quick else 5
    med, cpu = cold_ratios(ratio_rows, runs)
    fig["cold_s"], fig["cold_cpu_s"] = med, cpu
    print(f"\n(g) cold runs, median of {runs} interleaved: a {sweep_rows(ratio_rows):,}-row sweep into a new file "
          "against a cold `compare --format json` (the floor); wall time, and CPU time of the process (user + system,"
          " its threads included)")
    for name, t in med.items():
        print(f"    {name:<8} {t * 1e3:7.0f} ms  {t / med['compare']:5.2f}x floor    CPU {cpu[name] * 1e3:7.0f} ms  "
              f"{cpu[name] / cpu['compare']:5.2f}x")

    print("\ntargets: (a) >= 10 M scenarios/s per core and <= 10x floor; (b) peak < 1 GB, CSV >= 2 M rows/s; (c) < 1 s;"
          " (d) agrees to 1e-9;\n         (e) Parquet and Arrow >= 10 M rows/s; (g) CSV <= 4x, Parquet <= 2x a cold compare")
    g = fig["engine_grid_s ($/M output tokens per scenario)"]
    print(f"    (a) grid {n / g / 1e6:.1f} M/s, {g / floor:.1f}x floor; flat {n / flat / 1e6:.1f} M/s, "
          f"{flat / floor:.1f}x   (b) {s['peak_rss_mb']:,.0f} MB, {s['rows'] / s['wall_s'] / 1e6:.2f} M rows/s "
          f"({s['rows'] / s['cpu_s'] / 1e6:.2f} per CPU-s)   (c) {mc:.2f} s   (d) {err:.1e}")
    print(f"    (e) Parquet {fig['writer_rows_per_s (parquet)'] / 1e6:.1f} M rows/s "
          f"({fig['writer_rows_per_cpu_s (parquet)'] / 1e6:.1f} per CPU-s), Arrow "
          f"{fig['writer_rows_per_s (arrow)'] / 1e6:.1f} M rows/s   (g) CSV {med['csv'] / med['compare']:.2f}x "
          f"(CPU {cpu['csv'] / cpu['compare']:.2f}x), Parquet {med['parquet'] / med['compare']:.2f}x "
          f"(CPU {cpu['parquet'] / cpu['compare']:.2f}x), Arrow {med['arrow'] / med['compare']:.2f}x")
    if args.json:
        print(json.dumps(fig, indent=2))


if __name__ == "__main__":
    main()
