"""Rendering for ``profiles list`` and ``profiles show``."""

from __future__ import annotations

from compute_cli.contract import SCHEMA_VERSION
from compute_cli.render.formats import rich_table, to_markdown, to_plain, use_rich


def _emit(command, title, header, rows, fmt, stream, document: dict, left=99):
    """``document`` as data (render/rows.py); ``rows`` of cells for tables."""
    from compute_cli.render import rows as rows_mod

    if rows_mod.data(command, {"schema_version": SCHEMA_VERSION, **document}, fmt, stream):
        return
    if fmt == "markdown":
        stream.write(to_markdown(header, rows))
    elif use_rich(stream):
        rich_table(title, header, rows, stream=stream)
    else:
        stream.write((title + "\n\n" if title else "") + to_plain(header, rows, left=left))


def render_listing(rows: list[dict], fmt: str, stream) -> None:
    header = ["kind", "id", "name", "origin"]
    cells = [[r[h] for h in header] for r in rows]
    _emit("profiles list", None, header, cells, fmt, stream, {"profiles": rows})


def _provenance(f: dict) -> str:
    if f["source"]:
        text = f"{f['source']} ({f['as_of']})"
    elif f["assumption"]:
        text = f"assumption: {f['assumption']}"
    else:
        text = "" if not isinstance(f["value"], int | float) or isinstance(f["value"], bool) else "unsourced"
    if f.get("distribution"):
        (shape, params), = f["distribution"].items()
        text += f"; uncertain: {shape} " + ", ".join(f"{k} {v:g}" for k, v in params.items())
    return text


def _value(value) -> str:
    """A profile value as YAML writes it: ``true``, ``false``, nothing for null."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def render_detail(data: dict, fmt: str, stream) -> None:
    header = ["key", "value", "source"]
    cells = [[f["key"], _value(f["value"]), _provenance(f)] for f in data["fields"]]
    title = f"{data['kind']} '{data['id']}' ({data['file']})"
    if fmt == "table" and not use_rich(stream):
        # long sources read better as blocks than as a wide table
        stream.write(title + "\n\n")
        width = max(len(f["key"]) for f in data["fields"])
        for f, row in zip(data["fields"], cells, strict=True):
            prov = row[2]
            stream.write(f"{f['key'].ljust(width)}  {row[1]}" + (f"\n{' ' * width}    {prov}" if prov else "") + "\n")
        return
    _emit("profiles show", title, header, cells, fmt, stream, data)
