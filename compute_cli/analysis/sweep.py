"""``sweep``: a cartesian grid over numeric profile paths, evaluated block by block.

For each varied path and each of its values, the engine inputs are those
``compare --set`` would build (paths.inputs_at: one vectorized rebuild where the
inputs are plain arithmetic in the value, one rebuild per value where they are
not, checked against a validated rebuild either way); the inputs that differ from
the base are that path's *fields*. The grid is then a broadcast of per-path 1-D
arrays, each path along its own axis, and the engine runs on open (un-broadcast)
grids: an intermediate that depends only on the cost of capital is computed once
per rate, not once per row, so the capital recovery factor's power is taken once
per unique (rate, life).

Rows come out in blocks of at most ``chunk`` rows, in C order of the grid (the
last ``--vary`` changes fastest), so a sweep of any size runs in bounded memory.
Planning is bounded too: the row count is known from START:STOP:STEPS before
anything is allocated, an axis's values are computed for the block that needs
them, and an axis longer than a block is tabulated block by block (its inputs kept
only when they fit TABLE_CELLS), so a one-axis sweep streams like a grid.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from compute_cli import inputs, pipeline
from compute_cli.analysis import paths
from compute_cli.contract import SCHEMA_VERSION
from compute_cli.engine.evaluate import evaluate
from compute_cli.errors import InputError, UsageError, did_you_mean
from compute_cli.profiles.catalog import Catalog

# rows per block. A block is an open grid, so most of the engine's ~100 temporaries are far
# smaller than the block; the full-size ones (~50 x 8 B x 131,072) stay near 50 MB.
CHUNK_ROWS = 1 << 17
MAX_ROWS = 10**10
TABLE_CELLS = 1 << 22  # inputs of one long axis kept between its planning pass and the rows (32 MB)
INTEGER_TABLE_STEPS = 1 << 20  # an integer key's distinct values are listed up to this many STEPS

# Columns written after the varied values when --metric is not given.
DEFAULT_METRICS = (
    "cost_usd_per_gpu_hour",
    "decode_tokens_per_s_per_gpu",
    "cost_usd_per_million_input_tokens",
    "cost_usd_per_million_output_tokens",
    "cost_usd_per_million_tokens_blended",
    "price_usd_per_million_tokens_blended",
    "energy_j_per_output_token",
    "output_tokens_per_day_per_mw",
)


@dataclass(frozen=True)
class Vary:
    """One ``--vary PATH=START:STOP:STEPS``.

    Its values are STEPS evenly spaced numbers from START to STOP (np.linspace's arithmetic,
    kept to 12 significant digits so the values written are the values computed: no
    0.30000000000000004); an integer key takes the distinct whole numbers they round to.
    ``count()`` and ``values_at(lo, hi)`` never build more values than asked for.
    """

    text: str
    path: paths.NumericPath
    start: float
    stop: float
    steps: int

    def values(self) -> np.ndarray:
        """Every value (for a short axis, a chart, a test).

        >>> parse_vary("batch=1:4:7").values()
        array([1., 2., 3., 4.])
        >>> parse_vary("utilization=0.2:0.8:3").values()
        array([0.2, 0.5, 0.8])
        """
        return self.values_at(0, self.count())

    def count(self) -> int:
        """How many values, without building them (but for an integer key of up to INTEGER_TABLE_STEPS steps).

        >>> parse_vary("utilization=0.1:0.9:1000000000000").count(), parse_vary("batch=1:8:1000000000").count()
        (1000000000000, 8)
        """
        if not self.path.integer:
            return self.steps
        layout = self._integer_layout()
        return len(layout[1]) if layout[0] == "table" else layout[2]

    def values_at(self, lo: int, hi: int) -> np.ndarray:
        """Values ``lo`` to ``hi - 1``."""
        if not self.path.integer:
            return _twelve_digits(self._linspace(lo, hi))
        layout = self._integer_layout()
        if layout[0] == "table":
            return layout[1][lo:hi]
        if layout[0] == "every":
            first, sign = layout[1], layout[3]
            return first + sign * np.arange(lo, hi, dtype=float)
        return np.rint(_twelve_digits(self._linspace(lo, hi)))

    def _linspace(self, lo: int, hi: int) -> np.ndarray:
        """``np.linspace(start, stop, steps)[lo:hi]``, computed for those indices only (numpy's own arithmetic)."""
        i = np.arange(lo, hi, dtype=float)
        if self.steps == 1:
            return np.full(len(i), self.start)
        div = self.steps - 1
        delta = self.stop - self.start
        step = delta / div
        y = (i / div) * delta + self.start if step == 0 else i * step + self.start
        if hi == self.steps:
            y[-1] = self.stop
        return y

    def _integer_layout(self) -> tuple:
        """How an integer key's values are found: ``("table", values)`` listed (up to INTEGER_TABLE_STEPS
        steps), ``("every", first, count, sign)`` when the steps are closer than a half (every whole
        number between is taken), or ``("each", None, count)`` when they are more than 1.2 apart (no
        two round to the same number). In between, with more steps than a table holds, it is refused."""
        cached = self.__dict__.get("_layout")
        if cached is not None:
            return cached
        if self.steps <= INTEGER_TABLE_STEPS:
            v = np.rint(_twelve_digits(self._linspace(0, self.steps)))
            keep = np.concatenate([[True], v[1:] != v[:-1]])  # monotone: repeats are neighbours
            layout = ("table", v[keep])
        else:
            gap = abs(self.stop - self.start) / (self.steps - 1)
            first = float(np.rint(_twelve_digits(self._linspace(0, 1)))[0])
            last = float(np.rint(_twelve_digits(self._linspace(self.steps - 1, self.steps)))[0])
            small = max(abs(self.start), abs(self.stop)) < 1e10  # 12 digits then move a value by < 0.01
            if small and gap <= 0.5:
                layout = ("every", first, int(abs(last - first)) + 1, 1.0 if last >= first else -1.0)
            elif small and gap >= 1.2:
                layout = ("each", None, self.steps)
            else:
                raise UsageError(f"--vary '{self.text}': {self.path.text} is a whole number; with more than "
                                 f"{INTEGER_TABLE_STEPS:,} STEPS they must be closer than 0.5 (every whole number "
                                 "from START to STOP) or more than 1.2 apart")
        object.__setattr__(self, "_layout", layout)
        return layout


def _twelve_digits(v: np.ndarray) -> np.ndarray:
    """Each value rounded to 12 significant digits, as ``float(f"{x:.12g}")`` (one ``%`` over all of them)."""
    if not len(v):
        return np.asarray(v, dtype=float)
    return np.array((("%.12g " * len(v)) % tuple(v.tolist())).split(), dtype=float)


def parse_vary(text: str) -> Vary:
    """``'site.pue=1.1:1.5:5'`` -> a :class:`Vary`; a UsageError says what the form is."""
    key, sep, spec = text.partition("=")
    form = "expected PATH=START:STOP:STEPS, e.g. --vary site.electricity_usd_per_kwh=0.02:0.12:11"
    if not sep or not key.strip():
        raise UsageError(f"--vary '{text}': {form}")
    parts = spec.split(":")
    if len(parts) != 3:
        raise UsageError(f"--vary '{text}': {form}")
    try:
        start, stop = float(parts[0]), float(parts[1])
    except ValueError:
        raise UsageError(f"--vary '{text}': START and STOP must be numbers; {form}") from None
    if not (math.isfinite(start) and math.isfinite(stop)):
        raise UsageError(f"--vary '{text}': START and STOP must be finite numbers")
    if not math.isfinite(stop - start):
        raise UsageError(f"--vary '{text}': STOP - START is beyond the range of a number")
    try:
        steps = int(parts[2]) if len(parts[2]) <= 30 else 0
    except ValueError:
        steps = 0
    if steps < 1:
        raise UsageError(f"--vary '{text}': STEPS must be a whole number >= 1, got '{parts[2][:30]}'")
    if steps == 1 and start != stop:
        raise UsageError(f"--vary '{text}': one step cannot reach from {start:g} to {stop:g}; use STEPS >= 2")
    return Vary(text=text, path=paths.numeric_path(key, "--vary"), start=start, stop=stop, steps=steps)


@dataclass
class Axis:
    """One varied path: its values and, for each engine input it changes, that input at every value.

    ``fields`` names the inputs the path changes; ``tables`` holds them at every value when they
    were kept (a short axis, or a long one within TABLE_CELLS), else they are rebuilt for each
    block from ``at`` (paths.inputs_at for the values of a slice).
    """

    vary: Vary
    size: int
    fields: list[str] = field(default_factory=list)
    tables: dict[str, np.ndarray] | None = None
    at: object = None  # (lo, hi) -> {input: array}, the inputs at values lo..hi-1
    base_value: float | None = None  # the setup's own value of the path (marked on charts)
    _last: tuple = (None, None)
    _last_values: tuple = (None, None)

    @property
    def name(self) -> str:
        return self.vary.path.text

    @property
    def values(self) -> np.ndarray:
        """Every value of the axis (charts draw at most CHART_MAX_POINTS)."""
        return self.vary.values_at(0, self.size)

    def values_of(self, lo: int, hi: int) -> np.ndarray:
        """Values lo..hi-1 (the last span asked for is kept: a block needs it twice)."""
        if self._last_values[0] != (lo, hi):
            self._last_values = ((lo, hi), self.vary.values_at(lo, hi))
        return self._last_values[1]

    def inputs(self, lo: int, hi: int) -> dict[str, np.ndarray]:
        """This axis's fields at values lo..hi-1."""
        if self.tables is not None:
            return {k: t[lo:hi] for k, t in self.tables.items()}
        if self._last[0] == (lo, hi):
            return self._last[1]
        got = self.at(lo, hi, self.values_of(lo, hi))
        base = self.at.base  # inputs a block leaves as in the base are the base's
        got = {k: got.get(k, np.broadcast_to(base[k], (hi - lo,))) for k in self.fields}
        self._last = ((lo, hi), got)
        return got


@dataclass
class Grid:
    """A planned sweep: base inputs, one axis per ``--vary``, the metrics to write."""

    setup_id: str
    model_id: str
    overrides: list[str]
    base: dict
    axes: list[Axis]
    metrics: tuple[str, ...]

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(a.size for a in self.axes)

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @property
    def columns(self) -> list[str]:
        return [a.name for a in self.axes] + list(self.metrics)

    def header(self) -> dict:
        """What the sweep is, JSON-ready (the part of the output that is not rows)."""
        return {
            "schema_version": SCHEMA_VERSION,
            "setup": self.setup_id,
            "model": self.model_id,
            "overrides": list(self.overrides),
            "vary": [{"path": a.name, "start": a.vary.start, "stop": a.vary.stop, "steps": a.size,
                      "inputs_changed": list(a.fields)} for a in self.axes],
            "row_count": self.size,
            "columns": self.columns,
        }

    def open_blocks(self, chunk: int = CHUNK_ROWS) -> Iterator[tuple[tuple[int, ...], dict[str, np.ndarray]]]:
        """``(block shape, {column: array})`` for consecutive blocks of at most ``chunk`` rows.

        The arrays are not spread over the block: each broadcasts to the block shape
        and keeps the shape of what it depends on (a varied path is one axis long, a
        metric that no varied path moves is one value), so a writer can format each
        distinct value once. Outputs keep their dtype (``fits`` is bool).
        """
        from compute_cli.analysis.memory import keep_freed_memory

        keep_freed_memory()
        for index in block_indices(self.shape, chunk):
            shape, y = evaluate_block(self.base, self.axes, index)
            cols = {}
            for i, axis in enumerate(self.axes):
                cols[axis.name] = _open(_axis_values(axis.values_of(*_span(index[i])), i, index), len(shape))
            for m in self.metrics:
                cols[m] = _open(y[m], len(shape))
            yield shape, cols

    def blocks(self, chunk: int = CHUNK_ROWS) -> Iterator[dict[str, np.ndarray]]:
        """Columns of consecutive rows, ``{column: 1-D float array}``, at most ``chunk`` rows at a time."""
        for shape, cols in self.open_blocks(chunk):
            n = math.prod(shape)
            yield {c: _broadcast_column(a, shape, n) for c, a in cols.items()}

    def column_types(self) -> dict[str, str]:
        """Each column's type in a typed file: int64 for integer keys, bool for yes/no outputs, else float64."""
        y = evaluate(self.base)
        types = {a.name: "int64" if a.vary.path.integer else "float64" for a in self.axes}
        types.update({m: "bool" if np.asarray(y[m]).dtype == bool else "float64" for m in self.metrics})
        return types


def _open(a, ndim: int) -> np.ndarray:
    """``a`` as an array of ``ndim`` dimensions (leading ones added), broadcastable to its block."""
    a = np.asarray(a)
    return a.reshape((1,) * (ndim - a.ndim) + a.shape) if a.ndim < ndim else a


def _span(ix) -> tuple[int, int]:
    """The values an axis index of a block takes: ``(lo, hi)``."""
    return (ix.start, ix.stop) if isinstance(ix, slice) else (ix, ix + 1)


def _broadcast_column(a, shape, n) -> np.ndarray:
    a = np.asarray(a, dtype=float)
    if a.size == n:
        return a.reshape(n)
    return np.broadcast_to(a, shape).reshape(n)


def block_indices(shape: tuple[int, ...], chunk: int) -> Iterator[tuple]:
    """Split a grid into blocks of at most ``chunk`` cells, each a tuple of one int or slice
    per axis, that cover the flat C-order index in sequence.

    Leading axes are fixed at one index, one axis is cut into slices, and the trailing
    axes are taken whole, so a block stays an open grid.

    >>> list(block_indices((2, 2, 3), 6))
    [(slice(0, 1, None), slice(0, 2, None), slice(0, 3, None)), (slice(1, 2, None), slice(0, 2, None), slice(0, 3, None))]
    >>> list(block_indices((2, 2, 3), 4))[:2]
    [(0, slice(0, 1, None), slice(0, 3, None)), (0, slice(1, 2, None), slice(0, 3, None))]
    >>> list(block_indices((5,), 2))
    [(slice(0, 2, None),), (slice(2, 4, None),), (slice(4, 5, None),)]
    >>> list(block_indices((2, 3), 6))
    [(slice(0, 2, None), slice(0, 3, None))]
    """
    k = len(shape)
    tail, split = 1, k
    while split > 0 and tail * shape[split - 1] <= chunk:
        tail *= shape[split - 1]
        split -= 1
    if split == 0:
        yield tuple(slice(0, n) for n in shape)
        return
    cut = split - 1
    step = max(1, chunk // tail)
    whole = tuple(slice(0, n) for n in shape[split:])
    for outer in np.ndindex(*shape[:cut]):
        for lo in range(0, shape[cut], step):
            yield tuple(int(i) for i in outer) + (slice(lo, min(lo + step, shape[cut])),) + whole


def _block_shape(shape_index: tuple) -> tuple[int, ...]:
    first = next((i for i, ix in enumerate(shape_index) if isinstance(ix, slice)), len(shape_index))
    return tuple(ix.stop - ix.start for ix in shape_index[first:])


def _axis_values(values: np.ndarray, axis: int, index: tuple) -> np.ndarray:
    """The values of one axis at a block (``values`` already cut to the block's span), shaped to
    broadcast over it (an int index gives one value)."""
    ix = index[axis]
    if not isinstance(ix, slice):
        return values
    first = next(i for i, j in enumerate(index) if isinstance(j, slice))
    shape = [1] * (len(index) - first)
    shape[axis - first] = ix.stop - ix.start
    return values.reshape(shape)


def evaluate_block(base: dict, axes: list[Axis], index: tuple) -> tuple[tuple[int, ...], dict]:
    """Run the engine on one block of the grid: ``(block shape, outputs)``.

    The outputs broadcast to the block shape but keep the shape of their own
    inputs: a result that depends only on one axis is that axis long.
    """
    x = dict(base)
    for i, axis in enumerate(axes):
        for name, table in axis.inputs(*_span(index[i])).items():
            x[name] = _axis_values(table, i, index)
    return _block_shape(index), evaluate(x)


def engine_outputs(base: dict) -> list[str]:
    """Names of every output of the engine (the metrics a sweep can write)."""
    return sorted(evaluate(base))


def check_metrics(metrics, available) -> tuple[str, ...]:
    if not metrics:
        return DEFAULT_METRICS
    if list(metrics) == ["all"]:
        return tuple(available)
    for m in metrics:
        if m not in available:
            raise UsageError(f"--metric {m}: not an output of the engine{did_you_mean(m, available)}; "
                             f"one of: {', '.join(available)} (or 'all')")
    return tuple(dict.fromkeys(metrics))


def plan(catalog: Catalog, setup_id: str, model_id: str | None, assignments, varies: list[Vary],
         metrics=(), options: inputs.RunOptions = inputs.RunOptions()) -> Grid:
    """Resolve the setup, apply ``--set``, and tabulate what each ``--vary`` value does to the inputs.

    The row count is checked before anything the size of the grid is built.
    """
    if not varies:
        raise UsageError("sweep needs at least one --vary PATH=START:STOP:STEPS")
    names = [v.path.text for v in varies]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise UsageError(f"--vary {twice[0]} is given twice; give each path once")
    sizes = [v.count() for v in varies]
    size = math.prod(sizes)
    if size > MAX_ROWS:
        raise UsageError(f"the grid has {size:,} rows; the most a sweep writes is {MAX_ROWS:,}")
    run = pipeline.evaluate(catalog, [setup_id], model_id, assignments, options)
    r, model, base = run.resolved[0], run.model, run.x
    ignored = run.origins[0].ignored
    axes = [_axis(r, model, v, n, base, options, setup_id, ignored) for v, n in zip(varies, sizes, strict=True)]
    _check_independent(r, model, base, axes, options)
    metrics = check_metrics(metrics, engine_outputs(base))
    return Grid(setup_id=r.setup.id, model_id=model.id, overrides=[a.text for a in assignments], base=base,
                axes=axes, metrics=metrics)


def _check_range(r, model, v: Vary, n: int) -> None:
    """Every value within what the key allows, or the error ``--set`` gives for the first one outside.

    The values are monotone, so the ends decide; the first bad value is found by bisection.
    """
    def bad(i):
        x = float(v.values_at(i, i + 1)[0])
        _, moved = v.path.clip(np.array([x]))
        return bool(moved[0]) or v.path.integer and not float(x).is_integer()

    if not bad(0) and not bad(n - 1):
        return
    lo, hi = 0, n - 1  # bad(hi) or bad(0)
    if not bad(0):
        while hi - lo > 1:  # bad(hi), not bad(lo)
            mid = (lo + hi) // 2
            lo, hi = (lo, mid) if bad(mid) else (mid, hi)
    else:
        hi = 0
    paths.override(r, model, v.path, float(v.values_at(hi, hi + 1)[0]))  # raises the message --set gives
    raise InputError(f"--vary {v.text}: {v.values_at(hi, hi + 1)[0]:g} is outside what "
                     f"{v.path.text} allows ({v.path.bounds_text()})")


class _Source:
    """The inputs an axis changes at a slice of its values (paths.inputs_at), for a long axis."""

    def __init__(self, r, model, v: Vary, base, options):
        self.r, self.model, self.v, self.base, self.options = r, model, v, base, options

    def __call__(self, lo: int, hi: int, values=None) -> dict:
        values = self.v.values_at(lo, hi) if values is None else values
        return paths.inputs_at(self.r, self.model, self.v.path, values, self.base, self.options)


def _axis(r, model, v: Vary, n: int, base: dict, options, setup_id: str, ignored: dict) -> Axis:
    """Plan one axis: check its range, then find the inputs it changes, a block of values at a time."""
    _check_range(r, model, v, n)
    source = _Source(r, model, v, base, options)
    found: dict[str, list] = {}
    kept = True
    for lo in range(0, n, CHUNK_ROWS):
        hi = min(lo + CHUNK_ROWS, n)
        part = source(lo, hi)
        for k in part:
            if k not in found:
                found[k] = [np.broadcast_to(base[k], (lo,))] if kept else []
        if kept:
            for k in found:
                found[k].append(part[k] if k in part else np.broadcast_to(base[k], (hi - lo,)))
            kept = len(found) * n <= TABLE_CELLS or n <= CHUNK_ROWS
            if not kept:
                found = {k: [] for k in found}
    fields = [k for k in base if k in found]  # in input order
    current = paths.current_value(r, model, v.path)
    if not fields and not (float(v.values_at(0, 1)[0]) == float(v.values_at(n - 1, n)[0]) == current):
        reason = ignored.get(v.path.canonical, "the engine does not use this key for this kind of setup")
        raise InputError(f"--vary {v.text}: changes none of the engine's inputs for setup '{setup_id}' ({reason})")
    tables = {k: np.concatenate(found[k]) for k in fields} if kept else None
    return Axis(vary=v, size=n, fields=fields, tables=tables, at=source,
                base_value=None if current is None else float(current))


def _check_independent(r, model, base, axes: list[Axis], options) -> None:
    """Refuse two paths that move the same input, or whose inputs depend on both at once.

    Each pair is checked at the four corners of its sub-grid against a full rebuild.
    """
    for i, a in enumerate(axes):
        for b in axes[i + 1:]:
            shared = sorted(set(a.fields) & set(b.fields))
            if shared:
                raise InputError(f"--vary {a.name} and --vary {b.name} both change the engine input "
                                 f"'{shared[0]}'; vary them in separate runs")
            if not a.fields or not b.fields:
                continue
            for ia in {0, a.size - 1}:
                for ib in {0, b.size - 1}:
                    va, vb = float(a.values_of(ia, ia + 1)[0]), float(b.values_of(ib, ib + 1)[0])
                    ra, ma = paths.override(r, model, a.vary.path, va)
                    rb, mb = paths.override(ra, ma, b.vary.path, vb)
                    exact = paths.input_row(rb, mb, options)
                    composed = dict(base)
                    composed.update(a.inputs(ia, ia + 1))
                    composed.update(b.inputs(ib, ib + 1))
                    keys = list(exact)  # every input compared at once: one isclose, not one per input
                    close = np.isclose(np.concatenate([np.ravel(exact[k]) for k in keys]).astype(float),
                                       np.concatenate([np.ravel(composed[k]) for k in keys]).astype(float),
                                       rtol=1e-12, atol=0.0)
                    if not close.all():
                        sizes = np.cumsum([np.size(exact[k]) for k in keys])
                        k = keys[int(np.searchsorted(sizes, int(np.argmin(close)), side="right"))]
                        raise InputError(
                            f"--vary {a.name} and --vary {b.name} interact: the engine input '{k}' depends on "
                            f"both (at {a.name}={va:g}, {b.name}={vb:g}); vary them in separate runs")
