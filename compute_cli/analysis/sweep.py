"""``sweep``: a cartesian grid over numeric profile paths, evaluated block by block.

For each varied path and each of its values, the override is applied to the
resolved setup and the engine inputs rebuilt, exactly as ``compare --set`` does;
the inputs that differ from the base are that path's *fields*. The grid is then a
broadcast of per-path 1-D arrays, each path along its own axis, and the engine
runs on open (un-broadcast) grids: an intermediate that depends only on the
cost of capital is computed once per rate, not once per row, so the capital
recovery factor's power is taken once per unique (rate, life).

Rows come out in blocks of at most ``chunk`` rows, in C order of the grid (the
last ``--vary`` changes fastest), so a sweep of any size runs in bounded memory.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from compute_cli.contract import SCHEMA_VERSION
from compute_cli import inputs, pipeline
from compute_cli.analysis import paths
from compute_cli.engine.evaluate import evaluate
from compute_cli.errors import InputError, UsageError, did_you_mean
from compute_cli.profiles.catalog import Catalog

# rows per block. A block is an open grid, so most of the engine's ~100 temporaries are far
# smaller than the block; the full-size ones (~50 x 8 B x 131,072) stay near 50 MB.
CHUNK_ROWS = 1 << 17
MAX_ROWS = 10**10

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
    """One ``--vary PATH=START:STOP:STEPS``."""

    text: str
    path: paths.NumericPath
    start: float
    stop: float
    steps: int

    def values(self) -> np.ndarray:
        """STEPS evenly spaced values from START to STOP (to 12 significant digits); integer keys take
        the distinct rounded values.

        >>> parse_vary("batch=1:4:7").values()
        array([1., 2., 3., 4.])
        >>> parse_vary("utilization=0.2:0.8:3").values()
        array([0.2, 0.5, 0.8])
        """
        # 12 significant digits: the values written are the values computed (no 0.30000000000000004)
        v = np.array([float(f"{x:.12g}") for x in np.linspace(self.start, self.stop, self.steps)])
        if self.path.integer:
            v = np.array(list(dict.fromkeys(np.rint(v).tolist())), dtype=float)
        return v


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
    try:
        steps = int(parts[2])
    except ValueError:
        steps = 0
    if steps < 1:
        raise UsageError(f"--vary '{text}': STEPS must be a whole number >= 1, got '{parts[2]}'")
    if steps == 1 and start != stop:
        raise UsageError(f"--vary '{text}': one step cannot reach from {start:g} to {stop:g}; use STEPS >= 2")
    return Vary(text=text, path=paths.numeric_path(key, "--vary"), start=start, stop=stop, steps=steps)


@dataclass
class Axis:
    """One varied path: its values and, for each engine input it changes, that input at every value."""

    vary: Vary
    values: np.ndarray
    fields: dict[str, np.ndarray] = field(default_factory=dict)
    base_value: float | None = None  # the setup's own value of the path (marked on charts)

    @property
    def name(self) -> str:
        return self.vary.path.text


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
        return tuple(len(a.values) for a in self.axes)

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
            "vary": [{"path": a.name, "start": a.vary.start, "stop": a.vary.stop, "steps": len(a.values),
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
                cols[axis.name] = _open(_axis_values(axis.values, i, index), len(shape))
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
    """Values of one axis shaped to broadcast over the block (an int index gives one value)."""
    ix = index[axis]
    if not isinstance(ix, slice):
        return values[ix:ix + 1]
    first = next(i for i, j in enumerate(index) if isinstance(j, slice))
    ndim = len(index) - first
    shape = [1] * ndim
    shape[axis - first] = ix.stop - ix.start
    return values[ix].reshape(shape)


def evaluate_block(base: dict, axes: list[Axis], index: tuple) -> tuple[tuple[int, ...], dict]:
    """Run the engine on one block of the grid: ``(block shape, outputs)``.

    The outputs broadcast to the block shape but keep the shape of their own
    inputs: a result that depends only on one axis is that axis long.
    """
    x = dict(base)
    for i, axis in enumerate(axes):
        for name, table in axis.fields.items():
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
    """Resolve the setup, apply ``--set``, and tabulate what each ``--vary`` value does to the inputs."""
    if not varies:
        raise UsageError("sweep needs at least one --vary PATH=START:STOP:STEPS")
    names = [v.path.text for v in varies]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise UsageError(f"--vary {twice[0]} is given twice; give each path once")
    run = pipeline.evaluate(catalog, [setup_id], model_id, assignments, options)
    r, model, base = run.resolved[0], run.model, run.x
    size = math.prod(len(v.values()) for v in varies)
    if size > MAX_ROWS:
        raise UsageError(f"the grid has {size:,} rows; the most a sweep writes is {MAX_ROWS:,}")
    axes = []
    for v in varies:
        values = v.values()
        rows = paths.rows_at(r, model, v.path, values, options)
        changed = paths.changed_fields(base, rows)
        if not changed and any(v0 != paths.current_value(r, model, v.path) for v0 in values):
            reason = run.origins[0].ignored.get(v.path.canonical, "the engine does not use this key for this kind "
                                                "of setup")
            raise InputError(f"--vary {v.text}: changes none of the engine's inputs for setup '{setup_id}' "
                             f"({reason})")
        current = paths.current_value(r, model, v.path)
        axes.append(Axis(vary=v, values=values, fields={k: np.concatenate([row[k] for row in rows]) for k in changed},
                         base_value=None if current is None else float(current)))
    _check_independent(r, model, base, axes, options)
    metrics = check_metrics(metrics, engine_outputs(base))
    return Grid(setup_id=r.setup.id, model_id=model.id, overrides=[a.text for a in assignments], base=base,
                axes=axes, metrics=metrics)


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
            for ia in {0, len(a.values) - 1}:
                for ib in {0, len(b.values) - 1}:
                    ra, ma = paths.override(r, model, a.vary.path, a.values[ia])
                    rb, mb = paths.override(ra, ma, b.vary.path, b.values[ib])
                    exact = paths.input_row(rb, mb, options)
                    composed = dict(base)
                    composed.update({k: t[ia:ia + 1] for k, t in a.fields.items()})
                    composed.update({k: t[ib:ib + 1] for k, t in b.fields.items()})
                    keys = list(exact)  # every input compared at once: one isclose, not one per input
                    close = np.isclose(np.concatenate([np.ravel(exact[k]) for k in keys]).astype(float),
                                       np.concatenate([np.ravel(composed[k]) for k in keys]).astype(float),
                                       rtol=1e-12, atol=0.0)
                    if not close.all():
                        sizes = np.cumsum([np.size(exact[k]) for k in keys])
                        k = keys[int(np.searchsorted(sizes, int(np.argmin(close)), side="right"))]
                        raise InputError(
                                f"--vary {a.name} and --vary {b.name} interact: the engine input '{k}' depends on "
                                f"both (at {a.name}={a.values[ia]:g}, {b.name}={b.values[ib]:g}); "
                                "vary them in separate runs")
