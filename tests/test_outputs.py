"""Issue 16, items 1, 6 and 7: output targets, signals, and stdout that cannot be written.

The rule (render/output.py, README "Guarantees"): ``-`` is stdout; a regular file is
replaced atomically keeping its mode (and owner as root); a symlink is followed to the
file it names; a FIFO or a character device is written through, never replaced; a
failed write is one error line and exit 2. Processes are started for real where the
behaviour lives in ``main`` (signals, closed and full stdout).
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from compute_cli.errors import ExitCode, OutputError, UsageError
from compute_cli.render.output import TEMP_MARK, atomic_output, target

from .conftest import REPO

TOY = ("-C", "tests/data/profiles")
SWEEP = (*TOY, "sweep", "toy-own", "--model", "toy-dense", "--vary", "utilization=0.1:0.9:5", "-f", "csv")
COMMAND = [sys.executable, "-m", "compute_cli"]
ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
ON_LINUX = sys.platform.startswith("linux")


def _run(*args, **kwargs):
    return subprocess.run([*COMMAND, *map(str, args)], cwd=REPO, capture_output=True, text=True, timeout=120,
                          **kwargs)


def _no_temporaries(folder: Path) -> bool:
    return not [p for p in folder.iterdir() if TEMP_MARK in p.name]


# ----------------------------------------------------------------- item 1: targets
def test_dash_is_stdout(cli, tmp_path, monkeypatch):
    result = cli(*SWEEP, "--output", "-")
    assert result.exit_code == 0 and result.stdout.startswith("utilization,")
    assert not (REPO / "-").exists()


def test_a_regular_file_keeps_its_mode(cli, tmp_path):
    out = tmp_path / "grid.csv"
    out.write_text("old\n")
    out.chmod(0o640)
    assert cli(*SWEEP, "--output", out).exit_code == 0
    assert out.read_text().startswith("utilization,") and stat.S_IMODE(out.stat().st_mode) == 0o640
    assert _no_temporaries(tmp_path)


def test_a_new_file_gets_the_umask(cli, tmp_path):
    out = tmp_path / "new.csv"
    old = os.umask(0o027)
    try:
        assert cli(*SWEEP, "--output", out).exit_code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


def test_a_symlink_is_followed_and_stays_a_link(cli, tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("old\n")
    real.chmod(0o600)
    link = tmp_path / "link.csv"
    link.symlink_to("real.csv")
    assert cli(*SWEEP, "--output", link).exit_code == 0
    assert link.is_symlink() and os.readlink(link) == "real.csv"
    assert real.read_text().startswith("utilization,") and stat.S_IMODE(real.stat().st_mode) == 0o600
    assert _no_temporaries(tmp_path)


def test_a_dangling_symlink_creates_what_it_names(cli, tmp_path):
    link = tmp_path / "link.csv"
    link.symlink_to("made.csv")
    assert cli(*SWEEP, "--output", link).exit_code == 0
    assert link.is_symlink() and (tmp_path / "made.csv").read_text().startswith("utilization,")


def test_a_fifo_is_written_through(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE, text=True)
    result = _run(*SWEEP, "--output", fifo)
    got, _ = reader.communicate(timeout=60)
    assert result.returncode == 0, result.stderr
    assert got.startswith("utilization,") and stat.S_ISFIFO(fifo.lstat().st_mode)
    assert _no_temporaries(tmp_path)


@pytest.mark.skipif(not ON_LINUX, reason="/proc/self/fd")
def test_a_symlink_to_the_own_stdout_is_written_through(tmp_path):
    link = tmp_path / "fd1"
    link.symlink_to("/proc/self/fd/1")
    result = _run(*SWEEP, "--output", link)
    assert result.returncode == 0 and result.stdout.startswith("utilization,")
    assert link.is_symlink() and os.readlink(link) == "/proc/self/fd/1"


@pytest.mark.skipif(not ROOT, reason="mknod and chown need root")
def test_a_character_device_is_written_through_and_owner_kept(cli, tmp_path):
    dev = tmp_path / "null"
    os.mknod(dev, 0o600 | stat.S_IFCHR, os.makedev(1, 3))  # /dev/null
    assert cli(*SWEEP, "--output", dev).exit_code == 0
    assert stat.S_ISCHR(dev.lstat().st_mode)
    owned = tmp_path / "owned.csv"
    owned.write_text("old\n")
    os.chown(owned, 12345, 23456)
    assert cli(*SWEEP, "--output", owned).exit_code == 0
    assert (owned.stat().st_uid, owned.stat().st_gid) == (12345, 23456)


def test_a_directory_or_socket_is_refused(cli, tmp_path):
    result = cli(*SWEEP, "--output", tmp_path)
    assert result.exit_code == ExitCode.USAGE and "is a directory" in result.stderr
    import socket

    path = tmp_path / "sock"
    s = socket.socket(socket.AF_UNIX)
    try:
        s.bind(str(path))
        with pytest.raises(UsageError, match="is a socket"):
            target(path)
    finally:
        s.close()


def test_temporary_files_carry_a_recognisable_name(tmp_path):
    out = tmp_path / "grid.csv"
    with atomic_output(out) as fh:
        names = [p.name for p in tmp_path.iterdir()]
        fh.write("x")
    assert len(names) == 1 and names[0].startswith(".grid.csv.computecost-") and names[0].endswith(".tmp")


@pytest.mark.skipif(not ON_LINUX, reason="/dev/full")
def test_a_full_disk_on_output_is_one_line_and_exit_2(cli, tmp_path):
    link = tmp_path / "full.csv"
    link.symlink_to("/dev/full")  # a character device: written through, and every write fails
    result = cli(*SWEEP, "--output", link)
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.count("\n") == 1 and "No space left on device" in result.stderr
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_a_file_too_large_on_output_is_one_line(tmp_path):
    out = tmp_path / "big.csv"
    out.write_text("old\n")
    args = [*SWEEP[:-3], "utilization=0.1:0.9:500", "-f", "csv", "--output", str(out)]
    code = ("import resource, signal, sys; resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000)); "
            f"signal.signal(signal.SIGXFSZ, signal.SIG_IGN); sys.argv = ['computecost', *{args!r}]; "
            "from compute_cli.cli import main; main()")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == ExitCode.USAGE, result.stderr
    assert result.stderr.count("\n") == 1 and "File too large" in result.stderr
    assert out.read_text() == "old\n" and _no_temporaries(tmp_path)


def test_atomic_output_reports_write_errors_as_output_errors(tmp_path):
    import errno

    with pytest.raises(OutputError, match="cannot write: No space left"), atomic_output(tmp_path / "x"):
        raise OSError(errno.ENOSPC, "No space left on device")
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------ item 7: stdout and --help
@pytest.mark.skipif(not ON_LINUX, reason="/dev/full")
@pytest.mark.parametrize("args", [("--help",), ("--version",), ("compare", "--help"), (*TOY, "compare", "toy-own",
                                  "--model", "toy-dense"), SWEEP])
def test_full_stdout_is_one_error_line(args):
    with open("/dev/full", "w") as full:
        result = subprocess.run([*COMMAND, *args], cwd=REPO, stdout=full, stderr=subprocess.PIPE, text=True,
                                timeout=120)
    assert result.returncode == ExitCode.USAGE
    assert result.stderr == "error: cannot write to stdout: No space left on device\n"


@pytest.mark.parametrize("args", [("--version",), (*TOY, "compare", "toy-own", "--model", "toy-dense")])
def test_closed_stdout_is_one_error_line(args):
    result = subprocess.run([*COMMAND, *args], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, timeout=120, preexec_fn=lambda: os.close(1))
    assert result.returncode == ExitCode.USAGE
    assert result.stderr == "error: cannot write to stdout: stdout is closed\n"


def test_closed_stdout_does_not_stop_an_output_file(tmp_path):
    out = tmp_path / "grid.csv"
    result = subprocess.run([*COMMAND, *SWEEP, "--output", str(out)], cwd=REPO, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, timeout=120, preexec_fn=lambda: os.close(1))
    assert result.returncode == 0, result.stderr
    assert out.read_text().startswith("utilization,")


def test_a_reader_that_leaves_is_not_an_error():
    proc = subprocess.Popen([*COMMAND, *TOY, "sweep", "toy-own", "--model", "toy-dense", "--vary",
                             "utilization=0.1:0.9:1000", "--vary", "site.pue=1:2:1000", "-f", "csv"], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        proc.stdout.readline()
        proc.stdout.close()
        assert proc.wait(timeout=120) == 0
        assert proc.stderr.read() == b""
    finally:
        proc.kill()
        proc.wait()


# ----------------------------------------------------------------- item 6: signals
def _default_signals() -> None:
    """The child's signals at their defaults: a suite run under nohup or as a background job has SIGHUP,
    SIGINT and SIGQUIT ignored, which a child inherits and computecost rightly keeps ignored."""
    for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGINT):
        signal.signal(s, signal.SIG_DFL)


@pytest.mark.parametrize("signo", [signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGINT])
def test_a_signal_removes_the_temporary_file_and_keeps_the_target(tmp_path, signo):
    out = tmp_path / "keep.csv"
    out.write_text("keep\n")
    proc = subprocess.Popen([*COMMAND, *TOY, "sweep", "toy-own", "--model", "toy-dense", "--vary",
                             "utilization=0.1:0.9:2000", "--vary", "site.pue=1:2:2000", "-f", "csv", "--output",
                             str(out)], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_default_signals)
    try:
        deadline = time.monotonic() + 60
        while _no_temporaries(tmp_path) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.02)
        if _no_temporaries(tmp_path):
            proc.kill()
            out, err = proc.communicate()
            raise AssertionError(f"the sweep never started writing: exit {proc.returncode}, {err[:500]!r}")
        proc.send_signal(signo)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == 128 + signo
    assert err == f"interrupted ({signal.Signals(signo).name})\n"
    assert out.read_text() == "keep\n" and _no_temporaries(tmp_path)
