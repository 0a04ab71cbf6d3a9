"""Start-up: one cold `computecost compare --format json` against the floor of its own imports.

Run: .venv/bin/python benchmarks/startup.py [--runs 30]  (prints the table recorded in
docs/performance.md, section "Start-up")

Every CI step and every shell pipeline pays the start-up, so it is measured as a
person meets it: a fresh interpreter per call (subprocess), wall-clock time, the
median over many runs. The floor is a bare interpreter importing what any call
must import anyway (`typer, numpy, yaml, msgspec`), measured in the same run
and interleaved with the command, so machine load affects both alike. The
target is a ratio of at most 1.2. computecost ends with ``gc.freeze()`` (skipping the
interpreter's last garbage collections), so the floor is also measured ending the
same way: the ratio to that one is the cost of computecost's own imports and work.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_RATIO = 1.2
FRONTIER_RATIO = 1.3  # frontier cold against compare cold
FLOOR_IMPORTS = "import typer, numpy, yaml, msgspec"
FREEZE_FLOOR = "floor, then gc.freeze() as computecost exits"


def commands(python: str) -> dict[str, list[str]]:
    script = Path(python).with_name("computecost")
    cli = [str(script)] if script.exists() else [python, "-m", "compute_cli"]
    return {
        "python (empty)": [python, "-c", "pass"],
        "floor: " + FLOOR_IMPORTS: [python, "-c", FLOOR_IMPORTS],
        # the floor ending as computecost ends (gc.freeze, see cli.main): our overhead alone
        FREEZE_FLOOR: [python, "-c", FLOOR_IMPORTS + "; import gc; gc.freeze()"],
        "computecost compare --format json": [*cli, "compare", "--format", "json"],
        # the default comparison's 5 setups, every point of each (one engine call over all of them)
        "computecost frontier --format json": [*cli, "frontier", "--format", "json"],
        "computecost frontier (table and chart)": [*cli, "frontier"],
        "computecost --version": [*cli, "--version"],
    }


def time_once(argv: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True, cwd=ROOT)
    return time.perf_counter() - start


def measure(cmds: dict[str, list[str]], runs: int, warmup: int = 3) -> dict[str, list[float]]:
    # as installed: bytecode cached (an installed wheel has its .pyc files; a stale one costs ~5 ms a module)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(COMPUTECOST_PATH="", NO_COLOR="1")
    for argv in cmds.values():  # warm the OS file cache and write the .pyc files
        for _ in range(warmup):
            time_once(argv, env)
    samples: dict[str, list[float]] = {name: [] for name in cmds}
    for _ in range(runs):  # interleaved: drift in machine load hits every command alike
        for name, argv in cmds.items():
            samples[name].append(time_once(argv, env))
    return samples


def report(samples: dict[str, list[float]]) -> str:
    medians = {name: statistics.median(s) for name, s in samples.items()}
    floor = medians["floor: " + FLOOR_IMPORTS]
    runs = len(next(iter(samples.values())))
    lines = [f"median of {runs} cold runs each, interleaved; {sys.platform}, Python {sys.version.split()[0]}, "
             f"{os.cpu_count()} CPUs", "",
             "| command | median [ms] | min [ms] | / floor |", "|---|---:|---:|---:|"]
    for name, s in samples.items():
        lines.append(f"| `{name}` | {medians[name] * 1e3:.0f} | {min(s) * 1e3:.0f} | {medians[name] / floor:.2f} |")
    ratio = medians["computecost compare --format json"] / floor
    verdict = "within" if ratio <= TARGET_RATIO else "ABOVE"
    lines += ["", f"ratio compare / floor = {ratio:.2f} ({verdict} the {TARGET_RATIO}x target); "
              f"compare / floor ending alike = {medians['computecost compare --format json'] / medians[FREEZE_FLOOR]:.2f}"]
    compare = medians["computecost compare --format json"]
    frontier = medians["computecost frontier --format json"]
    verdict = "within" if frontier / compare <= FRONTIER_RATIO else "ABOVE"
    lines.append(f"ratio frontier / compare = {frontier / compare:.2f} ({verdict} the {FRONTIER_RATIO}x target); "
                 f"with the table and chart {medians['computecost frontier (table and chart)'] / compare:.2f}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=30, help="timed runs per command (default 30)")
    parser.add_argument("--python", default=str(ROOT / ".venv" / "bin" / "python"),
                        help="interpreter with computecost installed (default .venv/bin/python)")
    args = parser.parse_args()
    print(report(measure(commands(args.python), args.runs)))


if __name__ == "__main__":
    main()
