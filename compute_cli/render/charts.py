"""Terminal charts drawn with Unicode block characters: tornado, histogram, line, heatmap.

Plain text, no dependencies and no colour, so they read the same on a terminal,
in a pipe and in a file. Every function returns the chart as a string that ends
in a newline.
"""

from __future__ import annotations

import math

import numpy as np

EIGHTHS = " ▏▎▍▌▋▊▉█"  # a horizontal bar's last cell, 0/8 .. 8/8 filled from the left
COLUMN = " ▁▂▃▄▅▆▇█"  # a vertical bar's top cell, 0/8 .. 8/8 filled from the bottom
SHADES = "·░▒▓█"  # heatmap cells, lowest fifth to highest
MISSING = "×"
HIGH_BAR, LOW_BAR = "█", "░"


def number(value: float) -> str:
    """A short label for an axis or a bar: 4 significant digits, thousands separated.

    >>> number(1234.5678), number(0.012345), number(float("nan"))
    ('1,235', '0.01235', 'n/a')
    """
    if value is None or not math.isfinite(value):
        return "n/a"
    if value != 0 and (abs(value) >= 1e9 or abs(value) < 1e-3):
        return f"{value:.3e}"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def axis_label(name: str) -> str:
    """An axis title a reader can read: an engine output's meaning and unit, or a key path and its unit.

    >>> axis_label("cost_usd_per_million_output_tokens")
    'cost of a million generated tokens [USD/M tokens] (cost_usd_per_million_output_tokens)'
    >>> axis_label("site.electricity_usd_per_kwh"), axis_label("utilization"), axis_label("my own words")
    ('site.electricity_usd_per_kwh [USD/kWh]', 'utilization (0..1)', 'my own words')
    """
    from compute_cli.engine.registry import INPUTS, OUTPUTS

    if name in OUTPUTS:
        out = OUTPUTS[name]
        unit = "" if out.unit in ("[-]", "bool") else f" [{out.unit}]"
        return f"{out.meaning}{unit} ({name})"
    spec = INPUTS.get(name.rsplit(".", 1)[-1])
    if spec is None:
        return name
    if spec.unit == "[-]":
        return f"{name} (0..1)" if name.endswith(("utilization", "fraction")) else name
    return name if spec.unit == "bool" else f"{name} [{spec.unit}]"


def _ends(left: str, right: str, width: int) -> str:
    """Two axis-end labels on one line of ``width``, never run together."""
    return f"{left}{right:>{max(len(right) + 1, width - len(left))}}"


def hbar(fraction: float, width: int) -> str:
    """A left-aligned bar ``fraction`` (0..1) of ``width`` cells long, to an eighth of a cell.

    >>> hbar(0.5, 4), hbar(0.55, 4)
    ('██', '██▎')
    """
    eighths = int(round(max(0.0, min(1.0, fraction)) * width * 8))
    full, part = divmod(eighths, 8)
    return "█" * full + (EIGHTHS[part] if part else "")


TORNADO_WIDTH = 24  # cells each side of the base value


def tornado(labels: list[str], base: float, lows: list[float], highs: list[float], width: int = TORNADO_WIDTH,
            low_texts: list[str] | None = None, high_texts: list[str] | None = None) -> str:
    """One row per parameter: the change in the metric when the input goes down (░) and up (█),
    drawn left of the base value for a decrease and right of it for an increase."""
    deltas = [abs(v - base) for v in lows + highs if v is not None and math.isfinite(v)]
    scale = max(deltas, default=0.0) or 1.0
    label_w = max((len(s) for s in labels), default=0)
    lines = [f"{'':{label_w}}  {'metric lower ◀':>{width}}│{'▶ metric higher':<{width}}".rstrip(),
             f"{'':{label_w}}  {'base ' + number(base):>{width}}│"]
    for i, label in enumerate(labels):
        left, right = [" "] * width, [" "] * width
        for value, char in ((lows[i], LOW_BAR), (highs[i], HIGH_BAR)):
            if value is None or not math.isfinite(value) or value == base:
                continue
            cells = max(1, int(round(abs(value - base) / scale * width)))
            side = right if value > base else left
            for c in range(cells):
                # the input-up bar wins a shared cell: it is drawn second
                if side is right:
                    side[c] = char
                else:
                    side[width - 1 - c] = char
        note = ""
        if low_texts and high_texts:
            note = f"  {low_texts[i]} .. {high_texts[i]}"
        lines.append(f"{label:<{label_w}}  {''.join(left)}│{''.join(right)}{note}".rstrip())
    lines.append(f"{'':{label_w}}  {LOW_BAR} input lowered   {HIGH_BAR} input raised")
    return "\n".join(lines) + "\n"


def histogram(counts, edges, width: int = 40, unit: str = "") -> str:
    """One row per bin: ``[low, high)``, a bar proportional to its count, and the count."""
    counts = np.asarray(counts)
    top = counts.max() if counts.size else 0
    labels = [f"{number(edges[i])} .. {number(edges[i + 1])}{unit}" for i in range(len(counts))]
    label_w = max((len(s) for s in labels), default=0)
    lines = []
    for label, c in zip(labels, counts, strict=True):
        lines.append(f"{label:>{label_w}}  {hbar(c / top if top else 0.0, width):<{width}}  {int(c):,}")
    return "\n".join(lines) + "\n"


def _resample(values: np.ndarray, n: int) -> np.ndarray:
    """``values`` brought to ``n`` points (nearest point; NaN stays NaN)."""
    if len(values) == n:
        return values
    idx = np.rint(np.linspace(0, len(values) - 1, n)).astype(int)
    return values[idx]


def line(x, y, width: int = 60, height: int = 10, x_label: str = "", y_label: str = "", x_base: float | None = None
         ) -> str:
    """``y`` against ``x`` as columns of block characters (an area chart), with the axis ranges; ``x_base``
    (the setup's own value) is marked ``▲`` under the axis."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    width = min(width, len(y)) if len(y) > 1 else 1
    ys = _resample(y, width)
    finite = ys[np.isfinite(ys)]
    if not finite.size:
        return f"{y_label}: no finite values to plot\n"
    lo, hi = float(finite.min()), float(finite.max())
    lo = min(lo, 0.0) if lo >= 0 and hi > 0 and lo < 0.25 * hi else lo
    span = (hi - lo) or abs(hi) or 1.0
    levels = np.where(np.isfinite(ys), (ys - lo) / span * height * 8, 0)
    levels = np.clip(np.rint(levels), 1, height * 8).astype(int) * np.isfinite(ys)
    rows = []
    label_w = max(len(number(hi)), len(number(lo)))
    for r in range(height, 0, -1):
        cells = []
        for lv in levels:
            fill = lv - (r - 1) * 8
            cells.append(COLUMN[max(0, min(8, fill))])
        tick = number(hi) if r == height else number(lo) if r == 1 else ""
        rows.append(f"{tick:>{label_w}} ┤{''.join(cells)}")
    rows.append(f"{'':>{label_w}} └{'─' * width}")
    if x_base is not None and math.isfinite(x_base) and len(x) > 1 and min(x[0], x[-1]) <= x_base <= max(x[0], x[-1]):
        col = int(round((x_base - x[0]) / (x[-1] - x[0]) * (width - 1))) if x[-1] != x[0] else 0
        rows.append(f"{'':>{label_w}}  {' ' * col}▲ {number(x_base)} (the setup's value)")
    left, right = number(float(x[0])), number(float(x[-1]))
    rows.append(f"{'':>{label_w}}  {_ends(left, right, width)}")
    if x_label or y_label:
        rows += _titled(label_w, "y", axis_label(y_label)) + _titled(label_w, "x", axis_label(x_label))
    return "\n".join(rows) + "\n"


TITLE_COLUMNS = 79  # an axis title wraps within an 80-column terminal


def _titled(label_w: int, axis: str, title: str) -> list[str]:
    """``  y: title`` under a chart, wrapped to TITLE_COLUMNS with the continuation under the title.

    >>> _titled(2, "x", "a " * 50)[1].startswith("       a")
    True
    """
    import textwrap

    indent = " " * (label_w + 2)
    return textwrap.wrap(title, TITLE_COLUMNS, initial_indent=f"{indent}{axis}: ", subsequent_indent=indent + "   ",
                         break_on_hyphens=False) or [f"{indent}{axis}:"]


def heatmap(x, y, z, width: int = 60, height: int = 20, x_label: str = "", y_label: str = "",
            z_label: str = "") -> str:
    """``z[i, j]`` at (``y[i]``, ``x[j]``), each cell shaded by the fifth of the values it falls in
    (quantiles, so the structure shows even when a corner is extreme), with a legend."""
    z = np.asarray(z, dtype=float)
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    rows_i = np.rint(np.linspace(0, len(y) - 1, min(height, len(y)))).astype(int)
    cols_j = np.rint(np.linspace(0, len(x) - 1, min(width, len(x)))).astype(int)
    sub = z[np.ix_(rows_i, cols_j)]
    finite = sub[np.isfinite(sub)]
    if not finite.size:
        return f"{z_label}: no finite values to plot\n"
    uppers = np.quantile(finite, np.linspace(0, 1, len(SHADES) + 1)[1:])
    shade = np.where(np.isfinite(sub), np.searchsorted(uppers, np.where(np.isfinite(sub), sub, 0.0), side="left"), -1)
    shade = np.minimum(shade, len(SHADES) - 1)
    label_w = max(len(number(float(v))) for v in y[rows_i])
    lines = []
    for i in range(len(rows_i) - 1, -1, -1):  # largest y on top
        cells = "".join(MISSING if s < 0 else SHADES[s] for s in shade[i])
        lines.append(f"{number(float(y[rows_i[i]])):>{label_w}} │{cells}│")
    lines.append(f"{'':>{label_w}} └{'─' * len(cols_j)}┘")
    left, right = number(float(x[0])), number(float(x[-1]))
    lines.append(f"{'':>{label_w}}  {_ends(left, right, len(cols_j))}")
    lines += _titled(label_w, "x", axis_label(x_label)) + _titled(label_w, "y", axis_label(y_label))
    legend = "  ".join(f"{SHADES[k]} <= {number(float(uppers[k]))}" for k in range(len(SHADES)))
    lines.append(f"{'':>{label_w}}  {axis_label(z_label)}:")
    lines.append(f"{'':>{label_w}}    {legend}" + (f"   {MISSING} n/a" if (shade < 0).any() else ""))
    return "\n".join(lines) + "\n"


MARKERS = "ox+*#@%&=~"  # one per series, in order
TRACE = "·"


def frontier(series: list[tuple[str, list, list]], width: int = 64, height: int = 18, x_label: str = "",
             y_label: str = "", marks: list | None = None) -> str:
    """Lines of points on one canvas (like aiconfigurator's ASCII Pareto): each series its marker,
    its points joined by dots, both axes from 0. ``marks`` (per series, an (x, y) or None) are drawn
    as ``◆``: the chosen operating points.

    >>> print(frontier([("a", [1, 2], [2, 1])], width=10, height=4), end="")
    2 ┤    o··
      ┤       ··o
      ┤
      ┤
    0 └──────────
      0         2
       o a
    """
    xs = [float(v) for _, x, _ in series for v in x if v is not None and math.isfinite(v)]
    ys = [float(v) for _, _, y in series for v in y if v is not None and math.isfinite(v)]
    if not xs or not ys:
        return "no points to plot\n"
    x_hi, y_hi = max(xs) or 1.0, max(ys) or 1.0
    grid = [[" "] * width for _ in range(height)]

    def cell(x, y):
        col = min(width - 1, int(round(x / x_hi * (width - 1))))
        row = min(height - 1, int(round(y / y_hi * (height - 1))))
        return height - 1 - row, col

    for k, (_label, x, y) in enumerate(series):
        pts = sorted((float(a), float(b)) for a, b in zip(x, y, strict=True)
                     if a is not None and b is not None and math.isfinite(a) and math.isfinite(b))
        for (x0, y0), (x1, y1) in zip(pts, pts[1:], strict=False):
            (r0, c0), (r1, c1) = cell(x0, y0), cell(x1, y1)
            steps = max(abs(r1 - r0), abs(c1 - c0))
            for s in range(1, steps):
                r, c = round(r0 + (r1 - r0) * s / steps), round(c0 + (c1 - c0) * s / steps)
                if grid[r][c] == " ":
                    grid[r][c] = TRACE
        for a, b in pts:
            r, c = cell(a, b)
            grid[r][c] = MARKERS[k % len(MARKERS)]
    for mark in marks or []:
        if mark is not None and all(v is not None and math.isfinite(v) for v in mark):
            r, c = cell(*mark)
            grid[r][c] = "◆"
    top, zero = number(y_hi), "0"
    label_w = max(len(top), len(zero))
    lines = [f"{(top if i == 0 else ''):>{label_w}} ┤{''.join(row)}".rstrip() for i, row in enumerate(grid)]
    lines.append(f"{zero:>{label_w}} └{'─' * width}")
    right = number(x_hi)
    lines.append(f"{'':>{label_w}} 0{right:>{width}}")
    if x_label or y_label:
        lines.append(f"{'':>{label_w}}  {y_label} against {x_label}".rstrip())
    legend = "   ".join(f"{MARKERS[k % len(MARKERS)]} {label}" for k, (label, _, _) in enumerate(series))
    if marks and any(m is not None for m in marks):
        legend += "   ◆ operating point"
    lines.append(f"{'':>{label_w}}  {legend}")
    return "\n".join(lines) + "\n"
