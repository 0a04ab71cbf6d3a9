"""The project config file, ``computecost.toml``: defaults a person or a CI job need not repeat.

```toml
model = "llama-3.1-8b"            # --model when a command is not given one
format = "json"                   # --format when not given (a command that cannot print it prints a table)
config_dirs = ["profiles"]        # searched after --config-dir, before COMPUTECOST_PATH (relative to this file)
max_age_days = 180                # --max-age-days: a price older than this is stale
```

Read from ``computecost.toml`` in the working directory, then from the user config
directory (``$XDG_CONFIG_HOME/computecost``, by default ``~/.config/computecost``); a
key set in the working directory's file wins over the user's. Options on the command
line win over both. A file that is not valid TOML, an unknown key or a value of the
wrong type is one error line naming the file and line (exit 3).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from compute_cli.errors import InputError, did_you_mean

FILE_NAME = "computecost.toml"
MAX_FILE_BYTES = 64 * 1024
FORMATS = ("table", "json", "csv", "jsonl", "markdown")
KEYS = {
    "model": "a model id, e.g. \"llama-3.1-8b\"",
    "format": "one of " + ", ".join(FORMATS),
    "config_dirs": "a list of directories, e.g. [\"profiles\"]",
    "max_age_days": "a whole number of days >= 0",
}


@dataclass(frozen=True)
class Settings:
    model: str | None = None
    format: str | None = None
    config_dirs: tuple[Path, ...] = ()
    max_age_days: int | None = None
    files: tuple[str, ...] = field(default=())  # the files read, nearest first


def user_config_dir(environ=None) -> Path | None:
    """``$XDG_CONFIG_HOME/computecost``, else ``$HOME/.config/computecost``; None when neither is set.

    >>> str(user_config_dir({"XDG_CONFIG_HOME": "/x"})), str(user_config_dir({"HOME": "/home/a"}))
    ('/x/computecost', '/home/a/.config/computecost')
    >>> user_config_dir({}) is None
    True
    """
    environ = os.environ if environ is None else environ
    xdg = environ.get("XDG_CONFIG_HOME", "")
    if xdg and os.path.isabs(xdg):  # the XDG spec: a relative value is ignored
        return Path(xdg) / "computecost"
    home = environ.get("HOME", "")
    return Path(home) / ".config" / "computecost" if home else None


def candidates(cwd: Path | None = None, environ=None) -> list[Path]:
    """Where ``computecost.toml`` is looked for, nearest first."""
    out = [Path(cwd or Path.cwd()) / FILE_NAME]
    user = user_config_dir(environ)
    if user is not None:
        out.append(user / FILE_NAME)
    return out


def load(cwd: Path | None = None, environ=None) -> Settings:
    """The settings of every ``computecost.toml`` found (see the module doc)."""
    merged: dict = {}
    files = []
    for path in reversed(candidates(cwd, environ)):  # the user's first, so the working directory's wins
        if path.is_file():
            merged.update(read(path))
            files.insert(0, str(path))
    return Settings(**merged, files=tuple(files))


def _line_of(text: str, key: str) -> int | None:
    match = re.search(rf"^\s*{re.escape(key)}\s*=", text, flags=re.M)
    return text.count("\n", 0, match.start()) + 1 if match else None


def read(path: Path) -> dict:
    """One file's settings, checked: ``{key: value}`` for the keys it sets."""
    import tomllib

    display = str(path)
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=display) from None
    if len(raw) > MAX_FILE_BYTES:
        raise InputError(f"file is larger than {MAX_FILE_BYTES:,} bytes; a {FILE_NAME} is a few lines", file=display)
    try:
        text = raw.decode("utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", file=display) from None
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = re.search(r" \(at line (\d+), column \d+\)$", message)
        line = int(match.group(1)) if match else None
        message = message[:match.start()] if match else message
        raise InputError(f"not valid TOML: {message[:1].lower()}{message[1:]}", file=display, line=line) from None
    out: dict = {}
    for key, value in data.items():
        line = _line_of(text, key)
        if key not in KEYS:
            raise InputError(f"unknown key{did_you_mean(key, KEYS)}; keys: {', '.join(KEYS)}", file=display,
                             line=line, path=key)

        def bad(got=value, key=key, line=line):
            return InputError(f"expected {KEYS[key]}, got {got!r}", file=display, line=line, path=key)

        if key == "model":
            if not isinstance(value, str) or not value:
                raise bad()
            out[key] = value
        elif key == "format":
            if value not in FORMATS:
                raise InputError(f"expected {KEYS[key]}, got {value!r}{did_you_mean(str(value), FORMATS)}",
                                 file=display, line=line, path=key)
            out[key] = value
        elif key == "max_age_days":
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise bad()
            out[key] = value
        else:
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                raise bad()
            out[key] = tuple(Path(v) if os.path.isabs(v) else path.parent / v for v in value)
    return out
