"""Facility cost: colocation rent or an owned building, on provisioned power."""

from __future__ import annotations

import numpy as np

from compute_cli.engine.constants import HOURS_PER_MONTH, HOURS_PER_YEAR, KW_PER_MW, W_PER_KW
from compute_cli.engine.finance import capital_recovery_factor


def colocation_usd_per_hour(provisioned_w, colocation_usd_per_kw_month):
    """Colocation rent on provisioned (nameplate) IT power [USD/h].

    Wholesale colocation is priced per kW of critical IT capacity per month
    (CBRE North America Data Center Trends); power is billed on top.

    >>> round(float(colocation_usd_per_hour(1000.0, 184.06)), 4)
    0.2521
    """
    return provisioned_w / W_PER_KW * colocation_usd_per_kw_month / HOURS_PER_MONTH


def owned_facility_usd_per_hour(provisioned_w, capex_usd_per_mw, rate_per_year, life_years):
    """Owned building, annualized with the capital recovery factor over its own life [USD/h].

    capex_usd_per_mw : construction cost per MW of critical IT load [USD/MW]
    (Cushman & Wakefield Data Center Development Cost Guide 2025: $11.7M/MW average).

    >>> round(float(owned_facility_usd_per_hour(1.0e6, 8.76e6, 0.0, 10)), 6)
    100.0
    """
    provisioned_mw = provisioned_w / W_PER_KW / KW_PER_MW
    if not np.any(capex_usd_per_mw):  # colocation or no facility: skip the capital recovery factor
        return provisioned_mw * 0.0
    return provisioned_mw * capex_usd_per_mw * capital_recovery_factor(rate_per_year, life_years) / HOURS_PER_YEAR


def operations_usd_per_hour(provisioned_w, operations_usd_per_kw_month):
    """Site operations (security, remote hands, maintenance of the building) per provisioned kW [USD/h]."""
    return provisioned_w / W_PER_KW * operations_usd_per_kw_month / HOURS_PER_MONTH
