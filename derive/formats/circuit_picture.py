"""The circuit as cs231n draws it: inputs on the left, a box per node, and on every wire the
forward value above (green) and the gradient flowing back along it below (red).

Drawn as a ``Picture`` (derive/formats/picture), so the web page's SVG and the LaTeX page's
TikZ are one drawing; names and formulas are LaTeX in TikZ (``CircuitTex``).
"""

from __future__ import annotations

from ..circuit import CircuitDerivation
from ..numerals import format_number
from .circuit_tex import CircuitTex
from .escape import escape_latex
from .picture.model import Line, Picture, Rect, Shape, Text, Words
from .picture.svg import svg_text
from .svg.geometry import offset, place, rect
from .svg.plates import Plate

__all__ = ["circuit_picture", "circuit_svg"]

_COLUMN, _ROW, _BOX_W, _BOX_H, _MARGIN, _LONGEST = 210, 80, 120, 44, 30, 18
_GREEN, _RED, _INK, _WIRE, _FILL = "#1a7f37", "#cf222e", "#222222", "#444444", "#f6f8fa"


def _layout(result: CircuitDerivation) -> dict[str, tuple[int, int]]:
    """Each node's box corner: column = longest path from an input, row = order in column."""
    depth: dict[str, int] = {}
    rows: dict[int, int] = {}
    spots = {}
    for node in result.circuit.nodes:
        depth[node.name] = 1 + max((depth[p] for p in node.parents), default=-1)
        row = rows.get(depth[node.name], 0)
        rows[depth[node.name]] = row + 1
        spots[node.name] = (_MARGIN + depth[node.name] * _COLUMN, _MARGIN + 20 + row * _ROW)
    return spots


def _number(value: object) -> Words:
    text = format_number(float(value))  # type: ignore[arg-type]
    return Words(text, f"${text}$")


def _wire(x1: float, y1: float, x2: float, y2: float, value: object, grad: object
          ) -> tuple[Line, list[tuple[Plate, str, tuple]]]:
    """The wire, and its value's plate above it and its gradient's below it, each with the
    segment it may slide along (``geometry.place``: clear of the boxes and other plates)."""
    plates = []
    for number, colour, side in ((value, _GREEN, "up"), (grad, _RED, "down")):
        plate = Plate([(_number(number), colour, 12.0)])
        by = (plate.height / 2 + 1) * (1 if side == "up" else -1)
        plates.append((plate, side, (offset((x1, y1, x2 - 10, y2), by), plate.width,
                                     plate.height)))
    return Line(x1, y1, x2, y2, _WIRE, head=True), plates


def _box(tex: CircuitTex, result: CircuitDerivation, name: str, x: float, y: float
         ) -> list[Shape]:
    """The node's box: its name, and its formula (dashed: an input)."""
    quantity = result.quantity(name)
    node = result.circuit.node(name)
    label = quantity.definition or "input"
    if quantity.definition is None or len(label) > _LONGEST:
        shown = label if len(label) <= _LONGEST else label[:_LONGEST - 1] + "…"
        formula = Words(shown, escape_latex(shown))
    else:
        formula = Words(label, f"${tex.expr(node.formula.expr)}$")
    return [Rect(x, y, _BOX_W, _BOX_H, _FILL, _WIRE, rx=6,
                 dash="4 3" if quantity.definition is None else None),
            Text(x + _BOX_W / 2, y + 18, Words(name, f"${tex.name(name)}$"), _INK,
                 anchor="middle", bold=True),
            Text(x + _BOX_W / 2, y + 35, formula, _INK, size=11, anchor="middle")]


def circuit_picture(result: CircuitDerivation, title: str) -> Picture:
    """Wires with their values and gradients, a box per node, the output's wire out: the
    numbers on white plates along their wire (turned with it), where they meet nothing."""
    tex = CircuitTex(result)
    spots = _layout(result)
    wires = [_wire(spots[e.parent][0] + _BOX_W, spots[e.parent][1] + _BOX_H / 2,
                   spots[e.child][0] - 1, spots[e.child][1] + _BOX_H / 2,
                   result.quantity(e.parent).value, e.contribution) for e in result.edges]
    out = result.output
    ox, oy = spots[out.name]
    wires.append(_wire(ox + _BOX_W, oy + _BOX_H / 2, ox + _BOX_W + 80, oy + _BOX_H / 2,
                       out.value, 1))
    boxes = [rect(x + _BOX_W / 2, y + _BOX_H / 2, 0, _BOX_W + 4, _BOX_H + 4)
             for x, y in spots.values()]
    plates = [plate for _, two in wires for plate in two]
    shapes: list[Shape] = [line for line, _ in wires]
    for quantity in result.quantities:
        shapes += _box(tex, result, quantity.name, *spots[quantity.name])
    shapes += [plate.at(*spot, cls="wire", grow=side) for (plate, side, _), spot in
               zip(plates, place([segment for *_, segment in plates], boxes))]
    width = max(x for x, _ in spots.values()) + _BOX_W + 100 + _MARGIN
    height = max(y for _, y in spots.values()) + _BOX_H + _MARGIN + 10
    return Picture(width, height, title, "The circuit: forward values in green above each "
                   "wire, gradients in red below it", tuple(shapes))


def circuit_svg(result: CircuitDerivation, title: str) -> str:
    """The picture as one SVG document (every text escaped)."""
    return svg_text(circuit_picture(result, title))
