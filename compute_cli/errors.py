"""Exit codes and the exceptions that carry them to the CLI."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes; documented in README.md."""

    OK = 0
    INTERNAL = 1  # a bug in computecost
    USAGE = 2  # bad command line
    INVALID_INPUT = 3  # invalid profile, file or value
    THRESHOLD = 4  # a cost threshold was breached (check / diff)


class ComputeCostError(Exception):
    """An error the user can act on. ``str()`` is the one-line message."""

    exit_code = ExitCode.INVALID_INPUT


class UsageError(ComputeCostError):
    exit_code = ExitCode.USAGE


class InputError(ComputeCostError):
    """Invalid profile or value: ``file:line: key.path: message``."""

    def __init__(self, message: str, file: str | None = None, line: int | None = None, path: str | None = None):
        self.message = message
        self.file = file
        self.line = line
        self.path = path
        super().__init__(self.format())

    def format(self) -> str:
        where = ""
        if self.file:
            where = self.file + (f":{self.line}" if self.line else "") + ": "
        key = f"{self.path}: " if self.path else ""
        return f"{where}{key}{self.message}"


def did_you_mean(word: str, candidates) -> str:
    """`` (did you mean 'x'?)`` for the closest candidate, or ``''``.

    >>> did_you_mean("pue_", ["pue", "region"])
    " (did you mean 'pue'?)"
    """
    import difflib  # only on the error path: not every call pays its import

    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


class ComputeCostWarning(UserWarning):
    """Something the user asked for that had no effect, or a result to read with care.

    The library warns through Python's ``warnings``; the CLI prints each as one
    ``warning:`` line on stderr (none with ``--quiet``).
    """


class ComputeCostNote(ComputeCostWarning):
    """Something worth knowing that is not wrong: printed as a ``note:`` line (none with ``--quiet``)."""
