"""A setup given as a file path, or as ``-`` for stdin, where a setup id is expected.

``computecost compare my-setup.yaml aws-p5-ondemand`` and ``... | computecost compare -``:
an argument is a file when it is ``-``, contains a ``/`` or ends in ``.yaml``/``.yml``
(ids have none of these). The file is one setup profile, read and validated like
any other, and known by its ``id`` for the rest of the run (ahead of a catalog
profile with the same id). The profiles it names are looked up in the usual
directories; a file that sits in a ``setups/`` folder also brings that folder's
parent along, as if it were given with ``--config-dir``.
"""

from __future__ import annotations

import os
from pathlib import Path

from compute_cli.errors import InputError, UsageError
from compute_cli.profiles.catalog import Catalog, display_path
from compute_cli.profiles.loader import Loaded, load_text
from compute_cli.profiles.schema import KINDS
from compute_cli.profiles.yamlio import read_stream, read_text

STDIN = "-"
STDIN_NAME = "<stdin>"


def is_file_argument(arg: str) -> bool:
    """
    >>> [is_file_argument(a) for a in ("aws-p5-ondemand", "-", "./s.yaml", "s.yml", "setups/x")]
    [False, True, True, True, True]
    """
    return arg == STDIN or "/" in arg or os.sep in arg or arg.endswith((".yaml", ".yml"))


def read_profile(arg: str, kind: str, stdin=None) -> Loaded:
    """One profile of ``kind`` from a file path or from ``stdin`` (a binary stream) for ``-``."""
    if arg == STDIN:
        if stdin is None:
            raise UsageError("'-' reads a profile from stdin, but there is no stdin")
        return load_text(read_stream(stdin, STDIN_NAME), kind, STDIN_NAME)
    path = Path(arg)
    display = display_path(path)
    return load_text(read_text(path, display), kind, display)


def setup_ids(catalog: Catalog, args: list[str], stdin=None) -> list[str]:
    """Setup ids for ``args``: ids pass through; files and ``-`` are read and registered in ``catalog``."""
    ids = []
    from_files: dict[str, str] = {}
    if sum(a == STDIN for a in args) > 1:
        raise UsageError("'-' (stdin) can be given once")
    for arg in args:
        if not is_file_argument(arg):
            ids.append(arg)
            continue
        folder = None if arg == STDIN else Path(arg).resolve().parent
        if folder is not None and folder.name in KINDS and folder.name != "setups":
            raise InputError(f"is in a '{folder.name}' folder, so it is a {folder.name} profile; "
                             "a setup file is expected here", file=display_path(Path(arg)))
        loaded = read_profile(arg, "setups", stdin)
        if loaded.id in from_files:
            raise InputError(f"setup id '{loaded.id}' is also the id of {from_files[loaded.id]}", file=loaded.file,
                             line=loaded.line_of("id"), path="id")
        from_files[loaded.id] = loaded.file
        catalog.register(loaded, folder.parent if folder is not None and folder.name == "setups" else None)
        ids.append(loaded.id)
    return ids
