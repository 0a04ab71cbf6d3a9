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


def write_readme() -> None:
    text = README.read_text()
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    README.write_text(f"{head}{START}\n{readme_scenarios()}{END}{tail}")
    print("wrote README.md scenarios")


METHODOLOGY = ROOT.parent / "docs" / "methodology.md"
ACCURACY_START, ACCURACY_END = "<!-- serving-accuracy:start -->", "<!-- serving-accuracy:end -->"


def serving_accuracy() -> str:
    """The table of docs/methodology.md section 8: benchmarks/serving_accuracy.py's output."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("serving_accuracy", ROOT.parent / "benchmarks" / "serving_accuracy.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    from compute_cli.profiles.catalog import Catalog

    return module.table_text(Catalog(environ={}))


def write_serving_accuracy() -> None:
    text = METHODOLOGY.read_text()
    head, _, rest = text.partition(ACCURACY_START)
    _, _, tail = rest.partition(ACCURACY_END)
    METHODOLOGY.write_text(f"{head}{ACCURACY_START}\n{serving_accuracy()}{ACCURACY_END}{tail}")
    print("wrote docs/methodology.md serving accuracy table")


def write_profile_schema() -> None:
    (ROOT.parent / "configs" / "profiles.schema.json").write_text(run(["schema", "profiles"]))
    print("wrote configs/profiles.schema.json")


if __name__ == "__main__":
    main()
    write_readme()
    write_serving_accuracy()
    write_profile_schema()
