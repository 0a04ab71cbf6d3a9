"""Issue 16: a generated corpus of command lines, stdin streams and output targets, for every command.

Beside tests/test_fuzz.py (malformed profiles), this drives the command line itself, with a
seeded generator: option values that are NaN, infinite, huge, negative, empty, very long,
unicode or control characters; stdin that is empty, binary, endless-looking, strict-JSON
breaking or deeply nested; ``--output`` that is an existing file, a symlink, a directory, a
missing folder or ``-``. Each case must

* exit with a documented code: 0, 2 (usage), 3 (input) or 4 (a gate's breach), never 1;
* on an error, print exactly one line on stderr, ``error: ...``, and no traceback;
* print no numpy RuntimeWarning, and valid strict JSON when it prints JSON;
* leave every file that existed before unchanged (but an ``--output`` it succeeded in writing),
  and no temporary file behind;
* finish: a guard interrupts a case after GUARD_SECONDS (a hang is a failure, not a slow test).

A second, smaller set runs the nastiest cases as real processes under a 2 GB address-space
limit, so a case that would allocate without bound fails instead of swapping.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import signal
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from compute_cli.errors import ExitCode

from .conftest import REPO

SEED = 20261216
CASES_PER_COMMAND = 24
GUARD_SECONDS = 60
TOY = ["-C", "tests/data/extra", "-C", "tests/data/profiles"]
DOCUMENTED = {0, ExitCode.USAGE, ExitCode.INVALID_INPUT, ExitCode.THRESHOLD}

# ------------------------------------------------------------------ value pools
NUMBERS = ["nan", "NaN", "-nan", "inf", "-inf", "Infinity", "1e308", "-1e308", "1e-320", "0", "-0", "-1", "0.5",
           "1", "3", "1e9", "9223372036854775808", "9" * 400, "9" * 5000, "", " ", "0x10", "1_000", "½", "١٢",
           "1e", "--1", "5%"]
# (no NUL: a command line cannot carry one)
TEXT = ["", "-", "a" * 5000, "é", "日本語", "\u202eevil", "\x1b[31mred", "line\nbreak", "tab\there",
        "../../etc/passwd", "/dev/zero", "toy-own", "TOY-OWN", "toy_own", "x" * 81]
SETUPS = ["toy-own", "toy-rent", "toy-own-building", "nope", "-", "tests/data/profiles/setups/toy-own.yaml",
          "tests/data/profiles/sites/toy-site.yaml", "tests/data", "/dev/null", "a" * 100_000, "\x1b[2J"]
MODELS = ["toy-dense", "toy-moe", "toy-huge", "nope", "", "\x1b[31m"]
PATHS = ["utilization", "batch", "context_tokens", "site.pue", "site.electricity_usd_per_kwh",
         "system.accelerator_count", "accelerator.price_usd", "accelerator.idle_w", "model.layers",
         "finance.cost_of_capital_per_year", "offer.usd_per_gpu_hour.on_demand", "nope", "site", "kind",
         "a" * 3000, "utilization.x", ""]
SETS = [f"{p}={v}" for p in PATHS[:10] for v in ("nan", "inf", "-1", "1e308", "9" * 400, "0", "0.5", "2")] + [
    "utilization*=nan", "utilization*=1e308", "notes=\x1b[31m", "precision=fp4", "=1", "utilization", "batch=" + "9" * 5000]
STEPS = ["1", "2", "3", "0", "-3", "nan", "1e3", "9" * 400, "10000000001", "1000000000000", "2.5"]
DISTS = ["uniform:0:1", "uniform:1:0", "normal:0:nan", "lognormal:-1:1", "triangular:0:2:1", "uniform:-inf:inf",
         "uniform:1:1e12", "normal:1e308:1e308", "beta:1:2", "uniform", "uniform:0:1:2"]
FORMATS = ["table", "json", "csv", "jsonl", "markdown", "xml", "", "JSON"]

STDIN = {
    "none": None,
    "empty": b"",
    "binary": bytes(range(256)) * 64,
    "big": b"a: 1\n" * (2 * 1024 * 1024 // 5 + 10),
    "setup": (REPO / "tests/data/profiles/setups/toy-own.yaml").read_bytes(),
    "json-nan": b'{"schema_version": 1, "setups": [{"id": "toy-own", "cost_usd_per_gpu_hour": NaN}]}',
    "json-deep": b'{"schema_version": 1, "setups": []' + b', "x": ' + b"[" * 3000 + b"]" * 3000 + b"}",
    "yaml-deep": b"a: " + b"[" * 3000 + b"]" * 3000 + b"\n",
    "control": b"id: x\nname: \x07\n",
}


GOOD = 0.8  # the share of values drawn from the good pool: most cases should get past the first check


def _pick(rng: random.Random, pool):
    return pool[rng.randrange(len(pool))]


def _value(rng: random.Random, good, bad=NUMBERS):
    return _pick(rng, good) if rng.random() < GOOD else _pick(rng, bad)


def _opt(rng: random.Random, option: str, good, bad=NUMBERS, p: float = 0.5) -> list[str]:
    return [option, _value(rng, good, bad)] if rng.random() < p else []


def _setup(rng) -> str:
    return _value(rng, ["toy-own", "toy-rent", "toy-own-building", "tests/data/profiles/setups/toy-own.yaml"], SETUPS)


def _sets(rng) -> list[str]:
    good = ["utilization=0.7", "site.electricity_usd_per_kwh*=1.5", "batch=4", "context_tokens=2000",
            "finance.cost_of_capital_per_year=0", "accelerator.price_usd=1e308", "utilization=1e-320"]
    return [arg for _ in range(rng.randrange(3)) for arg in ("--set", _value(rng, good, SETS))]


def _vary(rng) -> str:
    good = ["utilization=0.1:0.9:50", "batch=1:64:20", "site.pue=1:2:7", "site.electricity_usd_per_kwh=0:0.3:40",
            "accelerator.idle_w=0:1400:30", "model.layers=1:200:9", "finance.cost_of_capital_per_year=0:0.2:5",
            "system.accelerator_count=1:1000000:4", "context_tokens=1:100000000:5", "batch=1:8:9000000000"]
    if rng.random() < GOOD:
        return _pick(rng, good)
    return f"{_pick(rng, PATHS)}={_pick(rng, NUMBERS)}:{_pick(rng, NUMBERS)}:{_pick(rng, STEPS)}"


def _dist(rng) -> str:
    good = ["utilization=uniform:0.2:0.9", "batch=uniform:1:400", "site.pue=triangular:1:1.2:2",
            "accelerator.price_usd=lognormal:20000:0.5", "site.electricity_usd_per_kwh=normal:0.05:0.5",
            "system.accelerator_count=uniform:1:1e12"]
    return _pick(rng, good) if rng.random() < GOOD else f"{_pick(rng, PATHS)}={_pick(rng, DISTS)}"


F = ["table", "json", "csv", "jsonl", "markdown"]
MONEY = ["0", "0.5", "2", "1e308", "1e-320"]
GENERATORS = {
    "compare": lambda r: ["compare", *[_setup(r) for _ in range(r.randrange(3))], *_opt(r, "--model", ["toy-dense",
                          "toy-moe", "toy-huge"], MODELS), *_sets(r), *_opt(r, "-f", F, FORMATS)],
    "throughput": lambda r: ["throughput", "--model", _value(r, ["toy-dense", "toy-moe"], MODELS),
                             *(["--hardware", "toy-gpu"] if r.random() < 0.7 else ["--system", "toy-node-8"]),
                             *_opt(r, "--batch", ["1", "64", "1000000"]), *_opt(r, "--context", ["1", "4096",
                             "100000000"]), *_opt(r, "--prompt-tokens", ["1", "512"], p=0.3),
                             *_opt(r, "--gpus", ["auto", "1", "8", "1000000"]), *_opt(r, "--precision", ["fp8", "bf16"],
                             ["fp4", ""], 0.3), *_opt(r, "-f", F, FORMATS, 0.3)],
    "check": lambda r: ["check", *[_setup(r) for _ in range(r.randrange(2))],
                        *_opt(r, "--max-usd-per-million-output-tokens", MONEY),
                        *_opt(r, "--max-usd-per-gpu-hour", MONEY), *_opt(r, "--min-tokens-per-joule", MONEY),
                        *_opt(r, "--policy", ["nope.yaml", "/dev/zero", "tests/data", "-"], p=0.2),
                        *_opt(r, "--model", ["toy-dense"], MODELS, 0.5), *_opt(r, "-f", ["table", "json", "csv",
                        "jsonl"], FORMATS, 0.3)],
    "diff": lambda r: ["diff", r.choice(["tests/data/diff/base.json", "-", "nope.json", "/dev/zero"]),
                       r.choice(["tests/data/diff/new.json", "-", "tests/data/diff/base.json", "tests/data"]),
                       *_opt(r, "--fail-on-increase", ["5%", "0", "100"]), *_opt(r, "--watch",
                       ["cost_usd_per_gpu_hour"], TEXT + PATHS, 0.3), *_opt(r, "-f", F, FORMATS, 0.3)],
    "sweep": lambda r: ["sweep", _setup(r), "--model", "toy-dense", *[a for _ in range(1 + r.randrange(2))
                        for a in ("--vary", _vary(r))], *_opt(r, "-M", ["all", "gpus"], ["nope", ""], 0.3),
                        *_sets(r), "-f", _value(r, ["csv", "jsonl", "json", "table"], FORMATS)],
    "sensitivity": lambda r: ["sensitivity", _setup(r), "--model", "toy-dense", *_opt(r, "--swing", ["0.2", "0.99"]),
                              *_opt(r, "-M", ["cost_usd_per_gpu_hour"], ["nope"], 0.3), *_sets(r),
                              *_opt(r, "-f", ["table", "json", "csv", "markdown"], FORMATS, 0.3)],
    "simulate": lambda r: ["simulate", _setup(r), "--model", "toy-dense",
                           *_opt(r, "--samples", ["1", "2", "1000", "5000"], ["0", "-5", "nan", "1e3", "9" * 400,
                                                                             "200000000"]),
                           *_opt(r, "--seed", ["0", "7", "9" * 40], ["-1", "9" * 400, "nan"], 0.3),
                           *[a for _ in range(r.randrange(3)) for a in ("--dist", _dist(r))],
                           *_opt(r, "-M", ["all", "gpus"], ["nope"], 0.2), *_sets(r),
                           *_opt(r, "-f", ["table", "json", "csv", "markdown"], FORMATS, 0.3)],
    "invest": lambda r: ["invest", _setup(r), "--model", "toy-dense", *_opt(r, "--years", ["0.1", "5", "30"]),
                         *_opt(r, "--token-price-decline-per-year", ["-0.99", "0", "0.99"]),
                         *_opt(r, "--sell-price-usd-per-million-tokens", MONEY), *_opt(r, "--price-scale", MONEY),
                         *_opt(r, "--rent-out-usd-per-gpu-hour", MONEY), *_sets(r), *_opt(r, "-f", F[:4], FORMATS, 0.3)],
    "rent-or-buy": lambda r: ["rent-or-buy", _value(r, ["toy-own", "toy-own-building"], SETUPS),
                              _value(r, ["toy-rent", "toy-rent-single"], SETUPS), "--model", "toy-dense", *_sets(r)],
    "fleet": lambda r: ["fleet", "--power-mw", _value(r, ["0", "10", "1000000"]), "--hardware", "toy-gpu",
                        "--model", _value(r, ["toy-dense"], MODELS), "--site", "toy-site", "--finance", "toy-finance",
                        *_opt(r, "--utilization", ["0.001", "0.7", "1"]), *_opt(r, "--batch", ["1", "1000000"]),
                        *_opt(r, "--context", ["1", "100000000"]), *_sets(r)],
    "breakeven": lambda r: ["breakeven", _setup(r), _value(r, ["toy-rent", "toy-own-building"], SETUPS), "--model",
                            "toy-dense", "--vary", _value(r, ["utilization", "site.electricity_usd_per_kwh",
                                                              "accelerator.price_usd"], PATHS),
                            *_opt(r, "--range", ["0:1", "0:1e308", "1e-320:1"], [f"{a}:{b}" for a in NUMBERS[:10]
                                                                               for b in NUMBERS[:10]] + ["1", "a:b"]),
                            *_opt(r, "--metric", ["cost_usd_per_gpu_hour"], ["nope"], 0.3)],
    "profiles": lambda r: ["profiles", r.choice(["list", "show", "validate", "schema", "nope"]),
                           *_opt(r, "", ["tests/data/profiles", "toy-gpu", "setups", "-"], TEXT + SETUPS, 0.8),
                           *_opt(r, "--kind", ["setups", "sites"], ["nope", ""], 0.3)],
    "schema": lambda r: ["schema", r.choice(["output", "profiles", "nope"]), *_opt(r, "", ["compare", "diff", "sites"],
                                                                                  TEXT, 0.5)],
    "scenario": lambda r: ["scenario", r.choice(["list", "run", "nope"]), *_opt(r, "", ["power-constrained"], TEXT,
                                                                                0.5)],
    "frontier": lambda r: ["frontier", *[_setup(r) for _ in range(1 + r.randrange(2))], "--model", "toy-dense",
                           *_opt(r, "--workload", ["toy-chat", "offline-batch"], TEXT + SETUPS, 0.3),
                           *_opt(r, "--input-tokens", ["1", "1000", "100000000"], p=0.3),
                           *_opt(r, "--output-tokens", ["1", "1000"], p=0.3),
                           *_opt(r, "--max-tpot-ms", ["1", "50", "1e9"], p=0.3), *_sets(r),
                           *_opt(r, "-f", F, FORMATS, 0.3)],
    "report": lambda r: ["report", *[_setup(r) for _ in range(r.randrange(3))], *_opt(r, "--model", ["toy-dense"],
                         MODELS, 0.7), *_sets(r)],
    "prices": lambda r: ["prices", r.choice(["stale", "import", "nope"]),
                         *_opt(r, "", ["tests/data/prices/offers.csv", "tests/data/prices/litellm-prices.json",
                                       "/dev/zero", "-"], TEXT, 0.5),
                         *_opt(r, "--max-age-days", ["0", "365"], p=0.3), *_opt(r, "--kind", ["offers", "markets"],
                                                                                 ["nope"], 0.3),
                         ],
    "global": lambda r: [*_opt(r, "--max-age-days", ["0", "365", "100000"]), *_opt(r, "-C", ["tests/data"],
                         ["nope", "/dev/null"], 0.3), r.choice(["compare", "--version", "--help", "nosuch", "",
                                                               "--strict"])],
}
OUTPUT_COMMANDS = ("sweep", "sensitivity", "simulate", "report")
OUTPUTS = ["existing", "link", "dir", "missing-dir", "dash", "new", None, None]
ALWAYS_OUTPUT = ("report",)  # its default target is report.html in the working directory: never the checkout


def _case(rng: random.Random, command: str) -> dict:
    args = [a for a in GENERATORS[command](rng) if a != ""] if command != "global" else GENERATORS[command](rng)
    args = [a for a in args if a != ""] or ["--help"]
    stdin = rng.choice(list(STDIN)) if "-" in args else "none"
    output = rng.choice(OUTPUTS) if command in OUTPUT_COMMANDS else None
    if command in ALWAYS_OUTPUT and output in (None, "dash"):
        output = "new"
    return {"args": args, "stdin": stdin, "output": output, "quiet": rng.random() < 0.5}


def corpus() -> list[dict]:
    rng = random.Random(SEED)
    return [_case(rng, command) for command in GENERATORS for _ in range(CASES_PER_COMMAND)]


CORPUS = corpus()


def _snapshot(folder: Path) -> dict[str, str]:
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_symlink():
            out[str(p)] = "link:" + os.readlink(p)
        elif p.is_file():
            out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
        elif p.is_dir():
            out[str(p)] = "dir"
    return out


class _Guard(Exception):
    pass


@pytest.fixture(scope="module")
def command():
    import typer

    from compute_cli.cli import app

    return typer.main.get_command(app)


def _invoke(command, args, stdin: bytes | None):
    out, err = io.StringIO(), io.StringIO()
    stdin_stream = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8") if stdin is not None else None
    saved = sys.stdout, sys.stderr, sys.stdin
    sys.stdout, sys.stderr, sys.stdin = out, err, stdin_stream

    def expire(signo, frame):
        raise _Guard(f"no answer after {GUARD_SECONDS} s")

    old = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, GUARD_SECONDS)
    code = 0
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                command.main(args, prog_name="computecost", standalone_mode=True)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        sys.stdout, sys.stderr, sys.stdin = saved
    return code, out.getvalue(), err.getvalue(), [str(w.message) for w in caught]


def _strict_json(text: str):
    def refuse(word):
        raise ValueError(f"{word} in JSON output")

    return json.loads(text, parse_constant=refuse)


def test_corpus_covers_every_command():
    from compute_cli.cli import app

    names = {c.name or c.callback.__name__.replace("_", "-") for c in app.registered_commands}
    names |= {g.name for g in app.registered_groups}
    assert names <= set(GENERATORS), names - set(GENERATORS)
    assert len(CORPUS) >= 300


@pytest.mark.parametrize("i", range(len(CORPUS)), ids=lambda i: f"{CORPUS[i]['args'][0]}-{i}")
def test_generated_command_line(i, command, tmp_path, monkeypatch):
    case = CORPUS[i]
    monkeypatch.chdir(REPO)
    monkeypatch.delenv("COMPUTECOST_PATH", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # prices import writes there, never to $HOME
    work = tmp_path / "out"
    work.mkdir()
    (work / "existing.csv").write_text("keep\n")
    (work / "real.csv").write_text("real\n")
    (work / "link.csv").symlink_to("real.csv")
    targets = {"existing": work / "existing.csv", "link": work / "link.csv", "dir": work,
               "missing-dir": work / "nope" / "x.csv", "dash": "-", "new": work / "new.csv"}
    args = list(case["args"])
    written = set()
    if case["output"]:
        target = targets[case["output"]]
        args += ["--output", str(target)]
        written = {str(work / "existing.csv")} if case["output"] == "existing" else \
            {str(work / "real.csv")} if case["output"] == "link" else set()
    full = [*(["-q"] if case["quiet"] else []), *TOY, *args] if args[0] not in ("--version", "--help") else args
    before = _snapshot(work)
    configs = _snapshot(REPO / "tests" / "data" / "profiles")
    code, out, err, caught = _invoke(command, full, STDIN[case["stdin"]])
    where = f"computecost {' '.join(repr(a)[:60] for a in full)} < {case['stdin']}"
    assert code in DOCUMENTED, f"{where}: exit {code}: {err[:500]}"
    assert "Traceback" not in err and "internal error" not in err, f"{where}: {err[:500]}"
    assert not [w for w in caught if "RuntimeWarning" in w or "encountered" in w], f"{where}: warnings {caught}"
    lines = err.splitlines()
    if code not in (0, ExitCode.THRESHOLD) and not (lines and lines[0].startswith("Usage:")):
        errors = [line for line in lines if line.startswith("error: ")]
        many = args[:2] == ["profiles", "validate"] or "--strict" in full  # a list of every problem found
        assert (len(errors) >= 1 if many else len(errors) == 1) and lines[-1].startswith("error: "), \
            f"{where}: {err[:500]}"
        assert all(line.startswith(("error: ", "warning: ")) for line in lines), f"{where}: {err[:500]}"
    for line in lines:
        assert "\x1b" not in line, f"{where}: raw escape on stderr"
    to_stdout = case["output"] in (None, "dash")
    if to_stdout and code in (0, ExitCode.THRESHOLD) and "json" in full and full[full.index("json") - 1] in ("-f",
                                                                                                           "--format"):
        _strict_json(out)
    after = _snapshot(work)
    for path, digest in before.items():
        if path not in written:
            assert after.get(path) == digest, f"{where}: {path} changed"
    assert not [p for p in after if ".computecost-" in p], f"{where}: a temporary file was left"
    assert _snapshot(REPO / "tests" / "data" / "profiles") == configs


# ----------------------------------------------------- real processes, memory limit
NASTY = [
    (["sweep", "toy-own", "--model", "toy-dense", "--vary", "utilization=0.1:0.9:1000000000000"], None),
    (["sweep", "toy-own", "--model", "toy-dense", "--vary", "batch=1:8:9000000000", "-f", "csv"], None),
    (["simulate", "toy-own", "--model", "toy-dense", "--samples", "200000000", "--dist", "utilization=uniform:0:1"], None),
    (["compare", "toy-own", "--set", "system.accelerator_count=1000000"], None),
    (["compare", "-"], "endless"),
    (["profiles", "validate", "-"], "endless"),
    (["diff", "-", "tests/data/diff/base.json"], "endless"),
    (["compare", "toy-own", "--set", "batch=" + "9" * 4000], None),
]


def _limit_memory():
    import resource

    two_gb = 2 * 1024**3
    resource.setrlimit(resource.RLIMIT_AS, (two_gb, two_gb))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS and yes(1)")
@pytest.mark.parametrize("args, stdin", NASTY, ids=lambda a: a[0] if isinstance(a, list) else str(a))
def test_nasty_cases_as_processes_under_a_memory_limit(args, stdin):
    feeder = subprocess.Popen(["yes", "a: 1"], stdout=subprocess.PIPE) if stdin == "endless" else None
    try:
        result = subprocess.run([sys.executable, "-m", "compute_cli", "-q", *TOY, *args], cwd=REPO,
                                stdin=feeder.stdout if feeder else subprocess.DEVNULL, capture_output=True,
                                text=True, timeout=GUARD_SECONDS * 2, preexec_fn=_limit_memory)
    finally:
        if feeder:
            feeder.kill()
            feeder.wait()
    assert result.returncode in DOCUMENTED, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr and "Memory" not in result.stderr
