"""Which dated prices a run used, and which of them are older than a limit.

Prices go stale; datasheet figures do not. A GPU's memory bandwidth measured in
2022 is still its bandwidth, but an hourly rental price from last year may be
half today's. So only *money* figures are checked: those whose key names a
currency (``price_usd``, ``usd_per_gpu_hour.on_demand``, ``electricity_usd_per_kwh``,
``colocation_usd_per_kw_month``, ``host_capex_usd``, ``staff_usd_per_year``, ...),
with a cited source and its ``as_of`` date. Assumptions carry no date and are
never stale; a figure replaced with ``--set`` is the user's own, and not checked.

Only figures a setup actually uses count: a rented setup pays rent, not the
accelerator's purchase price; a colocated site pays colocation, not building
capex; an offer is paid at the setup's ``term`` only.
"""

from __future__ import annotations

import datetime as dt
import re

import msgspec

from compute_cli.profiles.catalog import Catalog, ResolvedSetup
from compute_cli.profiles.overrides import Assignment, target
from compute_cli.profiles.yamlio import format_path

DEFAULT_MAX_AGE_DAYS = 365
CURRENCY = "usd"  # a key naming a currency holds a price, a rate or a capital cost

# --set roots (overrides.ROOTS attribute) -> profile kind
_ATTR_KIND = {"setup": "setups", "hardware": "hardware", "system": "systems", "site": "sites", "finance": "finance",
              "offer": "offers", "model": "models"}
_AS_OF = re.compile(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$")


def today() -> dt.date:
    """The date staleness is measured against (tests replace this)."""
    return dt.date.today()


def parse_as_of(text: str | None) -> dt.date | None:
    """The first day an ``as_of`` can mean: YYYY, YYYY-MM or YYYY-MM-DD; None when it is no such date.

    >>> parse_as_of("2024-07")
    datetime.date(2024, 7, 1)
    >>> parse_as_of("2023"), parse_as_of("2025-02-26"), parse_as_of("last spring")
    (datetime.date(2023, 1, 1), datetime.date(2025, 2, 26), None)
    """
    match = _AS_OF.match(str(text or "").strip())
    if not match:
        return None
    year, month, day = (int(g) if g else 1 for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


class StaleFigure(msgspec.Struct, frozen=True):
    file: str
    line: int | None
    key: str  # key path inside the profile, e.g. usd_per_gpu_hour.on_demand
    as_of: str
    age_days: int

    def describe(self, max_age_days: int) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        return (f"{where}: {self.key}: as_of {self.as_of} is {self.age_days:,} days old, "
                f"more than --max-age-days {max_age_days}")


def _used(kind: str, path: tuple, r: ResolvedSetup) -> bool:
    """Whether the figure at ``path`` of a ``kind`` profile enters the cost of setup ``r``."""
    own = r.setup.kind == "own"
    key = path[0] if path else ""
    if kind == "hardware" and key == "price_usd":
        return own
    if kind == "systems" and key in ("host_capex_usd", "network_capex_usd"):
        return own
    if kind == "sites" and r.site is not None:
        if key == "colocation_usd_per_kw_month":
            return r.site.facility == "colocation"
        if key in ("facility_capex_usd_per_mw", "facility_life_years"):
            return r.site.facility == "owned"
    if kind == "offers" and key == "usd_per_gpu_hour":
        return path[1:] == (r.setup.term,)
    return True


def _profiles_of(r: ResolvedSetup) -> list[tuple[str, str]]:
    """(kind, id) of every profile behind a resolved setup; stand-ins made up in code have no file."""
    pairs = [("setups", r.setup.id), ("hardware", r.hardware.id), ("systems", r.system.id)]
    pairs += [(kind, p.id) for kind, p in (("sites", r.site), ("finance", r.finance), ("offers", r.offer)) if p]
    return pairs


def overridden(assignments) -> set[tuple[str, tuple]]:
    """(kind, key path) of every figure a ``--set`` replaced."""
    out = set()
    for a in assignments:
        attr, _struct, rest = target(a.path, a.text)
        out.add((_ATTR_KIND[attr], tuple(rest)))
    return out


def stale_prices(catalog: Catalog, setup_ids, on: dt.date, max_age_days: int,
                 assignments: list[Assignment] = ()) -> list[StaleFigure]:
    """Money figures used by ``setup_ids``, dated more than ``max_age_days`` before ``on``.

    Each figure once (setups share profiles), oldest first. The setups are resolved
    again from ``catalog``, which has read their files already.
    """
    skip = overridden(assignments)
    found: dict[tuple[str, tuple], StaleFigure] = {}
    for setup_id in dict.fromkeys(setup_ids):
        r = catalog.resolve(setup_id)
        for kind, ident in _profiles_of(r):
            loaded = catalog.loaded(kind, ident)
            if loaded is None:
                continue
            for path, prov in loaded.provenance.items():
                if (loaded.file, path) in found or (kind, path) in skip:
                    continue
                if not any(CURRENCY in str(part) for part in path) or not _used(kind, path, r):
                    continue
                date = parse_as_of(prov.as_of)
                if date is None:
                    continue
                age = (on - date).days
                if age > max_age_days:
                    found[(loaded.file, path)] = StaleFigure(loaded.file, loaded.line_of(*path), format_path(path),
                                                             prov.as_of, age)
    return sorted(found.values(), key=lambda s: (-s.age_days, s.file, s.key))


def summary(stale: list[StaleFigure], max_age_days: int) -> str:
    """One line for a run's stale prices: how many, and the oldest, with its file and line."""
    oldest = stale[0]
    where = oldest.file + (f":{oldest.line}" if oldest.line else "")
    many = f"{len(stale)} prices used are" if len(stale) > 1 else "1 price used is"
    return (f"{many} over {max_age_days} days old, oldest {where}: {oldest.key} (as_of {oldest.as_of}); "
            "--strict lists them")
