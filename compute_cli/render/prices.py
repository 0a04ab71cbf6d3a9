"""``prices import`` and ``prices stale`` results as a table, JSON, CSV or Markdown."""

from __future__ import annotations

from compute_cli.render.formats import emit_table


def render_import(result: dict, fmt: str, stream) -> None:
    from compute_cli.render import rows as rows_mod

    if rows_mod.data("prices import", result, fmt, stream):
        return
    rows = []
    for w in result["written"]:
        if w["kind"] == "markets":
            what = "quotes: " + ", ".join(w["providers"]) + (f" (kept: {', '.join(w['kept'])})" if w["kept"] else "")
        else:
            what = f"{w['provider']} {w['accelerator']}: " + ", ".join(w["terms"])
        rows.append([w["file"], "replaced" if w["replaced"] else "new", what])
    dated = f", as_of {result['as_of']}" if result["as_of"] else ""
    title = f"prices import: {result['file']} ({result['format']}{dated}) -> {result['into']}"
    emit_table(title, ["file", "written", "prices"], rows, fmt, stream, left=3)
    missing = result["not_imported"]
    if missing:
        stream.write(f"\nnot imported ({len(missing)}):\n")
        for m in missing:
            stream.write(f"  {m['name']}: {m['reason']}\n")


def render_stale(result: dict, fmt: str, stream) -> None:
    due = result["due"]
    from compute_cli.render import rows as rows_mod

    if rows_mod.data("prices stale", result, fmt, stream):
        return
    title = (f"prices older than {result['max_age_days']} days on {result['today']}: {len(due)} of "
             f"{result['prices_checked']} dated prices")
    rows = [[f"{d['file']}:{d['line']}" if d["line"] else d["file"], d["key"], d["as_of"], f"{d['age_days']:,}"]
            for d in due]
    if not rows:
        stream.write(title + "\n")
        return
    emit_table(title, ["where", "key", "as_of", "age (days)"], rows, fmt, stream, left=2)
