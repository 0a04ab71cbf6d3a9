"""Walking the profile types along a key path: the one place that does it.

The loader's error messages (which keys exist here, which values are allowed),
``--set`` (is this a key, a group or a number), ``sweep``/``sensitivity``/``simulate``
(the bounds of a numeric key) and the JSON Schema all ask the profile structs
the same questions through ``msgspec.inspect``; they ask them here.
"""

from __future__ import annotations

import functools


def _unwrap_optional(t):
    """``X | None`` -> ``X``; anything else as it is."""
    import msgspec.inspect as mi

    if isinstance(t, mi.UnionType):
        rest = [x for x in t.types if not isinstance(x, mi.NoneType)]
        if len(rest) == 1:
            return rest[0]
    return t


def type_at(struct_type, path) -> object | None:
    """The ``msgspec.inspect`` type at ``path`` (keys and list indices) below ``struct_type``, or None.

    Cached: a Monte Carlo plan asks for the same few paths once per drawn value, and
    ``msgspec.inspect.type_info`` walks the whole struct each time.

    >>> from compute_cli.profiles.schema import Hardware
    >>> type(type_at(Hardware, ("peak_tflops", "fp8"))).__name__
    'FloatType'
    >>> type_at(Hardware, ("nope",)) is None
    True
    """
    return _type_at(struct_type, tuple(path))


@functools.lru_cache(maxsize=4096)
def _type_at(struct_type, path: tuple) -> object | None:
    import msgspec.inspect as mi

    t = _type_info(struct_type)
    for part in path:
        t = _unwrap_optional(t)
        if isinstance(t, mi.StructType) and isinstance(part, str):
            match = [f for f in t.fields if f.encode_name == part]
            if not match:
                return None
            t = match[0].type
        elif isinstance(t, mi.ListType | mi.TupleType) and isinstance(part, int):
            t = t.item_type
        else:
            return None
    return _unwrap_optional(t)


@functools.lru_cache(maxsize=256)
def _type_info(struct_type):
    import msgspec.inspect as mi

    return mi.type_info(struct_type)


def fields_at(struct_type, path) -> list[str]:
    """Keys of the struct at ``path`` ([] when it is no struct)."""
    import msgspec.inspect as mi

    t = type_at(struct_type, path)
    return [f.encode_name for f in t.fields] if isinstance(t, mi.StructType) else []


def choices_at(struct_type, path) -> list[str]:
    """Allowed values of the literal at ``path`` ([] when it is no literal)."""
    import msgspec.inspect as mi

    t = type_at(struct_type, path)
    return [str(v) for v in t.values] if isinstance(t, mi.LiteralType) else []


def is_struct(struct_type, path) -> bool:
    import msgspec.inspect as mi

    return isinstance(type_at(struct_type, path), mi.StructType)


def numeric_type(struct_type, path):
    """The ``IntType``/``FloatType`` at ``path`` (with its ``ge``/``gt``/``le``/``lt``), or None."""
    import msgspec.inspect as mi

    t = type_at(struct_type, path)
    return t if isinstance(t, mi.FloatType | mi.IntType) and not isinstance(t, mi.BoolType) else None


def numeric_keys(obj, prefix=()):
    """Key paths of every number set in struct ``obj`` (nested structs walked, None skipped).

    >>> from compute_cli.profiles.schema import PeakTflops
    >>> list(numeric_keys(PeakTflops(bf16=989.0, fp8=1979.0)))
    [('bf16',), ('fp8',)]
    """
    import msgspec.inspect as mi

    for f in _type_info(type(obj)).fields:
        value = getattr(obj, f.name)
        if value is None:
            continue
        ft = _unwrap_optional(f.type)
        if isinstance(ft, mi.StructType):
            yield from numeric_keys(value, prefix + (f.name,))
        elif isinstance(ft, mi.FloatType | mi.IntType):
            yield prefix + (f.name,)
