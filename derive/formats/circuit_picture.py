"""The circuit as cs231n draws it: inputs on the left, a box per node, and on every wire the
forward value above (green) and the gradient flowing back along it below (red)."""

from __future__ import annotations

from xml.sax.saxutils import escape

from ..circuit import CircuitDerivation
from ..numerals import format_number

__all__ = ["circuit_svg"]

_COLUMN, _ROW, _BOX_W, _BOX_H, _MARGIN = 190, 80, 120, 44, 30
_GREEN, _RED = "#1a7f37", "#cf222e"


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


def _wire(x1: float, y1: float, x2: float, y2: float, value: str, grad: str) -> str:
    mx, my = (x1 + x2) / 2, (y1 + y2) / 2
    return (f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#444" '
            f'marker-end="url(#arrow)"/>'
            f'<text x="{mx}" y="{my - 6}" fill="{_GREEN}" text-anchor="middle">{value}</text>'
            f'<text x="{mx}" y="{my + 15}" fill="{_RED}" text-anchor="middle">{grad}</text>')


def circuit_svg(result: CircuitDerivation, title: str) -> str:
    """The picture as one SVG document (every text escaped)."""
    spots = _layout(result)
    parts = []
    for edge in result.edges:
        (px, py), (cx, cy) = spots[edge.parent], spots[edge.child]
        value = format_number(float(result.quantity(edge.parent).value))
        parts.append(_wire(px + _BOX_W, py + _BOX_H / 2, cx, cy + _BOX_H / 2, value,
                           format_number(float(edge.contribution))))
    for quantity in result.quantities:
        x, y = spots[quantity.name]
        dash = ' stroke-dasharray="4 3"' if quantity.definition is None else ""
        label = quantity.definition or "input"
        label = label if len(label) <= 18 else label[:17] + "…"
        parts.append(f'<rect x="{x}" y="{y}" width="{_BOX_W}" height="{_BOX_H}" rx="6" '
                     f'fill="#f6f8fa" stroke="#444"{dash}/>'
                     f'<text x="{x + _BOX_W / 2}" y="{y + 18}" text-anchor="middle" '
                     f'font-weight="bold">{escape(quantity.name)}</text>'
                     f'<text x="{x + _BOX_W / 2}" y="{y + 35}" text-anchor="middle" '
                     f'font-size="11">{escape(label)}</text>')
    out = result.output
    ox, oy = spots[out.name]
    parts.append(_wire(ox + _BOX_W, oy + _BOX_H / 2, ox + _BOX_W + 70, oy + _BOX_H / 2,
                       format_number(float(out.value)), "1"))
    width = max(x for x, _ in spots.values()) + _BOX_W + 90 + _MARGIN
    height = max(y for _, y in spots.values()) + _BOX_H + _MARGIN + 10
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" font-family="sans-serif" font-size="13">'
            f'<title>{escape(title)}</title><desc>The circuit: forward values in green above '
            f'each wire, gradients in red below it</desc>'
            '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
            'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#444"/>'
            f'</marker></defs><rect width="{width}" height="{height}" fill="white"/>'
            + "".join(parts) + "</svg>\n")
