"""A convolution layer's picture: which outputs one weight touches.

Three grids of sample 1: the input channel (its zero padding drawn as a pale ring), the
kernel with the chosen weight marked, and δ of the output channel. The inputs the weight
multiplies and the outputs it adds into are shaded and outlined (thickness as well as
colour), each cell with its number, so the weight's gradient, Σ δ × input over the shaded
pairs, can be added up from the picture. The first pair is outlined in ink. One drawing
of the picture model: SVG beside the web page, TikZ in the LaTeX page.
"""

from __future__ import annotations

from itertools import product

from ..document.conv_parts import conv_of
from ..numerals import format_number
from ..tensor import LayerRecord, Model, TensorWorked
from .escape import escape_latex
from .picture.model import Picture, Rect, Shape, Text, Words
from .svg.labels import number_words, unicode_label
from .svg.palette import EDGE, FILLS, GRID, INK, MUTED, ORANGE, STROKES

__all__ = ["conv_pictures"]

MARGIN, GAP, TITLE = 16.0, 36.0, 34.0


def _cells(shape: tuple[int, ...]) -> tuple[int, int]:
    """(rows, columns) of a spatial shape (conv1d: one row)."""
    return (1, shape[0]) if len(shape) == 1 else (shape[0], shape[1])


def _at(index: tuple[int, ...]) -> tuple[int, int]:
    return (0, index[0]) if len(index) == 1 else (index[0], index[1])


def _size(largest: int) -> float:
    return max(16.0, min(50.0, 360.0 / max(largest, 1)))


class _Grid:
    """One grid's place: its top-left corner, cell size and (rows, columns)."""

    def __init__(self, x: float, y: float, cell: float, rows: int, cols: int) -> None:
        self.x, self.y, self.cell, self.rows, self.cols = x, y, cell, rows, cols

    @property
    def width(self) -> float:
        return self.cell * self.cols

    @property
    def height(self) -> float:
        return self.cell * self.rows

    def centre(self, r: int, c: int) -> tuple[float, float]:
        return self.x + (c + 0.5) * self.cell, self.y + (r + 0.5) * self.cell


def _number(value: float, digits: int) -> Words:
    return number_words(format_number(value, digits))


def _draw(grid: _Grid, title: Words, text: dict, marked: set, kind: str,
          pale: set | None = None) -> list[Shape]:
    """A grid: cells (marked ones filled and outlined thick), numbers when they fit."""
    shapes: list[Shape] = [Text(grid.x, grid.y - 10, title, INK, size=12)]
    numbers = grid.cell >= 30
    for r, c in product(range(grid.rows), range(grid.cols)):
        on = (r, c) in marked
        ring = pale is not None and (r, c) in pale
        shapes.append(Rect(grid.x + c * grid.cell, grid.y + r * grid.cell, grid.cell,
                           grid.cell, FILLS[kind] if on else ("#fafafa" if ring else "#ffffff"),
                           STROKES[kind] if on else (GRID if ring else EDGE),
                           2.5 if on else 1))
        if numbers and (r, c) in text:
            cx, cy = grid.centre(r, c)
            shapes.append(Text(cx, cy + 4, text[(r, c)], INK if not ring else MUTED, size=10,
                               anchor="middle"))
    return shapes


def conv_pictures(model: Model, worked: TensorWorked, record: LayerRecord) -> dict[str, Picture]:
    """``{conv<l>-weight: picture}``: the first kernel entry's inputs and outputs, sample 1."""
    cv = conv_of(model.spec, record)
    W, z, a, g, rank = cv.W, cv.z, cv.a_in, cv.g, cv.rank
    digits = min(model.spec.example.digits, 2)
    pad = _at(g.padding)
    rows, cols = _cells(tuple(n + 2 * p for n, p in zip(g.size, g.padding)))
    krows, kcols = _cells(g.kernel)
    orows, ocols = _cells(g.out)
    cell = _size(max(rows, cols, orows, ocols))
    top = MARGIN + TITLE
    inputs = _Grid(MARGIN, top, cell, rows, cols)
    kernel = _Grid(inputs.x + inputs.width + GAP, top, cell, krows, kcols)
    outputs = _Grid(kernel.x + kernel.width + GAP, top, cell, orows, ocols)
    p0 = (0,) * rank
    touched = [i for i in cv.positions() if g.source(i, p0) is not None]
    read = {_shift(_at(g.source(i, p0)), pad) for i in touched}      # type: ignore[arg-type]
    padded = {(r, c) for r, c in product(range(rows), range(cols))
              if not (pad[0] <= r < rows - pad[0] and pad[1] <= c < cols - pad[1])}
    values = {(r, c): Words("0", "$0$") for r, c in padded}
    for index in product(*(range(n) for n in g.size)):
        values[_shift(_at(index), pad)] = _number(worked.values[a.at(0, 0, *index)], digits)
    deltas = {_at(i): _number(worked.grads.get(z.at(0, 0, *i), 0.0), digits)
              for i in cv.positions()}
    weights = {_at(p): _number(worked.values[W.at(0, 0, *p)], digits) for p in cv.offsets()}
    w_one = Words(unicode_label(W.latex) + "₁,₁", f"${W.latex}_{{1,1}}$")
    delta = Words(f"δ{unicode_label(z.latex)[1:]} = ∂L/∂z",
                  rf"$\delta{z.latex[1:]} = \partial L / \partial z$")
    shapes = _draw(inputs, Words("input ", "input ") + Words(unicode_label(a.latex),
                                                            f"${a.latex}$")
                   + Words(", channel 1", ", channel 1"), values, read, "unit", padded)
    shapes += _draw(kernel, Words("kernel ", "kernel ") + w_one, weights, {(0, 0)}, "param")
    shapes += _draw(outputs, delta + Words(", channel 1", ", channel 1"), deltas,
                    {_at(i) for i in touched}, "output")
    if touched:         # the first pair, outlined in ink
        for grid, (r, c) in ((inputs, _shift(_at(g.source(touched[0], p0)), pad)),  # type: ignore[arg-type]
                             (outputs, _at(touched[0]))):
            shapes.append(Rect(grid.x + c * cell, grid.y + r * cell, cell, cell, None, INK,
                               3.5))
    height = top + max(inputs.height, outputs.height) + 40
    note = (f"{len(touched)} outputs per sample read ",
            f"; its gradient is Σ δ × input over the shaded pairs (the first pair outlined)")
    every = ",".join("₁" * (rank + 2))
    shapes.append(Text(MARGIN, height - 12, Words(
        note[0] + unicode_label(W.latex) + every + note[1],
        escape_latex(note[0]) + f"${W.latex}_{{{','.join('1' * (rank + 2))}}}$"
        + r"; its gradient is $\sum \delta \times$ input over the shaded pairs (the first pair "
          "outlined)"), ORANGE, size=11))
    width = outputs.x + outputs.width + MARGIN
    return {f"conv{record.number}-weight": Picture(
        max(width, 420.0), height, f"Layer {record.number}: which outputs one weight touches",
        f"The first kernel entry of layer {record.number} multiplies {len(read)} inputs into "
        f"{len(touched)} outputs of sample 1.", tuple(shapes))}


def _shift(cell: tuple[int, int], pad: tuple[int, int]) -> tuple[int, int]:
    return cell[0] + pad[0], cell[1] + pad[1]
