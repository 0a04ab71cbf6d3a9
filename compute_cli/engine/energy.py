"""Power draw and electricity cost."""

from __future__ import annotations

import numpy as np

from compute_cli.engine.constants import W_PER_KW


def board_power_w(idle_w, tdp_w, memory_busy_fraction, compute_busy_fraction, memory_power_weight,
                  overhead_busy_fraction=0.0, overhead_power_weight=0.0, duty=1.0):
    """Average accelerator board power while serving [W].

    Power rises from idle towards TDP with the load on the limiting resources:
    P_busy = idle + (TDP - idle) x min(1, w_mem x f_mem + f_compute + w_ovh x f_ovh), where
    f_mem and f_compute are the fractions of the step during which memory and the tensor
    units are busy at their achievable rates, f_ovh the fraction spent on fixed costs and
    collectives; w_mem < 1 because streaming memory draws less power than saturated
    tensor cores (an accelerator running dense GEMMs reaches its power limit; decode at
    batch 1 does not), and w_ovh < w_mem because launch gaps and small kernels leave most
    of the chip waiting. A device busy only ``duty`` of the step (a pipeline stage waiting
    for the others) idles the rest: P = idle + (P_busy - idle) x duty.
    See docs/methodology.md, "Power".

    >>> float(board_power_w(100.0, 700.0, 1.0, 0.0, 0.5))
    400.0
    >>> float(board_power_w(100.0, 700.0, 0.5, 1.0, 0.5))
    700.0
    >>> float(board_power_w(100.0, 700.0, 1.0, 0.0, 0.5, duty=0.25))  # one stage of four
    175.0
    """
    load = np.minimum(1.0, memory_power_weight * memory_busy_fraction + compute_busy_fraction
                      + overhead_power_weight * overhead_busy_fraction)
    return idle_w + (tdp_w - idle_w) * load * duty


def average_power_w(idle_w, serving_power_w, utilization):
    """Time-average power when serving a fraction ``utilization`` of the time, idle otherwise [W].

    >>> float(average_power_w(100.0, 500.0, 0.5))
    300.0
    """
    return idle_w + (serving_power_w - idle_w) * utilization


def host_power_w(host_idle_power_w, host_power_w, load_fraction):
    """Host power (CPUs, switches, NICs, fans) following its accelerators' load [W].

    From the host's idle power with idle accelerators to its full-load figure with the
    accelerators at their power limit, in proportion to the accelerators' share of their
    idle-to-TDP range: fans and power conversion track the heat the boards make.

    >>> float(host_power_w(2300.0, 4600.0, 0.5))
    3450.0
    """
    return host_idle_power_w + (host_power_w - host_idle_power_w) * load_fraction


def energy_cost_usd_per_hour(power_w, pue, electricity_usd_per_kwh):
    """Electricity cost of running a load for one hour, facility overhead included.

    power_w : average IT power of the load [W]
    pue : power usage effectiveness [-], >= 1
    electricity_usd_per_kwh : price paid for energy [USD/kWh]
    Returns [USD/h], broadcast over the inputs.

    >>> float(energy_cost_usd_per_hour(700, 1.2, 0.10))
    0.084
    """
    return power_w / W_PER_KW * pue * electricity_usd_per_kwh
