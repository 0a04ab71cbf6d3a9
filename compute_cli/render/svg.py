"""Inline SVG charts for an HTML page: no scripts, no fonts, no files.

Each chart is one ``<svg>`` string with a ``<title>`` and a ``<desc>`` (read by
screen readers, shown as a tooltip) and labelled axes with units. Horizontal
positions are percentages of the chart's width and vertical ones pixels, so a
chart takes the width of its column, from a phone to a printed page, while its
text keeps one size (``FONT_PX``): nothing is scaled down to illegibility. Bar
labels sit above their bar, value-axis labels on their grid line, and an axis
title above or below its axis, so no margin has to guess a text's width. The
colours keep 3:1 contrast with white where they carry meaning (``FAMILIES``
dark shades, ``LOW``/``HIGH``, ``POSITIVE``/``NEGATIVE``), text 7:1.
"""

from __future__ import annotations

import math
from html import escape

FONT_PX = 13
TEXT = "#1a1a1a"
MUTED = "#505050"
GRID = "#d9d9d9"
LOW, HIGH = "#1f5fa8", "#b85c00"  # tornado: an input at its low value, at its high value
POSITIVE, NEGATIVE = "#1f5fa8", "#b2282e"

# (dark, light) shade of each colour family; series of one group take shades of one family.
FAMILIES = (
    ("#1f5fa8", "#8cb4e2"),  # blue
    ("#b85c00", "#f2b06e"),  # orange
    ("#8a6d00", "#dcc35a"),  # gold
    ("#2a7a3f", "#8fd19e"),  # green
    ("#6a3d9a", "#c0a8de"),  # purple
    ("#b2282e", "#f0999c"),  # red
    ("#4d4d4d", "#b3b3b3"),  # grey
    ("#00767a", "#7dd0d3"),  # teal
)


def _mix(a: str, b: str, t: float) -> str:
    """The colour a fraction ``t`` of the way from ``a`` to ``b`` (``#rrggbb``).

    >>> _mix("#000000", "#ffffff", 0.5)
    '#808080'
    """
    ca = [int(a[i:i + 2], 16) for i in (1, 3, 5)]
    cb = [int(b[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(ca, cb, strict=True))


def group_colours(groups: list[tuple[str, ...]]) -> list[str]:
    """One colour per member, in order: each group a colour family, its members shades of it, dark first.

    >>> group_colours([("a",), ("b", "c")])
    ['#1f5fa8', '#b85c00', '#f2b06e']
    """
    out = []
    for g, members in enumerate(groups):
        dark, light = FAMILIES[g % len(FAMILIES)]
        n = len(members)
        out += [_mix(dark, light, j / (n - 1)) if n > 1 else dark for j in range(n)]
    return out


def ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high]: steps of 1, 2, 2.5 or 5 times a power of ten.

    >>> ticks(0, 6.88)
    [0.0, 2.0, 4.0, 6.0, 8.0]
    >>> ticks(-46.9e6, 25.4e6)
    [-60000000.0, -40000000.0, -20000000.0, 0.0, 20000000.0, 40000000.0]
    """
    if not (math.isfinite(low) and math.isfinite(high)):
        return [0.0, 1.0]
    if high - low <= 1e-9 * max(abs(low), abs(high), 1.0):  # one value (or float noise): a range around it
        pad = abs(low) * 0.1 or 1.0
        low, high = low - pad, high + pad
    raw = (high - low) / count
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(power * m for m in (1, 2, 2.5, 5, 10) if power * m >= raw)
    first = math.floor(low / step + 1e-9)
    last = math.ceil(high / step - 1e-9)
    digits = max(0, 2 - math.floor(math.log10(step)))  # enough to print the step, not the float noise
    return [round((first + i) * step, digits) + 0.0 for i in range(last - first + 1)]


def _pc(x: float) -> str:
    return f"{x:.2f}%"


class Svg:
    """An SVG drawing built up from shapes; x in percent of the width, y in pixels; ``str()`` is the element."""

    def __init__(self, chart_id: str, height: float, title: str, desc: str):
        self.id, self.height, self.title, self.desc = chart_id, height, title, desc
        self.parts: list[str] = []

    def text(self, x: float, y: float, content: str, anchor: str = "start", fill: str = TEXT,
             weight: str | None = None, size: float | None = None, halo: bool = False, dx: float = 0) -> None:
        """Text at (x %, y px), moved ``dx`` px; ``halo``: outlined in white, legible over lines and bars."""
        extra = (f' font-weight="{weight}"' if weight else "") + (f' font-size="{size:g}"' if size else "")
        extra += f' dx="{dx:g}"' if dx else ""
        if halo:
            extra += ' stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke"'
        self.parts.append(f'<text x="{_pc(x)}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}"{extra}>'
                          f"{escape(content)}</text>")

    def rect(self, x: float, y: float, w: float, h: float, fill: str, tip: str | None = None,
             stroke: str | None = None) -> None:
        """A rectangle from (x %, y px), ``w`` % wide and ``h`` px high (negative sizes extend the other way)."""
        if w < 0:
            x, w = x + w, -w
        if h < 0:
            y, h = y + h, -h
        edge = f' stroke="{stroke}" stroke-width="1"' if stroke else ""
        head = f'<rect x="{_pc(x)}" y="{y:.1f}" width="{_pc(max(w, 0.15))}" height="{h:.1f}" fill="{fill}"{edge}'
        self.parts.append(f"{head}><title>{escape(tip)}</title></rect>" if tip else f"{head}/>")

    def line(self, x1: float, y1: float, x2: float, y2: float, stroke: str = GRID, width: float = 1.0) -> None:
        self.parts.append(f'<line x1="{_pc(x1)}" y1="{y1:.1f}" x2="{_pc(x2)}" y2="{y2:.1f}" stroke="{stroke}" '
                          f'stroke-width="{width:g}"/>')

    def polyline(self, points: list[tuple[float, float]], top: float, height: float, stroke: str) -> None:
        """A line through (x %, y px) points: drawn in a stretched inner drawing whose stroke does not stretch."""
        pts = " ".join(f"{x * 10:.1f},{y - top:.1f}" for x, y in points)
        self.parts.append(f'<svg x="0" y="{top:.1f}" width="100%" height="{height:.1f}" viewBox="0 0 1000 '
                          f'{height:.1f}" preserveAspectRatio="none" overflow="visible"><polyline points="{pts}" '
                          f'fill="none" stroke="{stroke}" stroke-width="2.5" stroke-linejoin="round" '
                          'vector-effect="non-scaling-stroke"/></svg>')

    def circle(self, x: float, y: float, r: float, fill: str, tip: str | None = None) -> None:
        body = f"<title>{escape(tip)}</title>" if tip else ""
        self.parts.append(f'<circle cx="{_pc(x)}" cy="{y:.1f}" r="{r:g}" fill="{fill}" stroke="#ffffff" '
                          f'stroke-width="1.5">{body}</circle>')

    def __str__(self) -> str:
        t, d = f"{self.id}-title", f"{self.id}-desc"
        return (f'<svg class="chart" id="{self.id}" width="100%" height="{self.height:.0f}" role="img" '
                f'aria-labelledby="{t} {d}" xmlns="http://www.w3.org/2000/svg" font-size="{FONT_PX}" '
                f'overflow="visible"><title id="{t}">{escape(self.title)}</title><desc id="{d}">'
                f"{escape(self.desc)}</desc>" + "".join(self.parts) + "</svg>")


class _Scale:
    """Linear map of data values onto [start, stop] (percent or pixels)."""

    def __init__(self, low: float, high: float, start: float, stop: float):
        self.low, self.high, self.start, self.stop = low, high, start, stop

    def __call__(self, v: float) -> float:
        span = self.high - self.low or 1.0
        return self.start + (v - self.low) / span * (self.stop - self.start)


def _anchor(x: float) -> str:
    """Where a label centred on x % would leave the chart, align it to that edge instead."""
    return "start" if x < 4 else "end" if x > 96 else "middle"


def _x_axis(svg: Svg, scale: _Scale, values: list[float], y: float, top: float, label: str, fmt) -> None:
    """Grid lines at ``values`` from ``top`` down to the axis at ``y``, their labels, and the axis title below."""
    for v in values:
        x = scale(v)
        svg.line(x, top, x, y)
        svg.text(x, y + 16, fmt(v), anchor=_anchor(x), fill=MUTED)
    svg.line(scale.start, y, scale.stop, y, stroke=MUTED)
    svg.text((scale.start + scale.stop) / 2, y + 34, label, anchor="middle")


def _y_grid(svg: Svg, scale: _Scale, values: list[float], left: float, right: float, fmt) -> None:
    """Horizontal grid lines at ``values``, each labelled on its left end, just above the line."""
    for v in values:
        y = scale(v)
        svg.line(left, y, right, y, stroke=MUTED if v == 0 else GRID)
        svg.text(0, y - 3, fmt(v), fill=MUTED, halo=True)


ROW_H = 42  # a label line and a bar
BAR_H = 16


def stacked_bars(chart_id: str, rows: list[tuple[str, list[float | None], str]], series: list[tuple[str, str]],
                 title: str, desc: str, x_label: str, fmt, tick_fmt=None) -> str:
    """Horizontal stacked bars, one per row: ``rows`` = (label, one value per series, text at the bar's end).

    series : (name, colour) per segment, in stacking order (left to right)
    """
    totals = [sum(v or 0.0 for v in values) for _, values, _ in rows]
    top = 6
    axis_y = top + ROW_H * len(rows) + 4
    svg = Svg(chart_id, axis_y + 44, title, desc)
    tick_values = ticks(0.0, max(totals + [0.0]) or 1.0)
    scale = _Scale(0.0, tick_values[-1], 0.0, 82.0)  # the rest holds the text at a bar's end
    _x_axis(svg, scale, tick_values, axis_y, top, x_label, tick_fmt or fmt)
    for i, (label, values, end_text) in enumerate(rows):
        y = top + i * ROW_H
        svg.text(0, y + 14, label, weight="600", halo=True)
        bar_y = y + 20
        at = 0.0
        for (name, colour), v in zip(series, values, strict=True):
            if not v or v <= 0:
                continue
            svg.rect(scale(at), bar_y, scale(at + v) - scale(at), BAR_H, colour, tip=f"{label}: {name} {fmt(v)}",
                     stroke="#ffffff")
            at += v
        svg.text(scale(at), bar_y + 12.5, end_text, halo=True, dx=6)
    return str(svg)


def tornado(chart_id: str, rows: list[tuple[str, float | None, float | None]], base: float, title: str, desc: str,
            x_label: str, fmt, tick_fmt=None) -> str:
    """Bars from the base value to the metric with one input at its low (``LOW``) and high (``HIGH``) value.

    rows : (label, metric with the input low, metric with the input high)
    """
    found = [v for _, lo, hi in rows for v in (lo, hi) if v is not None] + [base]
    tick_values = ticks(min(found), max(found))
    top = 26
    axis_y = top + ROW_H * len(rows) + 4
    svg = Svg(chart_id, axis_y + 44, title, desc)
    scale = _Scale(tick_values[0], tick_values[-1], 14.0, 86.0)  # the sides hold the values at the bars' ends
    _x_axis(svg, scale, tick_values, axis_y, top, x_label, tick_fmt or fmt)
    bx = scale(base)
    svg.line(bx, top - 6, bx, axis_y, stroke=TEXT, width=1.5)
    for i, (label, lo, hi) in enumerate(rows):
        y = top + i * ROW_H
        svg.text(0, y + 14, label, weight="600", halo=True, size=12)
        bar_y = y + 20
        for value, colour, side in ((lo, LOW, "low"), (hi, HIGH, "high")):
            if value is not None:
                svg.rect(bx, bar_y, scale(value) - bx, BAR_H, colour, tip=f"{label}, at its {side} value: {fmt(value)}")
        ends = [v for v in (lo, hi) if v is not None]
        if not ends:
            svg.text(bx, bar_y + 12.5, "n/a", fill=MUTED, dx=6)
            continue
        if max(ends) > base:
            svg.text(scale(max(ends)), bar_y + 12.5, fmt(max(ends)), fill=MUTED, halo=True, dx=4)
        if min(ends) < base:
            svg.text(scale(min(ends)), bar_y + 12.5, fmt(min(ends)), anchor="end", fill=MUTED, halo=True, dx=-4)
    svg.text(bx, top - 10, f"base {fmt(base)}", anchor=_anchor(bx), weight="600")
    return str(svg)


def columns(chart_id: str, labels: list[str], values: list[float | None], title: str, desc: str, x_label: str,
            y_label: str, fmt, tick_fmt=None) -> str:
    """Vertical bars from zero, positive in ``POSITIVE`` and negative in ``NEGATIVE``, each with its value."""
    short = tick_fmt or fmt
    found = [v for v in values if v is not None] + [0.0]
    tick_values = ticks(min(found), max(found))
    top, height, bottom = 34, 250, 44
    svg = Svg(chart_id, height, title, desc)
    svg.text(0, 13, y_label, weight="600")
    y_scale = _Scale(tick_values[0], tick_values[-1], height - bottom, top)
    left = 16.0  # percent kept for the value labels on the grid lines
    _y_grid(svg, y_scale, tick_values, 0.0, 100.0, short)
    slot = (100.0 - left) / max(len(labels), 1)
    zero = y_scale(0.0)
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        cx = left + slot * (i + 0.5)
        svg.text(cx, height - bottom + 16, label, anchor="middle", fill=MUTED)
        if v is None:
            svg.text(cx, zero - 4, "n/a", anchor="middle", fill=MUTED)
            continue
        end = y_scale(v)
        svg.rect(cx - slot * 0.35, zero, slot * 0.7, end - zero, POSITIVE if v >= 0 else NEGATIVE,
                 tip=f"{label}: {fmt(v)}")
        svg.text(cx, end - 4 if v >= 0 else end + 13, fmt(v), anchor="middle", size=11, halo=True)
    svg.text((left + 100.0) / 2, height - 8, x_label, anchor="middle")
    return str(svg)


def line(chart_id: str, xs: list[float], ys: list[float | None], title: str, desc: str, x_label: str, y_label: str,
         x_fmt, y_fmt, marks: list[tuple[float, float, str]] = ()) -> str:
    """A line of ``ys`` against ``xs`` with a zero line and labelled points ``marks`` = (x, y, label)."""
    pts = [(x, y) for x, y in zip(xs, ys, strict=True) if y is not None]
    found = [y for _, y in pts] + [0.0]
    y_ticks = ticks(min(found), max(found))
    x_ticks = [t for t in ticks(min(xs), max(xs)) if min(xs) <= t <= max(xs)]
    top, height, bottom = 34, 280, 52
    svg = Svg(chart_id, height, title, desc)
    svg.text(0, 13, y_label, weight="600")
    x_scale = _Scale(min(xs), max(xs), 0.0, 100.0)
    y_scale = _Scale(y_ticks[0], y_ticks[-1], height - bottom, top)
    for v in x_ticks:
        x = x_scale(v)
        svg.line(x, top, x, height - bottom)
        svg.text(x, height - bottom + 16, x_fmt(v), anchor=_anchor(x), fill=MUTED)
    _y_grid(svg, y_scale, y_ticks, 0.0, 100.0, y_fmt)
    svg.text(50.0, height - 12, x_label, anchor="middle")
    svg.polyline([(x_scale(x), y_scale(y)) for x, y in pts], top, height - bottom - top, POSITIVE)
    for i, (x, y, label) in enumerate(marks):  # labels alternate above-left and below-right of their point
        px, py = x_scale(x), y_scale(y)
        svg.circle(px, py, 4.5, TEXT, tip=label)
        above = i % 2 == 0
        anchor = "end" if above and px > 35 else "start"
        svg.text(px, py - 9 if above else py + 20, label, anchor=anchor, weight="600", size=12, halo=True,
                 dx=-8 if anchor == "end" else 8)
    return str(svg)
