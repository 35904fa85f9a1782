"""The loss over the steps: losses -> one point per loss, joined, on round-number axes."""

from __future__ import annotations

from types import MappingProxyType

import math
from collections.abc import Callable, Sequence

from .labels import text_width, value_text
from .markup import Sheet, coordinate
from .palette import BLUE, GRID, INK, MUTED

__all__ = ["loss_curve_svg"]

_PLOT = (72.0, 60.0, 536.0, 264.0)  # left, top, right, bottom of the plotting area
_MODES = MappingProxyType({"batch": "the whole batch's loss after k updates",
          "sgd": "the loss of step k's sample after k updates (the last: the last step's)"})


def loss_curve_svg(losses: Sequence[object], *, mode: str) -> str:
    """The loss after 0, 1, …, K updates: one point per loss, joined, on round-number axes.

    Raises:
        ValueError: ``mode`` is neither batch nor sgd, or the losses are none or not finite.
    """
    if mode not in _MODES or not losses:
        raise ValueError(f"loss_curve_svg: expected mode batch or sgd and losses, got {mode!r}")
    values = [float(v) for v in losses]  # type: ignore[arg-type]
    if not all(math.isfinite(v) for v in values):
        raise ValueError("loss_curve_svg: expected finite losses")
    sheet = Sheet()
    left, top, right, bottom = _PLOT
    y_ticks, decimals = _ticks(min(values), max(values), 5)
    x_ticks, _ = _ticks(0, max(len(values) - 1, 1), 8)
    x_ticks = [t for t in x_ticks if t == int(t)]

    def x_at(i: float) -> float:
        return left + (right - left) * i / x_ticks[-1]

    def y_at(v: float) -> float:
        return bottom - (bottom - top) * (v - y_ticks[0]) / (y_ticks[-1] - y_ticks[0])

    parts = _axes(sheet, x_ticks, y_ticks, decimals, x_at, y_at)
    points = [(x_at(i), y_at(v)) for i, v in enumerate(values)]
    parts.append(sheet.tag("polyline", {"points": " ".join(f"{coordinate(x)},{coordinate(y)}"
                                                           for x, y in points),
                                        "fill": "none", "stroke": BLUE, "stroke-width": 2}))
    radius = 3.5 if len(values) <= 60 else 2.0
    parts += [sheet.titled("circle", {"class": "point", "cx": x, "cy": y, "r": radius,
                                      "fill": BLUE}, f"step {i}: loss {value_text(v)}")
              for i, ((x, y), v) in enumerate(zip(points, values))]
    steps = len(values) - 1
    heading = f"Loss over {steps} step{'s' if steps != 1 else ''} ({mode})"
    note = f"Point k: {_MODES[mode]}."
    parts += [sheet.text(left, 22, heading, font_weight="bold", fill=INK),
              sheet.text(left, 40, note, font_size=12, fill=MUTED)]
    desc = f"{note} Losses: " + ", ".join(value_text(v) for v in values[:50])
    return sheet.document(max(right + 24, left + text_width(note, 12) + 16), bottom + 48,
                          heading, desc, parts)


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


def _tick_text(value: float, decimals: int) -> str:
    text = f"{value:.{decimals}f}"
    return "0" if float(text) == 0 else text.replace("-", "−")


def _axes(sheet: Sheet, x_ticks: Sequence[float], y_ticks: Sequence[float], decimals: int,
          x_at: Callable[[float], float], y_at: Callable[[float], float]) -> list[str]:
    """Grid lines and round-number ticks, the axes and their names."""
    left, top, right, bottom = _PLOT
    parts = []
    for v in y_ticks:
        y = y_at(v)
        parts += [sheet.tag("line", {"x1": left, "y1": y, "x2": right, "y2": y, "stroke": GRID}),
                  sheet.text(left - 8, y + 4, _tick_text(v, decimals), text_anchor="end",
                             font_size=11, fill=MUTED)]
    for t in x_ticks:
        x = x_at(t)
        parts += [sheet.tag("line", {"x1": x, "y1": bottom, "x2": x, "y2": bottom + 5,
                                     "stroke": MUTED}),
                  sheet.text(x, bottom + 18, str(int(t)), text_anchor="middle", font_size=11,
                             fill=MUTED)]
    corner = f"{coordinate(left)},{coordinate(top)} {coordinate(left)},{coordinate(bottom)} "
    parts += [sheet.tag("polyline", {"points": corner + f"{coordinate(right)},{coordinate(bottom)}",
                                     "fill": "none", "stroke": MUTED, "stroke-width": 1.2}),
              sheet.text((left + right) / 2, bottom + 38, "step (updates so far)",
                         text_anchor="middle", font_size=12, fill=MUTED),
              sheet.text(18, (top + bottom) / 2, "loss", text_anchor="middle", font_size=12,
                         fill=MUTED, transform=f"rotate(-90 18 {coordinate((top + bottom) / 2)})")]
    return parts
