"""Regenerate tests/golden/ after an intended change of output: `make golden`.

Each golden file is the stdout of one `computecost` invocation on the shipped
profiles; tests/test_golden.py replays the same invocations and compares.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from compute_cli.cli import app  # noqa: E402

GOLDEN = ROOT / "golden"
CASES = {
    "compare.txt": ["compare"],
    "compare.json": ["compare", "--format", "json"],
    "compare.csv": ["compare", "--format", "csv"],
    "compare.md": ["compare", "--format", "markdown"],
    "compare-8b-cheap-power.json": ["compare", "--model", "llama-3.1-8b", "--format", "json",
                                    "--set", "site.electricity_usd_per_kwh=0.03", "--set", "utilization=0.6"],
    "throughput-h100-8b.json": ["throughput", "--hardware", "h100-sxm", "--model", "llama-3.1-8b",
                                "--batch", "64", "--context", "1024", "--format", "json"],
    # sweep CSV over every engine output: integers, yes/no outputs (1/0), values that cannot be computed
    # (utilization 0 divides by zero; 8 GB cards do not hold the model) as empty cells
    "sweep.csv": ["sweep", "tinybox-red-v2-oregon", "--vary", "utilization=0:1:5", "--vary", "accelerator.memory_gb=8:24:5",
                  "--vary", "batch=1:64:3", "-M", "all", "-f", "csv"],
    # the pull-request comment; the inputs are frozen compare outputs of the toy catalog (exit 4: a breach)
    "diff.md": ["diff", "tests/data/diff/base.json", "tests/data/diff/new.json", "--fail-on-increase", "5%",
                "--format", "markdown"],
}


def run(args: list[str]) -> str:
    cwd = os.getcwd()
    os.chdir(ROOT.parent)  # paths in CASES are relative to the repository
    try:
        result = CliRunner().invoke(app, args, env={"COMPUTECOST_PATH": "", "NO_COLOR": "1"})
    finally:
        os.chdir(cwd)
    if result.exit_code not in (0, 4):  # 4: a breached threshold is a result, not a failure
        raise SystemExit(f"computecost {' '.join(args)} exited {result.exit_code}: {result.output}")
    return result.stdout


def main() -> None:
    GOLDEN.mkdir(exist_ok=True)
    for name, args in CASES.items():
        (GOLDEN / name).write_text(run(args))
        print(f"wrote tests/golden/{name}")


README = ROOT.parent / "README.md"
START, END = "<!-- scenarios:start -->", "<!-- scenarios:end -->"


def readme_scenarios() -> str:
    """The README's scenario section: every shipped scenario's Markdown answer."""
    from compute_cli.profiles.catalog import Catalog

    parts = [run(["scenario", "run", name, "--format", "markdown"]) for name in Catalog(environ={}).ids("scenarios")]
    return "\n".join(parts)


def write_readme() -> None:
    text = README.read_text()
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    README.write_text(f"{head}{START}\n{readme_scenarios()}{END}{tail}")
    print("wrote README.md scenarios")


def write_profile_schema() -> None:
    (ROOT.parent / "configs" / "profiles.schema.json").write_text(run(["schema", "profiles"]))
    print("wrote configs/profiles.schema.json")


if __name__ == "__main__":
    main()
    write_readme()
    write_profile_schema()
