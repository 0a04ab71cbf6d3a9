"""Where results go: ``--output FILE`` (or ``-``, stdout), stdout itself, and a progress bar on stderr.

The rule for an output target (README.md, "Guarantees"):

* ``-`` is stdout.
* A regular file, or a name that does not exist yet, is written to a temporary file in the
  same directory, ``.NAME.computecost-XXXXXXXX.tmp``, which is renamed over NAME only when
  everything was written. A run that fails half-way (bad input, a signal, a full disk)
  leaves an existing file as it was and removes its temporary file; a leftover after
  SIGKILL is found by that name. The new file keeps the mode of the file it replaces (and
  its owner and group when computecost runs as root); a new file gets 0666 less the umask.
* A symbolic link is followed to the file it names, which is replaced as above; the link
  itself stays a link.
* A FIFO or a character device (``/dev/null``, ``/dev/stdout``, a terminal) is written
  through: opened and written, never replaced.
* Anything else (a directory, a socket, a block device) is refused (exit 2).

A write that fails (a full disk, a file too large, a closed stdout) ends the run with one
line naming the target and exit 2, never with a traceback.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
from pathlib import Path

from compute_cli.errors import OutputError, UsageError

STDOUT = "-"
TEMP_MARK = ".computecost-"  # .NAME.computecost-XXXXXXXX.tmp
TEMP_SUFFIX = ".tmp"
TEMP_NAME_CHARS = 100  # of NAME kept in the temporary name: NAME_MAX is 255 bytes
# errors of a write that the person running computecost can act on (anything else is a bug)
WRITE_ERRNOS = frozenset(getattr(errno, name) for name in ("ENOSPC", "EFBIG", "EDQUOT", "EIO", "EROFS", "EBADF", "ENXIO")
                         if hasattr(errno, name))


def is_write_error(exc: BaseException) -> bool:
    """An OSError of a failed write (not a broken pipe, which ends a run quietly)."""
    return isinstance(exc, OSError) and not isinstance(exc, BrokenPipeError) and exc.errno in WRITE_ERRNOS


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISSOCK, "a socket"), (stat.S_ISBLK, "a block device")):
        if test(mode):
            return name
    return "not a regular file"


def target(path, option: str = "--output") -> tuple[str, Path | None, os.stat_result | None]:
    """How ``path`` is written: ``("stdout" | "through" | "replace", path to open or replace, its stat or None)``."""
    if str(path) == STDOUT:
        return "stdout", None, None
    p = Path(path)
    try:
        st = os.stat(p)  # follows symbolic links
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise UsageError(f"{option} {p}: {_reason(exc)}") from None
    if st is None:  # nothing there yet, or a link to nothing: create what the link names
        real = Path(os.path.realpath(p)) if p.is_symlink() else p
        folder = real.parent if str(real.parent) else Path(".")
        if not folder.is_dir():
            raise UsageError(f"{option} {p}: no such directory '{folder}'")
        return "replace", real, None
    if stat.S_ISFIFO(st.st_mode) or stat.S_ISCHR(st.st_mode):
        return "through", p, st
    if stat.S_ISREG(st.st_mode):
        return "replace", Path(os.path.realpath(p)), st
    raise UsageError(f"{option} {p}: is {_kind(st.st_mode)}; write to a regular file, a FIFO or a character device")


@contextlib.contextmanager
def _reported(option: str, path) -> None:
    """Turn a failed write into one line naming the target."""
    try:
        yield
    except OSError as exc:
        if not is_write_error(exc):
            raise
        raise OutputError(f"{option} {path}: cannot write: {_reason(exc)}") from None


def _open_mode(binary: bool) -> tuple[str, dict]:
    return ("wb", {}) if binary else ("w", {"encoding": "utf-8", "newline": ""})


@contextlib.contextmanager
def atomic_output(path, binary: bool = False, option: str = "--output"):
    """Yield a file object for ``path`` by the rule above; on an exception nothing is replaced."""
    how, real, st = target(path, option)
    mode, kwargs = _open_mode(binary)
    if how == "stdout":  # a failed write to stdout is reported by GuardedStream
        yield sys.stdout.buffer if binary else sys.stdout
        return
    if how == "through":
        try:
            fh = open(real, mode, **kwargs)
        except OSError as exc:
            raise UsageError(f"{option} {path}: cannot open: {_reason(exc)}") from None
        with _reported(option, path), fh:
            yield fh
        return
    folder = real.parent if str(real.parent) else Path(".")
    try:
        fd, tmp = _mkstemp(real.name, folder)
    except OSError as exc:
        raise UsageError(f"{option} {path}: cannot write in '{folder}': {_reason(exc)}") from None
    try:
        with _reported(option, path):
            with os.fdopen(fd, mode, **kwargs) as fh:
                yield fh
                fh.flush()
                os.fsync(fh.fileno())
            _keep_attributes(tmp, st)
            os.replace(tmp, real)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _mkstemp(name: str, folder: Path) -> tuple[int, str]:
    import tempfile

    return tempfile.mkstemp(prefix=f".{name[:TEMP_NAME_CHARS]}{TEMP_MARK}", suffix=TEMP_SUFFIX, dir=folder)


def _keep_attributes(tmp: str, st: os.stat_result | None) -> None:
    """The replaced file's mode (and owner, as root); 0666 less the umask for a new file (mkstemp makes 0600)."""
    if st is None:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        return
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        with contextlib.suppress(OSError):
            os.chown(tmp, st.st_uid, st.st_gid)  # before chmod: chown clears set-id bits
    os.chmod(tmp, stat.S_IMODE(st.st_mode))


@contextlib.contextmanager
def output_stream(path):
    """``--output FILE`` by the rule above, or stdout when ``path`` is None or ``-``."""
    if path is None:
        yield sys.stdout
        return
    with atomic_output(path) as fh:
        yield fh


class GuardedStream:
    """stdout for a run: a failed write raises OutputError (one line, exit 2) instead of a traceback.

    A broken pipe stays a BrokenPipeError (the reader left: the run ends quietly). ``stream`` None
    is a closed stdout: every write fails.
    """

    def __init__(self, stream, name: str = "stdout"):
        self._stream = stream
        self._name = name
        self.failed = False  # a write failed and was reported

    def _fail(self, exc: OSError):
        self.failed = True
        raise OutputError(f"cannot write to {self._name}: {_reason(exc)}") from None

    def write(self, text):
        if self._stream is None:
            self._fail(OSError(errno.EBADF, f"{self._name} is closed"))
        try:
            return self._stream.write(text)
        except OSError as exc:
            if not is_write_error(exc):
                raise
            self._fail(exc)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        if self._stream is None:
            return
        try:
            self._stream.flush()
        except OSError as exc:
            if not is_write_error(exc):
                raise
            self._fail(exc)

    def isatty(self) -> bool:
        return self._stream is not None and self._stream.isatty()

    def __getattr__(self, name):
        if self._stream is None:
            raise AttributeError(name)
        return getattr(self._stream, name)


class _NoProgress:
    def advance(self, n: int) -> None:
        pass


@contextlib.contextmanager
def progress(total: int, description: str, min_total: int = 1, stream=None):
    """A rich progress bar on stderr for ``total`` units, only when stderr is a terminal.

    Yields an object with ``advance(n)``. Nothing is drawn, and rich is not even
    imported, when stderr is piped or redirected or the run is small.
    """
    stream = stream or sys.stderr
    if total < min_total or not getattr(stream, "isatty", lambda: False)():
        yield _NoProgress()
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    console = Console(file=stream, no_color=bool(os.environ.get("NO_COLOR")))
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(description, total=total)

        class _Advance:
            def advance(self, n: int) -> None:
                bar.advance(task, n)

        yield _Advance()
