"""Cost per accelerator-hour, as separate line items, and per token.

Owning: capital (capital recovery factor at the cost of capital over the
economic life, net of resale and of the depreciation tax shield) of the
accelerators and hosts, of the network and of storage; maintenance, failed
accelerators replaced, insurance and property tax (on the book value), energy,
facility, site operations and staff. Renting: the offer's price plus extras,
billed by the term's rule, and staff.

The ``*_line`` functions are the cost lines of ``engine.registry.COST_LINES``: each
takes engine inputs and stage intermediates by name and returns [USD/GPU-h].
"""

from __future__ import annotations

import numpy as np

from compute_cli.engine import energy, facility
from compute_cli.engine import finance
from compute_cli.engine.constants import HOURS_PER_YEAR, SECONDS_PER_DAY, SECONDS_PER_HOUR, TOKENS_PER_MILLION, W_PER_MW


def capex_per_accelerator_usd(accelerator_price_usd, accelerator_count, host_capex_usd, network_capex_usd):
    """System capex divided over its accelerators [USD].

    >>> float(capex_per_accelerator_usd(25000.0, 8, 80000.0, 40000.0))
    40000.0
    """
    return accelerator_price_usd + (host_capex_usd + network_capex_usd) / accelerator_count


# Capital is recovered month by month, as invest's cash flows count revenue: selling at the cost
# per hour then earns exactly the cost of capital (tests/test_analyst_checks.py).
CAPITAL_PERIODS_PER_YEAR = 12


def capital_usd_per_hour(capex_usd, rate_per_year, life_years, resale_fraction_at_end, income_tax_rate=0.0,
                         depreciation_pv=1.0):
    """Equivalent capital cost spread over every hour, recovered month by month [USD/h].

    See ``finance.annualized_capital_usd_per_year`` (pre-tax, net of resale and the depreciation shield).

    >>> round(float(capital_usd_per_hour(8760.0, 0.0, 4.0, 0.0)), 6)
    0.25
    """
    return finance.annualized_capital_usd_per_year(capex_usd, rate_per_year, life_years, resale_fraction_at_end,
                                                   income_tax_rate, depreciation_pv,
                                                   CAPITAL_PERIODS_PER_YEAR) / HOURS_PER_YEAR


def fraction_of_capex_usd_per_hour(capex_usd, fraction_per_year):
    """A yearly charge proportional to capex (maintenance, insurance, tax) [USD/h].

    >>> float(fraction_of_capex_usd_per_hour(87600.0, 0.1))
    1.0
    """
    return capex_usd * fraction_per_year / HOURS_PER_YEAR


def staff_usd_per_gpu_hour(staff_usd_per_year, accelerators):
    """Staff cost shared over every accelerator of the deployment [USD/h]."""
    return staff_usd_per_year / (accelerators * HOURS_PER_YEAR)


def usd_per_million_tokens(cost_usd_per_gpu_hour, gpu_seconds_per_token, utilization):
    """Cost of a million tokens when the accelerators are busy a fraction ``utilization`` of the time.

    Every hour is paid for; only ``utilization`` of it produces tokens:
    cost/M = cost_per_gpu_hour / 3600 x gpu_seconds_per_token / utilization x 10^6.

    >>> float(usd_per_million_tokens(3.6, 0.001, 0.5))  # 3.6/3600 x 0.001 / 0.5 x 1e6
    2.0
    """
    return cost_usd_per_gpu_hour / SECONDS_PER_HOUR * gpu_seconds_per_token / utilization * TOKENS_PER_MILLION


def blended_usd_per_million_tokens(input_cost, output_cost, input_tokens_per_output_token):
    """Average over all tokens at a stated input:output ratio.

    >>> float(blended_usd_per_million_tokens(1.0, 5.0, 3.0))
    2.0
    """
    r = input_tokens_per_output_token
    return (r * input_cost + output_cost) / (r + 1.0)


def selling_price(cost, markup_fraction, margin_fraction, marketplace_fee_fraction):
    """Price to list so that, after the marketplace's fee, the seller keeps its markup on cost or its margin on price.

    A markup is on cost: net = cost x (1 + markup). A margin is on the (net) price:
    (net - cost) / net = margin, so net = cost / (1 - margin). A setup gives one of
    them (the other is 0). The marketplace keeps ``fee`` of the list price:
    price = net / (1 - fee).

    >>> round(float(selling_price(1.0, 0.2, 0.0, 0.0)), 6), round(float(selling_price(1.0, 0.0, 0.2, 0.0)), 6)
    (1.2, 1.25)
    >>> round(float(selling_price(1.0, 0.0, 0.2, 0.05)), 6)
    1.315789
    """
    return cost * (1.0 + markup_fraction) / (1.0 - margin_fraction) / (1.0 - marketplace_fee_fraction)


def tokens_per_day_per_mw(tokens_per_s_per_gpu, utilization, provisioned_w_per_gpu, pue):
    """Tokens a megawatt of site power produces per day: accelerators per MW x tokens/s x busy time."""
    gpus_per_mw = W_PER_MW / (provisioned_w_per_gpu * pue)
    return gpus_per_mw * tokens_per_s_per_gpu * utilization * SECONDS_PER_DAY


def nan_where(mask, values):
    """``values`` with NaN where ``mask`` is true (used for "does not fit").

    When nothing is masked ``values`` comes back as it is (no copy, its own shape,
    which broadcasts with the mask's).
    """
    if not np.any(mask):
        return values
    return np.where(mask, np.nan, values)


# ------------------------------------------------------------------ cost lines
# One function per registry.COST_LINES entry; parameter names are engine inputs or
# registry.INTERMEDIATES, so the evaluator passes them by name.

def _capital(capex_usd, cost_of_capital_per_year, economic_life_years, resale_fraction, income_tax_rate,
             tax_depreciation_method):
    pvd = finance.depreciation_pv_fraction(tax_depreciation_method, cost_of_capital_per_year, economic_life_years,
                                           CAPITAL_PERIODS_PER_YEAR)
    return capital_usd_per_hour(capex_usd, cost_of_capital_per_year, economic_life_years, resale_fraction,
                                income_tax_rate, pvd)


def capital_line(owned, hardware_capex_usd_per_gpu, cost_of_capital_per_year, economic_life_years,
                 residual_value_fraction, hardware_price_decline_per_year, income_tax_rate, tax_depreciation_method):
    """Capital recovery of an owned accelerator and its host share, spares included [USD/GPU-h].

    Sold at the end of the economic life for the resale curve's value there, lowered by any
    hardware price decline beyond the curve's (``finance.resale_value_fraction``); with income
    tax, the pre-tax charge that pays the after-tax return (NREL ATB's ProFinFactor).

    >>> round(float(capital_line(1.0, 40000.0, 0.0, 4.0, 0.0, 0.0, 0.0, 0.0)), 4)  # 40,000 / 4 / 8,760
    1.1416
    >>> round(float(capital_line(1.0, 40000.0, 0.0, 4.0, 0.35, 0.0, 0.0, 0.0)), 4)  # 26,000 / 4 / 8,760
    0.742
    """
    resale = finance.resale_value_fraction(residual_value_fraction, hardware_price_decline_per_year,
                                           economic_life_years)
    return owned * _capital(hardware_capex_usd_per_gpu, cost_of_capital_per_year, economic_life_years, resale,
                            income_tax_rate, tax_depreciation_method)


def network_line(owned, network_capex_usd_per_gpu, cost_of_capital_per_year, economic_life_years, income_tax_rate,
                 tax_depreciation_method):
    """Capital recovery of the network share of an accelerator, over the same life, no resale [USD/GPU-h].

    >>> round(float(network_line(1.0, 8760.0, 0.0, 5.0, 0.0, 0.0)), 6)  # 8,760 / 5 / 8,760
    0.2
    """
    return owned * _capital(network_capex_usd_per_gpu, cost_of_capital_per_year, economic_life_years, 0.0,
                            income_tax_rate, tax_depreciation_method)


def storage_line(owned, storage_capex_usd_per_gpu, cost_of_capital_per_year, economic_life_years, income_tax_rate,
                 tax_depreciation_method):
    """Capital recovery of the storage share of an accelerator, over the same life, no resale [USD/GPU-h]."""
    return owned * _capital(storage_capex_usd_per_gpu, cost_of_capital_per_year, economic_life_years, 0.0,
                            income_tax_rate, tax_depreciation_method)


def maintenance_line(owned, capex_usd_per_gpu, maintenance_fraction_per_year):
    """Maintenance (support contracts, RMA handling, parts other than accelerators) as a yearly share of capex
    [USD/GPU-h]."""
    return owned * fraction_of_capex_usd_per_hour(capex_usd_per_gpu, maintenance_fraction_per_year)


def failures_line(owned, price_usd, failure_rate_per_year, hot_spare_fraction):
    """Accelerators that fail and are replaced at the owner's cost, at today's price [USD/GPU-h].

    >>> float(failures_line(1.0, 30000.0, 0.0292, 0.0))  # 2.92 % of $30,000 a year = $876 = $0.1/h
    0.1
    """
    return owned * price_usd * failure_rate_per_year * (1.0 + hot_spare_fraction) / HOURS_PER_YEAR


def insurance_tax_line(owned, capex_usd_per_gpu, insurance_fraction_per_year, property_tax_fraction_per_year,
                       cost_of_capital_per_year, economic_life_years, residual_value_fraction):
    """Insurance and property tax as yearly shares of the book value, levelized over the life [USD/GPU-h].

    The book value falls in a straight line from the cost to the residual
    (``finance.levelized_book_value_fraction``); at rate 0 the charge is on half the cost.

    >>> float(insurance_tax_line(1.0, 87600.0, 0.005, 0.005, 0.0, 6.0, 0.0))  # 1 % of 43,800 a year
    0.05
    """
    book = finance.levelized_book_value_fraction(cost_of_capital_per_year, economic_life_years,
                                                 residual_value_fraction)
    return owned * fraction_of_capex_usd_per_hour(capex_usd_per_gpu * book,
                                                  insurance_fraction_per_year + property_tax_fraction_per_year)


def energy_line(pays_energy, avg_power_w_per_gpu, energy_baseline_w, pue, electricity_usd_per_kwh):
    """Electricity above the device's baseline, facility overhead (PUE) included [USD/GPU-h].

    >>> float(energy_line(1.0, 700.0, 0.0, 1.2, 0.10))
    0.084
    """
    return pays_energy * energy.energy_cost_usd_per_hour(avg_power_w_per_gpu - energy_baseline_w, pue,
                                                         electricity_usd_per_kwh)


def facility_line(owned, provisioned_w_per_gpu, colocation_usd_per_kw_month, facility_capex_usd_per_mw,
                  cost_of_capital_per_year, facility_life_years):
    """Colocation rent, or the owned building annualized, on provisioned power [USD/GPU-h]."""
    return owned * (facility.colocation_usd_per_hour(provisioned_w_per_gpu, colocation_usd_per_kw_month)
                    + facility.owned_facility_usd_per_hour(provisioned_w_per_gpu, facility_capex_usd_per_mw,
                                                           cost_of_capital_per_year, facility_life_years))


def site_operations_line(owned, provisioned_w_per_gpu, operations_usd_per_kw_month):
    """Site operations per provisioned kW [USD/GPU-h]."""
    return owned * facility.operations_usd_per_hour(provisioned_w_per_gpu, operations_usd_per_kw_month)


def staff_line(staff_usd_per_year, accelerators_total, staff_usd_per_accelerator_year, staff_usd_per_mw_year,
               provisioned_w_per_gpu, hot_spare_fraction):
    """The deployment's fixed team shared over its accelerators, plus the staff that scales with them [USD/GPU-h].

    fixed / (accelerators x 8,760) + per accelerator (spares too) / 8,760 + per MW x provisioned MW / 8,760.

    >>> float(staff_line(876000.0, 100.0, 0.0, 0.0, 1000.0, 0.0))
    1.0
    >>> round(float(staff_line(0.0, 8000.0, 250.0, 0.0, 1000.0, 0.0)), 6)  # $250 per accelerator a year
    0.028539
    """
    scaled = staff_usd_per_accelerator_year * (1.0 + hot_spare_fraction) + staff_usd_per_mw_year * (
        provisioned_w_per_gpu / W_PER_MW)
    return staff_usd_per_gpu_hour(staff_usd_per_year, accelerators_total) + scaled / HOURS_PER_YEAR


def billed_share_of_hours(rent_billed_per_used_hour, utilization):
    """Share of the deployment's hours a rental bills [-]: ``utilization`` on demand or spot, 1 when reserved.

    The one rule for rented capacity (docs/methodology.md, "Rented and owned capacity"): capacity
    bought by the hour is released when idle and paid per used hour; reserved or committed
    capacity is paid for every hour of its term, used or not.

    >>> float(billed_share_of_hours(1.0, 0.7)), float(billed_share_of_hours(0.0, 0.7))
    (0.7, 1.0)
    """
    return rent_billed_per_used_hour * utilization + (1.0 - rent_billed_per_used_hour)


def rent_line(rent_usd_per_gpu_hour, extras_usd_per_gpu_hour, rent_billed_per_used_hour, utilization):
    """Rental price and its extras over every hour of the deployment [USD/GPU-h].

    On demand the price is paid only for the used share of the hours, so per hour of the
    deployment it is ``price x utilization``; reserved, it is the price.

    >>> round(float(rent_line(6.88, 0.0, 1.0, 0.7)), 3), float(rent_line(3.02, 0.0, 0.0, 0.7))
    (4.816, 3.02)
    """
    return (rent_usd_per_gpu_hour + extras_usd_per_gpu_hour) * billed_share_of_hours(rent_billed_per_used_hour,
                                                                                     utilization)


def payout_line(payout_usd_per_device_hour):
    """Paid to the owner of a device per hour [USD/device-h]."""
    return payout_usd_per_device_hour


def wear_line(wear_usd_per_device_hour):
    """Wear compensation per device-hour [USD/device-h]."""
    return wear_usd_per_device_hour
