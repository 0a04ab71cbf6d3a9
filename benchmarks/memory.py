"""Peak memory against rows and samples: `sweep` and `simulate` as a person runs them (issue 16, items 5 and 9).

Each command runs in a child process, its output thrown away; the figure is that child's own
peak resident set (``ru_maxrss`` from ``os.wait4``: interpreter, numpy and all) and its wall
time. The claim checked: peak memory does not grow with the number of rows a sweep writes or
the number of samples a Monte Carlo draws. Figures go to docs/performance.md, "Memory against
rows and samples"; nothing here is asserted in the test suite.

Usage: python benchmarks/memory.py [--quick] [--pythonpath DIR] [--only REGEX]
  --quick       1e4 to 1e6 instead of 1e5 to 1e7
  --pythonpath  run another checkout of computecost (e.g. an older commit) with this interpreter
  --only        run the cases whose name matches (an older commit's one-axis sweeps of 1e6 rows need ~12 GB)
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETUP = "tinybox-red-v2-oregon"


def cases(sizes: list[int]) -> list[tuple[str, list[str]]]:
    out = []
    for n in sizes:
        out.append((f"sweep, one axis, {n:,} rows",
                    ["sweep", SETUP, "--vary", f"site.electricity_usd_per_kwh=0.01:0.2:{n}", "-f", "csv"]))
    for n in sizes:
        side = round(n ** 0.5)
        out.append((f"sweep, two axes, {side:,} x {side:,} rows",
                    ["sweep", SETUP, "--vary", f"site.electricity_usd_per_kwh=0.01:0.2:{side}", "--vary",
                     f"utilization=0.1:0.9:{side}", "-f", "csv"]))
    for n in sizes:
        out.append((f"simulate, {n:,} samples", ["simulate", SETUP, "--samples", str(n), "-f", "json"]))
    out.append((f"simulate, {sizes[1]:,} samples, -M all",
                ["simulate", SETUP, "--samples", str(sizes[1]), "-M", "all", "-f", "json"]))
    return out


def peak(argv: list[str], env: dict, cwd: Path) -> tuple[float, float, int]:
    """(peak RSS [MB], wall [s], exit code) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    return usage.ru_maxrss * scale / 1e6, wall, proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="sizes 1e4..1e6 instead of 1e5..1e7")
    parser.add_argument("--pythonpath", help="a checkout of computecost to run instead of this one")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--only", help="run only the cases whose name matches this regular expression")
    args = parser.parse_args()
    sizes = [10**4, 10**5, 10**6] if args.quick else [10**5, 10**6, 10**7]
    env = dict(os.environ, COMPUTECOST_PATH="", NO_COLOR="1")
    cwd = ROOT  # python -m imports the package from the working directory first
    if args.pythonpath:
        cwd = Path(args.pythonpath).resolve()
        env["PYTHONPATH"] = str(cwd)
    print(f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"{'PYTHONPATH=' + args.pythonpath if args.pythonpath else 'this checkout'}\n")
    print("| run | peak RSS [MB] | wall [s] |")
    print("|---|---:|---:|")
    for name, cmd in cases(sizes):
        if args.only and not re.search(args.only, name):
            continue
        mb, wall, code = peak([args.python, "-m", "compute_cli", "-q", *cmd], env, cwd)
        note = "" if code == 0 else f" (exit {code})"
        print(f"| `{name}` | {mb:,.0f} | {wall:,.1f}{note} |", flush=True)


if __name__ == "__main__":
    main()
