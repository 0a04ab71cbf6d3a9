"""The one path from setup ids to numbers: resolve -> override -> build -> evaluate.

Every command that evaluates setups goes through ``evaluate`` (or, for setups made
in code, ``evaluate_resolved``), so every command applies ``--set`` the same way,
says the same thing when a ``--set`` changes nothing, and records the same
figures as used (for staleness and the sources of a report). ``clean`` turns an
engine number into what JSON prints.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np

from compute_cli import inputs
from compute_cli.contract import SCHEMA_VERSION
from compute_cli.engine.evaluate import evaluate as engine_evaluate
from compute_cli.errors import ComputeCostWarning, InputError
from compute_cli.profiles.catalog import Catalog, ResolvedSetup
from compute_cli.profiles.overrides import Assignment, applies, apply, canonical, scope, target
from compute_cli.profiles.schema import Model

DEFAULT_MODEL = "llama-3.1-70b"


WHOLE_LIMIT = 2.0**53  # below it every whole float is exact as an integer


def clean(value) -> float | int | None:
    """A finite number rounded to 6 significant digits, or None (JSON null) for NaN/inf; a whole
    number is an integer (``162``, not ``162.0``), as JSON and CSV readers expect a count.

    >>> clean(3.14159265), clean(float("nan")), clean(-0.0), clean(162.0), clean(25504312345.0)
    (3.14159, None, 0, 162, 25504300000)
    """
    value = float(value)
    if not math.isfinite(value):
        return None
    rounded = float(f"{value:.6g}") + 0.0
    return int(rounded) if rounded.is_integer() and abs(rounded) < WHOLE_LIMIT else rounded


def default_setups(catalog: Catalog) -> list[str]:
    """Setups marked ``in_default_comparison``; every setup when none is."""
    ids = catalog.ids("setups")
    featured = [i for i in ids if catalog.get("setups", i).profile.in_default_comparison]
    return featured or ids


def default_model(resolved) -> str:
    """The model every setup declares, if they agree; else DEFAULT_MODEL."""
    declared = {r.setup.model for r in resolved}
    return declared.pop() if len(declared) == 1 and None not in declared else DEFAULT_MODEL


@dataclass
class Run:
    """One evaluation: the setups as resolved and overridden, the engine's inputs (with their
    origins) and its outputs, one element per setup."""

    resolved: list[ResolvedSetup]
    model: Model
    x: inputs.Inputs
    y: dict
    assignments: list[Assignment] = field(default_factory=list)
    options: inputs.RunOptions = field(default_factory=inputs.RunOptions)

    def scalars(self, i: int) -> tuple[dict, dict]:
        """Inputs and outputs of the ``i``-th setup as 0-d arrays."""
        return ({k: np.asarray(v)[i] for k, v in self.x.items()}, {k: np.asarray(v)[i] for k, v in self.y.items()})

    @property
    def origins(self) -> list[inputs.SetupOrigins]:
        return self.x.origins

    def envelope(self, i: int = 0) -> dict:
        """The head of a one-setup JSON result: schema_version, setup, model, overrides."""
        return {"schema_version": SCHEMA_VERSION, "setup": self.resolved[i].setup.id, "model": self.model.id,
                "overrides": [a.text for a in self.assignments]}


def evaluate(catalog: Catalog, setup_ids, model_id: str | None, assignments=(),
             options: inputs.RunOptions = inputs.RunOptions()) -> Run:
    """Resolve, override, build and evaluate setups (the default comparison when ``setup_ids`` is empty).

    ``model_id`` None means the catalog's default model (``computecost.toml``), else the model
    the setups declare (see ``default_model``).
    """
    ids = list(dict.fromkeys(setup_ids)) or default_setups(catalog)
    if not ids:
        raise InputError("no setups found; add one under setups/ in a --config-dir")
    resolved = [catalog.resolve(i) for i in ids]
    model_id = model_id or catalog.default_model or default_model(resolved)
    model = catalog.model(model_id)
    return evaluate_resolved(catalog, resolved, model, assignments, options, catalog.get("models", model_id))


def with_workload(catalog: Catalog, resolved: list[ResolvedSetup], options: inputs.RunOptions) -> list[ResolvedSetup]:
    """The setups with the run's workload (``--workload``, or ``--input-tokens/--output-tokens``) instead of their own."""
    import dataclasses

    from compute_cli.profiles import standins

    if options.workload is not None:
        loaded = catalog.get("workloads", options.workload)
        return [dataclasses.replace(r, workload=loaded.profile, sources={**r.sources, "workload": loaded})
                for r in resolved]
    if options.input_tokens is not None:
        made = standins.workload(options.input_tokens, options.output_tokens)
        return [dataclasses.replace(r, workload=made, sources={k: v for k, v in r.sources.items() if k != "workload"})
                for r in resolved]
    return resolved


def evaluate_resolved(catalog: Catalog, resolved: list[ResolvedSetup], model: Model, assignments=(),
                      options: inputs.RunOptions = inputs.RunOptions(), model_source=None) -> Run:
    """``evaluate`` for setups already resolved (or made in code, see ``profiles.standins``)."""
    assignments = list(assignments)
    resolved = with_workload(catalog, resolved, options)
    resolved = [catalog.with_runtime(r, options.runtime) for r in resolved]
    resolved, model = apply(resolved, model, assignments)
    overridden = {canonical(a.path, a.text): a.text for a in assignments}
    x = inputs.build(resolved, model, options, model_source=model_source, overridden=overridden)
    run = Run(resolved=resolved, model=model, x=x, y=engine_evaluate(x), assignments=assignments, options=options)
    catalog.record_used(x.origins)
    for message in unused_overrides(run):
        warnings.warn(message, ComputeCostWarning, stacklevel=2)
    return run


def _free_text(a: Assignment) -> bool:
    """Names, notes and descriptions: text the engine never reads, and no one expects it to."""
    import msgspec.inspect as mi

    from compute_cli.profiles.keypaths import type_at

    _attr, struct_type, rest = target(a.path, a.text)
    return isinstance(type_at(struct_type, rest), mi.StrType)


def unused_overrides(run: Run) -> list[str]:
    """One line per ``--set`` that changes no engine input of a setup it applies to, with the reason.

    A setup without the profile the path names (a rented setup has no site) is not
    counted: the documented rule is that such a setup is left as it is.
    """
    out = []
    for a in run.assignments:
        path = canonical(a.path, a.text)
        attr = scope(a.path, a.text)
        if _free_text(a):
            continue
        unaffected: dict[str, list[str]] = {}
        for r, record in zip(run.resolved, run.origins, strict=True):
            if not applies(r, attr):
                continue
            if path in record.reads():
                continue
            reason = record.ignored.get(path, "the engine does not use this key")
            unaffected.setdefault(reason, []).append(r.setup.id)
        if unaffected:
            parts = [f"{', '.join(ids)}: {reason}" for reason, ids in unaffected.items()]
            out.append(f"--set {a.text} changes nothing for " + "; for ".join(parts))
    return out
