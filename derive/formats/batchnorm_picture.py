"""Batch norm's three paths, drawn for the first feature: each input x_k on the left, the
batch's μ and σ² in the middle, each x̂_k and y_k on the right. x₁'s three paths are drawn
thick and coloured (to x̂₁ directly, through μ, through σ²), each labelled with what it
carries back to x₁; every other edge thin and grey."""

from __future__ import annotations

import math

from ..numerals import format_number
from ..tensor import LayerRecord, Model, TensorWorked
from ..tensor.batchnorm import EPS
from .svg.markup import Sheet
from .svg.palette import BLUE, EDGE, FILLS, INK, MUTED, ORANGE, STROKES, VERMILLION

__all__ = ["batchnorm_paths"]

_W, _H, _GAP, _COLUMN, _TOP, _LEFT = 92.0, 40.0, 16.0, 170.0, 58.0, 24.0
_MAX_ROWS = 6
_HAT = "x\u0302"


def _sub(k: int) -> str:
    return str(k).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def _arrow(sheet: Sheet, a: tuple[float, float], b: tuple[float, float], colour: str,
           width: float) -> str:
    """A line from a to b with a small head at b (no markers: pictures share a page)."""
    (x1, y1), (x2, y2) = a, b
    angle = math.atan2(y2 - y1, x2 - x1)
    head = [(x2, y2)] + [(x2 - 8 * math.cos(angle + s), y2 - 8 * math.sin(angle + s))
                         for s in (0.4, -0.4)]
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in head)
    return (sheet.tag("line", {"x1": x1, "y1": y1, "x2": x2, "y2": y2, "stroke": colour,
                               "stroke_width": width})
            + sheet.tag("polygon", {"points": points, "fill": colour}))


def _box(sheet: Sheet, x: float, y: float, name: str, value: str, kind: str) -> str:
    return (sheet.tag("rect", {"x": x, "y": y, "width": _W, "height": _H, "rx": 6,
                               "fill": FILLS[kind], "stroke": STROKES[kind]})
            + sheet.text(x + _W / 2, y + 17, name, text_anchor="middle", font_weight="bold",
                         fill=INK)
            + sheet.text(x + _W / 2, y + 32, value, text_anchor="middle", font_size=11,
                         fill=MUTED))


def batchnorm_paths(model: Model, worked: TensorWorked, record: LayerRecord) -> dict[str, str]:
    """``{"batchnorm-<l>-paths": svg}``: the first feature's graph and x₁'s three paths."""
    made = {t.name.rstrip("0123456789"): t for t in record.made}
    xhat, y = made["xhat"], made["y"]
    cols = [i for i in map(xhat.index_of, xhat.symbols) if i[1] == 0]
    size, digits = len(cols), model.spec.example.digits
    rows = cols[:_MAX_ROWS]
    number = lambda v: format_number(v, min(digits, 4))  # noqa: E731
    values, grads = worked.values, worked.grads
    mu, var = made["mu"].symbols[0], made["var"].symbols[0]
    eps = float(record.spec.get("eps", EPS))        # type: ignore[arg-type]
    root = math.sqrt(values[var] + eps)
    x0 = record.input.at(*cols[0])
    carried = (grads.get(xhat.at(*cols[0]), 0.0) / root,
               grads.get(var, 0.0) * 2 * (values[x0] - values[mu]) / size,
               grads.get(mu, 0.0) / size)
    sheet, parts = Sheet(), []
    row_y = [_TOP + _H + 2 * _GAP + k * (_H + _GAP) for k in range(len(rows))]
    spots = {"mu": (_LEFT + _COLUMN, _TOP),      # above and below the rows: no edge behind
             "var": (_LEFT + _COLUMN, row_y[-1] + _H + 2 * _GAP)}
    xs = [(_LEFT, ry) for ry in row_y]
    hats = [(_LEFT + 2 * _COLUMN, ry) for ry in row_y]
    ys = [(_LEFT + 3 * _COLUMN, ry) for ry in row_y]
    right = lambda p: (p[0] + _W, p[1] + _H / 2)  # noqa: E731
    left = lambda p: (p[0], p[1] + _H / 2)  # noqa: E731
    paths = {"hat": BLUE, "var": VERMILLION, "mu": ORANGE}
    for k, spot in enumerate(xs):       # grey first: x₁'s paths are drawn over them
        parts.append(_arrow(sheet, right(spot), left(hats[k]), EDGE, 1) if k else "")
        parts += [_arrow(sheet, right(spot), left(spots[s]), EDGE, 1) for s in ("mu", "var")
                  if k]
        parts.append(_arrow(sheet, right(hats[k]), left(ys[k]), EDGE, 1))
    parts.append(_arrow(sheet, (spots["mu"][0] + _W / 2, spots["mu"][1] + _H),
                        (spots["var"][0] + _W / 2, spots["var"][1]), EDGE, 1))
    for s in ("mu", "var"):
        parts += [_arrow(sheet, right(spots[s]), left(h), paths[s], 2.5 if k == 0 else 1.5)
                  for k, h in enumerate(hats)]
        parts.append(_arrow(sheet, right(xs[0]), left(spots[s]), paths[s], 3))
    parts.append(_arrow(sheet, right(xs[0]), left(hats[0]), paths["hat"], 3))
    for k, i in enumerate(rows):
        parts.append(_box(sheet, *xs[k], f"x{_sub(k + 1)}", number(values[record.input.at(*i)]),
                          "input"))
        parts.append(_box(sheet, *hats[k], f"{_HAT}{_sub(k + 1)}",
                          number(values[xhat.at(*i)]), "unit"))
        parts.append(_box(sheet, *ys[k], f"y{_sub(k + 1)}", number(values[y.at(*i)]), "output"))
    parts.append(_box(sheet, *spots["mu"], "μ", number(values[mu]), "param"))
    parts.append(_box(sheet, *spots["var"], "σ²", number(values[var]), "param"))
    legend = [("hat", f"through {_HAT}₁: {number(carried[0])}"),
              ("var", f"through σ²: {number(carried[1])}"),
              ("mu", f"through μ: {number(carried[2])}")]
    for k, (kind, text) in enumerate(legend):
        parts.append(sheet.tag("rect", {"x": _LEFT + k * 190, "y": 14, "width": 14,
                                        "height": 6, "fill": paths[kind]})
                     + sheet.text(_LEFT + k * 190 + 20, 21, text, fill=INK))
    total = sum(carried)
    bottom = spots["var"][1] + _H + 24
    note = f"∂L/∂x₁ = {number(total)}, the sum of its three paths"
    if size > len(rows):
        note += f" (the first {len(rows)} of {size} values drawn)"
    parts.append(sheet.text(_LEFT, bottom, note, fill=INK))
    name = f"batchnorm-{record.number}-paths"
    return {name: sheet.document(_LEFT * 2 + 3 * _COLUMN + _W, bottom + 14,
                                 f"Layer {record.number} (batch norm): the three paths to x₁",
                                 "Each input of the first feature feeds its own normalized "
                                 "value, the batch mean and the batch variance; the mean and "
                                 "variance feed every normalized value.", parts)}
