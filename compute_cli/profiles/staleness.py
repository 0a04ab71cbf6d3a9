"""Which dated prices a run used, and which of them are older than a limit.

Prices go stale; datasheet figures do not. A GPU's memory bandwidth measured in
2022 is still its bandwidth, but an hourly rental price from last year may be
half today's. So only *money* figures are checked: those whose key names a
currency (``price_usd``, ``usd_per_gpu_hour.on_demand``, ``electricity_usd_per_kwh``,
``colocation_usd_per_kw_month``, ``host_capex_usd``, ``staff_usd_per_year``, ...),
with a cited source and its ``as_of`` date. Assumptions carry no date and are
never stale; a figure replaced with ``--set`` is the user's own, and not checked.

Which figures a run used is not decided here: the engine's inputs record the
origin of every value they were built from (``compute_cli.inputs.Origin``), and
the catalog keeps those records for the run. A rented setup's inputs never read
the accelerator's purchase price, an on-site generator's never read the grid
price, so neither can be flagged.
"""

from __future__ import annotations

import datetime as dt
import re

import msgspec

DEFAULT_MAX_AGE_DAYS = 365
CURRENCY = "usd"  # a key naming a currency holds a price, a rate or a capital cost

_AS_OF = re.compile(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$")


TODAY_ENV = "COMPUTECOST_TODAY"


def today() -> dt.date:
    """The date staleness is measured against: today, or ``COMPUTECOST_TODAY`` (YYYY-MM-DD) when set,
    so that documented examples and CI logs can be reproduced on a later day."""
    import os

    fixed = os.environ.get(TODAY_ENV, "").strip()
    if fixed:
        try:
            return dt.date.fromisoformat(fixed)
        except ValueError:
            from compute_cli.errors import UsageError

            raise UsageError(f"{TODAY_ENV}={fixed!r}: expected a date YYYY-MM-DD") from None
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


def is_price(key: str) -> bool:
    """Whether a key path names money (and so goes stale).

    >>> is_price("usd_per_gpu_hour.on_demand"), is_price("memory_bandwidth_tb_per_s")
    (True, False)
    """
    return CURRENCY in key


def stale_figures(figures, on: dt.date, max_age_days: int) -> list[StaleFigure]:
    """Dated money figures among ``figures`` (origins of what a run used) older than ``max_age_days`` before ``on``.

    Each figure once (setups share profiles), oldest first.
    """
    found: dict[tuple, StaleFigure] = {}
    for o in figures:
        if o.basis != "source" or not o.key or not is_price(o.key) or (o.file, o.key) in found:
            continue
        date = parse_as_of(o.as_of)
        if date is None:
            continue
        age = (on - date).days
        if age > max_age_days:
            found[(o.file, o.key)] = StaleFigure(o.file, o.line, o.key, o.as_of, age)
    return sorted(found.values(), key=lambda s: (-s.age_days, s.file, s.key))


def summary(stale: list[StaleFigure], max_age_days: int) -> str:
    """One line for a run's stale prices: how many, and the oldest, with its file and line."""
    oldest = stale[0]
    where = oldest.file + (f":{oldest.line}" if oldest.line else "")
    many = f"{len(stale)} prices used are" if len(stale) > 1 else "1 price used is"
    return (f"{many} over {max_age_days} days old, oldest {where}: {oldest.key} (as_of {oldest.as_of}); "
            "--strict lists them")
