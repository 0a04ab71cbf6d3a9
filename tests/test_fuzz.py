"""A generated corpus of malformed inputs: each exits 3 (or 2) with one message, never a traceback.

The corpus is built from the shipped profiles by seeded mutations (wrong types,
out-of-range and non-finite numbers, missing, unknown and duplicate keys, tabs,
truncation, bad bytes, deep nesting, alias bombs, broken references), plus bad
command lines. Issue 7 asks for >= 1,000 cases; test_corpus_is_large_enough checks it.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from compute_cli.errors import ExitCode

from .conftest import REPO

CONFIGS = REPO / "configs"
KINDS = ["hardware", "systems", "sites", "finance", "offers", "models", "setups", "markets"]
NUMBER_LINE = re.compile(r"^(?P<indent>\s*(?:- )?)(?P<key>[a-z_0-9]+): (?P<value>\{value: [-0-9.e]+|[-0-9.]+$)", re.M)
BAD_NUMBERS = ["abc", "-1", ".nan", ".inf", "-.inf", "true", "[1, 2]", "{a: 1}", "''", "1e999"]
SEED = 20261126


def shipped() -> list[tuple[str, Path]]:
    return [(k, p) for k in KINDS for p in sorted((CONFIGS / k).glob("*.yaml"))]


def mutations(rng: random.Random, kind: str, path: Path):
    """Yield (case name, kind, file name, bytes) that must all be invalid."""
    text = path.read_text()
    ident = path.stem
    numbers = list(NUMBER_LINE.finditer(text))
    for m in rng.sample(numbers, min(len(numbers), 6)):
        bad = rng.choice(BAD_NUMBERS)
        value = m.group("value")
        new = f"{{value: {bad}" if value.startswith("{value:") else bad
        yield "bad-number", kind, ident, (text[: m.start("value")] + new + text[m.end("value"):]).encode()
    lines = text.splitlines(keepends=True)
    top = [i for i, line in enumerate(lines) if re.match(r"^[a-z_]+:", line) and not line.startswith(("id:", "notes:"))]
    required = [i for i in top if not lines[i].startswith(("notes", "description"))]
    if required:
        i = rng.choice(required)
        key = lines[i].split(":")[0]
        typo = key[:-1] + "x" if len(key) > 3 else key + "x"
        yield "unknown-key", kind, ident, "".join(lines[:i] + [lines[i].replace(key, typo, 1)] + lines[i + 1:]).encode()
        yield "duplicate-key", kind, ident, "".join(lines[: i + 1] + [lines[i]] + lines[i + 1:]).encode()
        yield "tab", kind, ident, "".join(lines[:i] + ["\t" + lines[i]] + lines[i + 1:]).encode()
    yield "id-mismatch", kind, ident, text.replace(f"id: {ident}", f"id: {ident}-other", 1).encode()
    cut = rng.randrange(1, max(2, len(text) // 3))
    yield "truncated-flow", kind, ident, (text[:cut] + "\nbroken: {value: [1,\n").encode()
    raw = text.encode()
    pos = rng.randrange(len(raw))
    yield "bad-utf8", kind, ident, raw[:pos] + b"\xff\xfe" + raw[pos:]
    yield "nul-byte", kind, ident, raw[:pos] + b"\x00" + raw[pos:]


def generic_cases():
    yield "empty", "sites", "x", b""
    yield "whitespace", "sites", "x", b"   \n\n  "
    yield "comment-only", "sites", "x", b"# nothing here\n"
    yield "list-document", "sites", "x", b"- 1\n- 2\n"
    yield "scalar-document", "sites", "x", b"42\n"
    yield "two-documents", "sites", "x", b"id: x\n---\nid: y\n"
    yield "deep-nesting", "sites", "x", b"id: x\nname: " + b"[" * 500 + b"]" * 500 + b"\n"
    bomb = b"a: &a [x, x, x, x, x, x, x, x, x]\n"
    for i, name in enumerate("bcdefgh"):
        prev = "abcdefgh"[i]
        bomb += f"{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n".encode()
    yield "alias-bomb", "sites", "x", bomb
    yield "merge-key", "sites", "x", b"base: &b {pue: 1.2}\nid: x\n<<: *b\n"
    yield "python-object", "sites", "x", b"id: !!python/object/apply:os.system ['true']\n"
    yield "binary", "sites", "x", bytes(range(256)) * 4
    yield "huge", "sites", "x", b"id: x\nnotes: '" + b"a" * (3 * 1024 * 1024) + b"'\n"
    yield "figure-without-source", "sites", "x", (CONFIGS / "sites/oregon-industrial.yaml").read_text().replace(
        "source:", "sauce:", 1).replace("id: oregon-industrial", "id: x").encode()


def broken_references(rng: random.Random):
    for path in sorted((CONFIGS / "setups").glob("*.yaml")):
        text = path.read_text()
        for field in ("site", "system", "finance", "offer", "device", "model"):
            m = re.search(rf"^{field}: (\S+)$", text, re.M)
            if m:
                target = m.group(1)
                wrong = target[:-1] if rng.random() < 0.5 else target + "-nope"
                yield f"missing-{field}", "setups", path.stem, text.replace(m.group(0), f"{field}: {wrong}", 1).encode()


def corpus() -> list[tuple]:
    rng = random.Random(SEED)
    cases = []
    for kind, path in shipped():
        cases += list(mutations(rng, kind, path))
    cases += list(generic_cases())
    cases += list(broken_references(rng))
    return cases


CORPUS = corpus()


def test_corpus_is_large_enough():
    assert len(CORPUS) >= 1000, len(CORPUS)


@pytest.fixture(scope="module")
def invoke():
    """Run the CLI in-process on one prebuilt Click command: ~10x faster than CliRunner, which
    rebuilds the command tree on every call (1,000+ cases)."""
    import io
    from contextlib import redirect_stderr, redirect_stdout

    import typer

    from compute_cli.cli import app

    command = typer.main.get_command(app)

    def run(args):
        out, err = io.StringIO(), io.StringIO()
        code = 0
        with redirect_stdout(out), redirect_stderr(err):
            try:
                command.main([str(a) for a in args], prog_name="computecost", standalone_mode=True)
            except SystemExit as exc:
                code = exc.code or 0
        return code, out.getvalue(), err.getvalue()

    return run


@pytest.mark.parametrize("case", range(len(CORPUS)), ids=lambda i: f"{CORPUS[i][0]}-{CORPUS[i][2]}-{i}")
def test_malformed_profile_exits_3_with_one_message(case, tmp_path, invoke):
    name, kind, ident, data = CORPUS[case]
    folder = tmp_path / kind
    folder.mkdir()
    (folder / f"{ident}.yaml").write_bytes(data)
    code, stdout, stderr = invoke(["-C", tmp_path, "profiles", "validate", tmp_path])
    assert code == ExitCode.INVALID_INPUT, (name, stdout, stderr)
    errors = [line for line in stderr.splitlines() if line.strip()]
    assert len(errors) == 1, (name, stderr)
    assert errors[0].startswith("error: ") and f"{ident}.yaml" in errors[0], (name, errors[0])
    assert re.search(rf"{re.escape(ident)}\.yaml(:\d+)?: ", errors[0]), (name, errors[0])
    assert "Traceback" not in stderr and "internal error" not in stderr, (name, stderr)


BAD_COMMAND_LINES = [
    (["compare", "--set", "site.electricity_usd_per_kwh"], ExitCode.USAGE),
    (["compare", "--set", "=3"], ExitCode.USAGE),
    (["compare", "--set", "site..pue=1"], ExitCode.USAGE),
    (["compare", "--set", "site.peu=1.2"], ExitCode.INVALID_INPUT),
    (["compare", "--set", "site.pue=abc"], ExitCode.INVALID_INPUT),
    (["compare", "--set", "site.pue=.nan"], ExitCode.INVALID_INPUT),
    (["compare", "--set", "site.pue=0.5"], ExitCode.INVALID_INPUT),
    (["compare", "--set", "utilization=-0.1"], ExitCode.INVALID_INPUT),
    (["compare", "--set", "utilization=2"], ExitCode.INVALID_INPUT),
    (["compare", "--set", "batch=0"], ExitCode.INVALID_INPUT),
    (["compare", "--set", "batch=1.5"], ExitCode.INVALID_INPUT),
    (["compare", "--set", "precision=fp4"], ExitCode.INVALID_INPUT),
    (["compare", "--set", "kind=rent"], ExitCode.INVALID_INPUT),
    (["compare", "--set", "site*=2"], ExitCode.INVALID_INPUT),
    (["compare", "--set", "utilization*=abc"], ExitCode.INVALID_INPUT),  # a value the key cannot take, as "=abc"
    (["compare", "tinybox-red-v2-oregn"], ExitCode.INVALID_INPUT),
    (["compare", "--model", "llama-3.1-70"], ExitCode.INVALID_INPUT),
    (["compare", "--format", "jsn"], ExitCode.USAGE),
    (["throughput", "--model", "llama-3.1-405b", "--hardware", "rtx-4090", "--gpus", "1"], ExitCode.INVALID_INPUT),
    (["throughput", "--model", "llama-3.1-8b", "--hardware", "h100-sxm", "--gpus", "zero"], ExitCode.USAGE),
    (["throughput", "--model", "llama-3.1-8b", "--hardware", "h100-sxm", "--batch", "0"], ExitCode.USAGE),
    (["throughput", "--model", "llama-3.1-8b"], ExitCode.USAGE),
    (["invest", "tinybox-red-v2-oregon", "--years", "0"], ExitCode.USAGE),
    (["invest", "tinybox-red-v2-oregon", "--token-price-decline-per-year", "1.5"], ExitCode.USAGE),
    (["invest", "tinybox-red-v2-oregon", "--model", "llama-2-7b"], ExitCode.INVALID_INPUT),
    (["rent-or-buy", "aws-p5-ondemand", "tinybox-red-v2-oregon"], ExitCode.INVALID_INPUT),
    (["fleet", "--power-mw", "-1"], ExitCode.USAGE),
    (["breakeven", "aws-p5-ondemand", "tinybox-red-v2-oregon", "--vary", "site.nope"], ExitCode.INVALID_INPUT),
    (["breakeven", "aws-p5-ondemand", "tinybox-red-v2-oregon", "--vary", "precision"], ExitCode.INVALID_INPUT),
    (["breakeven", "aws-p5-ondemand", "tinybox-red-v2-oregon", "--vary", "utilization", "--range", "1:0"], ExitCode.USAGE),
    (["scenario", "run", "tinycorp-vs-clod"], ExitCode.INVALID_INPUT),
    (["profiles", "show", "h100-sx"], ExitCode.INVALID_INPUT),
    (["profiles", "list", "hardwares"], ExitCode.USAGE),
    (["profiles", "validate", "/nonexistent/dir"], ExitCode.INVALID_INPUT),
    (["-C", "/nonexistent/dir", "compare"], ExitCode.USAGE),
]


@pytest.mark.parametrize("args,code", BAD_COMMAND_LINES, ids=lambda v: " ".join(v) if isinstance(v, list) else str(v))
def test_bad_command_line(args, code, invoke, monkeypatch):
    monkeypatch.chdir(REPO)
    monkeypatch.delenv("COMPUTECOST_PATH", raising=False)
    got, stdout, stderr = invoke(args)
    assert got == code, (stdout, stderr)
    assert "Traceback" not in stderr and "internal error" not in stderr
    assert stdout == ""
    assert len([line for line in stderr.splitlines() if line.startswith("error: ")]) <= 1
