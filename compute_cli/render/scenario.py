"""Rendering for ``scenario list`` and ``scenario run``."""

from __future__ import annotations

import textwrap

from compute_cli.contract import SCHEMA_VERSION
from compute_cli.render.formats import rich_table, terminal_width, to_markdown, to_plain, use_rich


def render_listing(rows: list[dict], fmt: str, stream) -> None:
    from compute_cli.render import rows as rows_mod

    if rows_mod.data("scenario list", {"schema_version": SCHEMA_VERSION, "scenarios": rows}, fmt, stream):
        return
    header = ["id", "name"]
    cells = [[r["id"], r["name"]] for r in rows]
    if fmt == "markdown":
        stream.write(to_markdown(header, cells))
    elif use_rich(stream):
        rich_table(None, header, cells, stream=stream)
    else:
        stream.write(to_plain(header, cells, left=2))


def render_run(result: dict, fmt: str, stream) -> None:
    from compute_cli.render import rows as rows_mod

    if rows_mod.data("scenario run", result, fmt, stream):
        return
    if fmt == "markdown":
        stream.write(f"### {result['name']}\n\n**{result['question']}**\n\n{result['answer']}\n\n")
        stream.write("```\n" + "\n".join(result["commands"]) + "\n```\n")
        if result["sources"]:
            stream.write("\n" + "".join(f"- {s}\n" for s in result["sources"]))
        if result.get("latency"):
            stream.write("\nAt which latency these costs hold:\n\n" + "".join(f"- {s}\n" for s in result["latency"]))
        return
    columns = terminal_width(stream)
    width = 100 if columns is None else min(100, columns - 4)  # beside the "A: " prefix
    wrap = textwrap.TextWrapper(width=width)
    stream.write("\n".join(textwrap.wrap(result["name"], width + 3)) + "\n\nQ: " + "\n   ".join(wrap.wrap(result["question"]))
                 + "\n\n")
    stream.write("A: " + "\n   ".join(wrap.wrap(result["answer"])) + "\n\n")
    def command(c: str) -> str:  # a long one continued with '\\' on a narrow terminal, still runnable pasted
        if width >= 100:
            return f"  {c}\n"
        return "  " + " \\\n      ".join(textwrap.wrap(c, width - 4, break_long_words=False,
                                                       break_on_hyphens=False)) + "\n"

    stream.write("reproduce with:\n" + "".join(command(c) for c in result["commands"]))
    items = textwrap.TextWrapper(width=width, initial_indent="  - ", subsequent_indent="    ",
                                 break_on_hyphens=False) if width < 100 else None

    def item(text: str) -> str:  # wrapped on a narrow terminal; one line each elsewhere
        return (items.fill(text) if items else f"  - {text}") + "\n"

    if result["sources"]:
        stream.write("\nnumbers in the commands:\n" + "".join(item(s) for s in result["sources"]))
    if result.get("latency"):
        stream.write("\nat which latency these costs hold:\n" + "".join(item(s) for s in result["latency"]))
