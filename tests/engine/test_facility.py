"""Colocation, owned building and site operations (compute_cli/engine/facility.py)."""

from __future__ import annotations

import numpy as np
import pytest

from compute_cli.engine import facility
from compute_cli.engine.constants import HOURS_PER_MONTH


def test_colocation_on_provisioned_power():
    # 900 W = 0.9 kW x 146 USD/kW-month / 730 h per month = 0.18 USD/h
    assert HOURS_PER_MONTH == 730.0
    assert float(facility.colocation_usd_per_hour(900.0, 146.0)) == pytest.approx(0.18, rel=1e-12)


def test_colocation_zero_rate():
    assert float(facility.colocation_usd_per_hour(900.0, 0.0)) == 0.0


def test_owned_building_straight_line():
    # 1 MW x 8.76e6 USD/MW / 10 years / 8760 h = 100 USD/h
    assert float(facility.owned_facility_usd_per_hour(1.0e6, 8.76e6, 0.0, 10)) == pytest.approx(100.0, rel=1e-12)
    # 900 W = 0.0009 MW: 0.09 USD/h
    assert float(facility.owned_facility_usd_per_hour(900.0, 8.76e6, 0.0, 10)) == pytest.approx(0.09, rel=1e-12)


def test_owned_building_at_eight_percent():
    # CRF(8 %, 10) = 0.08 x 1.08^10 / (1.08^10 - 1) = 0.08 x 2.158925 / 1.158925 = 0.1490295
    # 0.0009 MW x 8.76e6 x 0.1490295 / 8760 = 0.9 x 0.1490295 = 0.1341265 USD/h
    assert float(facility.owned_facility_usd_per_hour(900.0, 8.76e6, 0.08, 10)) == pytest.approx(0.1341265, rel=1e-6)


def test_owned_building_zero_capex():
    assert float(facility.owned_facility_usd_per_hour(900.0, 0.0, 0.08, 10)) == 0.0


def test_operations_per_kw_month():
    # 0.9 kW x 73 USD/kW-month / 730 = 0.09 USD/h
    assert float(facility.operations_usd_per_hour(900.0, 73.0)) == pytest.approx(0.09, rel=1e-12)
    assert float(facility.operations_usd_per_hour(900.0, 0.0)) == 0.0


def test_broadcasting():
    w = np.array([900.0, 1800.0])
    got = facility.colocation_usd_per_hour(w[:, None], np.array([146.0, 73.0]))
    np.testing.assert_allclose(got, [[0.18, 0.09], [0.36, 0.18]], rtol=1e-12)
    owned = facility.owned_facility_usd_per_hour(900.0, 8.76e6, np.array([0.0, 0.08]), 10)
    np.testing.assert_allclose(owned, [0.09, 0.1341265], rtol=1e-6)
