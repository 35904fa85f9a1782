"""The loss over the steps: losses -> one point per loss, joined, on round-number axes."""

from __future__ import annotations

from types import MappingProxyType

import math
from collections.abc import Callable, Sequence

from ..picture.model import Circle, Line, Picture, Polyline, Text, Words
from ..picture.svg import svg_text
from .labels import prose, text_width, value_text
from .palette import BLUE, GRID, INK, MUTED

__all__ = ["loss_curve_picture", "loss_curve_svg"]

_PLOT = (72.0, 60.0, 536.0, 264.0)  # left, top, right, bottom of the plotting area
_MODES = MappingProxyType({"batch": "the whole batch's loss after k updates",
          "sgd": "the loss of step k's sample after k updates (the last: the last step's)"})


def loss_curve_svg(losses: Sequence[object], *, mode: str) -> str:
    """``loss_curve_picture`` as SVG."""
    return svg_text(loss_curve_picture(losses, mode=mode))


def loss_curve_picture(losses: Sequence[object], *, mode: str) -> Picture:
    """The loss after 0, 1, …, K updates: one point per loss, joined, on round-number axes.

    Raises:
        ValueError: ``mode`` is neither batch nor sgd, or the losses are none or not finite.
    """
    if mode not in _MODES or not losses:
        raise ValueError(f"loss_curve_svg: expected mode batch or sgd and losses, got {mode!r}")
    values = [float(v) for v in losses]  # type: ignore[arg-type]
    if not all(math.isfinite(v) for v in values):
        raise ValueError("loss_curve_svg: expected finite losses")
    left, top, right, bottom = _PLOT
    y_ticks, decimals = _ticks(min(values), max(values), 5)
    x_ticks, _ = _ticks(0, max(len(values) - 1, 1), 8)
    x_ticks = [t for t in x_ticks if t == int(t)]

    def x_at(i: float) -> float:
        return left + (right - left) * i / x_ticks[-1]

    def y_at(v: float) -> float:
        return bottom - (bottom - top) * (v - y_ticks[0]) / (y_ticks[-1] - y_ticks[0])

    shapes = _axes(x_ticks, y_ticks, decimals, x_at, y_at)
    points = tuple((x_at(i), y_at(v)) for i, v in enumerate(values))
    shapes.append(Polyline(points, BLUE, 2))
    radius = 3.5 if len(values) <= 60 else 2.0
    shapes += [Circle(x, y, radius, BLUE, cls="point", title=f"step {i}: loss {value_text(v)}")
               for i, ((x, y), v) in enumerate(zip(points, values))]
    steps = len(values) - 1
    heading = f"Loss over {steps} step{'s' if steps != 1 else ''} ({mode})"
    note = f"Point k: {_MODES[mode]}."
    shapes += [Text(left, 22, prose(heading), INK, bold=True),
               Text(left, 40, prose(note), MUTED, size=12)]
    desc = f"{note} Losses: " + ", ".join(value_text(v) for v in values[:50])
    return Picture(max(right + 24, left + text_width(note, 12) + 16), bottom + 48,
                   heading, desc, tuple(shapes))


def _nice_step(span: float, count: int) -> float:
    """1, 2 or 5 times a power of ten, giving about ``count`` intervals over ``span``."""
    raw = span / count
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw * (1 - 1e-9))


def _ticks(low: float, high: float, count: int) -> tuple[list[float], int]:
    """Round tick values covering [low, high] and the decimals that print them exactly."""
    if high - low < 1e-12 * max(1.0, abs(high)):
        pad = abs(high) * 0.1 or 1.0
        low, high = low - pad, high + pad
    step = _nice_step(high - low, count)
    first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    return [i * step for i in range(first, last + 1)], decimals


def _tick_words(value: float, decimals: int) -> Words:
    text = f"{value:.{decimals}f}"
    text = "0" if float(text) == 0 else text
    return Words(text.replace("-", "−"), f"${text}$")


def _axes(x_ticks: Sequence[float], y_ticks: Sequence[float], decimals: int,
          x_at: Callable[[float], float], y_at: Callable[[float], float]) -> list:
    """Grid lines and round-number ticks, the axes and their names."""
    left, top, right, bottom = _PLOT
    shapes: list = []
    for v in y_ticks:
        y = y_at(v)
        shapes += [Line(left, y, right, y, GRID),
                   Text(left - 8, y + 4, _tick_words(v, decimals), MUTED, size=11, anchor="end")]
    for t in x_ticks:
        x = x_at(t)
        shapes += [Line(x, bottom, x, bottom + 5, MUTED),
                   Text(x, bottom + 18, prose(str(int(t))), MUTED, size=11, anchor="middle")]
    shapes += [Polyline(((left, top), (left, bottom), (right, bottom)), MUTED, 1.2),
               Text((left + right) / 2, bottom + 38, prose("step (updates so far)"), MUTED,
                    size=12, anchor="middle"),
               Text(18, (top + bottom) / 2, prose("loss"), MUTED, size=12, anchor="middle",
                    rotate=-90)]
    return shapes
