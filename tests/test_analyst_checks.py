"""The ten problems a TCO analyst found checking the investment and rental maths by hand (issue 12),
one regression test each, with the hand computation in the comments."""

import json

import pytest

from compute_cli.analysis import economics
from compute_cli.profiles.catalog import Catalog

SHIPPED = Catalog(environ={})


# 3. Rent-out mode skipped the marketplace fee that token mode applies.
def test_3_rent_out_pays_the_marketplace_fee():
    r = economics.invest(SHIPPED, "tinybox-red-v2-oregon", rent_out_usd_per_gpu_hour=1.0)
    # 40 GPUs x 730 h x 60 % utilization x $1 = $17,520 a month before the 5 % fee; $16,644 after it
    assert r["revenue_usd_first_month"] == pytest.approx(16_644.0, rel=1e-6)
    assert r["price"]["marketplace_fee_fraction"] == 0.05


# 7. margin_fraction was described as a markup on cost but applied as a margin on price.
def test_7_markup_is_on_cost_and_margin_on_price(tmp_path):
    from compute_cli.analysis.compare import run

    row = run(SHIPPED, ["neocloud-hgx-h100-colo"], None)["setups"][0]
    # the setup's 20 % markup on cost: price = cost x 1.2 (x1.25 was a 20 % margin on price)
    assert row["price_usd_per_million_tokens_blended"] == pytest.approx(row["cost_usd_per_million_tokens_blended"]
                                                                        * 1.2, rel=1e-5)
    from compute_cli.errors import InputError
    from compute_cli.profiles.loader import load_text

    text = (SHIPPED.get("setups", "neocloud-hgx-h100-colo").file and
            open(SHIPPED.get("setups", "neocloud-hgx-h100-colo").file).read())
    with pytest.raises(InputError, match=r"x.yaml:\d+: margin_fraction: give markup_fraction \(a markup on cost\) or "
                                         r"margin_fraction"):
        load_text(text + "margin_fraction: 0.1\n", "setups", "x.yaml")


def test_7_both_is_one_line_exit_3_on_the_command_line(cli):
    res = cli("compare", "neocloud-hgx-h100-colo", "--set", "margin_fraction=0.1", "-f", "json")
    assert res.exit_code == 3
    assert res.stderr.strip().splitlines() == [res.stderr.strip()]
    assert "not both" in res.stderr
    json.loads(cli("compare", "neocloud-hgx-h100-colo", "--set", "markup_fraction=0", "--set", "margin_fraction=0.1",
                   "-f", "json").stdout)


# 1. invest paid straight-line book value as "resale" although the finance profile ignored resale,
#    and that value did not fall with prices.
def test_1_nothing_is_recovered_when_the_finance_profile_says_so():
    r = economics.invest(SHIPPED, "hyperscaler-hgx-h100-campus", years=5)
    assert r["resale_usd"] == 0 and all(y["resale_usd"] == 0 for y in r["cash_flows_by_year"])
    assert r["resale_basis"].startswith("nothing recovered: finance hyperscaler")
    # the horizon no longer buys book value: 4 years is not worth more than 5 only by a larger "resale"
    four = economics.invest(SHIPPED, "hyperscaler-hgx-h100-campus", years=4)
    assert four["resale_usd"] == 0


def test_1_resale_follows_the_curve_and_falls_with_hardware_prices():
    from compute_cli.engine import finance
    from compute_cli.profiles.overrides import parse_assignment

    base = economics.invest(SHIPPED, "neocloud-hgx-h100-colo", years=5, rent_out_usd_per_gpu_hour=6.155)
    # SpotWire's anchor curve 0.78/0.60/0.46/0.35 (ages 1-4), continued at 0.35/0.46 a year: 0.35 x 0.7609 = 0.2663
    fraction = finance.resale_fraction(5.0, [(1, 0.78), (2, 0.60), (3, 0.46), (4, 0.35)])
    assert fraction == pytest.approx(0.35 * 0.35 / 0.46, rel=1e-12)
    system = SHIPPED.resolve("neocloud-hgx-h100-colo").system
    hardware = SHIPPED.resolve("neocloud-hgx-h100-colo").hardware.price_usd + system.host_capex_usd / 8  # no network
    assert base["resale_usd"] == pytest.approx(1024 * hardware * fraction, rel=1e-5)
    falling = economics.invest(SHIPPED, "neocloud-hgx-h100-colo", years=5, rent_out_usd_per_gpu_hour=6.155,
                               assignments=[parse_assignment("finance.hardware_price_decline_per_year=0.2")])
    assert falling["resale_usd"] == pytest.approx(base["resale_usd"] * 0.8 ** 5, rel=1e-5)
    assert falling["npv_usd"] < base["npv_usd"]


# 2. IRR printed n/a for --years 6: the bracket gave up when late cash flows turned negative.
def test_2_irr_is_found_when_late_flows_turn_negative():
    import numpy_financial as npf

    from compute_cli.engine import investment
    from compute_cli.profiles.overrides import parse_assignment

    # renting the GPUs out at $4.80 an hour (not a throughput-dependent token price), down 30 % a year
    r = economics.invest(SHIPPED, "hyperscaler-hgx-h100-campus", years=6, rent_out_usd_per_gpu_hour=4.8,
                         assignments=[parse_assignment("finance.income_tax_rate=0")])
    assert r["cash_flows_by_year"][-1]["net_usd"] < 0  # rent down 30 %/yr: year 6 loses money
    assert r["irr"] is not None and 0.0 < r["irr"] < r["cost_of_capital_per_year"]
    assert r["npv_usd"] < 0  # consistent: the IRR is below the cost of capital
    # two roots: the investment one and a deeply negative one from the late losses, named in the note
    assert len(r["irr_roots_per_year"]) == 2 and "also zero at" in r["irr_note"]
    # numpy-financial's eigenvalue IRR on the same monthly flows finds the same root
    flows = investment.cash_flows(r["capex_usd"], r["revenue_usd_first_month"], 0.3, r["opex_usd_per_month"], 72, 0.0)
    assert float(investment.yearly_rate(npf.irr(flows["net"]))) == pytest.approx(r["irr"], rel=1e-4)


# 5. Payback was undiscounted, not capped at the life, and "0 months" for a setup with no capex.
def test_5_payback_is_discounted_and_simple_and_says_when_it_does_not_come():
    own = economics.invest(SHIPPED, "hyperscaler-hgx-h100-campus")  # over its 6-year life by default
    assert own["years"] == 6
    assert own["payback_months"] is not None and own["payback_months"] <= 72
    assert own["discounted_payback_months"] is None or own["discounted_payback_months"] >= own["payback_months"]
    if own["discounted_payback_months"] is None:
        assert "not within 6 years discounted" in own["payback_note"]
    rented = economics.invest(SHIPPED, "aws-p5-ondemand")
    assert rented["capex_usd"] == 0
    assert rented["payback_months"] is None and rented["discounted_payback_months"] is None
    assert rented["payback_note"].startswith("n/a: no capital outlay")
    assert rented["stranded_price_decline_per_year"] is None and rented["irr"] is None
    assert rented["stranded_note"].startswith("n/a: no capital to strand")


def test_5_a_horizon_past_the_life_is_refused(cli):
    res = cli("invest", "tinybox-red-v2-oregon", "--years", "5")
    assert res.exit_code == 2
    assert res.stderr.strip() == ("error: --years 5: beyond the 4-year economic life of setup 'tinybox-red-v2-oregon' "
                                  "(finance tinycorp-lean); ask for at most 4 years, or --set "
                                  "finance.economic_life_years=5")


def _bad(command: str, option: str, value: str, bounds: str) -> str:
    """The one message every command gives for a number outside its option's bounds (cli/numbers.py)."""
    return f"Invalid value for '{option}': '{value}': expected a finite number {bounds} (see 'computecost {command} --help')"


# 9. Negative and conflicting options were accepted.
@pytest.mark.parametrize("args, message", [
    # the command line's numbers are parsed by one rule for every command (cli/numbers.py)
    (("--price-scale", "-1"), _bad("invest", "--price-scale", "-1", "> 0")),
    (("--price-scale", "0"), _bad("invest", "--price-scale", "0", "> 0")),
    (("--price-scale", "nan"), _bad("invest", "--price-scale", "nan", "> 0")),
    (("--rent-out-usd-per-gpu-hour", "-1"), _bad("invest", "--rent-out-usd-per-gpu-hour", "-1", ">= 0")),
    (("--sell-price-usd-per-million-tokens", "inf"), _bad("invest", "--sell-price-usd-per-million-tokens", "inf", ">= 0")),
    (("--rent-out-usd-per-gpu-hour", "6", "--sell-price-usd-per-million-tokens", "1"),
     "--rent-out-usd-per-gpu-hour and --sell-price-usd-per-million-tokens exclude each other; give one"),
    (("--years", "0"), _bad("invest", "--years", "0", "> 0 and <= 30")),
    (("--token-price-decline-per-year", "1.5"), "Invalid value for '--token-price-decline-per-year' / "
     "'--price-decline-per-year': '1.5': expected a finite number > -1 and < 1 (see 'computecost invest --help')"),
])
def test_9_invest_refuses_bad_options_in_one_line(cli, args, message):
    res = cli("invest", "neocloud-hgx-h100-colo", *args)
    assert res.exit_code == 2, res.stdout
    assert res.stderr.strip() == f"error: {message}"
    assert res.stdout == ""


# 4. rent-or-buy priced a rental at 100 % utilization whatever its term, contradicting compare and breakeven.
def test_4_rent_or_buy_compare_and_breakeven_agree_on_rented_capacity():
    from compute_cli.analysis.compare import run

    rb = economics.rent_or_buy(SHIPPED, "neocloud-hgx-h100-colo", "aws-p5-ondemand")
    cmp = {s["id"]: s for s in run(SHIPPED, ["neocloud-hgx-h100-colo", "aws-p5-ondemand"], None)["setups"]}
    assert rb["rent_cost_usd_per_million_output_tokens"] == pytest.approx(
        cmp["aws-p5-ondemand"]["cost_usd_per_million_output_tokens"], rel=1e-5)
    assert rb["own_cost_usd_per_million_output_tokens_at_setup_utilization"] == pytest.approx(
        cmp["neocloud-hgx-h100-colo"]["cost_usd_per_million_output_tokens"], rel=1e-5)
    # on demand: owning wins above u* where own $/GPU-hour / u* = $6.88 (same H100, same batch)
    be = economics.breakeven(SHIPPED, "neocloud-hgx-h100-colo", "aws-p5-ondemand", "utilization",
                             value_range=(0.05, 1.0))
    assert rb["breakeven_utilization"] == pytest.approx(be["breakeven_value"], abs=2e-3)
    assert rb["breakeven_utilization"] == pytest.approx(cmp["neocloud-hgx-h100-colo"]["cost_usd_per_gpu_hour"] / 6.88,
                                                        rel=0.03)


def test_4_owning_against_a_dearer_reservation_wins_at_every_utilization():
    from compute_cli.profiles.overrides import parse_assignment

    # the 3-year reservation ($2.972/h, billed every hour) costs more than owning ($2.08/h) at every utilization
    rb = economics.rent_or_buy(SHIPPED, "neocloud-hgx-h100-colo", "aws-p5-ondemand",
                               assignments=[parse_assignment("offer.term=reserved_3y")])
    assert rb["rent_term"] == "reserved_3y"
    assert rb["breakeven_utilization"] == 0.0 and rb["breakeven_note"] == "owning is cheaper at every utilization"
    assert rb["breakeven_months"] <= 72  # within the 6-year life


def test_5_rent_or_buy_months_are_capped_at_the_life():
    from compute_cli.profiles.overrides import parse_assignment

    # a reservation priced at owning's own operating cost never pays the purchase back
    rb = economics.rent_or_buy(SHIPPED, "neocloud-hgx-h100-colo", "aws-p5-ondemand",
                               assignments=[parse_assignment("offer.term=reserved_3y"),
                                            parse_assignment("offer.usd_per_gpu_hour.reserved_3y=0.9")])
    assert rb["breakeven_months"] is None
    assert rb["breakeven_months_note"].startswith("not within the 6-year life")


# 6. fleet: a GB200 stand-in with host on top of a rack price, no staff, and rankings that contradicted themselves.
def test_6_fleet_costs_a_token_as_compare_does():
    from compute_cli.analysis.compare import run

    from compute_cli import inputs

    # the campus serves with TensorRT-LLM; fleet's stand-in takes the runtime from --runtime
    row = economics.fleet(SHIPPED, 10.0, hardware_ids=["h100-sxm"],
                          options=inputs.RunOptions(runtime="tensorrt-llm"))["rows"][0]
    cmp = run(SHIPPED, ["hyperscaler-hgx-h100-campus"], None)["setups"][0]
    assert cmp["runtime"] == "tensorrt-llm"
    # same system, site, finance, runtime, utilization, batch, context and input:output ratio: staff included
    assert row["cost_usd_per_million_output_tokens"] == pytest.approx(cmp["cost_usd_per_million_output_tokens"],
                                                                      rel=1e-5)


def test_6_fleet_ranks_by_the_key_it_states():
    r = economics.fleet(SHIPPED, 10.0, hardware_ids=["gb200", "b200", "mi300x", "h100-sxm"])
    assert r["ranked_by"] == "tokens_per_day"
    days = [row["tokens_per_day"] for row in r["rows"]]
    assert days == sorted(days, reverse=True)
    assert [row["rank_tokens_per_day"] for row in r["rows"]] == [1, 2, 3, 4]
    by_j = economics.fleet(SHIPPED, 10.0, hardware_ids=["gb200", "b200", "mi300x", "h100-sxm"],
                           rank_by="tokens_per_joule")
    joules = [row["tokens_per_joule"] for row in by_j["rows"]]
    assert joules == sorted(joules, reverse=True)


# 9. rent-or-buy A A and breakeven A A ended in an internal error; fleet took negative power.
@pytest.mark.parametrize("args, message", [
    (("rent-or-buy", "aws-p5-ondemand", "aws-p5-ondemand"), "rent-or-buy: 'aws-p5-ondemand' given twice; name "
                                                             "different setups"),
    (("breakeven", "aws-p5-ondemand", "aws-p5-ondemand", "--vary", "utilization"),
     "breakeven: 'aws-p5-ondemand' given twice; name different setups"),
    (("breakeven", "neocloud-hgx-h100-colo", "aws-p5-ondemand", "--vary", "utilization", "--range", "nan:1"),
     "--range 'nan:1': expected LOW:HIGH, finite numbers, e.g. 0:0.5"),
    (("fleet", "--power-mw", "-1"), _bad("fleet", "--power-mw", "-1", ">= 0 and <= 1,000,000")),
    (("fleet", "--power-mw", "nan"), _bad("fleet", "--power-mw", "nan", ">= 0 and <= 1,000,000")),
    (("fleet", "--power-mw", "10", "--utilization", "nan"), _bad("fleet", "--utilization", "nan", "> 0 and <= 1")),
    (("fleet", "--power-mw", "10", "--utilization", "0"), _bad("fleet", "--utilization", "0", "> 0 and <= 1")),
    (("fleet", "--power-mw", "10", "--hardware", "b200", "--hardware", "b200"),
     "fleet --hardware: 'b200' given twice; name different accelerators"),
])
def test_9_the_other_commands_refuse_bad_options_in_one_line(cli, args, message):
    res = cli(*args)
    assert res.exit_code == 2, (res.stdout, res.stderr)
    assert res.stderr.strip() == f"error: {message}"


# compare and invest on one convention: renting the capacity out at compare's cost per used GPU-hour
# (after the fee), flat, over the hardware's life, earns exactly the cost of capital: NPV 0, IRR = WACC.
# Resale, income tax and its depreciation shield, book-value insurance and the owned building included.
@pytest.mark.parametrize("setup", ["neocloud-hgx-h100-colo", "hyperscaler-hgx-h100-campus", "tinybox-red-v2-oregon",
                                   "hyperscaler-gb200-nvl72-campus", "neocloud-mi355x-colo"])
def test_selling_at_cost_earns_exactly_the_cost_of_capital(setup):
    from compute_cli.analysis.compare import run

    row = run(SHIPPED, [setup], None)["setups"][0]
    fee = economics.invest(SHIPPED, setup, rent_out_usd_per_gpu_hour=1.0)["price"]["marketplace_fee_fraction"]
    r = economics.invest(SHIPPED, setup, rent_out_usd_per_gpu_hour=row["cost_usd_per_used_gpu_hour"] / (1 - fee),
                         price_decline_per_year=0.0)
    assert abs(r["npv_usd"]) < 1e-5 * r["capex_usd"]
    assert r["irr"] == pytest.approx(r["cost_of_capital_per_year"], abs=2e-5)
