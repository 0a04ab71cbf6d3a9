"""Exit codes and the exceptions that carry them to the CLI."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes; documented in README.md."""

    OK = 0
    INTERNAL = 1  # a bug in computecost
    USAGE = 2  # bad command line, or an output that cannot be written
    INVALID_INPUT = 3  # invalid profile, file or value
    THRESHOLD = 4  # a cost threshold was breached (check / diff)


class ComputeCostError(Exception):
    """An error the user can act on. ``str()`` is the one-line message."""

    exit_code = ExitCode.INVALID_INPUT


class UsageError(ComputeCostError):
    exit_code = ExitCode.USAGE


class OutputError(ComputeCostError):
    """An output that cannot be written: a full disk, a file too large, a closed stdout."""

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
_CONTROL = None


def printable(text: str, keep: str = "") -> str:
    r"""``text`` with control characters (ANSI escapes, newlines, bidi overrides) spelled out, so a
    value echoed in a message or a table header stays one plain line; the characters in ``keep``
    are left as they are.

    >>> printable("red\x1b[31m\nline")
    'red\\x1b[31m\\nline'
    """
    global _CONTROL
    if text.isprintable():  # the common case: nothing to do, and no regex compiled
        return text
    if _CONTROL is None:
        import re

        _CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
    return _CONTROL.sub(lambda m: m.group() if m.group() in keep else _escape(m.group()), text)


def _escape(char: str) -> str:
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    if char in named:
        return named[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
