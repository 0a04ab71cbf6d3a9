"""One run of the ``computecost`` process: standard streams, signals and the exit code.

* Signals. SIGINT, SIGTERM, SIGHUP and SIGQUIT become an :class:`Interrupted` exception in
  the main thread, so every ``with`` block unwinds (an ``--output`` temporary file is
  removed, the file it would replace is left as it was) and the run exits 128 + the
  signal number with one line, ``interrupted (SIGTERM)``. The exception is not an
  ``Exception``: no handler on the way can mistake it for an error.
* Streams. A standard stream closed by the caller (``>&-``) has ``/dev/null`` opened on
  its descriptor, so no file computecost opens can take descriptor 1 and receive the
  results; stdout is wrapped so that writing to a closed stdout, a full disk or a file
  over its size limit is one ``error:`` line and exit 2 (render.output.GuardedStream),
  including for ``--help`` and ``--version`` and for the last flush at exit.
"""

from __future__ import annotations

import os
import signal
import sys

from typer.core import TyperGroup

from compute_cli.errors import ComputeCostError, ExitCode

SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT") if hasattr(signal, name))


class Interrupted(BaseException):
    """A signal asked the run to stop: unwind, clean up, exit 128 + signo."""

    def __init__(self, signo: int):
        super().__init__(signo)
        self.signo = signo

    @property
    def exit_code(self) -> int:
        return 128 + self.signo

    @property
    def name(self) -> str:
        return signal.Signals(self.signo).name


def _on_signal(signo, _frame):
    for s in SIGNALS:  # the clean-up that follows is not interrupted by a second signal
        signal.signal(s, signal.SIG_IGN)
    raise Interrupted(signo)


def install_signal_handlers() -> None:
    for s in SIGNALS:
        if signal.getsignal(s) is signal.SIG_IGN:
            continue  # started with the signal ignored (nohup, a background job): keep it ignored
        signal.signal(s, _on_signal)


def guard_standard_streams() -> None:
    """Keep descriptors 0-2 taken, and wrap stdout so that a failed write is an error line."""
    from compute_cli.render.output import GuardedStream

    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            opened = os.open(os.devnull, os.O_RDWR)
            if opened != fd:  # a lower descriptor was free too: it is taken in its own turn
                os.dup2(opened, fd)
                os.close(opened)
    sys.stdout = GuardedStream(sys.stdout)


def _say(message: str) -> None:
    try:
        if sys.stderr is not None:
            sys.stderr.write(message + "\n")
            sys.stderr.flush()
    except OSError:
        pass  # stderr is gone too: the exit code is all that is left


def _silence_stdout() -> None:
    """After stdout failed: point descriptor 1 at /dev/null so the interpreter's last flush cannot fail again."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.close(null)
    except OSError:
        pass


def usage_line(exc) -> str:
    """A command-line error (Click's, for options Typer parses) as one line, with where to look.

    Click would print three lines of usage before the error; computecost keeps every error to one.
    """
    from compute_cli.errors import printable

    message = " ".join(printable(exc.format_message(), keep="\n").split())
    ctx = getattr(exc, "ctx", None)
    hint = f" (see '{ctx.command_path} --help')" if ctx is not None and getattr(ctx, "command_path", None) else ""
    return f"error: {message}{hint}"


class Group(TyperGroup):
    """The root command: Click's own errors (bad options and arguments) as one ``error:`` line.

    Click prints them after three lines of usage; here they read like every other error of
    computecost, with the same exit code (2). Used by ``main`` and by the test runner alike.
    """

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        import typer

        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except typer.Abort:
            typer.echo("interrupted", err=True)
            sys.exit(130)
        except typer.TyperException as exc:  # Click's errors, and --help with no command
            if type(exc).__name__ == "NoArgsIsHelpError":  # a bare `computecost`: the help, as Click shows it
                exc.show()
            else:
                typer.echo(usage_line(exc), err=True)
            sys.exit(getattr(exc, "exit_code", int(ExitCode.USAGE)))
        sys.exit(rv if isinstance(rv, int) else 0)


def run(app) -> None:
    """Run the Typer ``app`` and exit with its code, or 2 for an unwritable stdout, or 128 + signo."""
    guard_standard_streams()
    install_signal_handlers()
    code = 0
    try:
        try:
            app(prog_name="computecost")
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            if exc.code is not None and not isinstance(exc.code, int):
                _say(str(exc.code))
        if getattr(sys.stdout, "failed", False):  # already reported by the command
            _silence_stdout()
        else:
            sys.stdout.flush()
    except BrokenPipeError:  # the reader of stdout left: nothing more to say, and no one to say it to
        _silence_stdout()
        code = 0
    except ComputeCostError as exc:  # an unwritable stdout outside a command (--help, --version, the last flush)
        _silence_stdout()
        _say(f"error: {exc}")
        code = exc.exit_code
    except Interrupted as exc:
        _say(f"interrupted ({exc.name})")
        code = exc.exit_code
    except OSError as exc:  # stderr itself failed
        _silence_stdout()
        code = int(ExitCode.USAGE) if code == 0 else code
        _say(f"error: {exc.strerror or exc}")
    sys.exit(code)
