"""Safe YAML reading that remembers where every key came from.

PyYAML composes the document into nodes (which carry line marks); this module
walks the nodes itself, so that:

* only plain data is built (no object construction, ``yaml.safe`` rules);
* every key path gets its line number, for errors like ``file:7: site.pue: ...``;
* duplicate keys, non-finite numbers, deep nesting and alias bombs are refused;
* figures written with provenance (``{value: 3.35, source: ..., as_of: ...}``)
  are unwrapped to their value, and the provenance kept beside the data.
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass, field

import yaml

from compute_cli.errors import InputError, printable

MAX_FILE_BYTES = 2 * 1024 * 1024  # profiles are a few KB; refuse anything huge
MAX_DEPTH = 32
MAX_NODES = 20_000  # after alias expansion: stops "billion laughs"

PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "map", "seq",
                                                          "timestamp", "merge"))
FIGURE_KEYS = frozenset({"value", "source", "as_of", "assumption", "note", "url", "distribution"})

Path = tuple  # of str | int


def format_path(path: Path) -> str:
    """Render a key path as ``a.b[0].c``.

    >>> format_path(("peak_tflops", "bf16"))
    'peak_tflops.bf16'
    >>> format_path(("rules", 0, "max"))
    'rules[0].max'
    """
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


@dataclass(frozen=True)
class Provenance:
    """Where a figure came from: a cited source with its date, or a labelled assumption."""

    source: str | None = None
    as_of: str | None = None
    assumption: str | None = None
    note: str | None = None
    url: str | None = None
    distribution: object | None = None  # profiles.distributions.Distribution: the figure's uncertainty


@dataclass
class Document:
    file: str
    data: object
    lines: dict = field(default_factory=dict)  # Path -> 1-based line
    provenance: dict = field(default_factory=dict)  # Path -> Provenance

    def line_of(self, path: Path) -> int | None:
        """Line of ``path``, or of its nearest ancestor that has one."""
        path = tuple(path)
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            path = path[:-1]


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR = "tag:yaml.org,2002:str"
_SCALAR_TAGS = frozenset(f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null"))


def read_text(file_path, display: str | None = None) -> str:
    """Read a profile file as UTF-8 text, with errors a person can act on.

    A regular file, a pipe or a terminal is read, at most MAX_FILE_BYTES of it; a
    directory or a device is refused before reading.
    """
    import os
    import stat

    display = display or str(file_path)
    try:  # one open and one read: a run reads dozens of profiles, and every call pays for it
        with open(file_path, "rb") as fh:
            mode = os.fstat(fh.fileno()).st_mode
            if stat.S_ISBLK(mode) or (stat.S_ISCHR(mode) and not os.isatty(fh.fileno())):
                raise InputError("is a device, not a file; expected a YAML file", file=display)
            raw = read_limited(fh, display)
    except InputError:
        raise
    except IsADirectoryError:
        raise InputError("is a directory, expected a YAML file", file=display) from None
    except FileNotFoundError:
        raise InputError("no such file", file=display) from None
    except PermissionError:
        raise InputError("permission denied", file=display) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=display) from None
    return decode(raw, display)


def read_stream(stream, display: str) -> str:
    """Read UTF-8 text from a binary stream (stdin), at most MAX_FILE_BYTES of it."""
    try:
        raw = read_limited(stream, display)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=display) from None
    return decode(raw, display)


def read_limited(fh, display: str) -> bytes:
    """At most MAX_FILE_BYTES from a binary file or stream: the limit is applied while reading
    (one byte more is asked for, to tell a file at the limit from a larger one)."""
    import os
    import stat

    raw = fh.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        try:
            st = os.fstat(fh.fileno())
            size = f"is {st.st_size:,} bytes" if stat.S_ISREG(st.st_mode) else f"is more than {MAX_FILE_BYTES:,} bytes"
        except (OSError, AttributeError, ValueError):
            size = f"is more than {MAX_FILE_BYTES:,} bytes"
        raise InputError(f"{size}; profiles and inputs are limited to {MAX_FILE_BYTES:,}", file=display)
    return raw


def decode(raw: bytes, display: str) -> str:
    if b"\x00" in raw:
        raise InputError("binary data (NUL byte), expected YAML text", file=display)
    try:
        return raw.decode("utf-8").removeprefix("\ufeff")  # as utf-8-sig, without importing that codec
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(f"not UTF-8 text (byte 0x{raw[exc.start]:02x})", file=display, line=line) from None


def parse(text: str, file: str) -> Document:
    """Parse one YAML document from ``text`` into a :class:`Document`."""
    if not text.strip():
        raise InputError("file is empty, expected a YAML mapping", file=file)
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "syntax error"
        if mark is not None and 0 <= mark.index < len(text) and text[mark.index] == "\t":
            problem += " (a tab: YAML indents with spaces)"
        raise InputError(f"YAML syntax error: {problem}", file=file, line=line) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow in a document
        line = text.count("\n", 0, exc.position) + 1
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        raise InputError(f"YAML does not allow the character U+{ord(char):04X} ({exc.reason}); remove it", file=file,
                         line=line) from None
    except yaml.YAMLError as exc:
        raise InputError(f"YAML error: {printable(str(exc)).replace(chr(92) + 'n', '; ')}", file=file) from None
    except RecursionError:
        raise InputError(f"nesting deeper than {MAX_DEPTH} levels", file=file) from None
    nodes = [n for n in nodes if n is not None]
    if not nodes:
        raise InputError("file is empty, expected a YAML mapping", file=file)
    if len(nodes) > 1:
        raise InputError("expected one YAML document, found several ('---')", file=file, line=nodes[1].start_mark.line + 1)
    doc = Document(file=file, data=None)
    walker = _Walker(doc)
    doc.data = walker.walk(nodes[0], (), 0)
    return doc


class _Walker:
    def __init__(self, doc: Document):
        self.doc = doc
        self.count = 0
        self.constructor = yaml.constructor.SafeConstructor()

    def fail(self, message: str, node, path: Path):
        raise InputError(message, file=self.doc.file, line=node.start_mark.line + 1, path=format_path(path) or None)

    def walk(self, node, path: Path, depth: int):
        if node.tag not in PLAIN_TAGS:
            self.fail(f"YAML tag '{node.tag}' is not allowed in profiles (plain data only)", node, path)
        self.count += 1
        if self.count > MAX_NODES:
            self.fail(f"document expands to more than {MAX_NODES:,} nodes (too large, or a YAML alias bomb)", node, path)
        if depth > MAX_DEPTH:
            self.fail(f"nesting deeper than {MAX_DEPTH} levels", node, path)
        self.doc.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.walk(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        return self.scalar(node, path)

    def mapping(self, node, path: Path, depth: int):
        out: dict = {}
        lines = self.doc.lines
        for key_node, value_node in node.value:
            if key_node.tag == _STR and isinstance(key_node, yaml.ScalarNode):  # the common case, made fast
                key = key_node.value
            else:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    self.fail("YAML merge keys ('<<') are not supported in profiles", key_node, path)
                if not isinstance(key_node, yaml.ScalarNode):
                    self.fail("keys must be plain strings", key_node, path)
                key = str(self.scalar(key_node, path))
            key_path = path + (key,)
            if key in out:
                self.fail(f"duplicate key '{key}' (first at line {lines[key_path]})", key_node, key_path)
            lines[key_path] = key_node.start_mark.line + 1
            out[key] = self.walk(value_node, key_path, depth + 1)
        if "value" in out:
            extra = sorted(set(out) - FIGURE_KEYS)
            if not extra:
                return self.figure(out, node, path)
            from compute_cli.errors import did_you_mean

            self.fail(f"unknown key '{extra[0]}' in a figure{did_you_mean(extra[0], FIGURE_KEYS)}; a figure has "
                      f"value with source and as_of, or assumption", node, path + (extra[0],))
        return out

    def figure(self, mapping: dict, node, path: Path):
        if "source" not in mapping and "assumption" not in mapping:
            self.fail("a figure needs 'source' (with 'as_of') or 'assumption' beside 'value'", node, path)
        if "source" in mapping and "as_of" not in mapping:
            self.fail("a figure with a 'source' needs 'as_of' (the date the source carries, e.g. 2025-06)", node, path)
        for key in ("source", "as_of", "assumption", "note", "url"):
            if key in mapping and not isinstance(mapping[key], str | int):
                self.fail(f"'{key}' must be text", node, path + (key,))
        text = {k: (str(v) if v is not None else None) for k, v in mapping.items() if k not in ("value", "distribution")}
        if "distribution" in mapping:
            from compute_cli.profiles.distributions import from_yaml

            text["distribution"] = from_yaml(mapping["distribution"], mapping["value"], self.doc.file,
                                             self.doc.line_of, path + ("distribution",))
        self.doc.provenance[path] = Provenance(**text)
        return mapping["value"]

    def scalar(self, node, path: Path):
        if node.tag == _STR:  # text needs no constructing (what SafeConstructor.construct_yaml_str does)
            value = node.value
            if not value.isprintable() and printable(value, keep="\n\t") != value:
                self.fail("control characters (other than newline and tab) are not allowed in text, got "
                          f"'{printable(value[:60])}'", node, path)
            return value
        try:
            if node.tag in _SCALAR_TAGS:  # the common case, without construct_object's bookkeeping
                value = self.constructor.yaml_constructors[node.tag](self.constructor, node)
            else:
                value = self.constructor.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            self.fail(f"cannot read value: {getattr(exc, 'problem', None) or exc}", node, path)
        except ValueError:  # an integer of more digits than Python converts (4,300)
            self.fail(f"number of {len(node.value):,} characters is too long to be a figure", node, path)
        if isinstance(value, float) and not math.isfinite(value):
            self.fail(f"must be a finite number, got {node.value}", node, path)
        if isinstance(value, _dt.datetime | _dt.date):
            return value.isoformat()
        if isinstance(value, bytes):
            self.fail("binary values are not allowed", node, path)
        return value
