"""Batch norm's three paths, drawn for the first feature: each input x_k on the left, the
batch's μ and σ² in the middle, each x̂_k and y_k on the right. x₁'s three paths are drawn
thick and coloured (to x̂₁ directly, through μ, through σ²), each labelled with what it
carries back to x₁; every other edge thin and grey. One drawing of the picture model: SVG
beside the web page, TikZ in the LaTeX page."""

from __future__ import annotations

import math

from ..numerals import format_number
from ..tensor import LayerRecord, Model, TensorWorked
from ..tensor.batchnorm import EPS
from .picture.model import Line, Picture, Rect, Shape, Text, Words
from .svg.labels import number_words
from .svg.palette import BLUE, EDGE, FILLS, INK, MUTED, ORANGE, STROKES, VERMILLION

__all__ = ["batchnorm_paths"]

_W, _H, _GAP, _COLUMN, _TOP, _LEFT = 92.0, 40.0, 16.0, 170.0, 58.0, 24.0
_MAX_ROWS = 6
_HAT = "x\u0302"


def _sub(k: int) -> str:
    return str(k).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def _arrow(a: tuple[float, float], b: tuple[float, float], colour: str,
           width: float) -> Line:
    (x1, y1), (x2, y2) = a, b
    return Line(x1, y1, x2, y2, colour, width, head=True)


def _box(x: float, y: float, name: Words, value: str, kind: str) -> list[Shape]:
    return [Rect(x, y, _W, _H, FILLS[kind], STROKES[kind], rx=6),
            Text(x + _W / 2, y + 17, name, INK, anchor="middle", bold=True),
            Text(x + _W / 2, y + 32, number_words(value), MUTED, size=11, anchor="middle")]


def _names(k: int) -> tuple[Words, Words, Words]:
    """x_k, x̂_k and y_k as the SVG and the LaTeX write them."""
    return (Words(f"x{_sub(k)}", f"$x_{{{k}}}$"),
            Words(f"{_HAT}{_sub(k)}", rf"$\hat{{x}}_{{{k}}}$"),
            Words(f"y{_sub(k)}", f"$y_{{{k}}}$"))


def batchnorm_paths(model: Model, worked: TensorWorked, record: LayerRecord
                    ) -> dict[str, Picture]:
    """``{"batchnorm-<l>-paths": picture}``: the first feature's graph and x₁'s three paths."""
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
    shapes: list[Shape] = []
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
        if k:
            shapes.append(_arrow(right(spot), left(hats[k]), EDGE, 1))
            shapes += [_arrow(right(spot), left(spots[s]), EDGE, 1) for s in ("mu", "var")]
        shapes.append(_arrow(right(hats[k]), left(ys[k]), EDGE, 1))
    shapes.append(_arrow((spots["mu"][0] + _W / 2, spots["mu"][1] + _H),
                         (spots["var"][0] + _W / 2, spots["var"][1]), EDGE, 1))
    for s in ("mu", "var"):
        shapes += [_arrow(right(spots[s]), left(h), paths[s], 2.5 if k == 0 else 1.5)
                   for k, h in enumerate(hats)]
        shapes.append(_arrow(right(xs[0]), left(spots[s]), paths[s], 3))
    shapes.append(_arrow(right(xs[0]), left(hats[0]), paths["hat"], 3))
    for k, i in enumerate(rows):
        x_k, hat_k, y_k = _names(k + 1)
        shapes += _box(*xs[k], x_k, number(values[record.input.at(*i)]), "input")
        shapes += _box(*hats[k], hat_k, number(values[xhat.at(*i)]), "unit")
        shapes += _box(*ys[k], y_k, number(values[y.at(*i)]), "output")
    shapes += _box(*spots["mu"], Words("μ", r"$\mu$"), number(values[mu]), "param")
    shapes += _box(*spots["var"], Words("σ²", r"$\sigma^2$"), number(values[var]), "param")
    through = Words("through ", "through ")
    legend = [("hat", through + _names(1)[1]), ("var", through + Words("σ²", r"$\sigma^2$")),
              ("mu", through + Words("μ", r"$\mu$"))]
    for k, ((kind, words), value) in enumerate(zip(legend, carried)):
        shapes += [Rect(_LEFT + k * 190, 14, 14, 6, paths[kind]),
                   Text(_LEFT + k * 190 + 20, 21, words + Words(": ", ": ")
                        + number_words(number(value)), INK)]
    total = number(sum(carried))
    bottom = spots["var"][1] + _H + 24
    note = Words(f"∂L/∂x₁ = {total}, the sum of its three paths",
                 rf"$\partial L / \partial x_1 = {total.replace('−', '-')}$, the sum of its "
                 "three paths")
    if size > len(rows):
        more = f" (the first {len(rows)} of {size} values drawn)"
        note = note + Words(more, more)
    shapes.append(Text(_LEFT, bottom, note, INK))
    return {f"batchnorm-{record.number}-paths": Picture(
        _LEFT * 2 + 3 * _COLUMN + _W, bottom + 14,
        f"Layer {record.number} (batch norm): the three paths to x₁",
        "Each input of the first feature feeds its own normalized value, the batch mean and "
        "the batch variance; the mean and variance feed every normalized value.",
        tuple(shapes))}
