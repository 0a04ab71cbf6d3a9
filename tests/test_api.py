"""The Python API returns what the CLI prints: ``to_dict()`` is the command's JSON; errors keep their exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import compute_cli as cc

CASES = [
    (lambda: cc.compare(["tinybox-red-v2-oregon", "aws-p5-ondemand"], "llama-3.1-70b", set={"utilization": 0.6}),
     ["compare", "tinybox-red-v2-oregon", "aws-p5-ondemand", "--model", "llama-3.1-70b", "--set", "utilization=0.6"]),
    (lambda: cc.throughput("llama-3.1-8b", hardware="h100-sxm", batch=64, context=1024),
     ["throughput", "--hardware", "h100-sxm", "--model", "llama-3.1-8b", "--batch", "64", "--context", "1024"]),
    (lambda: cc.invest("neocloud-hgx-h100-colo", rent_out_usd_per_gpu_hour=6.155, years=4),
     ["invest", "neocloud-hgx-h100-colo", "--rent-out-usd-per-gpu-hour", "6.155", "--years", "4"]),
    (lambda: cc.sweep("tinybox-red-v2-oregon", ["utilization=0.3:0.9:4", "site.pue=1.1:1.3:3"]),
     ["sweep", "tinybox-red-v2-oregon", "--vary", "utilization=0.3:0.9:4", "--vary", "site.pue=1.1:1.3:3"]),
    (lambda: cc.sensitivity("hyperscaler-hgx-h100-campus", swing=0.1),
     ["sensitivity", "hyperscaler-hgx-h100-campus", "--swing", "0.1"]),
    (lambda: cc.simulate("tinybox-red-v2-oregon", samples=2000, seed=3, dist={"utilization": "uniform:0.4:0.8"}),
     ["simulate", "tinybox-red-v2-oregon", "--samples", "2000", "--seed", "3", "--dist", "utilization=uniform:0.4:0.8"]),
]


@pytest.mark.parametrize("call, args", CASES, ids=[c[1][0] for c in CASES])
def test_to_dict_is_the_json_the_command_prints(cli, call, args):
    res = cli("-q", *args, "--format", "json")
    assert res.exit_code == 0, res.stderr
    assert call().to_dict() == json.loads(res.stdout)


def test_compare_frame_has_one_row_per_setup_and_the_csv_columns(cli):
    pd = pytest.importorskip("pandas")
    frame = cc.compare(["tinybox-red-v2-oregon", "aws-p5-ondemand"]).to_frame()
    header = cli("-q", "compare", "tinybox-red-v2-oregon", "aws-p5-ondemand", "-f", "csv").stdout.splitlines()[0]
    assert isinstance(frame, pd.DataFrame) and len(frame) == 2
    assert list(frame.columns) == header.split(",")


def test_rows_are_the_flattened_csv_rows():
    rows = cc.compare(["aws-p5-ondemand"]).rows()
    assert rows[0]["cost_usd_per_used_gpu_hour"] == 6.88 and rows[0]["model"] == "llama-3.1-70b"
    assert rows[0]["breakdown_usd_per_gpu_hour.rent"] == pytest.approx(6.88 * 0.7)  # on demand: paid per hour used
    invest = cc.invest("neocloud-hgx-h100-colo", rent_out_usd_per_gpu_hour=6.0, years=5)
    assert [r["year"] for r in invest.rows()] == [1, 2, 3, 4, 5]


def test_errors_are_exceptions_with_the_cli_exit_code(cli):
    with pytest.raises(cc.InputError) as bad_id:
        cc.compare(["nope"])
    assert bad_id.value.exit_code == 3 == cli("compare", "nope").exit_code
    assert str(bad_id.value) in cli("compare", "nope").stderr
    with pytest.raises(cc.UsageError, match="mapping"):
        cc.compare(set="utilization=0.5")
    with pytest.raises(cc.ComputeCostError) as usage:
        cc.sweep("tinybox-red-v2-oregon", ["utilization=0.1:0.9:0"])
    assert usage.value.exit_code == 2


def test_import_is_cheap_and_names_load_on_use():
    code = "import compute_cli, sys; print('numpy' in sys.modules, 'typer' in sys.modules); compute_cli.compare"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
    with pytest.raises(AttributeError):
        cc.no_such_function  # noqa: B018
