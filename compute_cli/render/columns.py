"""Rows held as columns of numpy arrays, written a whole column at a time: CSV, Parquet and Arrow IPC.

Every command whose result is a table of numbers (``sweep``, ``simulate``'s samples,
``frontier``) hands its columns to one of these:

- :class:`CsvWriter`: CSV formatted by :mod:`compute_cli.render.numtext`, byte for
  byte what ``'%.Ng' % value`` prints, NaN and infinities as empty cells. Columns
  may be *open*: arrays that broadcast to the block's shape (a sweep output that
  depends on one varied path only is that path long), formatted once per distinct
  value and only then spread over the rows.
- :class:`ArrowWriter` and :func:`write_arrow`: a Parquet or Arrow IPC (Feather v2)
  file through pyarrow, the optional ``arrow`` extra. Columns are typed (float64,
  int64, bool) and named as the CSV header; a value that cannot be computed (NaN or
  an infinity, ``null`` in JSON) is a null. The header of the run (schema_version,
  setup, model, overrides, ...) is the file's key-value metadata: text as it is,
  anything else as JSON.

pyarrow is imported only here, and this module's Arrow half only when such a file
is written, so no other command pays its import time.

A command with a table of its own (``frontier``) needs three calls::

    check_binary_target(output, f"--format {fmt}", fmt)   # before any work: pyarrow there, not a terminal
    with binary_output(output) as fh:                    # --output FILE, atomically, or a pipe
        write_arrow(fh, fmt, {"hardware_price_usd": x, "cost_usd_per_million_output_tokens": y},
                    {"schema_version": 1, "command": "frontier", "setup": setup_id})

and for CSV ``CsvWriter(names, [12, 6], stream)`` as a context manager, ``write(columns)``.
Writing happens on a worker thread (:class:`Background`) while the caller makes the
next rows.
"""

from __future__ import annotations

import contextlib
import json
import math
import queue
import sys
import threading
from collections.abc import Sequence

import numpy as np

from compute_cli.errors import UsageError
from compute_cli.render.numtext import g_slots

BINARY_FORMATS = ("parquet", "arrow")
ARROW_EXTRA = "pip install 'computecost[arrow]'"
TYPES = ("float64", "int64", "bool")
ROWS_PER_PIECE = 1 << 14  # CSV rows assembled at a time: bounds the text held in memory
# Parquet rows per row group, at least: a sweep's block (up to 131,072 rows) is one, so the last is
# encoded alone at the end; readers parallelise over row groups
ROW_GROUP_ROWS = 1 << 16
COMMA, NEWLINE = ord(","), ord("\n")


class Background:
    """``fn(item)`` for every item put, in order, on one worker thread.

    The caller's work (the engine, formatting) and ``fn``'s (writing to a file or a pipe,
    encoding Parquet: both release the GIL) overlap, on two cores in parallel. At most
    ``depth`` items wait. A failure of ``fn`` is raised in the caller, at its next ``put``
    or at ``close``; after one, the items left are dropped.
    """

    _STOP = object()

    def __init__(self, fn, depth: int = 2):
        self._fn = fn
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._dropping = False
        self._thread = threading.Thread(target=self._run, name="computecost-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is self._STOP:
                return
            if self._error is None and not self._dropping:
                try:
                    self._fn(item)
                except BaseException as exc:  # noqa: BLE001 - handed to the caller
                    self._error = exc

    def _raise(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            self._dropping = True
            raise error

    def put(self, item) -> None:
        self._raise()
        self._queue.put(item)

    def close(self) -> None:
        """Wait until every item put is done; raise the worker's failure, if any."""
        self._queue.put(self._STOP)
        self._thread.join()
        self._raise()

    def abort(self) -> None:
        """Drop what waits, let the item in hand finish, and stop (the caller is failing anyway)."""
        self._dropping = True
        self._queue.put(self._STOP)
        self._thread.join()


class RowsWriter:
    """``with writer:`` begins, and ends on success or aborts on a failure (nothing half-finished keeps running)."""

    def begin(self) -> None:
        pass

    def end(self) -> None:
        pass

    def abort(self) -> None:
        pass

    def __enter__(self):
        self.begin()
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            self.end()
        else:
            self.abort()


# ------------------------------------------------------------------------- CSV
def _pieces(shape: tuple[int, ...], rows: int):
    """Index tuples that cut a grid of ``shape`` into C-order pieces of at most ``rows`` cells."""
    from compute_cli.analysis.sweep import block_indices

    return block_indices(shape, rows)


def _piece_of(a: np.ndarray, index: tuple) -> np.ndarray:
    """The part of ``a`` (broadcastable to the grid, as many dimensions) under one piece's index."""
    return a[tuple((0 if isinstance(i, int) else slice(None)) if n == 1 else i for n, i in zip(a.shape, index,
                                                                                              strict=True))]


def _piece_shape(index: tuple) -> tuple[int, ...]:
    return tuple(i.stop - i.start for i in index if isinstance(i, slice))


def csv_pieces(columns: Sequence, precisions: Sequence[int], shape: tuple[int, ...] | None = None,
               rows: int = ROWS_PER_PIECE):
    """CSV rows of ``columns`` (each ``%.{precision}g``) as ASCII ``bytes``, at most ``rows`` rows a piece.

    ``shape`` is the grid the columns broadcast to (C order, the last axis fastest);
    without it every column is 1-D and as long as the first.

    >>> b"".join(csv_pieces([np.array([0.25, 1.0]), np.array([2.0 / 3.0, np.nan])], [12, 6]))
    b'0.25,0.666667\\n1,\\n'
    >>> b"".join(csv_pieces([np.array([[1.0], [2.0]]), np.array([10.0, 20.0, 30.0])], [12, 6], shape=(2, 3)))
    b'1,10\\n1,20\\n1,30\\n2,10\\n2,20\\n2,30\\n'
    """
    if shape is None:
        shape = (len(columns[0]),) if len(columns) else (0,)
    ndim = len(shape)
    if not columns or math.prod(shape) == 0:
        return
    slotted = []
    for values, p in zip(columns, precisions, strict=True):
        a = np.asarray(values)
        a = a.reshape((1,) * (ndim - a.ndim) + a.shape)
        slotted.append([s.reshape(a.shape) for s in g_slots(a, p)])
    count = sum(len(s) for s in slotted) + len(slotted)
    for index in _pieces(shape, rows):
        piece = _piece_shape(index)
        n = math.prod(piece)
        # one row of the slot-major matrix per byte slot; transposed, each row of it is one CSV line
        text = np.empty((count, n), dtype=np.uint8)
        r = 0
        for c, slots in enumerate(slotted):
            for s in slots:
                text[r].reshape(piece)[...] = _piece_of(s, index)
                r += 1
            text[r] = NEWLINE if c == len(slotted) - 1 else COMMA
            r += 1
        yield text.T.tobytes().translate(None, b"\0")


class CsvWriter(RowsWriter):
    """CSV of named columns, block by block: a header line, then the rows of each block.

    When ``stream`` has a binary buffer (a file, stdout) the rows go to it as bytes, written
    on a worker thread while the next rows are formatted; else (``io.StringIO``) as text.
    """

    def __init__(self, names: Sequence[str], precisions: Sequence[int], stream):
        self.names = list(names)
        self.precisions = list(precisions)
        self.stream = stream
        self.rows = 0
        self._buffer = getattr(stream, "buffer", None)
        self._background: Background | None = None

    def begin(self) -> None:
        self.stream.write(",".join(self.names) + "\n")
        if self._buffer is not None:
            self.stream.flush()  # the header before the rows, which bypass the text layer
            self._background = Background(self._buffer.write)

    def write(self, columns: Sequence, shape: tuple[int, ...] | None = None) -> None:
        for data in csv_pieces(columns, self.precisions, shape):
            if self._background is not None:
                self._background.put(data)
            else:
                self.stream.write(data.decode("ascii"))
        self.rows += math.prod(shape) if shape is not None else (len(columns[0]) if len(columns) else 0)

    def end(self) -> None:
        if self._background is not None:
            self._background.close()
            self._background = None

    def abort(self) -> None:
        if self._background is not None:
            self._background.abort()
            self._background = None


# ------------------------------------------------------------ Parquet and Arrow
FORMAT_NAMES = {"parquet": "Parquet", "arrow": "Arrow IPC"}


def not_written_here(fmt: str, allowed, hint: str | None = None) -> UsageError:
    """The error for ``--format parquet|arrow`` given to a command that does not write it."""
    hint = hint or (f"sweep writes them (--format {fmt} --output FILE), and simulate its samples "
                    "(--samples-output FILE)")
    return UsageError(f"--format {fmt}: this command does not write {FORMAT_NAMES[fmt]} files; {hint}; "
                      f"--format is one of {', '.join(allowed)}")


def pyarrow(what: str, fmt: str = "parquet"):
    """The pyarrow module, ready to write ``fmt``, or a UsageError (exit 2) that names the extra to install.

    Only what ``fmt`` needs is imported (``pyarrow.parquet`` brings every filesystem and ssl).
    """
    try:
        import pyarrow as pa

        if fmt == "parquet":
            import pyarrow.parquet  # noqa: F401
        else:
            import pyarrow.ipc  # noqa: F401
    except ImportError:
        raise UsageError(f"{what} needs pyarrow, which is not installed; install the extra with: {ARROW_EXTRA}") from None
    return pa


def check_binary_target(output, what: str, fmt: str = "parquet", stdout=None) -> None:
    """Refuse, before any work, a binary file with nowhere to go: pyarrow missing, or stdout a terminal."""
    pyarrow(what, fmt)
    stdout = stdout or sys.stdout
    if output is None and getattr(stdout, "isatty", lambda: False)():
        raise UsageError(f"{what}: Parquet and Arrow files are binary, not for a terminal; "
                         "give --output FILE (or pipe stdout into a file or a program)")


@contextlib.contextmanager
def binary_output(path):
    """``--output FILE`` opened for bytes (replaced atomically), or stdout's binary buffer."""
    from compute_cli.render.output import atomic_output

    if path is None:
        out = getattr(sys.stdout, "buffer", sys.stdout)
        yield out
        out.flush()
        return
    with atomic_output(path, binary=True) as fh:
        yield fh


def metadata_text(header: dict) -> dict[str, str]:
    """A run's header as key-value metadata: text as it is, everything else as JSON.

    >>> metadata_text({"schema_version": 1, "setup": "x", "overrides": ["utilization=0.5"]})
    {'schema_version': '1', 'setup': 'x', 'overrides': '["utilization=0.5"]'}
    """
    return {k: v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, allow_nan=False)
            for k, v in header.items()}


def column_type(values) -> str:
    """float64, int64 or bool, from a numpy array's dtype."""
    kind = np.asarray(values).dtype.kind
    return "bool" if kind == "b" else "int64" if kind in "iu" else "float64"


class ArrowWriter(RowsWriter):
    """Typed columns to a Parquet or an Arrow IPC file, batch by batch (``fmt``: parquet or arrow).

    ``sink`` is a binary file object. ``types`` gives each column's type (see TYPES).
    Parquet: Snappy, plain encoding (a dictionary costs a hash of every value, and Snappy
    shrinks a column of few distinct values as well), row groups of at least
    ROW_GROUP_ROWS rows, min/max statistics for the ``statistics`` columns only (those a
    reader filters row groups on, e.g. a sweep's varied paths; for the metrics a scan of
    every value that seldom skips anything). pyarrow encodes and writes on a worker thread
    while the caller makes the next rows.
    """

    def __init__(self, sink, fmt: str, names: Sequence[str], types: Sequence[str], metadata: dict,
                 statistics: Sequence[str] = ()):
        if fmt not in BINARY_FORMATS:
            raise ValueError(f"not a binary format: {fmt}")
        for t in types:
            if t not in TYPES:
                raise ValueError(f"column type {t!r}: expected one of {TYPES}")
        pa = pyarrow(f"--format {fmt}", fmt)
        self.pa = pa
        self.fmt = fmt
        self.names = list(names)
        self.types = list(types)
        arrow_types = {"float64": pa.float64(), "int64": pa.int64(), "bool": pa.bool_()}
        self.schema = pa.schema([pa.field(n, arrow_types[t]) for n, t in zip(self.names, self.types, strict=True)],
                                metadata=metadata_text(metadata))
        if fmt == "parquet":
            import pyarrow.parquet as pq

            stats = [n for n in statistics if n in self.names]
            self._writer = pq.ParquetWriter(sink, self.schema, use_dictionary=False, compression="snappy",
                                            write_statistics=stats or False)
        else:
            self._writer = pa.ipc.new_file(sink, self.schema)
        self._pending: list = []
        self._pending_rows = 0
        self.rows = 0
        # one table encoding while the next is made: memory stays at about three blocks
        if fmt == "arrow":
            self._background = Background(self._writer.write_batch, depth=1)
        else:
            self._background = Background(lambda table: self._writer.write_table(
                table, row_group_size=max(ROW_GROUP_ROWS, table.num_rows)), depth=1)

    def _array(self, values: np.ndarray, kind: str):
        """An Arrow array over the numpy data, not copied (``Array.from_buffers``, which spares
        ``pa.array``'s conversions and its import of numpy.ma)."""
        pa = self.pa
        n = len(values)
        if kind == "bool":
            bits = np.packbits(np.asarray(values, dtype=bool), bitorder="little")
            return pa.Array.from_buffers(pa.bool_(), n, [None, pa.py_buffer(bits)], null_count=0)
        if kind == "int64":
            data = np.ascontiguousarray(values, dtype=np.int64)
            return pa.Array.from_buffers(pa.int64(), n, [None, pa.py_buffer(data)], null_count=0)
        data = np.ascontiguousarray(values, dtype=np.float64)
        finite = np.isfinite(data)
        missing = n - int(np.count_nonzero(finite))
        # not computed (NaN, an infinity): null, as JSON's null and CSV's empty cell
        validity = pa.py_buffer(np.packbits(finite, bitorder="little")) if missing else None
        return pa.Array.from_buffers(pa.float64(), n, [validity, pa.py_buffer(data)], null_count=missing)

    def write(self, columns: Sequence, shape: tuple[int, ...] | None = None) -> None:
        """Append rows: ``columns`` in the order of ``names``, 1-D or broadcasting to ``shape``."""
        if shape is not None:
            n = math.prod(shape)
            columns = [np.broadcast_to(np.asarray(c), shape).reshape(n) for c in columns]
        else:
            n = len(columns[0]) if len(columns) else 0
        if not n:
            return
        batch = self.pa.record_batch([self._array(np.asarray(c), t) for c, t in zip(columns, self.types, strict=True)],
                                     schema=self.schema)
        self.rows += n
        if self.fmt == "arrow":
            self._background.put(batch)
            return
        self._pending.append(batch)
        self._pending_rows += n
        if self._pending_rows >= ROW_GROUP_ROWS:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self._background.put(self.pa.Table.from_batches(self._pending, schema=self.schema))
            self._pending, self._pending_rows = [], 0

    def end(self) -> None:
        """Write what is buffered and the file's footer (the sink itself stays open)."""
        if self.fmt == "parquet":
            self._flush()
        self._background.close()
        self._writer.close()

    def abort(self) -> None:
        self._background.abort()


def write_arrow(sink, fmt: str, columns: dict, metadata: dict, types: dict | None = None) -> None:
    """One table of named 1-D columns to a Parquet or Arrow IPC file; types from the dtypes unless given."""
    names = list(columns)
    kinds = [(types or {}).get(n) or column_type(columns[n]) for n in names]
    with ArrowWriter(sink, fmt, names, kinds, metadata) as writer:
        writer.write([columns[n] for n in names])
