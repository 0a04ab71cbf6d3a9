"""Whole-column output: vectorised ``%.Ng`` and CSV against Python's ``%``; Parquet and Arrow round trips.

The reference for every text is what the row-by-row writer did before (one ``%`` over a
block, NaN and infinities blanked): the vectorised CSV must give the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compute_cli.contract import SCHEMA_VERSION
from compute_cli.analysis import sweep
from compute_cli.errors import ExitCode, UsageError
from compute_cli.profiles.overrides import parse_assignment
from compute_cli.render import columns
from compute_cli.render.numtext import g_slots

TOY = ("-C", "tests/data/extra", "-C", "tests/data/profiles")


def g_text(values, precision) -> list[str]:
    """Each value's text from its byte slots (the zeros dropped)."""
    slots = g_slots(np.asarray(values), precision)
    if not slots:
        return [""] * np.asarray(values).size
    return [bytes(row).replace(b"\0", b"").decode() for row in np.stack([s.ravel() for s in slots], axis=1)]


def percent(x: float, precision: int) -> str:
    return "" if not math.isfinite(x) else f"%.{precision}g" % x


def row_by_row_csv(cols, precisions) -> str:
    """The CSV writer before whole-column formatting: one ``%`` over the block, then NaN and inf blanked."""
    a = np.column_stack([np.asarray(c, dtype=float) for c in cols])
    row_fmt = ",".join(f"%.{p}g" for p in precisions) + "\n"
    text = row_fmt * a.shape[0] % tuple(a.ravel().tolist())
    return text.replace("-inf", "").replace("inf", "").replace("nan", "")


def awkward_values(rng, n: int) -> np.ndarray:
    """Values of every kind a metric can take, and the edge cases of %g."""
    special = [0.0, -0.0, np.nan, -np.nan, np.inf, -np.inf, 5e-324, -5e-324, 2.2250738585072014e-308,
               1.7976931348623157e308, -1.7976931348623157e308, 1e-5, 1e-4, 9.99999e-5, 9.999995e-5, 0.0001,
               0.5, 2.5, 999999.5, 9999995.0, 999999.4999999999, 123456.5, 1234565.0, 100000.0, 1e6, 1e15, 1e16,
               1e22, 1e23, 1e100, 1e-100, 0.30000000000000004, 1 / 3, 2 / 3, -2 / 3, 0.1, 0.2, 0.3, 1e12, 999999999999.5,
               123456789012.5, 0.000123456789012345]
    return np.concatenate([
        special,
        rng.standard_normal(n) * 10.0 ** rng.integers(-320, 308, n),  # any magnitude, either sign
        rng.random(n) * 10.0 ** rng.integers(-6, 12, n),  # the magnitudes metrics take
        np.round(rng.random(n) * 1000, 3),  # decimal inputs with few digits
        rng.integers(-10**9, 10**9, n).astype(float),  # whole numbers
        rng.integers(0, 2**63, n, dtype=np.uint64).view(np.float64),  # random bit patterns
        np.nextafter(10.0 ** rng.integers(-10, 15, n), np.inf),  # just above and below powers of ten
        np.nextafter(10.0 ** rng.integers(-10, 15, n), -np.inf),
    ])


@pytest.mark.parametrize("precision", [3, 6, 9, 12])
def test_vectorised_g_is_percent_g_for_every_kind_of_value(precision):
    values = awkward_values(np.random.default_rng(precision), 20_000)
    got = g_text(values, precision)
    want = [percent(x, precision) for x in values.tolist()]
    bad = [(x, g, w) for x, g, w in zip(values.tolist(), got, want, strict=True) if g != w]
    assert not bad, bad[:10]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=1, max_size=50),
       st.sampled_from([6, 12]))
def test_vectorised_g_property(values, precision):
    assert g_text(values, precision) == [percent(x, precision) for x in values]


def test_vectorised_g_of_integers_bools_and_shapes():
    assert g_text(np.array([True, False]), 6) == ["1", "0"]
    assert g_text(np.array([0, 7, -12, 10**12, 2**53], dtype=np.int64), 12) == ["0", "7", "-12", "1e+12",
                                                                                  "9.00719925474e+15"]
    grid = np.arange(6.0).reshape(2, 3) / 4
    assert [s.shape for s in g_slots(grid, 6)] == [(2, 3)] * len(g_slots(grid, 6))
    with pytest.raises(ValueError, match="precision"):
        g_slots([1.0], 7)


@pytest.mark.parametrize("seed", range(3))
def test_vectorised_csv_is_the_row_by_row_csv(seed):
    rng = np.random.default_rng(seed)
    n = 5_000
    cols = [np.round(rng.random(n), 2),  # a varied value
            rng.integers(1, 512, n).astype(float),  # an integer key
            awkward_values(rng, n)[:n],
            rng.random(n) > 0.5,  # a yes/no output: 1 or 0, as before
            -rng.random(n) * 1e9,
            np.where(rng.random(n) < 0.1, np.nan, rng.random(n) * 1e-3)]
    precisions = [12, 12, 6, 6, 6, 6]
    got = b"".join(columns.csv_pieces(cols, precisions, rows=777)).decode()
    assert got == row_by_row_csv(cols, precisions)


def test_open_columns_are_spread_over_the_grid_in_c_order():
    rng = np.random.default_rng(4)
    shape = (3, 4, 5)
    a = rng.random((3, 1, 1))
    b = rng.random((1, 4, 1)) * 1e6
    c = rng.random(shape)
    d = np.array([np.nan])
    cols = [a, b, c, d]
    full = [np.broadcast_to(x, shape).ravel() for x in cols]
    for rows in (1, 7, 20, 1000):
        got = b"".join(columns.csv_pieces(cols, [12, 12, 6, 6], shape=shape, rows=rows)).decode()
        assert got == row_by_row_csv(full, [12, 12, 6, 6]), rows


def test_csv_writer_writes_through_a_text_stream_with_or_without_a_buffer():
    for stream in (io.StringIO(), io.TextIOWrapper(io.BytesIO(), encoding="utf-8", newline="")):
        w = columns.CsvWriter(["x", "y"], [12, 6], stream)
        w.begin()
        w.write([np.array([0.5, 1.0]), np.array([np.inf, 2.0])])
        w.end()
        stream.flush()
        text = stream.getvalue() if isinstance(stream, io.StringIO) else stream.buffer.getvalue().decode()
        assert text == "x,y\n0.5,\n1,2\n"
        assert w.rows == 2


def test_sweep_csv_through_the_cli_is_the_row_by_row_csv(cli, wide_catalog):
    args = ("--vary", "utilization=0:1:7", "--vary", "accelerator.memory_gb=1:81:5", "--vary", "batch=1:64:4")
    result = cli(*TOY, "sweep", "toy-own", "--model", "toy-dense", *args, "-M", "all", "-f", "csv", "--chunk-rows", "9")
    assert result.exit_code == 0, result.stderr
    grid = sweep.plan(wide_catalog, "toy-own", "toy-dense", [], [sweep.parse_vary(v) for v in args[1::2]],
                      metrics=("all",))
    rows = [[b[c] for c in grid.columns] for b in grid.blocks()]
    want = ",".join(grid.columns) + "\n" + "".join(
        row_by_row_csv(r, [12] * len(grid.axes) + [6] * len(grid.metrics)) for r in rows)
    assert result.stdout == want


# --------------------------------------------------------------- Parquet and Arrow
@pytest.fixture
def arrow():
    """pyarrow (the test extra installs it; without it only the text tests above run)."""
    pa = pytest.importorskip("pyarrow")
    import pyarrow.ipc  # noqa: F401
    import pyarrow.parquet  # noqa: F401

    return pa


def read_table(source, fmt):
    """A Parquet or Arrow IPC file (a path or bytes) read back with pyarrow."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if isinstance(source, bytes):
        source = pa.BufferReader(source)
    else:
        source = str(source)
    if fmt == "parquet":
        return pq.read_table(source)
    return pa.ipc.open_file(source).read_all()


def metadata(table) -> dict:
    return {k.decode(): v.decode() for k, v in (table.schema.metadata or {}).items()}


@pytest.mark.parametrize("fmt", ["parquet", "arrow"])
def test_sweep_round_trip(cli, wide_catalog, tmp_path, fmt, arrow):
    args = ("--vary", "accelerator.memory_gb=1:81:5", "--vary", "batch=1:64:4")
    metrics = ("cost_usd_per_million_output_tokens", "fits", "decode_tokens_per_s_per_gpu")
    out = tmp_path / f"grid.{fmt}"
    result = cli(*TOY, "sweep", "toy-own", "--model", "toy-dense", "--set", "utilization=0.6", *args,
                 *(x for m in metrics for x in ("-M", m)), "-f", fmt, "-o", out, "--chunk-rows", "3")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    table = read_table(out, fmt)
    grid = sweep.plan(wide_catalog, "toy-own", "toy-dense", [parse_assignment("utilization=0.6")],
                      [sweep.parse_vary(v) for v in args[1::2]], metrics=metrics)
    # named as the CSV header, typed, one row per grid point
    assert table.column_names == grid.columns == ["accelerator.memory_gb", "batch", *metrics]
    assert [str(t) for t in table.schema.types] == ["double", "int64", "double", "bool", "double"]
    assert table.num_rows == grid.size == 20
    # values at full precision; a value that cannot be computed (1 GB cards) is null
    want = {c: np.concatenate([b[c] for b in grid.blocks()]) for c in grid.columns}
    for c in grid.columns:
        got = table.column(c).to_numpy(zero_copy_only=False)
        if c == "fits":
            assert got.tolist() == want[c].astype(bool).tolist()
        elif c == "batch":
            assert got.tolist() == want[c].astype(int).tolist()
        else:
            got = np.asarray(table.column(c).to_pylist(), dtype=float)  # null -> nan
            assert np.array_equal(got, np.where(np.isfinite(want[c]), want[c], np.nan), equal_nan=True), c
    assert table.column("cost_usd_per_million_output_tokens").null_count == 4  # memory_gb=1: the model does not fit
    # the sweep's header is the file's metadata
    meta, header = metadata(table), grid.header()
    assert meta["schema_version"] == str(SCHEMA_VERSION) and meta["command"] == "sweep"
    assert meta["setup"] == "toy-own" and meta["model"] == "toy-dense"
    assert json.loads(meta["overrides"]) == ["utilization=0.6"]
    assert json.loads(meta["vary"]) == header["vary"]
    assert json.loads(meta["row_count"]) == 20


@pytest.mark.parametrize("fmt", ["parquet", "arrow"])
def test_sweep_to_piped_stdout(cli, fmt, arrow):
    result = cli(*TOY, "sweep", "toy-own", "--model", "toy-dense", "--vary", "site.pue=1:2:3", "-f", fmt)
    assert result.exit_code == 0, result.stderr
    table = read_table(result.stdout_bytes, fmt)
    assert table.num_rows == 3 and table.column("site.pue").to_pylist() == [1.0, 1.5, 2.0]


def test_binary_format_is_refused_on_a_terminal(arrow):
    class Tty(io.StringIO):
        def isatty(self):
            return True

    with pytest.raises(UsageError, match="give --output FILE"):
        columns.check_binary_target(None, "--format parquet", stdout=Tty())
    columns.check_binary_target("x.parquet", "--format parquet", stdout=Tty())  # a file is fine
    columns.check_binary_target(None, "--format parquet", stdout=io.StringIO())  # so is a pipe


def test_sweep_with_a_column_twice_is_refused_in_typed_files(cli, tmp_path, arrow):
    out = tmp_path / "x.parquet"
    result = cli(*TOY, "sweep", "toy-own", "--model", "toy-dense", "--vary", "batch=1:4:4", "-M", "all",
                 "-f", "parquet", "-o", out)
    assert result.exit_code == ExitCode.USAGE
    assert "'batch' would appear twice" in result.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt, suffix", [("parquet", "parquet"), ("arrow", "arrow"), ("arrow", "feather")])
def test_simulate_samples_round_trip(cli, tmp_path, fmt, suffix, arrow):
    out = tmp_path / f"draws.{suffix}"
    args = (*TOY, "simulate", "toy-own", "--model", "toy-dense", "--samples", "5000", "--seed", "3",
            "--dist", "utilization=uniform:0.3:0.9", "--dist", "batch=uniform:4:40", "-M",
            "cost_usd_per_million_output_tokens", "-M", "fits", "-f", "json")
    result = cli(*args, "--samples-output", out)
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary == json.loads(cli(*args).stdout)  # writing the samples changes nothing else
    table = read_table(out, fmt)
    assert table.num_rows == 5000
    assert table.column_names == ["sample", "batch", "utilization", "cost_usd_per_million_output_tokens", "fits"]
    assert [str(t) for t in table.schema.types] == ["int64", "int64", "double", "double", "bool"]
    assert table.column("sample").to_pylist() == list(range(5000))
    cost = table.column("cost_usd_per_million_output_tokens").to_numpy()
    assert float(np.percentile(cost, 50)) == pytest.approx(summary["metrics"]["cost_usd_per_million_output_tokens"]["p50"],
                                                           rel=1e-5)
    u = table.column("utilization").to_numpy()
    assert 0.3 <= u.min() and u.max() <= 0.9
    meta = metadata(table)
    assert meta["schema_version"] == str(SCHEMA_VERSION) and meta["command"] == "simulate"
    assert json.loads(meta["samples"]) == 5000 and json.loads(meta["seed"]) == 3
    assert [i["parameter"] for i in json.loads(meta["inputs"])] == ["batch", "utilization"]


def test_simulate_samples_as_csv_and_jsonl(cli, tmp_path):
    base = (*TOY, "simulate", "toy-own", "--model", "toy-dense", "--samples", "1000", "--seed", "1",
            "--dist", "utilization=uniform:0.3:0.9", "-M", "cost_usd_per_gpu_hour")
    assert cli(*base, "--samples-output", tmp_path / "s.csv").exit_code == 0
    assert cli(*base, "--samples-output", tmp_path / "s.txt", "--samples-format", "jsonl").exit_code == 0
    rows = list(csv.DictReader(io.StringIO((tmp_path / "s.csv").read_text())))
    lines = [json.loads(line) for line in (tmp_path / "s.txt").read_text().splitlines()]
    assert len(rows) == len(lines) == 1000
    assert list(rows[0]) == list(lines[0]) == ["sample", "utilization", "cost_usd_per_gpu_hour"]
    assert [int(r["sample"]) for r in rows] == [r["sample"] for r in lines] == list(range(1000))
    assert [float(r["utilization"]) for r in rows] == [r["utilization"] for r in lines]


@pytest.mark.parametrize("args, fragment", [
    (("--samples-output", "draws.xlsx"), "no format for the suffix '.xlsx'"),
    (("--samples-output", "draws.csv", "--samples-format", "xml"), "--samples-format 'xml'"),
    (("--samples-format", "csv"), "needs --samples-output"),
    (("-f", "parquet"), "--samples-output FILE"),
])
def test_simulate_samples_usage_errors(cli, args, fragment):
    result = cli(*TOY, "simulate", "toy-own", "--model", "toy-dense", "--samples", "10",
                 "--dist", "utilization=uniform:0.3:0.9", *args)
    assert result.exit_code == ExitCode.USAGE, result.output
    assert fragment in result.stderr and result.stdout == ""


@pytest.mark.parametrize("args", [("compare",), ("throughput", "--hardware", "h100-sxm", "--model", "llama-3.1-8b"),
                                  ("sensitivity", "tinybox-red-v2-oregon"), ("check",)])
def test_commands_without_typed_files_say_which_do(cli, args):
    result = cli(*args, "-f", "arrow")
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.startswith("error: --format arrow: this command does not write Arrow IPC files; sweep")
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize("command", [
    ("sweep", "toy-own", "--model", "toy-dense", "--vary", "site.pue=1:2:3", "-f", "parquet", "-o", "{out}"),
    ("sweep", "toy-own", "--model", "toy-dense", "--vary", "site.pue=1:2:3", "-f", "arrow", "-o", "{out}"),
    ("simulate", "toy-own", "--model", "toy-dense", "--samples", "10", "--dist", "utilization=uniform:0.3:0.9",
     "--samples-output", "{out}"),
])
def test_without_pyarrow_one_line_names_the_extra_and_nothing_is_written(cli, tmp_path, monkeypatch, command):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow -> ImportError
    out = tmp_path / "result.parquet"
    out.write_bytes(b"keep me")
    result = cli(*TOY, *(a.replace("{out}", str(out)) for a in command))
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.count("\n") == 1
    assert "needs pyarrow, which is not installed" in result.stderr
    assert "pip install 'computecost[arrow]'" in result.stderr
    assert result.stdout == ""
    assert out.read_bytes() == b"keep me" and sorted(p.name for p in tmp_path.iterdir()) == ["result.parquet"]


def test_write_arrow_takes_named_columns_for_any_command(tmp_path, arrow):
    """The one-call writer (for frontier and any other table of columns): types from the dtypes."""
    cols = {"id": np.arange(3), "x": np.array([0.5, np.nan, np.inf]), "ok": np.array([True, False, True])}
    for fmt in ("parquet", "arrow"):
        path = tmp_path / f"t.{fmt}"
        with open(path, "wb") as fh:
            columns.write_arrow(fh, fmt, cols, {"schema_version": 1, "command": "frontier"})
        table = read_table(path, fmt)
        assert [str(t) for t in table.schema.types] == ["int64", "double", "bool"]
        assert table.column("x").to_pylist() == [0.5, None, None]
        assert metadata(table) == {"schema_version": "1", "command": "frontier"}


@pytest.mark.parametrize("fmt", ["parquet", "arrow"])
def test_row_groups_and_batches_hold_every_row(tmp_path, monkeypatch, fmt, arrow):
    monkeypatch.setattr(columns, "ROW_GROUP_ROWS", 1000)
    path = tmp_path / f"t.{fmt}"
    with open(path, "wb") as fh:
        w = columns.ArrowWriter(fh, fmt, ["i"], ["int64"], {})
        for start in range(0, 10_000, 700):
            w.write([np.arange(start, min(start + 700, 10_000))])
        w.end()
    table = read_table(path, fmt)
    assert table.column("i").to_pylist() == list(range(10_000))
    if fmt == "parquet":
        groups = arrow.parquet.ParquetFile(path).metadata.num_row_groups
        assert 5 <= groups <= 10  # about ROW_GROUP_ROWS each


def test_no_pyarrow_on_start_up():
    """Commands that write no Parquet or Arrow never import pyarrow (nor this module's Arrow half)."""
    code = ("import sys; sys.argv = ['computecost', '-q'] + sys.argv[1:]\n"
            "from compute_cli.cli import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "sys.stderr.write(str(sorted(m for m in sys.modules if m.split('.')[0] == 'pyarrow')))")
    for args in (["compare", "-f", "json"], ["sweep", "tinybox-red-v2-oregon", "--vary", "site.pue=1:2:3", "-f", "csv"],
                 ["simulate", "tinybox-red-v2-oregon", "--samples", "100", "-f", "json"]):
        done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                              env={"COMPUTECOST_PATH": ""}, cwd=Path(__file__).resolve().parent.parent)
        assert done.stderr.endswith("[]"), (args, done.stderr[-500:])


def test_a_failing_background_write_is_raised_in_the_caller_and_the_rest_dropped():
    import threading

    done = []

    def write(item):
        if item == 2:
            raise OSError(28, "No space left on device")
        done.append(item)

    before = threading.active_count()
    bg = columns.Background(write)
    with pytest.raises(OSError, match="No space left"):
        for i in range(1000):
            bg.put(i)
        bg.close()
    bg.abort()
    assert done == [0, 1]
    assert threading.active_count() == before


def test_a_failing_run_stops_the_writer_thread(cli, tmp_path, monkeypatch):
    import threading

    from compute_cli.analysis import sweep as sweep_mod

    real = sweep_mod.Grid.open_blocks

    def fail_half_way(self, chunk=sweep_mod.CHUNK_ROWS):
        for k, block in enumerate(real(self, chunk)):
            if k == 2:
                raise KeyboardInterrupt
            yield block

    monkeypatch.setattr(sweep_mod.Grid, "open_blocks", fail_half_way)
    out = tmp_path / "grid.csv"
    before = threading.active_count()
    result = cli(*TOY, "sweep", "toy-own", "--model", "toy-dense", "--vary", "site.pue=1:2:50", "-f", "csv",
                 "-o", out, "--chunk-rows", "5")
    assert result.exit_code == 130 and "interrupted" in result.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == []
    assert threading.active_count() == before
