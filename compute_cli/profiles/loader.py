"""Turn one YAML profile into a validated struct, with ``file:line: key: message`` errors."""

from __future__ import annotations

import re
from dataclasses import dataclass

import msgspec

from compute_cli.errors import InputError, did_you_mean, printable
from compute_cli.profiles.keypaths import choices_at, fields_at
from compute_cli.profiles.schema import KINDS, Base
from compute_cli.profiles.yamlio import Document, Provenance, format_path, parse, read_text


@dataclass
class Loaded:
    """A validated profile and where its numbers came from."""

    kind: str
    profile: Base
    file: str
    provenance: dict  # key path tuple -> Provenance
    lines: dict = None  # key path tuple -> 1-based line

    def line_of(self, *path) -> int | None:
        return (self.lines or {}).get(tuple(path))

    @property
    def id(self) -> str:
        return self.profile.id


def load_file(file_path, kind: str, display: str | None = None, expect_id: str | None = None) -> Loaded:
    display = display or str(file_path)
    return load_text(read_text(file_path, display), kind, display, expect_id)


def load_text(text: str, kind: str, display: str, expect_id: str | None = None) -> Loaded:
    doc = parse(text, display)
    profile = validate(doc, KINDS[kind])
    if expect_id is not None and profile.id != expect_id:
        raise InputError(
            f"id '{profile.id}' must match the file name '{expect_id}.yaml'",
            file=display,
            line=doc.line_of(("id",)),
            path="id",
        )
    return Loaded(kind=kind, profile=profile, file=display, provenance=doc.provenance, lines=doc.lines)


_AT = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_PATH_PART = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


def _split_path(text: str) -> tuple:
    return tuple(m.group(1) if m.group(1) is not None else int(m.group(2)) for m in _PATH_PART.finditer(text))


def _value_at(data, path: tuple):
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def validate(doc: Document, struct_type: type[Base]) -> Base:
    """Convert ``doc.data`` to ``struct_type``; raise :class:`InputError` pointing at the bad key."""
    if not isinstance(doc.data, dict):
        raise InputError(
            f"expected a mapping of keys (a {struct_type.__name__} profile), got {type(doc.data).__name__}",
            file=doc.file,
            line=1,
        )
    try:
        return msgspec.convert(doc.data, struct_type)
    except msgspec.ValidationError as exc:
        raise translate(exc, doc, struct_type) from None


def translate(exc: msgspec.ValidationError, doc: Document, struct_type) -> InputError:
    """Rewrite a msgspec message in terms a profile author knows."""
    message = str(exc)
    match = _AT.search(message)
    path = _split_path(match.group("path")) if match else ()
    message = message[: match.start()] if match else message
    if m := re.match(r"Object contains unknown field `(.+)`", message):
        key = m.group(1)
        fields = fields_at(struct_type, path)
        path = path + (key,)
        text = f"unknown key{did_you_mean(key, fields)}"
        if fields and not did_you_mean(key, fields):
            text += f"; known keys: {', '.join(sorted(fields))}"
        return InputError(text, file=doc.file, line=doc.line_of(path), path=format_path(path))
    if m := re.match(r"Object missing required field `(.+)`", message):
        return InputError(
            f"missing required key '{m.group(1)}'",
            file=doc.file,
            line=doc.line_of(path),
            path=format_path(path) or None,
        )
    got = _value_at(doc.data, path)
    if m := re.match(r"Expected `(\w+)` (>=|>|<=|<) (\S+)(?: and (<=|<) (\S+))?$", message):
        text = f"must be {m.group(2)} {m.group(3)}"
        if m.group(4):
            text += f" and {m.group(4)} {m.group(5)}"
        text += f", got {shown_value(got)}"
    elif m := re.match(r"Expected `array` of length >= (\d+)", message):
        text = f"must list at least {m.group(1)} item{'s' if m.group(1) != '1' else ''}"
    elif m := re.match(r"Expected `str` matching regex", message):
        text = f"must be an id of lowercase letters, digits, '.', '_' and '-', got {shown_value(got)}"
    elif m := re.match(r"Invalid enum value (.+)", message):
        choices = choices_at(struct_type, path)
        text = f"must be one of {', '.join(choices)}, got {m.group(1)}" + did_you_mean(str(got), choices)
    elif (m := re.match(r"([a-z_]+): (.+)$", message)) and m.group(1) in fields_at(struct_type, path):
        # a rule of the struct itself (``__post_init__``) that names the key it is about
        path = path + (m.group(1),)
        text = m.group(2)
    elif m := re.match(r"Expected `(.+)`, got `(.+)`", message):
        if isinstance(got, bool):
            shown = str(got).lower()
        elif got is None or isinstance(got, dict | list):
            shown = _plain(m.group(2))
        else:
            shown = f"{_plain(m.group(2))} {shown_value(got)}"
        text = f"expected {_plain(m.group(1))}, got {shown}"
    else:
        text = message[0].lower() + message[1:]
    return InputError(text, file=doc.file, line=doc.line_of(path), path=format_path(path) or None)


def shown_value(value, limit: int = 60) -> str:
    """A value as an error message shows it: repr, cut when long; a huge integer by its size.

    >>> shown_value(10**400), shown_value("x" * 100)[-16:], shown_value(0.5)
    ('a whole number of 401 digits', '(100 characters)', '0.5')
    """
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**limit:
        digits = len(str(abs(value))) if value.bit_length() < 14_000 else f"about {int(value.bit_length() * 0.30103)}"
        return f"a whole number of {digits} digits"
    text = repr(value)
    if len(text) > limit + 20:
        text = f"{text[:limit]}... ({len(value) if isinstance(value, str) else len(text):,} characters)"
    return printable(text)


def _plain(type_text: str) -> str:
    names = {"float": "a number", "int": "a whole number", "str": "text", "bool": "true or false",
             "object": "a mapping", "array": "a list", "null": "nothing", "float | null": "a number"}
    return names.get(type_text, type_text)


__all__ = ["Loaded", "Provenance", "load_file", "load_text", "validate"]
