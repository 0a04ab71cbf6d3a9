"""``report``: everything a shareable page shows, gathered into one JSON-ready dict.

The page is a list of sections (``SECTIONS``). Each is gathered by one function
of a shared ``Context`` (the evaluated run and its comparison) and returns its
data, or None when it has nothing to show; ``render/report.py`` has one renderer
per section name. A new section is one gatherer here and one renderer there.

Every number comes from the same analyses the commands run: the comparison is
``compare``'s, the tornado ``sensitivity``'s, the cash flows ``invest``'s. The
sources section lists exactly the figures the run used: the origins the engine's
inputs were built from (``pipeline.Run.origins``) and, where ``invest`` priced
the output at the market, the quotes it took the median of. They are recorded in
the catalog too, so the staleness check of the run covers them all.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import warnings
from dataclasses import dataclass, field

import numpy as np

from compute_cli import inputs, pipeline
from compute_cli.contract import SCHEMA_VERSION
from compute_cli.engine import registry
from compute_cli.errors import ComputeCostWarning, InputError
from compute_cli.pipeline import clean
from compute_cli.profiles import staleness
from compute_cli.profiles.catalog import Catalog

TORNADO_METRIC = "cost_usd_per_million_output_tokens"
INVEST_YEARS = None  # the default of `computecost invest`: each owned setup's economic life
INVEST_PRICE_DECLINE_PER_YEAR = 0.3
# Yearly price declines the NPV is drawn over: prices rising 20 %/yr to falling 90 %/yr, 1 % apart.
NPV_DECLINES = np.round(np.linspace(-0.2, 0.9, 111), 4)


@dataclass
class Context:
    """What every section is gathered from."""

    catalog: Catalog
    run: pipeline.Run
    comparison: dict
    assignments: list
    max_age_days: int
    extra_figures: list = field(default_factory=list)  # (Origin, [setup ids]) used outside the engine's inputs

    @property
    def setup_ids(self) -> list[str]:
        return [r.setup.id for r in self.run.resolved]

    def assignments_for(self, r) -> list:
        """The ``--set`` values that apply to one setup, for the analyses run on it alone.

        A path that applies to some setups of the run (``site.pue`` and a rented setup) is
        no error for the run, but would be for that setup alone.
        """
        from compute_cli.profiles.overrides import applies, target

        return [a for a in self.assignments if applies(r, target(a.path, a.text)[0])]


@contextlib.contextmanager
def said_already():
    """Warnings off while a setup is evaluated again: the run's own evaluation has said what they would."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ComputeCostWarning)
        yield


def gather(catalog: Catalog, setup_ids=(), model_id: str | None = None, assignments=(), *,
           max_age_days: int = staleness.DEFAULT_MAX_AGE_DAYS, on: dt.date | None = None) -> dict:
    """The data of a report on ``setup_ids`` (the default comparison when empty) serving ``model_id``."""
    from compute_cli import __version__
    from compute_cli.analysis import compare

    run = pipeline.evaluate(catalog, setup_ids, model_id, assignments)
    ctx = Context(catalog, run, compare.result(run), list(assignments), max_age_days)
    sections = {}
    for name, gatherer in SECTIONS:
        data = gatherer(ctx)
        if data is not None:
            sections[name] = data
    return {
        "schema_version": SCHEMA_VERSION,
        "computecost_version": __version__,
        "generated_on": (on or staleness.today()).isoformat(),
        "model": ctx.comparison["model"],
        "overrides": ctx.comparison["overrides"],
        "setups": ctx.setup_ids,
        "sections": sections,
    }


# ------------------------------------------------------------------ comparison
def comparison(ctx: Context) -> dict:
    """``compare``'s result, and the operating point each of its numbers holds at."""
    return {"compare": ctx.comparison, "operating_point": operating_point(ctx)}


def operating_point(ctx: Context) -> list[dict]:
    """Per setup: workload, batch and accelerators, utilization, how it pays for the hardware, price vintage."""
    out = []
    for i, (r, record) in enumerate(zip(ctx.run.resolved, ctx.run.origins, strict=True)):
        s, y = r.setup, ctx.run.y
        x = ctx.run.x
        dated = sorted((d, o.as_of) for _p, o in record.figures()
                       if o.basis == "source" and o.key and staleness.is_price(o.key)
                       and (d := staleness.parse_as_of(o.as_of)) is not None)
        out.append({
            "setup": s.id,
            "kind": s.kind,
            "context_tokens": int(x["context_tokens"][i]),
            "input_tokens_per_output_token": clean(x["input_tokens_per_output_token"][i]),
            "batch": int(y["batch"][i]),
            "gpus": int(y["gpus"][i]),
            "utilization": clean(x["utilization"][i]),
            "term": s.term if s.kind == "rent" else None,
            "economic_life_years": clean(x["economic_life_years"][i]) if s.kind == "own" else None,
            "prices_as_of": {"oldest": dated[0][1], "newest": dated[-1][1]} if dated else None,
        })
    return out


# ------------------------------------------------------------------- breakdown
def breakdown(ctx: Context) -> dict:
    """Each setup's $/GPU-hour split into the registry's cost lines (compare's numbers)."""
    lines = [{"name": c.name, "label": c.label, "group": c.group, "nature": c.nature} for c in registry.COST_LINES]
    setups = [{"id": s["id"], "total": s["cost_usd_per_gpu_hour"], "lines": s["breakdown_usd_per_gpu_hour"]}
              for s in ctx.comparison["setups"]]
    return {"unit": registry.OUTPUTS["cost_usd_per_gpu_hour"].unit, "lines": lines, "setups": setups}


# -------------------------------------------------------------------- frontier
def frontier(ctx: Context) -> None:
    """Hook for the throughput-interactivity frontier (tokens/s per GPU against tokens/s per user).

    Nothing to show until an ``analysis.frontier`` exists; then return its result for
    the run's setups and add a ``frontier`` renderer in ``render/report.py``.
    """
    return None


# --------------------------------------------------------------------- tornado
def tornado(ctx: Context) -> dict:
    """``sensitivity`` of the cost per output token, for every setup."""
    from compute_cli.analysis import sensitivity

    with said_already():
        results = [sensitivity.run(ctx.catalog, r.setup.id, ctx.run.model.id, ctx.assignments_for(r),
                                   metric=TORNADO_METRIC) for r in ctx.run.resolved]
    return {"metric": TORNADO_METRIC, "unit": registry.OUTPUTS[TORNADO_METRIC].unit, "setups": results}


# ---------------------------------------------------------------------- invest
def invest(ctx: Context) -> dict | None:
    """``invest`` for the owned setups, selling their tokens at the model's market median, and NPV over declines."""
    from compute_cli.analysis import economics

    model = ctx.run.model.id
    has_market = ctx.catalog.find("markets", model) is not None
    done, skipped = [], []
    for r in ctx.run.resolved:
        sid = r.setup.id
        if r.setup.kind != "own":
            skipped.append({"setup": sid, "reason": f"a {r.setup.kind} setup buys no hardware: nothing to invest"})
            continue
        if not has_market:
            skipped.append({"setup": sid, "reason": f"no market profile prices {model}'s tokens (markets/{model})"})
            continue
        try:
            with said_already():
                done.append(economics.invest(ctx.catalog, sid, model_id=model, years=INVEST_YEARS,
                                             price_decline_per_year=INVEST_PRICE_DECLINE_PER_YEAR,
                                             assignments=ctx.assignments_for(r), npv_declines=NPV_DECLINES))
        except InputError as exc:
            skipped.append({"setup": sid, "reason": str(exc)})
    if done:
        quotes = economics.market_figures(ctx.catalog, model)  # recorded as used by invest already
        ctx.extra_figures += [(o, [d["setup"] for d in done]) for o in quotes]
    if not done and not skipped:
        return None
    return {"years": INVEST_YEARS, "price_decline_per_year": INVEST_PRICE_DECLINE_PER_YEAR, "setups": done,
            "not_applicable": skipped}


# ---------------------------------------------------------------------- ranges
def ranges(ctx: Context) -> None:
    """Hook for p5-p95 ranges of the comparison's costs (a seeded Monte Carlo over the declared distributions).

    Nothing to show until ``compare`` computes ranges; then return them per setup and
    metric and add a ``ranges`` renderer in ``render/report.py``.
    """
    return None


# --------------------------------------------------------------------- sources
BASIS_ORDER = ("source", "assumption", "--set", "unsourced", "default", "engine")  # inputs.Origin.basis


def sources(ctx: Context) -> dict:
    """Every figure the run used, once, with where it came from; and the engine's own tables it used."""
    used: dict[tuple, tuple[inputs.Origin, list[str]]] = {}
    engine: dict[tuple, list] = {}
    for record in ctx.run.origins:
        for _path, o in record.figures():
            used.setdefault(_row_key(o), (o, []))[1].append(record.setup)
        for origins in record.inputs.values():
            for o in origins:
                if o.path is None and o.basis == "engine":
                    entry = engine.setdefault((o.text, repr(o.value)), [o, []])
                    if record.setup not in entry[1]:
                        entry[1].append(record.setup)
    for o, setups in ctx.extra_figures:
        used.setdefault(_row_key(o), (o, []))[1].extend(setups)
    stale = {(s.file, s.key): s.age_days for s in
             staleness.stale_figures([o for o, _ in used.values()], staleness.today(), ctx.max_age_days)}
    figures = [_figure_row(o, setups, stale.get((o.file, o.key))) for o, setups in used.values()]
    figures.sort(key=lambda f: (f["profile"] is not None, f["profile"] or "", f["key"] or ""))
    counts = {b: n for b in BASIS_ORDER if (n := sum(f["basis"] == b for f in figures))}
    return {
        "max_age_days": ctx.max_age_days,
        "counts": counts,
        "figures": figures,
        "engine": [{"table": o.text, "value": _plain(o.value), "used_by": setups} for o, setups in engine.values()],
    }


def _row_key(o: inputs.Origin) -> tuple:
    """One row per figure; a value with no file (a stand-in made in code, a --set) once per value it takes."""
    return o.figure if (o.file or o.profile) else (*o.figure, repr(o.value))


def _plain(value):
    """A value as JSON holds it: numbers, text, booleans; anything else as its text."""
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, float | np.floating):
        return clean(value)
    return str(value)


def shown_file(file: str | None) -> str | None:
    """A shipped profile's file as ``configs/<kind>/<id>.yaml``, wherever computecost is installed; others as given.

    A shared page names the file a reader can find in computecost's sources, not a path on the machine that made it.
    """
    from pathlib import Path

    from compute_cli.profiles.catalog import shipped_dir

    if not file:
        return file
    try:
        return "configs/" + Path(file).resolve().relative_to(shipped_dir().resolve()).as_posix()
    except (ValueError, OSError):
        return file


def _figure_row(o: inputs.Origin, used_by: list[str], stale_days: int | None) -> dict:
    return {
        "profile": o.profile,
        "key": o.key or o.path,
        "path": o.path,
        "value": _plain(o.value),
        "basis": o.basis,
        "source": o.source,
        "as_of": o.as_of,
        "text": o.text,
        "distribution": o.distribution.as_dict() if o.distribution is not None else None,
        "file": shown_file(o.file),
        "line": o.line,
        "used_by": list(dict.fromkeys(used_by)),
        "stale_days": stale_days,
    }


# In page order. Sources come last: the sections before them may use figures of their own (market quotes).
SECTIONS = (
    ("comparison", comparison),
    ("breakdown", breakdown),
    ("frontier", frontier),
    ("tornado", tornado),
    ("invest", invest),
    ("ranges", ranges),
    ("sources", sources),
)
