"""Where results go: ``--output FILE`` written atomically, and a progress bar on stderr.

``atomic_output`` writes to a temporary file in the destination's directory and
renames it over the destination only when everything was written, so a run that
fails half-way (bad input, Ctrl-C, a full disk) leaves an existing file as it was.
A destination that is not a regular file (``/dev/null``, a named pipe) is written
as it is.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path

from compute_cli.errors import UsageError


@contextlib.contextmanager
def atomic_output(path, binary: bool = False):
    """Yield a file object; on a clean exit it replaces ``path``, on an exception it is removed."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise UsageError(f"--output {path}: is a directory")
    mode = "wb" if binary else "w"
    kwargs = {} if binary else {"encoding": "utf-8", "newline": ""}
    if path.exists() and not path.is_file():
        # a device or a pipe (/dev/null, /dev/stdout, a FIFO): nothing to replace, and replacing one
        # would put a plain file in its place, so write to it as it is
        with open(path, mode, **kwargs) as fh:
            yield fh
        return
    if not folder.is_dir():
        raise UsageError(f"--output {path}: no such directory '{folder}'")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise UsageError(f"--output {path}: cannot write in '{folder}': {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, mode, **kwargs) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a normal file is wanted
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def output_stream(path):
    """``--output FILE`` (atomically) or stdout when ``path`` is None."""
    if path is None:
        yield sys.stdout
        return
    with atomic_output(path) as fh:
        yield fh


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
