"""The parts under sweep, sensitivity and simulate: numeric paths, terminal charts, the progress bar."""

from __future__ import annotations

import io

import numpy as np
import pytest

from compute_cli.analysis import paths
from compute_cli.errors import InputError, UsageError
from compute_cli.render import charts
from compute_cli.render.output import progress


def test_numeric_paths_carry_their_bounds_and_one_spelling():
    p = paths.numeric_path("system.accelerator.price_usd")
    assert (p.attr, p.rest, p.canonical, p.ge) == ("hardware", ("price_usd",), "accelerator.price_usd", 0)
    u = paths.numeric_path("utilization")
    assert (u.ge, u.le, u.canonical) == (0, 1, "utilization")
    fee = paths.numeric_path("margin_fraction")
    assert fee.lt == 1
    v, moved = fee.clip(np.array([-0.1, 0.5, 1.0]))
    assert v[0] == 0 and v[1] == 0.5 and 0.999 < v[2] < 1 and moved.tolist() == [True, False, True]
    b = paths.numeric_path("batch")
    v, moved = b.clip(np.array([0.2, 2.6]))
    assert v.tolist() == [1.0, 3.0] and moved.tolist() == [True, False]  # rounded first, then kept >= 1


@pytest.mark.parametrize("text, error", [("precision", InputError), ("site", InputError), ("site..pue", UsageError),
                                         ("offer.usd_per_gpu_hour", InputError)])
def test_only_numeric_keys_are_numeric_paths(text, error):
    with pytest.raises(error):
        paths.numeric_path(text)


def test_every_numeric_key_of_a_setup(wide_catalog):
    found = {p.text for p in paths.all_numeric_paths(wide_catalog.resolve("toy-rent"))}
    assert {"utilization", "offer.usd_per_gpu_hour.on_demand", "accelerator.price_usd"} <= found
    assert not any(t.startswith(("site.", "finance.")) for t in found)  # a renter has neither


def test_tornado_draws_lowered_and_raised_on_their_sides():
    text = charts.tornado(["power", "utilization"], 1.0, [0.9, 1.5], [1.1, 0.8], width=10)
    lines = text.splitlines()
    power, util = lines[2], lines[3]
    left, right = power.split("│")
    assert left.endswith(" " + "░" * 2) and right.strip() == "█" * 2  # 0.1 of the largest 0.5 change: 2 of 10 cells
    left, right = util.split("│")
    assert left.endswith(" " + "█" * 4) and right.strip() == "░" * 10
    assert lines[-1].strip() == "░ input lowered   █ input raised"


def test_histogram_line_and_heatmap_render():
    h = charts.histogram([1, 4, 2], [0.0, 1.0, 2.0, 3.0], width=8)
    assert h.splitlines()[1].endswith("████████  4")
    line = charts.line(np.arange(5.0), np.array([1.0, 2.0, np.nan, 4.0, 5.0]), width=5, height=4,
                       x_label="x", y_label="y")
    assert "y: y\n" in line and "x: x\n" in line and line.count("\n") == 8  # 4 rows, the axis, its ends, 2 titles
    marked = charts.line(np.arange(5.0), np.arange(5.0), width=5, height=4, x_label="utilization", y_label="y",
                         x_base=2.0)
    assert "  ▲ 2 (the setup's value)" in marked and "x: utilization (0..1)" in marked
    falling = charts.line([1000.0, 900.0], [1.0, 2.0], width=2, height=2)
    assert "1,000 900" in falling  # the ends of a descending axis never run together
    heat = charts.heatmap([1, 2, 3], [10, 20], np.array([[1.0, 2.0, np.nan], [4.0, 5.0, 6.0]]), x_label="a",
                          y_label="b", z_label="c")
    assert "×" in heat and "x: a\n" in heat and "y: b\n" in heat and "c:\n" in heat and "· <=" in heat
    assert charts.line([1.0], [np.nan], y_label="m") == "m: no finite values to plot\n"


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_only_on_a_terminal():
    piped = io.StringIO()
    with progress(1000, "work", stream=piped) as bar:
        bar.advance(1000)
    assert piped.getvalue() == ""
    tty = _Terminal()
    with progress(1000, "work", stream=tty) as bar:
        bar.advance(500)
    assert "work" in tty.getvalue()
    small = _Terminal()
    with progress(10, "work", min_total=100, stream=small) as bar:
        bar.advance(10)
    assert small.getvalue() == ""
