"""Every case under tests/data/invalid/ fails ``profiles validate`` with exit 3, naming file, line and key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from compute_cli.errors import ExitCode
from compute_cli.profiles.schema import KINDS

INVALID = Path(__file__).resolve().parent / "data" / "invalid"
HEADER = re.compile(r"^# expect: (?P<text>.+?)(?: \(line (?P<line>\d+)\))?$")
KEY_PATH = re.compile(r"[a-z_][a-z0-9_]*(?:\.[a-z0-9_]+)*")

# case -> reason, for cases that expose a known bug (marked xfail, strict)
KNOWN_BUGS: dict[str, str] = {}

CASES = sorted(p.name for p in INVALID.iterdir() if p.is_dir())


def case_file(case: str) -> Path:
    files = sorted((INVALID / case).glob("*/*.yaml"))
    assert len(files) == 1, f"{case}: expected one profile, found {files}"
    assert files[0].parent.name in KINDS
    return files[0]


def expectation(path: Path) -> tuple[str, int | None]:
    """(text stderr must contain, line it must name or None) from the file's first line."""
    first, *rest = path.read_text(encoding="utf-8").splitlines()
    m = HEADER.match(first)
    assert m, f"{path}: first line must be '# expect: <key.path> [(line N)]'"
    text, line = m.group("text"), m.group("line")
    if line:
        return text, int(line)
    if not KEY_PATH.fullmatch(text):
        return text, None
    # the line where the key path is written: each part searched below the previous one
    start, indent = 1, ""
    for part in text.split("."):
        for number, content in enumerate(rest[start - 1:], start=start + 1):
            if re.match(rf"{indent}\s*{re.escape(part)}\s*:", content):
                start, indent = number, r"\s+"
                break
        else:
            raise AssertionError(f"{path}: key '{part}' not found")
    return text, start


def test_there_are_cases():
    assert len(CASES) >= 15
    for case in CASES:
        expectation(case_file(case))


@pytest.mark.parametrize(
    "case", [pytest.param(c, marks=pytest.mark.xfail(reason=KNOWN_BUGS[c], strict=True)) if c in KNOWN_BUGS else c
             for c in CASES])
def test_invalid_case_fails_with_file_line_and_key(case, cli):
    path = case_file(case)
    text, line = expectation(path)
    shown = path.relative_to(INVALID.parent.parent.parent).as_posix()  # tests/data/invalid/<case>/<kind>/<id>.yaml
    result = cli("profiles", "validate", f"tests/data/invalid/{case}")
    assert result.exit_code == ExitCode.INVALID_INPUT, result.stderr
    assert result.stdout == ""
    err = result.stderr
    assert err.startswith("error: "), err
    assert "Traceback" not in err
    if line is None:
        assert re.search(rf"{re.escape(shown)}:\d+: ", err), err
    else:
        assert f"{shown}:{line}: " in err, err
    assert text in err, err
    if KEY_PATH.fullmatch(text):  # the key path is named as a key, not only mentioned
        assert re.search(rf"(: {re.escape(text)}: |'{re.escape(text)}')", err), err


@pytest.mark.parametrize("case", [c for c in CASES if c not in KNOWN_BUGS])
def test_invalid_case_also_fails_as_a_single_file(case, cli):
    path = case_file(case)
    result = cli("profiles", "validate", path.relative_to(INVALID.parent.parent.parent).as_posix())
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert path.name in result.stderr
