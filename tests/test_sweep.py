"""``computecost sweep``: a grid equals single ``compare --set`` runs at every point; rows stream in bounded blocks."""

from __future__ import annotations

import csv
import io
import json
import math
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from compute_cli import pipeline
from compute_cli.analysis import sweep
from compute_cli.errors import ExitCode, InputError, UsageError
from compute_cli.profiles.overrides import parse_assignment
from compute_cli.render.sweep import SweepWriter

TOY = ("-C", "tests/data/extra", "-C", "tests/data/profiles")


def vary(*texts):
    return [sweep.parse_vary(t) for t in texts]


def rows_of(grid, chunk=sweep.CHUNK_ROWS) -> np.ndarray:
    return np.concatenate([np.column_stack([b[c] for c in grid.columns]) for b in grid.blocks(chunk)])


@pytest.mark.parametrize("setup, texts", [
    ("toy-own", ("site.electricity_usd_per_kwh=0.05:0.2:4", "batch=1:64:4", "model.layers=20:60:3")),
    ("toy-own-building", ("finance.cost_of_capital_per_year=0:0.12:3", "finance.economic_life_years=3:6:4",
                          "utilization=0.3:0.9:3")),
    ("toy-rent", ("offer.usd_per_gpu_hour.on_demand=1:4:3", "context_tokens=500:8000:3")),
])
def test_every_row_equals_compare_with_set_at_that_point(wide_catalog, setup, texts):
    grid = sweep.plan(wide_catalog, setup, "toy-dense", [], vary(*texts), metrics=("all",))
    got = rows_of(grid, chunk=5)
    assert got.shape == (grid.size, len(grid.columns))
    k = len(grid.axes)
    for row in got:
        sets = [parse_assignment(f"{a.name}={int(v) if a.vary.path.integer else repr(float(v))}")
                for a, v in zip(grid.axes, row[:k], strict=True)]
        y = pipeline.evaluate(wide_catalog, [setup], "toy-dense", sets).y
        for j, metric in enumerate(grid.metrics):
            want, have = float(np.asarray(y[metric], dtype=float)[0]), row[k + j]
            if math.isnan(want):
                assert math.isnan(have), (metric, row)
            else:
                assert have == pytest.approx(want, rel=1e-12, abs=0.0), (metric, row[:k])


def test_rows_come_in_c_order_last_vary_fastest(wide_catalog):
    grid = sweep.plan(wide_catalog, "toy-own", "toy-dense", [], vary("utilization=0.2:0.4:3", "batch=1:2:2"))
    got = rows_of(grid)[:, :2]
    assert got.tolist() == [[0.2, 1], [0.2, 2], [0.3, 1], [0.3, 2], [0.4, 1], [0.4, 2]]


def test_blocks_are_bounded_and_chunking_does_not_change_rows(wide_catalog):
    grid = sweep.plan(wide_catalog, "toy-own", "toy-dense", [],
                      vary("utilization=0.1:1:10", "site.pue=1:2:7", "batch=1:40:9"))
    sizes = [len(b["batch"]) for b in grid.blocks(11)]
    assert max(sizes) <= 11 and sum(sizes) == grid.size == 630
    assert np.array_equal(rows_of(grid, 11), rows_of(grid, 10_000), equal_nan=True)


def test_block_indices_cover_the_grid_in_order():
    for shape in [(7,), (3, 5), (2, 3, 4), (1, 9, 1, 2), (5, 1)]:
        for chunk in (1, 2, 3, 4, 7, 100):
            flat = []
            for index in sweep.block_indices(shape, chunk):
                block = np.arange(math.prod(shape)).reshape(shape)[index]
                assert block.size <= chunk or (index[-1].stop - index[-1].start) == 1
                flat += block.ravel().tolist()
            assert flat == list(range(math.prod(shape))), (shape, chunk)


class _Sink(io.TextIOBase):
    """Counts characters and lines written, keeps none."""

    def __init__(self):
        self.chars = 0
        self.lines = 0

    def write(self, text):
        self.chars += len(text)
        self.lines += text.count("\n")
        return len(text)


def test_streaming_memory_stays_bounded(wide_catalog):
    """60,000 rows x 4 columns (~2 MB of floats, ~1.8 MB of text) written in blocks of 500 rows."""
    grid = sweep.plan(wide_catalog, "toy-own", "toy-dense", [],
                      vary("utilization=0.1:1:100", "site.electricity_usd_per_kwh=0.01:0.3:30", "batch=1:20:20"),
                      metrics=("cost_usd_per_million_output_tokens",))
    assert grid.size == 60_000
    sink = _Sink()
    writer = SweepWriter(grid.header(), [a.name for a in grid.axes], list(grid.metrics), "csv", sink)
    tracemalloc.start()
    try:
        writer.begin()
        for block in grid.blocks(500):
            writer.write(block)
        writer.end()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sink.lines == grid.size + 1
    assert sink.chars > 1_500_000
    assert peak < 1_000_000, f"peak {peak:,} bytes: rows are being held instead of streamed"


def test_integer_paths_take_distinct_whole_values():
    assert sweep.parse_vary("batch=1:3:9").values().tolist() == [1, 2, 3]
    assert sweep.parse_vary("site.pue=1:2:3").values().tolist() == [1.0, 1.5, 2.0]


@pytest.mark.parametrize("text, fragment", [
    ("site.pue", "expected PATH=START:STOP:STEPS"),
    ("site.pue=1:2", "expected PATH=START:STOP:STEPS"),
    ("site.pue=a:2:3", "must be numbers"),
    ("site.pue=1:2:0", "STEPS must be a whole number >= 1"),
    ("site.pue=1:2:1", "use STEPS >= 2"),
    ("site.pue=1:inf:3", "finite"),
])
def test_bad_vary_is_a_usage_error(text, fragment):
    with pytest.raises(UsageError, match=fragment):
        sweep.parse_vary(text)


@pytest.mark.parametrize("texts, fragment", [
    (("site.peu=1:2:3",), "did you mean 'pue'"),
    (("precision=1:2:3",), "not a number"),
    (("site.carbon_kg_per_kwh=0:1:3",), "changes none of the engine's inputs"),
    (("accelerator.price_usd=1:2:2", "system.accelerator.price_usd=1:2:2"), "both change the engine input"),
    (("model.kv_heads=4:8:3", "model.head_dim=64:128:3"), "both change the engine input 'kv_bytes_per_token_full'"),
    (("site.pue=0.5:1:2",), "must be >= 1"),
])
def test_vary_errors_name_the_path(wide_catalog, texts, fragment):
    with pytest.raises((InputError, UsageError), match=fragment):
        sweep.plan(wide_catalog, "toy-own", "toy-dense", [], vary(*texts))


def test_two_paths_whose_effects_only_show_together_are_refused(wide_catalog, monkeypatch):
    """An input that moves only when both paths move (here a made-up rule: (idle - 100) x (tdp - 700)) cannot
    be composed from one axis each; the corner check against a full rebuild catches it."""
    from compute_cli import inputs

    def joint(c):
        return (c.read("accelerator.idle_w") - 100.0) * (c.read("accelerator.tdp_w") - 700.0)

    monkeypatch.setitem(inputs.DERIVED, "energy_baseline_w", joint)
    with pytest.raises(InputError, match="interact: the engine input 'energy_baseline_w' depends on both"):
        sweep.plan(wide_catalog, "toy-own", "toy-dense", [], vary("accelerator.idle_w=50:150:3",
                                                                  "accelerator.tdp_w=600:800:3"))


def test_vary_that_does_not_apply_to_the_setup(wide_catalog):
    with pytest.raises(InputError, match="applies to none"):
        sweep.plan(wide_catalog, "toy-rent", "toy-dense", [], vary("site.pue=1:2:2"))


# ----------------------------------------------------------------------- CLI
def test_cli_csv_rows_and_header(cli):
    result = cli(*TOY, "sweep", "toy-own", "--model", "toy-dense", "--vary", "utilization=0.25:1:4",
                 "--vary", "batch=1:2:2", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 8
    assert list(rows[0])[:3] == ["utilization", "batch", "cost_usd_per_gpu_hour"]
    assert [float(r["utilization"]) for r in rows[::2]] == [0.25, 0.5, 0.75, 1.0]
    # the same numbers compare prints at that point (both rounded to 6 significant digits)
    one = cli(*TOY, "compare", "toy-own", "--model", "toy-dense", "--set", "utilization=0.75", "--set", "batch=2",
              "--format", "json")
    setup = json.loads(one.stdout)["setups"][0]
    for key in sweep.DEFAULT_METRICS:
        assert float(rows[5][key]) == setup[key], key


def test_cli_jsonl_json_and_table(cli):
    args = (*TOY, "sweep", "toy-own", "--model", "toy-dense", "--vary", "site.pue=1:1.5:3")
    jsonl = cli(*args, "-f", "jsonl")
    lines = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert len(lines) == 3 and lines[2]["site.pue"] == 1.5
    doc = json.loads(cli(*args, "-f", "json").stdout)
    assert doc["row_count"] == 3 and len(doc["rows"]) == 3 and doc["rows"] == lines
    assert doc["vary"][0]["inputs_changed"] == ["pue"]
    table = cli(*args)
    assert table.exit_code == 0
    assert "setup: toy-own  model: toy-dense" in table.stdout
    # the title wraps within 80 columns, its continuation under the title
    assert "y: cost of a million generated tokens [USD/M tokens]\n          (cost_usd_per_million_output_tokens)\n" \
        in table.stdout
    assert "x: site.pue\n" in table.stdout  # the line chart, its axes titled


def test_cli_two_paths_draw_a_heatmap_and_missing_values_are_empty(cli):
    # on 8 x 1 GB the toy model (20 GB of weights) does not fit: its metrics are missing, not NaN
    args = (*TOY, "sweep", "toy-own", "--model", "toy-dense", "--vary", "accelerator.memory_gb=1:81:3",
            "--vary", "utilization=0.5:1:2")
    table = cli(*args)
    assert "x: utilization (0..1)\n" in table.stdout and "y: accelerator.memory_gb [GB]\n" in table.stdout
    assert "n/a" in table.stdout
    rows = list(csv.DictReader(io.StringIO(cli(*args, "-f", "csv").stdout)))
    assert rows[0]["cost_usd_per_million_output_tokens"] == ""
    assert float(rows[-1]["cost_usd_per_million_output_tokens"]) > 0
    assert json.loads(cli(*args, "-f", "jsonl").stdout.splitlines()[0])["cost_usd_per_million_output_tokens"] is None


def test_cli_chunked_output_is_the_same(cli):
    args = (*TOY, "sweep", "toy-own", "--model", "toy-dense", "--vary", "utilization=0.1:1:10",
            "--vary", "batch=1:8:8", "-f", "csv")
    assert cli(*args).stdout == cli(*args, "--chunk-rows", "3").stdout


def test_cli_output_file_is_written_atomically(cli, tmp_path):
    out = tmp_path / "grid.csv"
    out.write_text("keep me\n")
    bad = cli(*TOY, "sweep", "toy-own", "--model", "toy-dense", "--vary", "site.peu=1:2:2", "-o", out)
    assert bad.exit_code == ExitCode.INVALID_INPUT
    assert out.read_text() == "keep me\n"
    good = cli(*TOY, "sweep", "toy-own", "--model", "toy-dense", "--vary", "site.pue=1:2:2", "-f", "csv", "-o", out)
    assert good.exit_code == 0 and good.stdout == ""
    assert out.read_text().startswith("site.pue,")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["grid.csv"]


@pytest.mark.parametrize("args, code, fragment", [
    (("--vary", "site.pue=1:2"), ExitCode.USAGE, "expected PATH=START:STOP:STEPS"),
    (("--vary", "site.pue=1:2:2", "-f", "xml"), ExitCode.USAGE, "--format 'xml'"),
    (("--vary", "site.pue=1:2:2", "-M", "cost_per_token"), ExitCode.USAGE, "not an output of the engine"),
    (("--vary", "site.pue=1:2:2", "--plot", "x.pdf"), ExitCode.USAGE, ".png or .svg"),
    (("--vary", "site.pue=1:2:2", "--vary", "batch=1:2:2", "--vary", "utilization=0.5:1:2", "--plot", "x.png"),
     ExitCode.USAGE, "one --vary (a line) or two"),
    (("--vary", "nope=1:2:2"), ExitCode.INVALID_INPUT, "unknown key 'nope'"),
])
def test_cli_errors(cli, args, code, fragment):
    result = cli(*TOY, "sweep", "toy-own", "--model", "toy-dense", *args)
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("error: ") and fragment in result.stderr
    assert "Traceback" not in result.stderr


def test_output_writer_removes_its_temporary_file_on_failure(tmp_path):
    from compute_cli.render.output import atomic_output

    out = tmp_path / "x.csv"
    out.write_text("old\n")
    with pytest.raises(RuntimeError), atomic_output(out) as fh:
        fh.write("half a file")
        raise RuntimeError("disk full")
    assert out.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["x.csv"]


def test_output_writer_writes_a_device_or_pipe_as_it_is(tmp_path):
    import os
    import stat
    import threading

    from compute_cli.render.output import atomic_output

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    with atomic_output(fifo, binary=True) as fh:
        fh.write(b"rows\n")
    reader.join(10)
    assert got == [b"rows\n"]
    assert stat.S_ISFIFO(fifo.stat().st_mode) and sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


def test_output_writer_refuses_a_missing_directory(tmp_path):
    from compute_cli.render.output import atomic_output

    with pytest.raises(UsageError, match="no such directory"), atomic_output(tmp_path / "nope" / "x.csv"):
        pass


def test_plot_png_and_svg(cli, tmp_path):
    pytest.importorskip("matplotlib")
    for name in ("line.png", "heat.svg"):
        extra = ("--vary", "batch=1:4:4") if name.endswith(".svg") else ()
        result = cli(*TOY, "sweep", "toy-own", "--model", "toy-dense", "--vary", "site.pue=1:2:3", *extra,
                     "-f", "csv", "--plot", tmp_path / name)
        assert result.exit_code == 0, result.stderr
    assert (tmp_path / "line.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in (tmp_path / "heat.svg").read_bytes()[:1000]


def test_plot_without_matplotlib_is_a_clear_usage_error(cli, tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    result = cli(*TOY, "sweep", "toy-own", "--model", "toy-dense", "--vary", "site.pue=1:2:3", "-f", "csv",
                 "--plot", tmp_path / "x.png")
    assert result.exit_code == ExitCode.USAGE
    assert "pip install 'computecost[plot]'" in result.stderr
    assert not Path(tmp_path / "x.png").exists()
