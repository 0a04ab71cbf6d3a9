"""Profile listings, details, directory validation and the JSON Schema, as data (no printing)."""

from __future__ import annotations

from pathlib import Path

import msgspec

from compute_cli.errors import InputError, UsageError, did_you_mean
from compute_cli.profiles.catalog import Catalog, display_path
from compute_cli.profiles.files import STDIN, read_profile
from compute_cli.profiles.loader import load_file
from compute_cli.profiles.schema import KINDS
from compute_cli.profiles.yamlio import format_path


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise UsageError(f"unknown profile kind '{kind}'{did_you_mean(kind, KINDS)}; kinds: {', '.join(KINDS)}")
    return kind


def listing(catalog: Catalog, kind: str | None) -> list[dict]:
    """One row per (kind, id): where it is found and its display name."""
    kinds = [check_kind(kind)] if kind else list(KINDS)
    shipped = catalog.dirs[-1]
    rows = []
    for k in kinds:
        for ident in catalog.ids(k):
            path = catalog.find(k, ident)
            loaded = catalog.get(k, ident)
            rows.append({
                "kind": k,
                "id": ident,
                "name": getattr(loaded.profile, "name", ""),
                "origin": "shipped" if path.parent.parent == shipped else display_path(path),
            })
    return rows


def detail(catalog: Catalog, profile_id: str, kind: str | None) -> dict:
    """A profile's values with the provenance of each figure."""
    if kind:
        check_kind(kind)
        kinds = [kind]
    else:
        kinds = catalog.kind_of(profile_id)
        if not kinds:
            every = [i for k in KINDS for i in catalog.ids(k)]
            raise InputError(f"no profile '{profile_id}'{did_you_mean(profile_id, every)}; see 'computecost profiles list'")
    loaded = catalog.get(kinds[0], profile_id)
    values = flatten(msgspec.to_builtins(loaded.profile))
    fields = []
    for path, value in values:
        prov = loaded.provenance.get(path)
        fields.append({
            "key": format_path(path),
            "value": value,
            "source": prov.source if prov else None,
            "as_of": prov.as_of if prov else None,
            "assumption": prov.assumption if prov else None,
            "distribution": prov.distribution.as_dict() if prov and prov.distribution else None,
        })
    return {"kind": kinds[0], "id": profile_id, "file": loaded.file, "also_in_kinds": kinds[1:], "fields": fields}


def flatten(data, path=(), lists: bool = True):
    """``[(key path, value)]`` of every leaf; list items get their index (``quotes[0].provider``),
    or, with ``lists=False``, a list is one leaf.

    >>> flatten({"a": {"b": 1}, "q": [{"p": "x"}]})
    [(('a', 'b'), 1), (('q', 0, 'p'), 'x')]
    """
    if isinstance(data, dict):
        out = []
        for key, value in data.items():
            out += flatten(value, path + (key,), lists)
        return out
    if lists and isinstance(data, list) and data:
        out = []
        for i, value in enumerate(data):
            out += flatten(value, path + (i,), lists)
        return out
    return [(path, data)]


def validate_paths(paths: list[Path], config_dirs=(), stdin=None,
                   stdin_kind: str | None = None) -> tuple[list[str], list[str]]:
    """Validate profile directories or files, and ``-``: one profile of ``stdin_kind`` (default setups) read
    from ``stdin``. A file outside a kind folder is read as ``stdin_kind`` when one is given, as
    ``compare FILE`` reads a setup file.

    Returns (ok lines, error lines).
    """
    ok, errors = [], []
    for root in paths:
        standalone = root.is_file() and root.parent.name not in KINDS and stdin_kind is not None
        if str(root) == STDIN or standalone:
            kind = stdin_kind or "setups"
            try:
                loaded = read_profile(STDIN if str(root) == STDIN else str(root), kind, stdin)
                if kind == "setups":
                    catalog = Catalog(config_dirs)
                    catalog.register(loaded)
                    catalog.resolve(loaded.id)
            except InputError as exc:
                errors.append(str(exc))
            else:
                ok.append(f"{loaded.file}: ok")
            continue
        if not root.exists():
            errors.append(f"{root}: no such file or directory")
            continue
        if root.is_file():
            files = [(root.parent.name, root)]
            dirs = [root.parent.parent]
        else:
            files = []
            for sub in sorted(root.iterdir()):
                if sub.is_dir() and sub.name in KINDS:
                    files += [(sub.name, f) for f in sorted(sub.glob("*.yaml"))]
                    stray = sorted(p.name for p in sub.iterdir() if p.suffix in (".yml", ".json"))
                    errors += [f"{display_path(sub / s)}: ignored: profiles end in .yaml" for s in stray]
                elif sub.is_dir() and not sub.name.startswith((".", "_")):
                    errors.append(f"{display_path(sub)}: unknown profile kind folder{did_you_mean(sub.name, KINDS)}; "
                                  f"kinds: {', '.join(KINDS)}")
            if not files and not errors:
                errors.append(f"{root}: no profiles found (expected subfolders {', '.join(KINDS)})")
            dirs = [root]
        for kind, f in files:
            if kind not in KINDS:
                errors.append(f"{display_path(f)}: the file must sit in a kind folder ({', '.join(KINDS)}), "
                              "or give its kind: --kind setups")
                continue
            try:
                load_file(f, kind, display_path(f), expect_id=f.stem)
            except InputError as exc:
                errors.append(str(exc))
                continue
            if kind == "setups":
                try:
                    Catalog(list(dirs) + list(config_dirs)).resolve(f.stem)
                except InputError as exc:
                    errors.append(str(exc))
                    continue
            ok.append(f"{display_path(f)}: ok")
    return ok, errors


def _shape(*names):
    return {"type": "object", "properties": {n: {"type": "number"} for n in names}, "required": list(names),
            "additionalProperties": False}


DISTRIBUTION_SCHEMA = {
    "type": "object",
    "description": "The figure's uncertainty, for simulate and sensitivity: one shape with its parameters.",
    "properties": {"uniform": _shape("low", "high"), "triangular": _shape("low", "mode", "high"),
                   "normal": _shape("mean", "sd"), "lognormal": _shape("mean", "sigma")},
    "minProperties": 1,
    "maxProperties": 1,
    "additionalProperties": False,
}

FIGURE_SCHEMA = {
    "type": "object",
    "description": "A figure with its provenance: a cited source and its date, or a labelled assumption.",
    "properties": {
        "source": {"type": "string"},
        "as_of": {"type": "string", "description": "Date the source carries, e.g. 2025-06."},
        "assumption": {"type": "string"},
        "note": {"type": "string"},
        "url": {"type": "string"},
        "distribution": {"$comment": "see compute_cli/profiles/distributions.py", **DISTRIBUTION_SCHEMA},
    },
    "required": ["value"],
    "anyOf": [{"required": ["source", "as_of"]}, {"required": ["assumption"]}],
    "additionalProperties": False,
}


def _allow_figures(node):
    """Let every numeric schema also be written as ``{value: <number>, source/as_of | assumption}``."""
    if isinstance(node, dict):
        if node.get("type") in ("number", "integer"):
            figure = dict(FIGURE_SCHEMA)
            figure["properties"] = {"value": dict(node), **FIGURE_SCHEMA["properties"]}
            return {"anyOf": [dict(node), figure]}
        return {k: _allow_figures(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_allow_figures(v) for v in node]
    return node


def json_schema(kind: str | None = None) -> dict:
    import msgspec.json

    if kind:
        schema = msgspec.json.schema(KINDS[check_kind(kind)])
    else:
        (refs, components) = msgspec.json.schema_components(list(KINDS.values()))
        schema = {"$defs": components, "oneOf": list(refs)}
    schema = _allow_figures(schema)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"computecost profile{': ' + kind if kind else 's'}"
    return schema
