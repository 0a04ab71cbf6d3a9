"""``--set PATH=VALUE``: override one field of every setup in a run.

Paths are relative to a setup: a setup's own fields (``utilization``), then the
profiles it names (``site.electricity_usd_per_kwh``, ``finance.cost_of_capital_per_year``,
``offer.usd_per_gpu_hour.on_demand``, ``workload.max_tpot_ms``), the system's accelerator
(``system.accelerator.price_usd``, or ``accelerator.price_usd`` for short), the
setup's serving engine (``runtime.step_overhead_s``) and the model of the run
(``model.active_params``). A path that names a profile a setup
does not have (a rented setup has no site) leaves that setup unchanged.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import msgspec

from compute_cli.errors import InputError, UsageError, did_you_mean, printable
from compute_cli.profiles.catalog import ResolvedSetup, shown
from compute_cli.profiles.keypaths import fields_at, is_struct
from compute_cli.profiles.schema import (
    OPTIONAL_REFERENCES,
    SETUP_REFERENCES,
    Finance,
    Hardware,
    Model,
    Offer,
    Runtime,
    Setup,
    Site,
    System,
    Workload,
)

# root word -> (ResolvedSetup attribute or "model", struct type)
ROOTS: dict[str, tuple[str, type]] = {
    "system": ("system", System),
    "accelerator": ("hardware", Hardware),
    "site": ("site", Site),
    "finance": ("finance", Finance),
    "offer": ("offer", Offer),
    "model": ("model", Model),
    "workload": ("workload", Workload),
    "runtime": ("runtime", Runtime),
}
SETUP_FIELDS = [f for f in Setup.__struct_fields__
                if f not in SETUP_REFERENCES and f not in OPTIONAL_REFERENCES and f != "id"]
# ResolvedSetup attribute -> the words its paths start with (a setup's own fields have none)
PREFIX = {attr: word + "." for word, (attr, _) in ROOTS.items()} | {"setup": ""}
MAX_NUMBER_CHARS = 1000  # a longer value is text (Python converts integers of at most 4,300 digits)
# Paths written under one profile that set a field of the setup: the offer lists its prices by
# term, the setup picks one, so ``offer.term`` is the setup's ``term`` for every setup with an offer.
ALIASES = {("offer", "term"): ("term",)}


@dataclass(frozen=True)
class Assignment:
    text: str  # as typed
    path: tuple[str, ...]
    value: object
    scale: bool = False  # PATH*=FACTOR multiplies the current value


def parse_assignment(text: str, option: str = "--set") -> Assignment:
    """``'site.pue=1.2'`` -> ``Assignment(path=('site', 'pue'), value=1.2)``.

    >>> parse_assignment("site.pue=1.2").value
    1.2
    >>> parse_assignment("precision=fp8").path
    ('precision',)
    >>> parse_assignment("site.electricity_usd_per_kwh*=1.3").scale
    True
    """
    if printable(text) != text:
        raise UsageError(f"{option} '{printable(text)}': control characters are not allowed in a key or a value")
    key, sep, raw = text.partition("=")
    key = key.strip()
    scale = key.endswith("*")
    key = key.rstrip("*").strip()
    if not sep or not key:
        raise UsageError(f"{option} '{text}': expected PATH=VALUE (or PATH*=FACTOR), "
                         f"e.g. {option} site.electricity_usd_per_kwh=0.05")
    if any(not part.isidentifier() for part in key.split(".")):
        raise UsageError(f"{option} '{text}': '{key}' is not a key path (words separated by '.')")
    value = parse_value(raw.strip())
    if scale and (isinstance(value, bool) or not isinstance(value, int | float)):
        # a value the key cannot take, as with PATH=VALUE: a data error (exit 3), not a usage error
        raise InputError(f"{option} {text}: expected a number after '*=', got text '{raw.strip()}'")
    return Assignment(text=text, path=tuple(key.split(".")), value=value, scale=scale)


def parse_value(raw: str):
    """A YAML scalar: numbers become numbers (``5e-2`` too), ``true`` a bool, anything else text.

    >>> parse_value("5e-2"), parse_value("12"), parse_value("fp8")
    (0.05, 12, 'fp8')
    """
    import yaml

    if raw == "":
        return ""
    if len(raw) > MAX_NUMBER_CHARS:  # no figure is written with this many characters: text, refused as a number
        return raw
    try:
        return int(raw)
    except ValueError:
        pass
    try:
        number = float(raw)
        if number == number and abs(number) != float("inf"):
            return number
    except ValueError:
        pass
    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError:
        return raw
    return value if isinstance(value, int | float | str | bool) else raw


def target(path: tuple[str, ...], text: str, option: str = "--set") -> tuple[str, type, tuple[str, ...]]:
    """Split a path into (root attribute, struct type, field path) or raise with a did-you-mean."""
    text = shown(text)
    path = ALIASES.get(tuple(path), path)
    head = path[0]
    if head in ROOTS:
        attr, struct_type = ROOTS[head]
        rest = path[1:]
        if head == "system" and rest[:1] == ("accelerator",):
            attr, struct_type, rest = "hardware", Hardware, rest[1:]
        if not rest:
            example = f"{head}.{_fields(struct_type)[0]}"
            raise InputError(f"{option} {text}: '{head}' is a profile; name one of its keys, e.g. {example}")
    elif head in SETUP_FIELDS:
        attr, struct_type, rest = "setup", Setup, path
    else:
        options = SETUP_FIELDS + list(ROOTS)
        raise InputError(f"{option} {text}: unknown key '{shown(head)}'{did_you_mean(head, options)}")
    check_fields(struct_type, rest, text, option)
    return attr, struct_type, rest


def canonical(path: tuple[str, ...], text: str, option: str = "--set") -> str:
    """One spelling per key: ``system.accelerator.price_usd`` is ``accelerator.price_usd``.

    >>> canonical(("system", "accelerator", "price_usd"), "x")
    'accelerator.price_usd'
    """
    attr, _struct, rest = target(path, text, option)
    return PREFIX[attr] + ".".join(rest)


def _fields(struct_type) -> list[str]:
    return [f for f in struct_type.__struct_fields__ if f != "id"]


# Fields that name another profile or fix a setup's shape: changing them with --set
# would bypass reference resolution, so they are refused.
FIXED_FIELDS = {
    Setup: {"kind", "model", "system", "site", "finance", "offer", "device", "workload", "runtime"},
    System: {"accelerator"},
    Offer: {"accelerator", "system"},
}


def check_fields(struct_type, rest, text, option):
    """Refuse a path that is not a key of ``struct_type``, names a group, or names a fixed field."""
    for i, part in enumerate(rest):
        here = rest[:i]
        current = _struct_class(struct_type, here)  # a struct: the step before checked it is a group
        if part in FIXED_FIELDS.get(current, ()):
            raise InputError(f"{option} {text}: '{part}' names another profile or fixes the setup's kind and "
                             "cannot be changed with " + option + "; use or write another profile instead")
        fields = [f for f in fields_at(struct_type, here) if f != "id"]
        if part not in fields:
            prefix = ".".join(here)
            where = f" in {current.__name__.lower()}{' ' + prefix if prefix else ''}"
            raise InputError(f"{option} {text}: unknown key '{shown(part)}'{where}{did_you_mean(part, fields)}")
        group = is_struct(struct_type, rest[:i + 1])
        if i < len(rest) - 1 and not group:
            raise InputError(f"{option} {text}: '{part}' has no keys below it")
        if i == len(rest) - 1 and group:
            keys = [f for f in fields_at(struct_type, rest) if f != "id"]
            raise InputError(f"{option} {text}: '{part}' is a group; name one of its keys: {', '.join(keys)}")


def _struct_class(struct_type, path):
    """The struct class at ``path`` below ``struct_type`` (for the fixed-field and message look-ups)."""
    import msgspec.inspect as mi

    from compute_cli.profiles.keypaths import type_at

    t = type_at(struct_type, path)
    return t.cls if isinstance(t, mi.StructType) else struct_type


def scope(path: tuple[str, ...], text: str, option: str = "--set") -> str:
    """The profile a setup must have for ``path`` to apply to it: ``offer`` for ``offer.term``, else its target's.

    >>> scope(("offer", "term"), "offer.term=spot"), scope(("term",), "term=spot")
    ('offer', 'setup')
    """
    if tuple(path) in ALIASES:
        return path[0]
    return target(path, text, option)[0]


def applies(r: ResolvedSetup, attr: str) -> bool:
    """Whether a path rooted at ``attr`` applies to setup ``r``: it has that profile.

    The node of a rented instance whose offer names no system, and the device of a
    device fleet, are stand-ins made in code, not system profiles: ``system.*`` does
    not apply to them. An owned setup's system always does (``fleet`` and
    ``throughput`` build theirs in code, and ``--set system.*`` tunes them).
    """
    if attr == "model":
        return True
    if getattr(r, attr) is None:
        return False
    return attr != "system" or r.setup.kind == "own" or "system" in r.sources


def _replace(obj, rest: tuple[str, ...], value, text: str, option: str, scale: bool = False):
    """A validated copy of struct ``obj`` with ``rest`` set to ``value`` (or multiplied by it)."""
    text = shown(text)
    data = msgspec.to_builtins(obj)
    node = data
    for part in rest[:-1]:
        node = node.setdefault(part, {})
    if scale:
        current = node.get(rest[-1])
        if isinstance(current, bool) or not isinstance(current, int | float):
            raise InputError(f"{option} {text}: '{'.'.join(rest)}' is {current!r}, not a number to multiply")
        value = current * value
        if isinstance(current, int) and float(value).is_integer():
            value = int(value)
    node[rest[-1]] = value
    try:
        return msgspec.convert(data, type(obj))
    except msgspec.ValidationError as exc:
        from compute_cli.profiles.loader import translate
        from compute_cli.profiles.yamlio import Document

        err = translate(exc, Document(file="", data=data), type(obj))
        raise InputError(f"{option} {text}: {err.message}") from None


def apply(resolved: list[ResolvedSetup], model: Model | None, assignments: list[Assignment], option: str = "--set"):
    """Return (setups, model) with every assignment applied; the inputs are left untouched."""
    out = list(resolved)
    for a in assignments:
        attr, _struct_type, rest = target(a.path, a.text, option)
        where = scope(a.path, a.text, option)
        if attr == "model":
            if model is None:
                raise InputError(f"{option} {a.text}: this command has no model")
            model = _replace(model, rest, a.value, a.text, option, a.scale)
            continue
        applied = False
        for i, r in enumerate(out):
            if not applies(r, where):
                continue
            out[i] = dataclasses.replace(r, **{attr: _replace(getattr(r, attr), rest, a.value, a.text, option,
                                                               a.scale)})
            applied = True
        if not applied:
            raise InputError(f"{option} {a.text}: applies to none of the setups in this run (no setup has a {where})")
    for r in out:
        if r.offer is not None and getattr(r.offer.usd_per_gpu_hour, r.setup.term) is None:
            raise InputError(f"setup '{r.setup.id}': offer '{r.offer.id}' has no '{r.setup.term}' price "
                             f"(after {option})")
    return out, model
