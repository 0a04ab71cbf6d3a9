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
                                                                        * 1.2, rel=2e-6)
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
