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


# The README's investment examples: real runs, shown as a person would type them.
INVEST_START, INVEST_END = "<!-- investment:start -->", "<!-- investment:end -->"
INVEST_EXAMPLES = [
    ["invest", "neocloud-hgx-h100-colo", "--rent-out-usd-per-gpu-hour", "6.155"],
    ["rent-or-buy", "neocloud-hgx-h100-colo", "aws-p5-ondemand"],
    ["rent-or-buy", "neocloud-hgx-h100-colo", "aws-p5-ondemand", "--set", "offer.term=reserved_3y"],
    ["fleet", "--power-mw", "10", "--hardware", "gb200", "--hardware", "b200", "--hardware", "h100-sxm", "--hardware",
     "mi300x", "--hardware", "mi355x", "--hardware", "rx-9070-xt"],
    ["breakeven", "neocloud-hgx-h100-colo", "coreweave-h100-ondemand", "--vary", "offer.usd_per_gpu_hour.on_demand"],
]


def readme_investment() -> str:
    """The README's investment examples: each command and its stdout."""
    import shlex

    blocks = [f"$ computecost {' '.join(shlex.quote(a) for a in args)}\n{run(args)}" for args in INVEST_EXAMPLES]
    return "```\n" + "\n".join(blocks) + "```\n"


def _replace_block(text: str, start: str, end: str, body: str) -> str:
    head, _, rest = text.partition(start)
    _, _, tail = rest.partition(end)
    return f"{head}{start}\n{body}{end}{tail}"


def write_readme() -> None:
    text = README.read_text()
    text = _replace_block(text, START, END, readme_scenarios())
    text = _replace_block(text, INVEST_START, INVEST_END, readme_investment())
    README.write_text(text)
    print("wrote README.md scenarios and investment examples")


def write_profile_schema() -> None:
    (ROOT.parent / "configs" / "profiles.schema.json").write_text(run(["schema", "profiles"]))
    print("wrote configs/profiles.schema.json")


if __name__ == "__main__":
    main()
    write_readme()
    write_profile_schema()
