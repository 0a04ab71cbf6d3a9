"""Shell completion of profile ids and option values, by parameter name, for every command at once.

Typer completes commands and options; this adds the values: setup, model, hardware,
system, site, finance and workload ids from the catalog the run would see, and the
fixed choices of ``--precision``, ``--kv-precision``, ``--parallelism``, ``--format``,
``fleet --rank-by`` and profile kinds. It is installed only when the shell asks for completions
(``_COMPUTECOST_COMPLETE`` is set), so no other call pays for it.
"""

from __future__ import annotations

# parameter name (as the command's function names it) -> profile kind whose ids complete it
ID_PARAMETERS = {
    "setups": "setups", "setup": "setups", "setup_a": "setups", "setup_b": "setups", "own": "setups",
    "rent": "setups", "model": "models", "market": "models", "hardware": "hardware", "system": "systems",
    "site": "sites", "finance": "finance", "workload": "workloads", "runtime": "runtimes", "name": "scenarios",
}
CHOICES = {
    "precision": ("bf16", "fp8", "int8", "int4"),
    "kv_precision": ("bf16", "fp8"),
    "parallelism": ("tensor", "pipeline", "expert"),
    "fmt": ("table", "json", "csv", "jsonl", "markdown"),
    "rank_by": ("tokens_per_day", "tokens_per_joule", "margin_usd_per_year"),  # analysis.economics.RANK_KEYS
}


def ids(kind: str, incomplete: str) -> list[str]:
    """Ids of ``kind`` starting with ``incomplete`` (none when the catalog cannot be read)."""
    from compute_cli.cli.common import catalog
    from compute_cli.errors import ComputeCostError

    try:
        return [i for i in catalog().ids(kind) if i.startswith(incomplete)]
    except (ComputeCostError, OSError):
        return []


def _completer(values):
    def complete(ctx, param, incomplete: str):
        found = values(incomplete) if callable(values) else [v for v in values if v.startswith(incomplete)]
        return list(found)
    return complete


def install(command) -> None:
    """Give every parameter of ``command`` (a Click group, walked recursively) its value completion."""
    from compute_cli.cli.common import KIND_NAMES

    for param in getattr(command, "params", []):
        name = param.name or ""
        if name in ID_PARAMETERS:
            kind = ID_PARAMETERS[name]
            param._custom_shell_complete = _completer(lambda text, kind=kind: ids(kind, text))
        elif name in CHOICES:
            param._custom_shell_complete = _completer(CHOICES[name])
        elif name == "kind":
            param._custom_shell_complete = _completer(KIND_NAMES)
        elif name == "profile_id":
            param._custom_shell_complete = _completer(
                lambda text: sorted({i for kind in KIND_NAMES for i in ids(kind, text)}))
    for sub in getattr(command, "commands", {}).values():
        install(sub)
