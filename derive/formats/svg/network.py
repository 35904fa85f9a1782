"""The network picture: ``Network`` -> units in layers, weights on edges, θ's paths marked.

Wide layers show their first units, an ellipsis and the last unit; an edge names its weight
(and its worked value) where there is room, and always in its tooltip.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import sympy as sp

from ...calculus import LOSS, Network, role_of
from ..picture.model import Circle, Group, Line, Picture, Rect, Shape, Text, Words
from ..picture.svg import svg_text
from .geometry import Box, place, rect
from .labels import Labels, label_words, prose, text_width, value_text, value_words
from .palette import EDGE, FILLS, INK, MUTED, STROKES, VERMILLION
from .plates import Plate

__all__ = ["network_picture", "network_svg", "path_highlight"]

_R, _ROW, _TOP = 22.0, 80.0, 56.0
_MAX_UNITS = 10      # wider layers: the first 8 units, an ellipsis, the last unit
_MAX_LABELLED = 16   # write every weight of a layer on its edge up to this many drawn edges
_MAX_VALUED = 8      # and its worked value too up to this many
_COUPLING_ROOM = 40.0  # below the units: a softmax layer's box and its two lines
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
    """``network_picture`` as SVG."""
    return svg_text(network_picture(network, labels, values=values, highlight=highlight))


def network_picture(network: Network, labels: Labels, *, values: Mapping | None = None,
                    highlight: Iterable[sp.Symbol] = ()) -> Picture:
    """Units in layers, weights on edges; ``highlight`` (see ``path_highlight``) marks paths.

    ``values`` maps symbols to worked numbers (a forward pass's ``env``, plus L if wanted).
    A softmax layer's units sit in one dashed box: each of its outputs depends on every z.
    """
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
        parts += [Text(x, 20, prose(heading), INK, anchor="middle", bold=True),
                  Text(x, 37, prose(sub), MUTED, size=12, anchor="middle")]
        for r, symbol in enumerate(symbols):
            y = _TOP + (rows - len(symbols) + 1) * _ROW / 2 + r * _ROW
            if symbol is None:
                parts.append(Text(x, y + 7, Words("⋮", r"$\vdots$"), MUTED, size=22,
                                  anchor="middle"))
                continue
            pos[symbol] = (x, y)
            blocked.append(rect(x, y + 7, 0, 2 * _R + 4, 2 * _R + 18))
    coupled = _coupled(network, columns, xs, pos)
    nodes = [_node(kind, *pos[s], label_words(labels, s),
                   values[s] if values is not None and s in values else None,
                   s in marked)
             for *_, kind, symbols in columns for s in symbols if s is not None]
    body = [*coupled, *_edge_lines(edges, pos, labels, values, marked),
            *_edge_labels(edges, pos, texts, blocked), *parts, *nodes]
    width = xs[-1] + max(_R + 24, text_width(columns[-1][1], 12) / 2 + 12)
    sizes = "-".join(str(n) for n in (len(network.x), *(layer.units for layer in network.layers)))
    title = f"The network of “{network.spec.title}”: {sizes} units"
    height = _TOP + rows * _ROW + 24 + (_COUPLING_ROOM if coupled else 0)
    return Picture(width, height, title, _describe(network, labels), tuple(body))


def _coupled(network: Network, columns: Sequence[Column], xs: Sequence[float],
             pos: Mapping) -> list[Shape]:
    """A dashed box around each softmax layer's units, named under it: every output of the
    layer depends on every unit's z (the graph the path pictures draw)."""
    shapes: list[Shape] = []
    for layer, x, (*_, symbols) in zip(network.layers, xs[1:], columns[1:]):
        if not layer.activation.vector:
            continue
        ys = [pos[s][1] for s in symbols if s is not None]
        top, bottom = min(ys) - _R - 8, max(ys) + _R + 26
        name = layer.activation.name.replace("_", " ")
        shapes += [Rect(x - _R - 14, top, 2 * _R + 28, bottom - top, "#ffffff", MUTED, 1.2,
                        rx=10, dash="5 4"),
                   Text(x, bottom + 14, prose(f"{name}: each output"), MUTED, size=11,
                        anchor="middle"),
                   Text(x, bottom + 27, prose("depends on every z"), MUTED, size=11,
                        anchor="middle")]
    return shapes


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


def _node(kind: str, x: float, y: float, label: Words, value: object | None,
          marked: bool) -> Group:
    """A unit: a circle with its symbol inside (long input names go to its left)."""
    room, natural = 2 * _R - 6, text_width(label.text, 13)
    outside = kind == "input" and natural > room
    size = 13.0 if outside or natural <= room else max(8.0, 13 * room / natural)
    parts: list[Shape] = [Circle(
        x, y, _R, FILLS[kind], VERMILLION if marked else STROKES[kind], 3 if marked else 1.5,
        title=label.text + (f" = {value_text(value)}" if value is not None else ""), label=label,
        label_size=size, outside=outside, label_colour=INK)]
    if value is not None:
        parts.append(Plate([(value_words(value), MUTED, 11)]).at(x, y + _R + 9, 0, grow="down"))
    return Group("node highlight" if marked else "node", tuple(parts))


def _edge_lines(edges: Sequence[Edge], pos: Mapping, labels: Labels,
                values: Mapping | None, marked: frozenset) -> list[Line]:
    """Plain edges first, highlighted ones on top; each names its weight in a <title>."""
    out = []
    for key, source, target in sorted(edges, key=lambda e: e[0] in marked):
        hot = key in marked
        value = f" = {value_text(values[key])}" if values is not None and key in values else ""
        (x0, y0), (x1, y1) = pos[source], pos[target]
        out.append(Line(x0, y0, x1, y1, VERMILLION if hot else EDGE, 3 if hot else 1.2,
                        cls="edge highlight" if hot else "edge", title=labels[key] + value))
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
                texts[key] = Plate([(label_words(labels, key), INK, 12)] + (
                    [(value_words(values[key]), MUTED, 11)] if valued else []))  # type: ignore[index]
    return texts


def _edge_labels(edges: Sequence[Edge], pos: Mapping,
                 texts: Mapping[sp.Symbol, Plate], blocked: list[Box]) -> list[Shape]:
    """The edges' texts, each placed along its edge clear of nodes and other labels."""
    chosen = [(key, s, t) for key, s, t in edges if key in texts]
    segments = [((*pos[s], *pos[t]), texts[key].width, texts[key].height)
                for key, s, t in chosen]
    return [texts[key].at(*spot, cls="edge-label")
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
