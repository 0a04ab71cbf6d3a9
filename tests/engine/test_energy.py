"""Board power, average power and electricity cost (compute_cli/engine/energy.py)."""

from __future__ import annotations

import numpy as np
import pytest

from compute_cli.engine import energy


def test_energy_cost_per_hour():
    # 700 W = 0.7 kW; x PUE 1.2 = 0.84 kW at the meter; x 0.10 USD/kWh = 0.084 USD/h
    assert float(energy.energy_cost_usd_per_hour(700.0, 1.2, 0.10)) == pytest.approx(0.084, rel=1e-12)
    # the toy node: 900 W x 1.25 x 0.10 / 1000 = 0.1125 USD/h
    assert float(energy.energy_cost_usd_per_hour(900.0, 1.25, 0.10)) == pytest.approx(0.1125, rel=1e-12)


def test_energy_cost_zero_price_or_zero_power():
    assert float(energy.energy_cost_usd_per_hour(700.0, 1.2, 0.0)) == 0.0
    assert float(energy.energy_cost_usd_per_hour(0.0, 1.2, 0.10)) == 0.0


def test_board_power_memory_bound():
    # fully memory-bound step, weight 0.5: 100 + (700 - 100) x 0.5 = 400 W
    assert float(energy.board_power_w(100.0, 700.0, 1.0, 0.0, 0.5)) == 400.0


def test_board_power_saturates_at_tdp():
    # 0.5 x 0.5 + 1.0 = 1.25, capped at 1: 700 W
    assert float(energy.board_power_w(100.0, 700.0, 0.5, 1.0, 0.5)) == 700.0


def test_board_power_mixed_load():
    # load = 0.55 x 0.6 + 0.2 = 0.53; 100 + 600 x 0.53 = 418 W
    assert float(energy.board_power_w(100.0, 700.0, 0.6, 0.2, 0.55)) == pytest.approx(418.0, rel=1e-12)


def test_board_power_idle_when_nothing_busy():
    assert float(energy.board_power_w(100.0, 700.0, 0.0, 0.0, 0.55)) == 100.0


def test_average_power_over_utilization():
    # busy half the time at 500 W, idle at 100 W: 100 + 400 x 0.5 = 300 W
    assert float(energy.average_power_w(100.0, 500.0, 0.5)) == 300.0


def test_average_power_zero_utilization_is_idle():
    assert float(energy.average_power_w(100.0, 500.0, 0.0)) == 100.0
    assert float(energy.average_power_w(100.0, 500.0, 1.0)) == 500.0


def test_broadcasting():
    util = np.array([0.0, 0.25, 1.0])
    p = energy.average_power_w(100.0, 500.0, util)
    np.testing.assert_allclose(p, [100.0, 200.0, 500.0])
    cost = energy.energy_cost_usd_per_hour(p[:, None], np.array([1.0, 2.0]), 0.1)
    assert cost.shape == (3, 2)
    assert cost[2, 1] == pytest.approx(500.0 / 1000.0 * 2.0 * 0.1)
    load = energy.board_power_w(100.0, 700.0, np.array([0.0, 1.0, 2.0]), np.array([0.0, 0.0, 0.5]), 0.5)
    # 100 + 600 x min(1, [0, 0.5, 1.5]) = [100, 400, 700]
    np.testing.assert_allclose(load, [100.0, 400.0, 700.0])
