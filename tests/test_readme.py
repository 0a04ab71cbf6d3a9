"""The README's examples are real runs: every ``$ computecost ...`` shown with its output prints that output.

An example runs through the CLI from the repository (as the README's paths are),
a file it writes going to a scratch directory. Shell pipelines and redirections are left to the reader; a line starting
with ``...`` stands for any number of lines. Warnings on stderr may be shown after
the output or left out.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"


def blocks(text: str) -> list[list[str]]:
    """The lines of every fenced block."""
    found, current = [], None
    for line in text.splitlines():
        if line.startswith("```"):
            if current is None:
                current = []
            else:
                found.append(current)
                current = None
        elif current is not None:
            current.append(line)
    return found


def examples() -> list[tuple[str, list[str]]]:
    """``(command, expected output lines)`` for every ``$ computecost`` line of the README."""
    out = []
    for lines in blocks(README.read_text()):
        i = 0
        while i < len(lines):
            if not lines[i].startswith("$ "):
                i += 1
                continue
            command = lines[i][2:]
            while command.endswith("\\"):
                i += 1
                command = command[:-1] + lines[i].strip()
            i += 1
            expected = []
            while i < len(lines) and not lines[i].startswith("$ "):
                expected.append(lines[i].rstrip())
                i += 1
            while expected and not expected[-1]:
                expected.pop()
            if command.startswith("computecost ") and not any(c in command for c in "|<>;$`"):
                out.append((command, expected))
    return out


def matches(expected: list[str], actual: list[str]) -> bool:
    """Line for line, a ``...`` line standing for any run of lines."""
    def at(i: int, j: int) -> bool:
        if i == len(expected):
            return j == len(actual)
        if expected[i].startswith("..."):
            return any(at(i + 1, k) for k in range(j, len(actual) + 1))
        return j < len(actual) and expected[i] == actual[j] and at(i + 1, j + 1)

    return at(0, 0)


EXAMPLES = examples()


def test_the_readme_has_examples_to_check():
    assert len(EXAMPLES) >= 10
    assert any("-f parquet" in c for c, _ in EXAMPLES)


@pytest.mark.parametrize("command, expected", EXAMPLES, ids=[c[:60] for c, _ in EXAMPLES])
def test_readme_example_is_real_output(cli, command, expected, tmp_path):
    args = shlex.split(command)[1:]
    dirs = [args[k + 1] for k, a in enumerate(args[:-1]) if a in ("-C", "--config-dir")]
    if any(not (REPO / d).is_dir() for d in dirs):
        pytest.skip(f"needs the reader's own profiles ({', '.join(dirs)})")
    written = None
    for flag in ("-o", "--output"):
        if flag in args:
            k = args.index(flag) + 1
            written = args[k] = str(tmp_path / Path(args[k]).name)
    result = cli(*args, env={"NO_COLOR": "1"})
    stdout = [line.rstrip() for line in result.stdout.splitlines()]
    stderr = [line.rstrip() for line in result.stderr.splitlines()]
    assert matches(expected, stdout + stderr) or matches(expected, stdout), (
        f"README.md example out of date: {command}\n--- README\n" + "\n".join(expected)
        + "\n--- now\n" + "\n".join(stdout + stderr))
    if written is not None:
        assert Path(written).is_file()
