"""The ``diff`` result: a table, Markdown for a pull-request comment, or the changes as data."""

from __future__ import annotations

from compute_cli.render.formats import (number, paint, rich_table, to_markdown, to_plain,
                                        use_rich)

# First line of the Markdown: a CI job finds its earlier comment by it and edits it instead of adding another.
MARKER = "<!-- computecost-diff -->"
HEADER = ["setup", "metric", "base", "new", "change", "%"]


def _signed(value) -> str:
    return "" if value is None else ("+" if value > 0 else "") + number(value)


def percent(fraction) -> str:
    """A relative change, one decimal, or two significant digits when smaller than 0.1 %.

    >>> percent(0.12), percent(-0.0769), percent(0.000418), percent(None)
    ('+12.0%', '-7.7%', '+0.042%', '')
    """
    if fraction is None:
        return ""
    if abs(fraction) >= 0.001 or fraction == 0:
        return f"{fraction:+.1%}"
    return f"{fraction * 100:+.2g}%"


def cells(c: dict, code: bool = False) -> list[str]:
    quote = (lambda s: f"`{s}`") if code else str
    return [quote(c["setup"]), quote(c["metric"]), number(c["base"]), number(c["new"]), _signed(c["change"]),
            percent(c["change_fraction"])]


def _limit(result: dict) -> str:
    return f"{result['fail_on_increase'] * 100:g}%"


def breach_text(c: dict, result: dict) -> str:
    if c["new"] is None:
        return f"{c['setup']}: {c['metric']} was {number(c['base'])} and can no longer be computed"
    if isinstance(c["new"], bool) or not isinstance(c["new"], int | float):
        shown = str(c["new"]).lower() if isinstance(c["new"], bool) else repr(c["new"])[:40]
        return f"{c['setup']}: {c['metric']} was {number(c['base'])} and is now {shown}, not a number"
    if c["change_fraction"] is None:
        return f"{c['setup']}: {c['metric']} rose from 0 to {number(c['new'])}"
    return (f"{c['setup']}: {c['metric']} rose {percent(c['change_fraction'])} ({number(c['base'])} -> "
            f"{number(c['new'])}), more than the {_limit(result)} limit")


def _model(result: dict, quote=str, arrow="->") -> str:
    base, new = quote(result["base"]["model"]), quote(result["new"]["model"])
    return f"model {base}" if base == new else f"model {base} {arrow} {new}"


def summary(result: dict) -> str:
    changed = result["changes"]
    setups = len({c["setup"] for c in changed})
    parts = [f"{len(changed)} value{'s' if len(changed) != 1 else ''} changed in {setups} of "
             f"{result['setups_compared']} setups" if changed else f"no change in {result['setups_compared']} setups"]
    if result["added_setups"]:
        parts.append(f"{len(result['added_setups'])} added")
    if result["removed_setups"]:
        parts.append(f"{len(result['removed_setups'])} removed")
    if result["fail_on_increase"] is not None:
        b = result["breaches"]
        parts.append(f"{b} breach{'es' if b != 1 else ''} of the {_limit(result)} limit")
    return ", ".join(parts) + f" ({_model(result)})"


def markdown(result: dict) -> str:
    """A pull-request comment: the watched metrics that moved, the rest folded away, setups added and removed."""
    base, new = result["base"], result["new"]
    heading = (f"`{base['file']}` → `{new['file']}` · {_model(result, lambda s: f'`{s}`', '→')} · "
               f"{result['setups_compared']} setups compared")
    out = [MARKER, "### computecost: cost changes", "", heading, ""]
    if base["overrides"] != new["overrides"]:
        out += [f"Overrides: `{' '.join(base['overrides']) or 'none'}` → `{' '.join(new['overrides']) or 'none'}`", ""]
    watched = [c for c in result["changes"] if c["watched"]]
    others = [c for c in result["changes"] if not c["watched"]]
    if watched:
        rows = [cells(c, code=True) for c in watched]
        for c, row in zip(watched, rows, strict=True):
            if c["breach"]:
                row[-1] += " :x:"
        out.append(to_markdown(HEADER, rows, left=2))
    else:
        out += [f"No change in {', '.join(f'`{m}`' for m in result['watched']) or 'the watched metrics'}.", ""]
    if others:
        out += [f"<details><summary>{len(others)} other changed value{'s' if len(others) != 1 else ''}</summary>",
                "", to_markdown(HEADER, [cells(c, code=True) for c in others], left=2), "</details>", ""]
    if result["added_setups"]:
        out += ["**Added setups:** " + ", ".join(f"`{s}`" for s in result["added_setups"]), ""]
    if result["removed_setups"]:
        out += ["**Removed setups:** " + ", ".join(f"`{s}`" for s in result["removed_setups"]), ""]
    if result["fail_on_increase"] is not None:
        b = result["breaches"]
        if b:
            out += [f":x: **{b} watched value{'s' if b != 1 else ''} rose more than {_limit(result)}** "
                    "(marked :x: above; `--fail-on-increase`).", ""]
        else:
            out += [f":white_check_mark: No watched metric rose more than {_limit(result)}.", ""]
    return "\n".join(out).rstrip("\n") + "\n"


def render(result: dict, fmt: str, stream) -> None:
    from compute_cli.render import rows as rows_mod

    if rows_mod.data("diff", result, fmt, stream):
        return
    if fmt == "markdown":
        stream.write(markdown(result))
        return
    title = f"diff {result['base']['file']} -> {result['new']['file']}"
    rows = [cells(c) for c in result["changes"]]
    if rows and use_rich(stream):
        rich_table(title, HEADER, rows, left=2, stream=stream)
    elif rows:
        stream.write(title + "\n\n" + to_plain(HEADER, rows, left=2) + "\n")
    for label, ids in (("added setups", result["added_setups"]), ("removed setups", result["removed_setups"])):
        if ids:
            stream.write(f"{label}: {', '.join(ids)}\n")
    for c in result["changes"]:
        if c["breach"]:
            stream.write(f"{paint('breach', 'red', stream)}: {breach_text(c, result)}\n")
    stream.write(f"diff: {summary(result)}\n")
