"""Engine, sweep and Monte Carlo benchmarks (`make bench`); figures go to docs/performance.md.

Each figure is measured in this one run on this one machine, and the engine is
reported as a ratio to the memory-bandwidth floor measured alongside it (numpy
``a + b`` over float64 arrays of the same length), so runs on different machines
compare. Targets (issue 5):

  (a) whole engine over 10 M scenarios: >= 10 M scenarios/s per core, within 10x of the floor
  (b) 10 M-row sweep to CSV: peak memory < 1 GB
  (c) Monte Carlo, 1 M samples: < 1 s
  (d) pure-Python loop over the same formula, for contrast (the issue quotes < 1 M/s); it must agree
      with the engine to 1e-9 relative on every CHECKED setup (owned, rented, a fleet), or the benchmark
      stops with a non-zero exit (issue 17; tests/test_bench_reference.py checks it too)

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
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from compute_cli import inputs  # noqa: E402
from compute_cli.analysis import simulate, sweep  # noqa: E402
from compute_cli.analysis.memory import keep_freed_memory  # noqa: E402
from compute_cli.engine.constants import (HOURS_PER_MONTH, HOURS_PER_YEAR, SECONDS_PER_HOUR,  # noqa: E402
                                          TOKENS_PER_MILLION, W_PER_KW, W_PER_MW)
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
             # the neocloud's capital rate is the WACC of its debt/equity split: its cost of debt drawn (its own range)
             ("finance.cost_of_debt_per_year", parse_spec("triangular:0.059:0.11:0.15"))]
    cat = Catalog([])
    simulate.run(cat, SETUP, MODEL, cli_dists=dists, samples=10_000, seed=1)  # warm caches
    t = time.perf_counter()
    result = simulate.run(cat, SETUP, MODEL, cli_dists=dists, samples=samples, seed=1)
    return time.perf_counter() - t, result


# ------------------------------------------------------------- pure Python
AGREE_RTOL = 1e-9  # the loop must compute what the engine computes, or its time means nothing


def half_windowed(x) -> dict:
    """The model's KV cache and attention split half and half between full and sliding-window layers of
    384 tokens (no shipped dense model has both): the reference's windowed terms, checked."""
    return {"window_tokens": np.asarray([384.0]),
            **{f"{q}_full{u}": x[f"{q}_full{u}"] / 2.0 for q, u in (("kv_bytes_per_token", ""),
                                                                     ("attn_flops", "_per_ctx"))},
            **{f"{q}_window{u}": x[f"{q}_full{u}"] / 2.0 for q, u in (("kv_bytes_per_token", ""),
                                                                       ("attn_flops", "_per_ctx"))}}


def one_kv_head(x) -> dict:
    """One KV head (a multi-head latent's layout): tensor parallelism replicates the KV cache on every device."""
    return {"kv_heads": np.asarray([1.0])}


class Case(NamedTuple):
    """One setup the reference is checked on: its --set assignments, run options and inputs changed on top."""

    name: str
    setup: str
    assignments: tuple[str, ...] = ()
    options: dict | None = None  # inputs.RunOptions fields
    adjust: Callable[[dict], dict] | None = None


# One case for each way of paying and of executing: between them every cost line is paid in some scenario.
# The first case is the one timed.
CHECKED = (
    Case("owned, colocation", SETUP),
    Case("owned building, income tax", "hyperscaler-hgx-h100-campus"),
    Case("owned, layers split (pipeline)", SETUP, options={"parallelism": "pipeline"}),
    Case("owned, sliding-window layers", SETUP, adjust=half_windowed),
    Case("owned, 8-way tensor parallel, KV replicated", SETUP, options={"gpus": 8}, adjust=one_kv_head),
    Case("rented on demand", "aws-p5-ondemand"),
    Case("rented, reserved 3 years", "aws-p5-ondemand", ("offer.term=reserved_3y",)),
    Case("device fleet", "car-idle-fleet"),
)
# Inputs drawn per scenario besides VARIED's four non-throughput ones: (low, high, whole numbers). Every
# setup draws them all; the kinds that do not pay one (a renter's tax rate) must ignore it in both.
DRAWN = {
    "income_tax_rate": (0.0, 0.35, False),
    "tax_depreciation_method": (0, 2, True),  # straight line, MACRS 5-year, expensing
    "economic_life_years": (2.5, 7.5, False),  # fractional: a partial last tax year
    "residual_value_fraction": (0.0, 0.5, False),
    "hardware_price_decline_per_year": (-0.05, 0.25, False),  # below 0: resale capped at the price paid
    "hot_spare_fraction": (0.0, 0.1, False),
    "failure_rate_per_year": (0.0, 0.05, False),
    "maintenance_fraction_per_year": (0.0, 0.06, False),
    "insurance_fraction_per_year": (0.0, 0.01, False),
    "property_tax_fraction_per_year": (0.0, 0.03, False),
    "staff_usd_per_accelerator_year": (0.0, 2_000.0, False),
    "staff_usd_per_mw_year": (0.0, 300_000.0, False),
    "host_idle_power_w": (0.0, 5_000.0, False),  # above the full-load figure in some: held at it
    "network_power_w": (0.0, 1_500.0, False),
    "storage_power_w": (0.0, 500.0, False),
    "storage_capex_usd": (0.0, 40_000.0, False),
}
# IRS Publication 946, Table A-1 (5-year property, half-year convention), docs/methodology.md section 8
MACRS_5_YEAR_SHARES = (0.20, 0.32, 0.192, 0.1152, 0.1152, 0.0576)
MONTHS = 12.0  # capital recovered and tax deducted month by month (docs/methodology.md section 8)


def _annuity(i: float, periods: float) -> float:
    """v + v^2 + ... + v^periods, v = 1 / (1 + i): the present value of 1 a period for ``periods`` periods."""
    return periods if i == 0.0 else (1.0 - (1.0 + i) ** -periods) / i


def _crf(i: float, periods: float) -> float:
    """Capital recovery factor i (1+i)^N / ((1+i)^N - 1), 1/N at i = 0."""
    if i == 0.0:
        return 1.0 / periods
    growth = (1.0 + i) ** periods
    return i * growth / (growth - 1.0)


def _depreciation_pv(method: float, rate: float, life: float) -> float:
    """PVD: each month's tax deduction of 1 USD of basis discounted at the monthly rate, plus the basis not
    yet deducted written off at the end of the life. Straight line: 1/(12 n) a month over the life;
    MACRS 5-year and expensing: each tax year's share spread over its 12 months (expensing: all in year 1)."""
    i = (1.0 + rate) ** (1.0 / MONTHS) - 1.0
    months = MONTHS * life
    if method == 0.0:
        return _annuity(i, months) / months
    pv = deducted = 0.0
    for year, share in enumerate(MACRS_5_YEAR_SHARES if method == 1.0 else (1.0,)):
        start = MONTHS * year
        inside = min(max(months - start, 0.0), MONTHS)  # the months of this tax year within the life
        pv += share / MONTHS * (1.0 + i) ** -start * _annuity(i, inside)
        deducted += share * inside / MONTHS
    return pv + (1.0 - deducted) * (1.0 + i) ** -months


def _capital_usd_per_hour(capex: float, rate: float, life: float, resale: float, tax: float, pvd: float) -> float:
    """12 x (C (1 - T PVD) - C resale (1 - T) / (1+r)^n) x CRF(i, 12 n) / (1 - T), per hour."""
    i = (1.0 + rate) ** (1.0 / MONTHS) - 1.0
    net = capex * (1.0 - tax * pvd) - capex * resale * (1.0 - tax) / (1.0 + rate) ** life
    return MONTHS * net * _crf(i, MONTHS * life) / (1.0 - tax) / HOURS_PER_YEAR


def _book_value_fraction(rate: float, life: float, residual: float) -> float:
    """The straight-line book value from cost to ``residual``, levelized at ``rate``: 1 - (1 - rho)/n x the mean
    discounted time over [0, n], 1/d - n e^(-dn) / (1 - e^(-dn)), d = ln(1 + r); n/2 at r = 0."""
    if rate == 0.0:
        mean_time = life / 2.0
    else:
        d = math.log(1.0 + rate)
        mean_time = 1.0 / d - life * math.exp(-d * life) / (1.0 - math.exp(-d * life))
    return 1.0 - (1.0 - residual) * mean_time / life


def python_cost_per_million_output(s: dict) -> float:
    """The engine's chain for one scenario of a dense model on one group of accelerators, in plain Python floats
    (``math``, no numpy), the finance formulas written out from docs/methodology.md sections 2, 3, 4 and 8:

    - throughput: roofline decode and prefill steps (weights and KV cache as separate kernels, the KV cache
      streamed at ``kv_bandwidth_share`` of the weights' bandwidth and replicated where there are fewer KV
      heads than devices, sliding-window layers capped at their window, fixed costs per step and per layer,
      two all-reduces per layer at their latency and bandwidth share under tensor parallelism), software
      speed and a fleet's coordination loss;
    - power: board power per phase (the fixed costs' power weight, a pipeline stage's duty), prefill and
      decode mixed by busy time, idle outside utilization; the host following the boards' load between its
      idle and full-load power; network and storage power; hot spares idling, powered; provisioned power at
      full load, spares included;
    - capex per serving accelerator, spares included: accelerator and host, network, storage;
    - capital recovered month by month (CRF at the monthly rate over 12 n months) with income tax and the
      depreciation tax shield (PVD: straight line, MACRS 5-year or expensing), the accelerators and hosts
      net of resale at the end of the life (the residual lowered by the hardware price decline, at most 1),
      network and storage without resale;
    - maintenance on capex; failed accelerators replaced at today's price (spares too); insurance and
      property tax on the levelized straight-line book value;
    - energy above the device's baseline at the site's PUE; colocation or an owned building (CRF over its
      life) and site operations on provisioned power; staff: the fixed team shared over the deployment,
      per accelerator (spares too) and per provisioned MW;
    - rent and extras billed by the term (on demand: the used share of the hours; reserved: every hour);
      payout and wear of a device fleet;
    - then $/M output tokens: cost per GPU-hour / 3600 x GPU-seconds per output token / utilization x 1e6.

    The operating point (batch, accelerators per copy) is the one the engine chose (``python_scenarios``).
    Checked against the engine to AGREE_RTOL before it is timed, and by tests/test_bench_reference.py."""
    # ---- throughput
    gpus = s["gpus"]
    tp = s["tensor_parallel"]
    share = 1.0 / gpus if tp else 1.0
    kv_share = min(max(gpus / max(s["kv_heads"], 1.0), 1.0), max(gpus, 1.0)) / gpus if tp else 1.0
    bw = s["memory_bandwidth_tb_per_s"] * 1e12 * s["eta_memory"]
    kv_bw = bw * s["kv_bandwidth_share"]
    peak = s["peak_tflops"] * 1e12 * s["eta_compute"]
    window = s["window_tokens"]

    def windowed(ctx):
        return min(ctx, window if window > 0 else ctx)

    def step(tokens, kv_bytes, attn_ctx):
        w_mem = s["dense_params_read"] * s["bytes_per_param"] * share / bw
        w_comp = tokens * 2.0 * s["matmul_params"] * share / peak
        a_mem = kv_bytes * kv_share / kv_bw
        a_comp = tokens * (attn_ctx * s["attn_flops_full_per_ctx"] + windowed(attn_ctx) * s["attn_flops_window_per_ctx"]
                           ) * share / peak
        n = gpus
        comm = 0.0
        if tp and n > 1:
            link = s["interconnect_bandwidth_gb_per_s"] * 1e9 * s["allreduce_bandwidth_share"]
            comm = s["layers"] * 2.0 * (2.0 * (n - 1) / n * tokens * s["hidden_size"] * 2.0 / link
                                        + s["allreduce_latency_s"])
        fixed = s["step_overhead_s"] + s["layers"] * s["layer_overhead_s"]
        t = max(w_mem, w_comp) + max(a_mem, a_comp) + fixed + comm
        f = s["efficiency_multiplier"] * (1.0 - s["coordination_overhead_fraction"])
        return t / f, (w_mem + a_mem) / f, (w_comp + a_comp) / f, (fixed + comm) / f

    def kv_bytes(sequences, ctx):
        return sequences * (ctx * s["kv_bytes_per_token_full"] + windowed(ctx) * s["kv_bytes_per_token_window"])

    b, ctx, prompt = s["batch"], s["context_tokens"], s["prompt_tokens"]
    t, m, c, o = step(b, kv_bytes(b, ctx), ctx)
    p_tokens = s["prefill_batch"] * prompt
    pt, pm, pc, po = step(p_tokens, kv_bytes(s["prefill_batch"], prompt), prompt / 2.0)
    s_out = gpus * t / b
    s_in = gpus * pt / p_tokens

    # ---- power
    idle, tdp, wm = min(s["idle_w"], s["tdp_w"]), s["tdp_w"], s["memory_power_weight"]
    wo = s["overhead_power_weight"]
    duty = 1.0 if tp else 1.0 / gpus  # a pipeline stage idles while the others work
    p_dec = idle + (tdp - idle) * min(1.0, wm * m / t + c / t + wo * o / t) * duty
    p_pre = idle + (tdp - idle) * min(1.0, wm * pm / pt + pc / pt + wo * po / pt) * duty
    busy_in = s["input_tokens_per_output_token"] * s_in
    share_in = busy_in / (busy_in + s_out)
    serving = share_in * p_pre + (1.0 - share_in) * p_dec
    util = s["utilization"]
    board = idle + (serving - idle) * util
    load = (board - idle) / (tdp - idle) if tdp > idle else 0.0
    count = s["accelerator_count"]
    host_full = s["host_power_w"]
    host_idle = min(s["host_idle_power_w"], host_full)
    host = host_idle + (host_full - host_idle) * load
    other = s["network_power_w"] + s["storage_power_w"]
    spares = s["hot_spare_fraction"]
    avg_w = board + (host + other) / count + spares * (idle + (host_idle + other) / count)
    prov_w = (1.0 + spares) * (tdp + (host_full + other) / count)
    prov_mw = prov_w / W_PER_MW

    # ---- capex and capital
    own = s["owned"]
    bought = own * (1.0 + spares)
    hardware = bought * (s["price_usd"] + s["host_capex_usd"] / count)
    network = bought * s["network_capex_usd"] / count
    storage = bought * s["storage_capex_usd"] / count
    capex = hardware + network + storage
    r, life, tax = s["cost_of_capital_per_year"], s["economic_life_years"], s["income_tax_rate"]
    pvd = 1.0 if r == 0.0 else _depreciation_pv(s["tax_depreciation_method"], r, life)
    resale = min(s["residual_value_fraction"] * (1.0 - s["hardware_price_decline_per_year"]) ** life, 1.0)
    capital = own * (_capital_usd_per_hour(hardware, r, life, resale, tax, pvd)
                     + _capital_usd_per_hour(network, r, life, 0.0, tax, pvd)
                     + _capital_usd_per_hour(storage, r, life, 0.0, tax, pvd))
    # the book value ends at the residual of the resale curve (the engine's insurance_tax_line)
    book = _book_value_fraction(r, life, s["residual_value_fraction"])
    upkeep = own * (capex * (s["maintenance_fraction_per_year"]
                             + book * (s["insurance_fraction_per_year"] + s["property_tax_fraction_per_year"]))
                    + s["price_usd"] * s["failure_rate_per_year"] * (1.0 + spares)) / HOURS_PER_YEAR

    # ---- energy, site, staff, rent, fleet
    energy_cost = s["pays_energy"] * (avg_w - s["energy_baseline_w"]) / W_PER_KW * s["pue"] * s["electricity_usd_per_kwh"]
    building = prov_mw * s["facility_capex_usd_per_mw"] * _crf(r, s["facility_life_years"]) / HOURS_PER_YEAR
    site = own * (prov_w / W_PER_KW * (s["colocation_usd_per_kw_month"] + s["operations_usd_per_kw_month"])
                  / HOURS_PER_MONTH + building)
    staff = (s["staff_usd_per_year"] / (s["systems_count"] * count * HOURS_PER_YEAR)
             + (s["staff_usd_per_accelerator_year"] * (1.0 + spares) + s["staff_usd_per_mw_year"] * prov_mw)
             / HOURS_PER_YEAR)
    billed = s["rent_billed_per_used_hour"]
    rent = (s["rent_usd_per_gpu_hour"] + s["extras_usd_per_gpu_hour"]) * (billed * util + 1.0 - billed)
    per_hour = (capital + upkeep + energy_cost + site + staff + rent
                + s["payout_usd_per_device_hour"] + s["wear_usd_per_device_hour"])
    return per_hour / SECONDS_PER_HOUR * s_out / util * TOKENS_PER_MILLION


def case_inputs(case) -> dict:
    """The engine's inputs of one CHECKED case (shipped profiles only), its operating point fixed at the
    batch and group the engine chose."""
    from compute_cli import pipeline
    from compute_cli.profiles.overrides import parse_assignment

    run = pipeline.evaluate(Catalog(environ={}), [case.setup], MODEL, [parse_assignment(a) for a in case.assignments],
                            inputs.RunOptions(**(case.options or {})))
    x = dict(run.x)
    if case.adjust is not None:
        x.update(case.adjust(x))
    if x["experts_total"][0] or (x["expert_parallel"][0] and x["tensor_parallel"][0]):
        raise SystemExit(f"(d) the pure-Python loop models a dense model without expert parallelism ({case.name})")
    y = evaluate(x)
    x["gpus"], x["batch"] = y["gpus"], y["batch"]  # the batch served (at most what fits)
    return x


def python_scenarios(n: int, case=CHECKED[0], seed: int = 2) -> tuple[list[dict], dict]:
    """n scenarios of one CHECKED case as dicts of Python floats, and the engine's inputs for the same n.

    Drawn per scenario: VARIED's four non-throughput inputs (utilization, electricity, accelerator price,
    cost of capital) and every input of DRAWN (income tax, the depreciation method, life, resale, spares,
    failures, upkeep, staff, host idle, network and storage power, storage capex)."""
    base = case_inputs(case)
    scalar = {k: (bool(v[0]) if v.dtype == bool else float(v[0])) for k, v in base.items()}
    rng = np.random.default_rng(seed)
    ranges = {name: (lo, hi, False) for name, (_p, lo, hi, _i) in VARIED.items()
              if name not in ("batch", "context_tokens")}
    ranges.update(DRAWN)
    draws = {name: (rng.integers(lo, hi + 1, n).astype(float) if whole else rng.uniform(lo, hi, n))
             for name, (lo, hi, whole) in ranges.items()}
    scenarios = [dict(scalar, **{k: float(v[i]) for k, v in draws.items()}) for i in range(n)]
    x = dict(base)
    x.update(draws)
    return scenarios, x


def python_errors(n: int, case, seed: int = 2) -> np.ndarray:
    """Relative difference between the loop and the engine on n scenarios of one case."""
    scenarios, x = python_scenarios(n, case, seed)
    got = np.array([python_cost_per_million_output(s) for s in scenarios])
    want = evaluate(x)["cost_usd_per_million_output_tokens"]
    return np.abs(got - want) / np.abs(want)


def python_agreement(n: int = 1000) -> float:
    """Largest relative difference between the loop and the engine over n scenarios of each CHECKED case;
    exits non-zero (the benchmark stops) when it is above AGREE_RTOL."""
    worst, where = 0.0, CHECKED[0].name
    for case in CHECKED:
        err = float(np.max(python_errors(n, case)))
        if not err <= worst:
            worst, where = err, case.name
    if not worst <= AGREE_RTOL:
        raise SystemExit(f"(d) the pure-Python loop disagrees with the engine by {worst:.1e} relative (limit "
                         f"{AGREE_RTOL:.0e}, {where}): it no longer computes what the engine computes; update "
                         "python_cost_per_million_output to follow engine/evaluate.py")
    return worst


def python_loop(n: int) -> float:
    """Seconds for n scenarios of the first CHECKED case (the bench's setup)."""
    scenarios, _ = python_scenarios(n)
    t = time.perf_counter()
    for s in scenarios:
        python_cost_per_million_output(s)
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    n = 10_000_000 // scale
    agree_n = 1000
    err = python_agreement(agree_n)  # first: a loop that no longer computes what the engine does would time nothing
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
    print(f"\n(c) Monte Carlo, {samples:,} samples, {len(result['inputs'])} uncertain inputs (4 given, the rest the "
          f"profiles' own), {len(result['metrics'])} metrics: "
          f"{mc:.3f} s  (p5/p50/p95 $/M output tokens {m['p5']}/{m['p50']}/{m['p95']})")

    loop_n = 300_000 // scale
    py = python_loop(loop_n)
    fig["python_loop_s"], fig["python_loop_n"], fig["python_agreement"] = py, loop_n, err
    print(f"\n(d) pure-Python loop, {loop_n:,} scenarios: {py:.2f} s  {loop_n / py / 1e6:.2f} M scenarios/s "
          f"(agrees with the engine to {err:.1e} relative on {agree_n:,} scenarios of each of {len(CHECKED)} setups: "
          "owned, rented on demand and reserved, a fleet)")

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
