"""``computecost prices stale``: every dated price in the profiles a catalog finds, and which are due.

The same rule as the warning a run prints (``profiles/staleness.py``): a money figure
with a cited source and an ``as_of`` date older than the limit. Here it is applied to
every profile the catalog would read (the user's overriding the shipped ones of the
same id), not only to those one run uses, so that a refresh can be planned.
"""

from __future__ import annotations

import datetime as dt

from compute_cli import inputs
from compute_cli.contract import SCHEMA_VERSION
from compute_cli.profiles import staleness
from compute_cli.profiles.catalog import Catalog
from compute_cli.profiles.schema import KINDS


def profile_figures(catalog: Catalog):
    """The origin (``inputs.Origin``) of every figure with provenance in every profile the catalog finds."""
    for kind in KINDS:
        for ident in catalog.ids(kind):
            loaded = catalog.get(kind, ident)
            for keys in sorted(loaded.provenance, key=lambda k: loaded.line_of(*k) or 0):
                yield inputs.figure_origin(loaded, keys, None, None)


def stale(catalog: Catalog, on: dt.date, max_age_days: int) -> dict:
    """The dated prices older than ``max_age_days`` on ``on``, oldest first; a JSON-ready dict."""
    figures = list(profile_figures(catalog))
    due = staleness.stale_figures(figures, on, max_age_days)
    dated = sum(1 for o in figures if o.basis == "source" and o.key and staleness.is_price(o.key)
                and staleness.parse_as_of(o.as_of) is not None)
    return {
        "schema_version": SCHEMA_VERSION,
        "today": on.isoformat(),
        "max_age_days": max_age_days,
        "prices_checked": dated,
        "due": [{"file": s.file, "line": s.line, "key": s.key, "as_of": s.as_of, "age_days": s.age_days}
                for s in due],
    }
