"""The network picture: ``Network`` -> units in layers, weights on edges, θ's paths marked.

Wide layers show their first units, an ellipsis and the last unit; an edge names its weight
(and its worked value) where there is room, and always in its tooltip.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import sympy as sp

from ...calculus import LOSS, Network, role_of
from .geometry import Box, place, rect
from .labels import Labels, text_width, value_text
from .markup import Sheet
from .palette import EDGE, FILLS, INK, MUTED, STROKES, VERMILLION
from .plates import Plate

__all__ = ["network_svg", "path_highlight"]

_R, _ROW, _TOP = 22.0, 80.0, 56.0
_MAX_UNITS = 10      # wider layers: the first 8 units, an ellipsis, the last unit
_MAX_LABELLED = 16   # write every weight of a layer on its edge up to this many drawn edges
_MAX_VALUED = 8      # and its worked value too up to this many
Edge = tuple[sp.Symbol, sp.Symbol, sp.Symbol]  # (weight or target y, source, target)
Column = tuple[str, str, str, tuple[sp.Symbol | None, ...]]  # heading, subheading, kind, units


def path_highlight(network: Network, parameter: sp.Symbol) -> frozenset[sp.Symbol]:
    """Everything on θ's paths to L: its edge or unit, the later units, weights and targets.

    Built from the graph (``Layer.fanout`` for softmax), so it equals the union of
    ``Gradient.paths`` and is also defined when the paths are too many to list.
    """
    role = role_of(parameter)
    assert role is not None and role.kind in ("W", "b")
    layer = network.layers[role.layer - 1]
    reached = layer.fanout(role.index[0])
    marked = {parameter, LOSS, *(layer.a[i] for i in reached)}
    if layer is network.output:
        return frozenset(marked | {network.y[i] for i in reached})
    marked |= {row[i] for row in network.layers[role.layer].W for i in reached}
    for later in network.layers[role.layer:]:
        marked |= set(later.a)
    for later in network.layers[role.layer + 1:]:
        marked |= {w for row in later.W for w in row}
    return frozenset(marked | set(network.y))


def network_svg(network: Network, labels: Labels, *, values: Mapping | None = None,
                highlight: Iterable[sp.Symbol] = ()) -> str:
    """Units in layers, weights on edges; ``highlight`` (see ``path_highlight``) marks paths.

    ``values`` maps symbols to worked numbers (a forward pass's ``env``, plus L if wanted).
    """
    sheet = Sheet()
    marked = _as_nodes(network, highlight)
    columns = _columns(network)
    drawn = {s for *_, symbols in columns for s in symbols if s is not None}
    into = _edges(network, drawn)
    edges = [edge for group in into for edge in group]
    texts = _edge_texts(into, labels, values, marked)
    xs = _column_xs(network, columns, into, labels, texts)
    rows = max(len(symbols) for *_, symbols in columns)
    pos, parts, blocked = {}, [], [rect(0, 0, 0, 4 * xs[-1], 2 * _TOP)]
    for x, (heading, sub, _, symbols) in zip(xs, columns):
        parts += [sheet.text(x, 20, heading, text_anchor="middle", font_weight="bold", fill=INK),
                  sheet.text(x, 37, sub, text_anchor="middle", font_size=12, fill=MUTED)]
        for r, symbol in enumerate(symbols):
            y = _TOP + (rows - len(symbols) + 1) * _ROW / 2 + r * _ROW
            if symbol is None:
                parts.append(sheet.text(x, y + 7, "⋮", text_anchor="middle", font_size=22,
                                        fill=MUTED))
                continue
            pos[symbol] = (x, y)
            blocked.append(rect(x, y + 7, 0, 2 * _R + 4, 2 * _R + 18))
    nodes = [_node(sheet, kind, *pos[s], labels[s],
                   value_text(values[s]) if values is not None and s in values else None,
                   s in marked)
             for *_, kind, symbols in columns for s in symbols if s is not None]
    body = [*_edge_lines(sheet, edges, pos, labels, values, marked),
            *_edge_labels(sheet, edges, pos, texts, blocked), *parts, *nodes]
    width = xs[-1] + max(_R + 24, text_width(columns[-1][1], 12) / 2 + 12)
    sizes = "-".join(str(n) for n in (len(network.x), *(layer.units for layer in network.layers)))
    title = f"The network of “{network.spec.title}”: {sizes} units"
    return sheet.document(width, _TOP + rows * _ROW + 24, title, _describe(network, labels), body)


def _as_nodes(network: Network, highlight: Iterable[sp.Symbol]) -> frozenset[sp.Symbol]:
    """The symbols to mark, a unit's z and bias drawn as the unit itself."""
    unit = {symbol: a for layer in network.layers
            for symbols in (layer.z, layer.b) for symbol, a in zip(symbols, layer.a)}
    return frozenset(unit.get(symbol, symbol) for symbol in highlight)


def _shown(symbols: Sequence[sp.Symbol]) -> tuple[sp.Symbol | None, ...]:
    """The units drawn; None stands for the ellipsis of a wide layer."""
    if len(symbols) <= _MAX_UNITS:
        return tuple(symbols)
    return (*symbols[:_MAX_UNITS - 2], None, symbols[-1])


def _columns(network: Network) -> list[Column]:
    """(heading, subheading, node kind, drawn units) per column: inputs, layers, loss."""
    count = len(network.layers)
    columns = [("inputs", f"{len(network.x)} per sample", "input", _shown(network.x))]
    for layer in network.layers:
        heading = f"layer {layer.number}" + (" (output)" if layer.number == count else "")
        kind = "output" if layer.number == count else "unit"
        columns.append((heading, layer.activation.name.replace("_", " "), kind, _shown(layer.a)))
    columns.append(("loss", network.loss.name.replace("_", " "), "loss", (LOSS,)))
    return columns


def _edges(network: Network, drawn: set[sp.Symbol]) -> list[list[Edge]]:
    """The drawn edges grouped by the column they end in (none end in the inputs'): one per
    drawn weight, then ŷ_j -> L keyed by its target y_j."""
    into: list[list[Edge]] = [[]]
    for layer in network.layers:
        sources = [(k, source) for k, source in enumerate(layer.inputs) if source in drawn]
        into.append([(layer.W[j][k], source, target) for j, target in enumerate(layer.a)
                     if target in drawn for k, source in sources])
    return into + [[(y, a, LOSS) for y, a in zip(network.y, network.output.a) if a in drawn]]


def _node(sheet: Sheet, kind: str, x: float, y: float, label: str, value: str | None,
          marked: bool) -> str:
    """A unit: a circle with its symbol inside (long input names go to its left)."""
    room, natural = 2 * _R - 6, text_width(label, 13)
    outside = kind == "input" and natural > room
    size = 13.0 if outside or natural <= room else max(8.0, 13 * room / natural)
    parts = [sheet.titled("circle", {"cx": x, "cy": y, "r": _R, "fill": FILLS[kind],
                                     "stroke": VERMILLION if marked else STROKES[kind],
                                     "stroke-width": 3 if marked else 1.5},
                          label + (f" = {value}" if value is not None else "")),
             sheet.text(x - _R - 6 if outside else x, y + size * 0.35, label, font_size=size,
                        text_anchor="end" if outside else "middle", fill=INK)]
    if value is not None:
        parts.append(Plate([(value, MUTED, 11)]).draw(sheet, x, y + _R + 9, 0))
    return sheet.tag("g", {"class": "node highlight" if marked else "node"}, "".join(parts))


def _edge_lines(sheet: Sheet, edges: Sequence[Edge], pos: Mapping, labels: Labels,
                values: Mapping | None, marked: frozenset) -> list[str]:
    """Plain edges first, highlighted ones on top; each names its weight in a <title>."""
    out = []
    for key, source, target in sorted(edges, key=lambda e: e[0] in marked):
        hot = key in marked
        value = f" = {value_text(values[key])}" if values is not None and key in values else ""
        (x0, y0), (x1, y1) = pos[source], pos[target]
        out.append(sheet.titled("line", {"class": "edge highlight" if hot else "edge",
                                         "x1": x0, "y1": y0, "x2": x1, "y2": y1,
                                         "stroke": VERMILLION if hot else EDGE,
                                         "stroke-width": 3 if hot else 1.2},
                                labels[key] + value))
    return out


def _edge_texts(into: Sequence[Sequence[Edge]], labels: Labels, values: Mapping | None,
                marked: frozenset) -> dict[sp.Symbol, Plate]:
    """What each edge says: its symbol where there is room (or few marked edges need it),
    its worked value where there is more room (``into``: the edges into each column)."""
    texts = {}
    for edges in into:
        count, hot = len(edges), sum(key in marked for key, _, _ in edges)
        for key, _, _ in edges:
            if count <= _MAX_LABELLED or (key in marked and hot <= _MAX_UNITS):
                valued = values is not None and key in values and count <= _MAX_VALUED
                texts[key] = Plate([(labels[key], INK, 12)] + (
                    [(value_text(values[key]), MUTED, 11)] if valued else []))  # type: ignore[index]
    return texts


def _edge_labels(sheet: Sheet, edges: Sequence[Edge], pos: Mapping,
                 texts: Mapping[sp.Symbol, Plate], blocked: list[Box]) -> list[str]:
    """The edges' texts, each placed along its edge clear of nodes and other labels."""
    chosen = [(key, s, t) for key, s, t in edges if key in texts]
    segments = [((*pos[s], *pos[t]), texts[key].width, texts[key].height)
                for key, s, t in chosen]
    return [texts[key].draw(sheet, *spot, **{"class": "edge-label"})
            for spot, (key, _, _) in zip(place(segments, blocked), chosen)]


def _column_xs(network: Network, columns: Sequence[Column], into: Sequence[Sequence[Edge]],
               labels: Labels, texts: Mapping[sp.Symbol, Plate]) -> list[float]:
    """Each column's x: room on the left for long input names, between columns for labels."""
    names = [text_width(labels[s], 13) for s in columns[0][3] if s is not None]  # drawn inputs
    xs = [max([_R + 40, *(w + _R + 16 for w in names if w > 2 * _R - 6)])]
    for c in range(1, len(columns)):
        plates = [texts[key].width for key, _, _ in into[c] if key in texts]
        before, here = len(columns[c - 1][3]), len(columns[c][3])
        crowd = max(before, here) / (1 if min(before, here) > 1 else 2)  # a fan is roomier
        room = 120.0 + max(plates, default=0) * crowd * 1.25 if len(plates) > 1 else 170.0
        xs.append(xs[-1] + (min(360.0, max(170.0, room)) if plates else 140.0))
    return xs


def _describe(network: Network, labels: Labels) -> str:
    """The picture in words, for screen readers."""
    inputs = ", ".join(labels[s] for s in network.x[:_MAX_UNITS])
    layers = "; ".join(f"layer {layer.number}: {layer.units} {layer.activation.name} units"
                       for layer in network.layers)
    return f"Inputs {inputs}; {layers}; loss {network.loss.name} of the outputs and targets."
