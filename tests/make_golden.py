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
NO_USER_CONFIG = ROOT / "data" / "no-user-config"  # does not exist: no user profiles, no computecost.toml
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
        result = CliRunner().invoke(app, args, env={"COMPUTECOST_PATH": "", "NO_COLOR": "1",
                                                    "XDG_CONFIG_HOME": str(NO_USER_CONFIG)})
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
    """The table of docs/methodology.md section 10: benchmarks/serving_accuracy.py's output."""
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


def write_report_screenshot() -> None:
    """docs/report.png: the top of `computecost report` on the default comparison, as Chromium draws it."""
    import tempfile

    sys.path.insert(0, str(ROOT))
    from browser import find_chromium, screenshot

    if find_chromium() is None:
        print("skipped docs/report.png: chromium is not installed (make chromium)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "report.html"
        os.environ["COMPUTECOST_TODAY"] = EXAMPLE_DATE  # the same page, and picture, on any day
        try:
            run(["-q", "report", "--output", str(page)])
        finally:
            del os.environ["COMPUTECOST_TODAY"]
        screenshot(page, ROOT.parent / "docs" / "report.png")
    print("wrote docs/report.png")


# ------------------------------------------------------------ documented examples
# Every ```console block of README.md and docs/*.md is a real session: each `$ ` line is run
# (continuation lines end in a backslash) and the lines after it, up to the next `$ `, are its
# output, regenerated here and checked by tests/test_golden.py. Blocks run in bash from a scratch
# directory holding a copy of docs/examples/ and the shipped configs/, one shell per block (so
# `$ echo $?`, files and `cd` carry over within a block), with a fixed date for staleness.
DOCS = [ROOT.parent / "README.md", *sorted((ROOT.parent / "docs").glob("*.md"))]
EXAMPLE_DATE = "2026-12-01"
FENCE = "```console"
_MARK = "\x1e"


def example_blocks(text: str):
    """``(start, end, [command, ...])`` of every console block: line indices of its body."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        if lines[i].strip() == FENCE:
            start = i + 1
            end = next(j for j in range(start, len(lines)) if lines[j].strip() == "```")
            yield start, end, _commands(lines[start:end])
            i = end
        i += 1


def _commands(body: list[str]) -> list[tuple[str, bool]]:
    """``(command, followed by a blank line)`` for each ``$ `` line of a block body."""
    commands, current = [], None
    for i, line in enumerate(body):
        if current is not None and current.endswith("\\"):
            current += "\n" + line
            commands[-1] = (current, False)
            continue
        if line.startswith("$ "):
            current = line[2:]
            commands.append((current, False))
        else:
            current = None
            if not line.strip() and commands and any(b.startswith("$ ") for b in body[i + 1:i + 2]):
                commands[-1] = (commands[-1][0], True)
    return commands


def run_session(commands: list[str], workdir: Path) -> list[str]:
    """The output of each command of one block, run one after another in one bash."""
    import subprocess

    script = []
    for cmd in commands:
        script.append(cmd)
        script.append(f"__rc=$?; printf '{_MARK}\\n'; (exit $__rc)")
    env = {k: v for k, v in os.environ.items() if k not in ("COMPUTECOST_PATH", "COMPUTECOST_DEBUG")}
    env.update({"PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}", "NO_COLOR": "1",
                "PYTHONUNBUFFERED": "1", "COLUMNS": "80", "COMPUTECOST_TODAY": EXAMPLE_DATE, "LC_ALL": "C.UTF-8",
                "HOME": str(workdir), "XDG_CONFIG_HOME": str(workdir / ".config")})
    done = subprocess.run(["bash", "--noprofile", "--norc", "-c", "\n".join(script)], cwd=workdir, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)
    parts = done.stdout.split(_MARK + "\n")
    return [p.rstrip() for p in parts[:len(commands)]]


def _scratch() -> Path:
    import shutil
    import tempfile

    work = Path(tempfile.mkdtemp(prefix="computecost-examples-"))
    if (ROOT.parent / "docs" / "examples").is_dir():
        shutil.copytree(ROOT.parent / "docs" / "examples", work / "docs" / "examples")
    (work / "configs").symlink_to(ROOT.parent / "configs")
    return work


def render_examples(text: str) -> str:
    """``text`` with the output of every console block regenerated."""
    import shutil

    lines = text.split("\n")
    out, last = [], 0
    for start, end, commands in example_blocks(text):
        work = _scratch()
        try:
            outputs = run_session([cmd for cmd, _ in commands], work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        out += lines[last:start]
        for (cmd, gap), output in zip(commands, outputs, strict=True):
            out += ["$ " + cmd.split("\n")[0], *cmd.split("\n")[1:]]
            if output:
                out += [line.rstrip() for line in output.split("\n")]
            if gap:
                out.append("")
        last = end
    out += lines[last:]
    return "\n".join(out)


def write_examples() -> None:
    for doc in DOCS:
        text = doc.read_text()
        new = render_examples(text)
        if new != text:
            doc.write_text(new)
            print(f"wrote {doc.relative_to(ROOT.parent)} examples")


if __name__ == "__main__":
    main()
    write_readme()
    write_serving_accuracy()
    write_profile_schema()
    write_examples()
    write_report_screenshot()
