"""Issue 16: inputs that must end in one error line with a documented exit code.

Item 2 (stdin and files read with the 2 MB limit applied while reading), item 8 (bad input
reported as a bug) and item 10 (smaller ones: control characters, devices and broken
catalog entries).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from compute_cli.errors import ExitCode, InputError
from compute_cli.profiles.yamlio import MAX_FILE_BYTES, read_stream

from .conftest import REPO

COMMAND = [sys.executable, "-m", "compute_cli"]
TOY = ("-C", "tests/data/profiles")
ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
STDIN_COMMANDS = [
    ("compare", "-"),
    ("profiles", "validate", "-"),
    ("check", "-", "--max-usd-per-gpu-hour", "1"),
    ("diff", "-", "tests/data/diff/base.json"),
    ("diff", "tests/data/diff/base.json", "-"),
]


def _one_error_line(stderr: str) -> bool:
    return stderr.count("\n") == 1 and stderr.startswith("error: ") and "Traceback" not in stderr


# ------------------------------------------------------------ item 2: bounded reading
class Endless:
    """A binary stream that never ends, counting what was read from it."""

    def __init__(self, chunk=b"a: 1\n"):
        self.chunk, self.taken = chunk, 0

    def read(self, n=-1):
        if n is None or n < 0:
            raise AssertionError("read without a limit")
        self.taken += n
        return (self.chunk * (n // len(self.chunk) + 1))[:n]


def test_an_endless_stream_is_read_only_to_the_limit():
    stream = Endless()
    with pytest.raises(InputError, match=f"more than {MAX_FILE_BYTES:,} bytes"):
        read_stream(stream, "<stdin>")
    assert stream.taken == MAX_FILE_BYTES + 1


@pytest.mark.parametrize("args", STDIN_COMMANDS)
def test_endless_stdin_is_refused_in_bounded_memory(args):
    yes = subprocess.Popen(["yes", "a: 1"], stdout=subprocess.PIPE)
    try:
        result = subprocess.run([*COMMAND, "-q", *args], stdin=yes.stdout, cwd=REPO, capture_output=True, text=True,
                                timeout=120)
    finally:
        yes.kill()
        yes.wait()
    assert result.returncode == ExitCode.INVALID_INPUT
    assert _one_error_line(result.stderr) and "<stdin>: is more than 2,097,152 bytes" in result.stderr


@pytest.mark.parametrize("args", STDIN_COMMANDS[:2])
def test_dev_zero_on_stdin_is_refused(args):
    with open(os.devnull if not os.path.exists("/dev/zero") else "/dev/zero", "rb") as zero:
        result = subprocess.run([*COMMAND, "-q", *args], stdin=zero, cwd=REPO, capture_output=True, text=True,
                                timeout=120)
    assert result.returncode == ExitCode.INVALID_INPUT and _one_error_line(result.stderr)


def test_a_file_over_the_limit_names_its_size(cli, tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (MAX_FILE_BYTES + 10))
    result = cli("compare", big)
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert f"is {MAX_FILE_BYTES + 10:,} bytes" in result.stderr and _one_error_line(result.stderr)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_profile_linked_to_a_device_is_refused_as_a_device(cli, tmp_path):
    (tmp_path / "setups").mkdir()
    (tmp_path / "setups" / "z.yaml").symlink_to("/dev/zero")
    direct = cli("compare", tmp_path / "setups" / "z.yaml")
    in_catalog = cli("-C", tmp_path, "compare", "z")
    for result in (direct, in_catalog):
        assert result.exit_code == ExitCode.INVALID_INPUT and _one_error_line(result.stderr)
        assert "z.yaml: is " in result.stderr and "0 bytes" not in result.stderr


# ------------------------------------------------ item 10: broken catalog entries
@pytest.mark.parametrize("make, fragment", [
    (lambda p: p.symlink_to("nowhere.yaml"), "a symbolic link to a file that does not exist"),
    (lambda p: p.mkdir(), "is a directory"),
])
def test_a_broken_entry_is_named_not_did_you_mean_itself(cli, tmp_path, make, fragment):
    (tmp_path / "setups").mkdir()
    make(tmp_path / "setups" / "a.yaml")
    result = cli("-C", tmp_path, "compare", "a")
    assert result.exit_code == ExitCode.INVALID_INPUT and _one_error_line(result.stderr)
    assert "setups/a.yaml" in result.stderr and fragment in result.stderr and "did you mean" not in result.stderr


def test_an_unreadable_setups_folder_is_named(cli, tmp_path, monkeypatch):
    folder = tmp_path / "setups"
    folder.mkdir()
    real_scandir = os.scandir

    def scandir(path="."):
        if str(path) == str(folder):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = cli("-C", tmp_path, "compare")
    assert result.exit_code == ExitCode.INVALID_INPUT and _one_error_line(result.stderr)
    assert "setups: cannot list the setups profiles: Permission denied" in result.stderr


@pytest.mark.skipif(ROOT, reason="root reads any folder")
def test_an_unreadable_setups_folder_for_real(cli, tmp_path):
    folder = tmp_path / "setups"
    folder.mkdir()
    (folder / "a.yaml").write_text("id: a\n")
    folder.chmod(0)
    try:
        for args in (("compare",), ("compare", "a")):
            result = cli("-C", tmp_path, *args)
            assert result.exit_code == ExitCode.INVALID_INPUT and _one_error_line(result.stderr)
            assert "setups" in result.stderr and "ermission denied" in result.stderr
    finally:
        folder.chmod(0o755)


# ------------------------------------------- items 8 and 10: what is echoed back
def test_a_very_long_setup_id_is_a_clear_error(cli):
    result = cli("compare", "a" * 100_000)
    assert result.exit_code == ExitCode.INVALID_INPUT and _one_error_line(result.stderr)
    assert "(100,000 characters)" in result.stderr and len(result.stderr) < 400


def test_control_characters_in_a_set_value_are_refused_and_never_echoed_raw(cli):
    result = cli(*TOY, "compare", "toy-own", "--model", "toy-dense", "--set", "notes=\x1b[31mred")
    assert result.exit_code == ExitCode.USAGE and _one_error_line(result.stderr)
    assert "\x1b" not in result.stderr and "\\x1b[31m" in result.stderr


def test_control_characters_in_arguments_are_escaped_in_messages(cli):
    result = cli("compare", "bad\x1b[2J\nid")
    assert result.exit_code == ExitCode.INVALID_INPUT and _one_error_line(result.stderr)
    assert "\x1b" not in result.stderr and "\\x1b[2J\\nid" in result.stderr


def test_escaped_control_characters_in_yaml_text_are_refused(cli, tmp_path):
    (tmp_path / "setups").mkdir()
    (tmp_path / "setups" / "a.yaml").write_text('id: a\nname: "x\\e[31m"\n')
    result = cli("-C", tmp_path, "compare", "a")
    assert result.exit_code == ExitCode.INVALID_INPUT and _one_error_line(result.stderr)
    assert "a.yaml:2: name: control characters" in result.stderr


def test_a_raw_control_character_in_yaml_is_one_line_with_its_line(cli, tmp_path):
    (tmp_path / "setups").mkdir()
    (tmp_path / "setups" / "a.yaml").write_bytes(b"id: a\nname: x\x07y\n")
    result = cli("-C", tmp_path, "compare", "a")
    assert result.exit_code == ExitCode.INVALID_INPUT and _one_error_line(result.stderr)
    assert "a.yaml:2: YAML does not allow the character U+0007" in result.stderr


def test_tables_escape_control_characters_in_cells():
    from compute_cli.render.formats import to_markdown, to_plain

    assert "\x1b" not in to_plain(["a\x1b[31m"], [["x\ny"]]) and "\\x1b[31m" in to_plain(["a\x1b[31m"], [["x"]])
    assert "\x1b" not in to_markdown(["h"], [["\x1b]0;title\x07"]])


@pytest.mark.parametrize("assignments, what", [
    (("utilization=1e-320",), "per token"),  # a finite GPU-hour over 1e-320 of the hours
    # capital beyond half the largest float: its book-value insurance and tax overflow the GPU-hour itself
    (("accelerator.price_usd=1.7e308", "utilization=1e-10"), "per GPU-hour"),
])
def test_a_cost_beyond_the_range_of_a_number_is_null_with_a_note(cli, assignments, what):
    import json

    sets = [arg for a in assignments for arg in ("--set", a)]
    result = cli(*TOY, "compare", "toy-own", "--model", "toy-dense", *sets, "-f", "json")
    assert result.exit_code == 0, result.stderr
    row = json.loads(result.stdout)["setups"][0]
    assert row["cost_usd_per_million_output_tokens"] is None
    assert f"the cost {what} is beyond the range of a number" in row["note"]
