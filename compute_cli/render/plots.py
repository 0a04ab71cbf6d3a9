"""Image plots (PNG or SVG) through matplotlib, an optional extra: ``pip install 'computecost[plot]'``.

matplotlib is imported here, and this module only when ``--plot`` is given, so no
other command pays its import time. Files are written atomically.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from compute_cli.errors import UsageError

FORMATS = (".png", ".svg")


def check_path(path) -> Path:
    """A plot path must end in .png or .svg (checked before any work is done)."""
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise UsageError(f"--plot {path}: the file name must end in .png or .svg")
    return path


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        raise UsageError("--plot needs matplotlib, which is not installed; "
                         "install the extra with: pip install 'computecost[plot]'") from None
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path: Path) -> None:
    from compute_cli.render.output import atomic_output

    plt = _pyplot()
    fmt = path.suffix.lower().lstrip(".")
    # a fixed date and no software tag keep an SVG byte-identical across runs
    metadata = {"Date": None} if fmt == "svg" else {}
    with atomic_output(path, binary=True) as fh:
        fig.savefig(fh, format=fmt, dpi=120, bbox_inches="tight", metadata=metadata)
    plt.close(fig)


def tornado(path, title: str, metric: str, base: float, labels, lows, highs) -> None:
    plt = _pyplot()
    n = len(labels)
    fig, ax = plt.subplots(figsize=(8, 1.2 + 0.35 * n))
    ys = np.arange(n)[::-1]
    low = np.array([np.nan if v is None else v for v in lows], dtype=float)
    high = np.array([np.nan if v is None else v for v in highs], dtype=float)
    ax.barh(ys, low - base, left=base, color="#9ecae1", label="input lowered")
    ax.barh(ys, high - base, left=base, color="#08519c", label="input raised")
    ax.axvline(base, color="black", linewidth=0.8)
    ax.set_yticks(ys, labels)
    ax.set_xlabel(metric)
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize="small")
    _save(fig, check_path(path))


def histogram(path, title: str, metric: str, counts, edges, marks: dict) -> None:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.5))
    edges = np.asarray(edges, dtype=float)
    ax.stairs(np.asarray(counts, dtype=float), edges, fill=True, color="#6baed6")
    for name, value in marks.items():
        if value is not None:
            ax.axvline(value, color="black", linestyle="--" if name != "p50" else "-", linewidth=0.8)
            ax.annotate(name, (value, 1.0), xycoords=("data", "axes fraction"), ha="center", va="bottom",
                        fontsize="small")
    ax.set_xlabel(metric)
    ax.set_ylabel("samples")
    ax.set_title(title, pad=16)
    _save(fig, check_path(path))


def line(path, title: str, x, y, x_label: str, y_label: str) -> None:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.plot(np.asarray(x, dtype=float), np.asarray(y, dtype=float), marker="." if len(x) <= 50 else None)
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    _save(fig, check_path(path))


def heatmap(path, title: str, x, y, z, x_label: str, y_label: str, z_label: str) -> None:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 6))
    mesh = ax.pcolormesh(np.asarray(x, dtype=float), np.asarray(y, dtype=float), np.asarray(z, dtype=float),
                         shading="nearest", cmap="viridis")
    fig.colorbar(mesh, ax=ax, label=z_label)
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    ax.set_title(title)
    _save(fig, check_path(path))


def frontier(path, title: str, series, x_label: str, y_label: str, marks=()) -> None:
    """Throughput per GPU against tokens/s per user: one line per setup, its operating point marked."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 5))
    for k, (label, xs, ys) in enumerate(series):
        x = np.array([np.nan if v is None else v for v in xs], dtype=float)
        y = np.array([np.nan if v is None else v for v in ys], dtype=float)
        order = np.argsort(x)
        (drawn,) = ax.plot(x[order], y[order], marker=".", label=label)
        mark = marks[k] if k < len(marks) else None
        if mark is not None and None not in mark:
            ax.plot([mark[0]], [mark[1]], marker="D", color=drawn.get_color(), markersize=7, linestyle="none")
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    _save(fig, check_path(path))
