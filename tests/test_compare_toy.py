"""compare.run on the toy catalog, every figure computed by hand.

The toy catalog (tests/data/profiles) was built for round numbers:
  toy-gpu: 20000 USD, 700 W TDP, 100 W idle, 80 GB at 2.0 TB/s, 1000 bf16 TFLOPS (datacenter)
  toy-node-8: 8 GPUs, host 80000 USD + network 40000 USD, host 1600 W
  toy-site: 0.10 USD/kWh, PUE 1.25, colocation 146 USD/kW-month
  toy-finance: 0 %, 4 years, no residual, maintenance 0.0876 of capex a year
  toy-own: 1 node, 50 % utilization, staff 70080 USD/yr, batch 1, 1000-token context
  toy-rent: toy-cloud at 3.0 USD/GPU-h on demand, 100 % utilization
  toy-dense: 10e9 params, 40 layers, 8 KV heads x 128, 40 heads, hidden 5120, tied embeddings
compare.run rounds every number to 6 significant digits, hence rel=1e-5 below.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from compute_cli import pipeline
from compute_cli.analysis import compare
from compute_cli.engine.constants import HOURS_PER_MONTH, HOURS_PER_YEAR, SECONDS_PER_HOUR, TOKENS_PER_MILLION
from compute_cli.engine.efficiency import EFFICIENCY
from compute_cli.engine.registry import LINE_NAMES as LINE_ITEMS
from compute_cli.errors import InputError
from compute_cli.profiles.catalog import Catalog

PROFILES = Path(__file__).resolve().parent / "data" / "profiles"

DC = EFFICIENCY["datacenter"]
R = 1e-5  # compare rounds to 6 significant digits

CAPEX = 20000 + (80000 + 40000) / 8  # 35000 USD per GPU
WEIGHT_B = 10e9 * 2  # 20e9 B at bf16
KV_B_PER_TOKEN = 40 * 2 * 8 * 128 * 2  # 163,840 B
ATTN_FLOPS_PER_CTX = 40 * 4 * 40 * 128  # 819,200 FLOPs per new token per cached token
BW = 2.0e12 * DC["eta_memory"]  # 1.6e12 B/s achievable
KV_BW = BW * DC["kv_bandwidth_share"]  # 1.2e12 B/s: attention streams the KV cache less efficiently
PEAK = 1000e12 * DC["eta_compute"]  # achievable FLOP/s
OVERHEAD_S = DC["step_overhead_s"] + 40 * DC["layer_overhead_s"]  # 0.0003 + 0.0008 s: per step and per layer
# Decode, batch 1, 1000-token context. Weights and attention are separate rooflines, summed:
#   weights   max(20e9 / 1.6e12 = 0.0125 s, 2e10 FLOPs / PEAK)                 -> 0.0125 s (memory)
#   attention max(163.84e6 / 1.2e12 = 1.3653e-4 s, 1000 x 819,200 / PEAK)    -> 1.3653e-4 s (memory)
#   step = 0.0125 + 0.00013653 + 0.0003 + 0.0008 = 0.01373653 s
W_MEM, W_COMP = WEIGHT_B / BW, 2 * 10e9 / PEAK
A_MEM, A_COMP = 1000 * KV_B_PER_TOKEN / KV_BW, 1000 * ATTN_FLOPS_PER_CTX / PEAK
STEP_S = max(W_MEM, W_COMP) + max(A_MEM, A_COMP) + OVERHEAD_S
MEM_S, COMP_S = W_MEM + A_MEM, W_COMP + A_COMP  # time memory / tensor units are busy
# Prefill of the 1000-token prompt: same bytes; 1000 x 2e10 FLOPs of weights and
# 1000 tokens x 500 average context x 819,200 of attention.
P_W_COMP, P_A_COMP = 1000 * 2 * 10e9 / PEAK, 1000 * 500 * ATTN_FLOPS_PER_CTX / PEAK
P_STEP_S = max(W_MEM, P_W_COMP) + max(A_MEM, P_A_COMP) + OVERHEAD_S
P_MEM_S, P_COMP_S = W_MEM + A_MEM, P_W_COMP + P_A_COMP


@pytest.fixture(scope="module")
def result(toy_catalog):
    return compare.run(toy_catalog, ["toy-own", "toy-rent"], "toy-dense")


@pytest.fixture(scope="module")
def own(result):
    return result["setups"][0]


@pytest.fixture(scope="module")
def rent(result):
    return result["setups"][1]


def test_result_shape(result):
    assert result["schema_version"] == compare.SCHEMA_VERSION == 2
    assert result["model"] == {"id": "toy-dense", "name": "Toy dense model"}
    assert result["overrides"] == []
    assert [s["id"] for s in result["setups"]] == ["toy-own", "toy-rent"]
    for s in result["setups"]:
        assert set(compare.METRICS) <= set(s)
        assert set(s["breakdown_usd_per_gpu_hour"]) == set(LINE_ITEMS)
        assert set(LINE_ITEMS) >= {"capital", "maintenance", "insurance_tax", "energy", "facility", "site_operations",
                                   "staff", "rent"}


def test_own_capital(own):
    # accelerator and host: (20000 + 80000 / 8) / 4 years / 8760 h = 30000 / 35040 = 0.856164 USD per GPU-hour;
    # network: 40000 / 8 / 4 / 8760 = 0.142694; together (20000 + 120000 / 8) / 35040 = 0.998858
    assert own["capex_usd_per_gpu"] == 35000
    assert own["breakdown_usd_per_gpu_hour"]["capital"] == pytest.approx(0.856164, rel=R)
    assert own["breakdown_usd_per_gpu_hour"]["network"] == pytest.approx(0.142694, rel=R)
    assert (own["breakdown_usd_per_gpu_hour"]["capital"] + own["breakdown_usd_per_gpu_hour"]["network"]
            == pytest.approx(CAPEX / 4 / HOURS_PER_YEAR, rel=R))


def test_own_maintenance(own):
    # 35000 x 0.0876 / 8760 = 0.35
    assert own["breakdown_usd_per_gpu_hour"]["maintenance"] == pytest.approx(0.35, rel=R)
    assert own["breakdown_usd_per_gpu_hour"]["insurance_tax"] == 0


def test_own_facility(own):
    # provisioned (700 + 1600 / 8) W = 900 W = 0.9 kW x 146 USD/kW-month / 730 h = 0.18
    assert HOURS_PER_MONTH == 730
    assert own["breakdown_usd_per_gpu_hour"]["facility"] == pytest.approx(0.18, rel=R)
    assert own["breakdown_usd_per_gpu_hour"]["site_operations"] == 0


def test_own_staff(own):
    # 70080 USD / (1 node x 8 GPUs x 8760 h) = 1.0
    assert own["breakdown_usd_per_gpu_hour"]["staff"] == pytest.approx(1.0, rel=R)
    assert own["breakdown_usd_per_gpu_hour"]["rent"] == 0


def test_own_energy(own):
    # Decode board power: idle + (TDP - idle) x min(1, w_mem x memory busy share + compute busy share
    #   + w_ovh x fixed-cost share) = 100 + 600 x (0.55 x 0.0126365 / 0.0137365 + COMP_S / 0.0137365
    #   + 0.20 x 0.0011 / 0.0137365) ~ 414 W
    # Prefill is compute-saturated: 700 W.
    # Per output token 0.0134024 GPU-s decoding and (1 input token) P_STEP_S / 1000 GPU-s prefilling;
    #   serving power is their time-weighted mean (~416 W)
    # at 50 %: 100 + (serving - 100) x 0.5 ~ 258 W, + host 1600/8 = 200 W -> ~458 W
    # x PUE 1.25 x 0.10 USD/kWh / 1000 ~ 0.057 USD/h
    ovh = DC["overhead_power_weight"]
    p_decode = 100 + 600 * min(1.0, DC["memory_power_weight"] * MEM_S / STEP_S + COMP_S / STEP_S
                               + ovh * OVERHEAD_S / STEP_S)
    p_prefill = 100 + 600 * min(1.0, DC["memory_power_weight"] * P_MEM_S / P_STEP_S + P_COMP_S / P_STEP_S
                                + ovh * OVERHEAD_S / P_STEP_S)
    gpu_s_in = P_STEP_S / 1000
    share = gpu_s_in / (gpu_s_in + STEP_S)
    serving = share * p_prefill + (1 - share) * p_decode
    avg_w = 100 + (serving - 100) * 0.5 + 1600 / 8
    assert own["avg_power_w_per_gpu"] == pytest.approx(avg_w, rel=R)
    assert own["breakdown_usd_per_gpu_hour"]["energy"] == pytest.approx(avg_w / 1000 * 1.25 * 0.10, rel=R)
    assert own["energy_j_per_output_token"] == pytest.approx(p_decode * STEP_S, rel=R)
    assert own["tokens_per_joule"] == pytest.approx(1 / (p_decode * STEP_S), rel=R)


def test_own_total_is_sum_of_line_items(own):
    items = own["breakdown_usd_per_gpu_hour"]
    assert own["cost_usd_per_gpu_hour"] == pytest.approx(sum(items.values()), rel=R)
    # 0.998858 + 0.35 + energy + 0.18 + 1.0
    assert own["cost_usd_per_gpu_hour"] == pytest.approx(0.998858 + 0.35 + items["energy"] + 0.18 + 1.0, rel=R)


def test_rent_cost_per_gpu_hour(rent):
    assert rent["cost_usd_per_gpu_hour"] == 3.0
    assert rent["breakdown_usd_per_gpu_hour"]["rent"] == 3.0
    assert all(v == 0 for k, v in rent["breakdown_usd_per_gpu_hour"].items() if k != "rent")
    assert rent["capex_usd_per_gpu"] == 0
    assert (rent["site"], rent["offer"], rent["system"]) == (None, "toy-cloud", "toy-node-8")


@pytest.mark.parametrize("which", ["own", "rent"])
def test_decode_step_batch_one(which, request):
    s = request.getfixturevalue(which)
    # 20e9 B / (2.0e12 x 0.80) + 1000 x 163,840 B / (2.0e12 x 0.80 x 0.75) + 0.3 ms per step + 40 x 20e-6 s
    #   = 0.0125 + 0.00013653 + 0.0003 + 0.0008 = 13.7365 ms
    assert s["decode_step_ms"] == pytest.approx(STEP_S * 1e3, rel=R)
    assert s["decode_step_ms"] == pytest.approx(13.7365, rel=R)
    assert (s["gpus"], s["batch"], s["fits"], s["bound"]) == (1, 1, True, "memory")
    assert s["decode_tokens_per_s"] == pytest.approx(1 / STEP_S, rel=R)
    assert s["max_batch"] == 317  # (72e9 - 20e9) / 163.84e6 = 317.4


@pytest.mark.parametrize("which, util", [("own", 0.5), ("rent", 1.0)])
def test_cost_per_million_output_tokens(which, util, request):
    s = request.getfixturevalue(which)
    # cost_per_gpu_hour / 3600 x gpus x step / batch / utilization x 1e6
    expected = s["cost_usd_per_gpu_hour"] / SECONDS_PER_HOUR * 1 * STEP_S / 1 / util * TOKENS_PER_MILLION
    assert s["cost_usd_per_million_output_tokens"] == pytest.approx(expected, rel=R)


def test_rent_cost_per_million_output_tokens_by_hand(rent):
    # 3.0 / 3600 x 0.01373653 / 1 / 1.0 x 1e6 = 11.4471 USD
    assert rent["cost_usd_per_million_output_tokens"] == pytest.approx(11.4471, rel=R)


@pytest.mark.parametrize("which, util", [("own", 0.5), ("rent", 1.0)])
def test_cost_per_million_input_tokens_and_blend(which, util, request):
    s = request.getfixturevalue(which)
    # a 1000-token prompt in P_STEP_S: P_STEP_S / 1000 GPU-s per input token
    c_in = s["cost_usd_per_gpu_hour"] / SECONDS_PER_HOUR * P_STEP_S / 1000 / util * TOKENS_PER_MILLION
    assert s["cost_usd_per_million_input_tokens"] == pytest.approx(c_in, rel=R)
    # 1 input token per output token: the plain average
    blended = (s["cost_usd_per_million_input_tokens"] + s["cost_usd_per_million_output_tokens"]) / 2
    assert s["cost_usd_per_million_tokens_blended"] == pytest.approx(blended, rel=R)
    # no margin, no fee: price = cost
    assert s["price_usd_per_million_tokens_blended"] == s["cost_usd_per_million_tokens_blended"]
    assert s["prefill_tokens_per_s_per_gpu"] == pytest.approx(1000 / P_STEP_S, rel=R)


def test_setup_order_is_kept_and_duplicates_dropped(toy_catalog, result):
    swapped = compare.run(toy_catalog, ["toy-rent", "toy-own", "toy-rent"], "toy-dense")
    assert [s["id"] for s in swapped["setups"]] == ["toy-rent", "toy-own"]
    assert swapped["setups"][0] == result["setups"][1]
    assert swapped["setups"][1] == result["setups"][0]


def test_no_ids_means_every_setup(monkeypatch, tmp_path):
    # With an empty shipped directory, "every setup" is exactly the toy catalog's two.
    monkeypatch.setattr("compute_cli.profiles.catalog.shipped_dir", lambda: tmp_path)
    catalog = Catalog([PROFILES], environ={})
    assert [s["id"] for s in compare.run(catalog, [], "toy-dense")["setups"]] == ["toy-own", "toy-rent"]


def test_no_setups_at_all_is_an_input_error(monkeypatch, tmp_path):
    monkeypatch.setattr("compute_cli.profiles.catalog.shipped_dir", lambda: tmp_path)
    with pytest.raises(InputError, match="no setups found"):
        compare.run(Catalog([], environ={}), [], "toy-dense")


# --------------------------------------------- more toy setups (tests/data/extra)
@pytest.fixture(scope="module")
def extra(wide_catalog):
    rows = compare.run(wide_catalog, ["toy-own-building", "toy-rent-single"], "toy-dense")["setups"]
    return {s["id"]: s for s in rows}


def test_owned_building_line_items(extra):
    s = extra["toy-own-building"]
    items = s["breakdown_usd_per_gpu_hour"]
    # capital of the accelerators and hosts, resold for 20 % after 5 years, recovered month by month:
    #   12 x pmt(1.08^(1/12) - 1, 60 months, -30000, +6000) / 8760 = 0.715120 (numpy-financial)
    # the network, not resold: 12 x pmt(.., 60, -5000, 0) / 8760 = 0.137966
    assert items["capital"] == pytest.approx(0.715120, rel=R)
    assert items["network"] == pytest.approx(0.137966, rel=R)
    # insurance + property tax on the book value, straight line from 35000 to 20 % over 5 years, levelized at
    # 8 %: d = ln 1.08, mean time 1/d - 5 e^(-5d) / (1 - e^(-5d)) = 2.3400, share 1 - 0.8 x 2.3400 / 5 = 0.625591;
    # 35000 x 0.625591 x (0.05 + 0.0376) / 8760 = 0.218957; no maintenance
    assert items["insurance_tax"] == pytest.approx(0.218957, rel=R)
    assert items["maintenance"] == 0
    # building: 900 W = 0.0009 MW x 8.76e6 USD/MW x CRF(8 %, 10) / 8760 = 0.9 x 0.1490295 = 0.134127
    assert items["facility"] == pytest.approx(0.1341265, rel=R)
    # operations: 0.9 kW x 73 / 730 = 0.09
    assert items["site_operations"] == pytest.approx(0.09, rel=R)
    assert items["staff"] == 0 and items["rent"] == 0


def test_owned_building_selling_price(extra):
    s = extra["toy-own-building"]
    # price = cost / (1 - 0.2 margin) / (1 - 0.05 fee)
    assert s["price_usd_per_million_tokens_blended"] == pytest.approx(
        s["cost_usd_per_million_tokens_blended"] / 0.8 / 0.95, rel=R)
    # 3 input tokens per output token
    blended = (3 * s["cost_usd_per_million_input_tokens"] + s["cost_usd_per_million_output_tokens"]) / 4
    assert s["cost_usd_per_million_tokens_blended"] == pytest.approx(blended, rel=R)


def test_rented_single_gpu_offer_without_a_system(extra):
    s = extra["toy-rent-single"]
    # spot 1.0 + extras 0.5 = 1.5 USD per used GPU-hour on a one-GPU stand-in instance; spot is paid
    # per used hour, so over every hour of the deployment at 60 % utilization: 0.9
    assert s["cost_usd_per_used_gpu_hour"] == pytest.approx(1.5, rel=R)
    assert s["cost_usd_per_gpu_hour"] == pytest.approx(0.9, rel=R)
    assert s["breakdown_usd_per_gpu_hour"]["rent"] == pytest.approx(0.9, rel=R)
    assert (s["gpus"], s["system"], s["offer"]) == (1, None, "toy-cloud-single")


def test_model_that_does_not_fit_gets_a_note(wide_catalog):
    rows = compare.run(wide_catalog, ["toy-own", "toy-rent"], "toy-huge")["setups"]
    for s in rows:
        assert s["fits"] is False
        assert s["max_batch"] == 0
        assert s["cost_usd_per_million_output_tokens"] is None
        assert s["decode_tokens_per_s"] is None
        assert "does not fit" in s["note"] and "8 x toy-gpu" in s["note"]
    assert rows[1]["cost_usd_per_gpu_hour"] == 3.0  # the hour is still paid for


def test_clean_rounds_and_nulls():
    assert pipeline.clean(0.99885844748) == 0.998858
    assert pipeline.clean(float("nan")) is None
    assert pipeline.clean(float("inf")) is None
    assert str(pipeline.clean(-0.0)) == "0"  # no negative zero; a whole number is an integer
    assert pipeline.clean(162.0) == 162 and isinstance(pipeline.clean(162.0), int)
    assert isinstance(pipeline.clean(2.0**60), float)  # beyond exact integers a float stays a float
