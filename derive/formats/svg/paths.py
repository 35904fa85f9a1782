r"""One parameter's computation paths: ``Gradient`` -> θ → z → a → … → ŷ → L as boxes and arrows.

The chains branch where a unit feeds several (seed 004's drawing); each arrow carries its
local derivative, the chain-rule factor the page's derivation multiplies (``Gradient``'s
factors, printed by the page's printer). When the paths are too many to list, the chain goes
through the δ of each later layer instead (the recursion).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import sympy as sp

from ...calculus import LOSS, Gradient, Printer, delta_symbol, role_of
from ...calculus.expressions import Factor
from ..picture.model import Group, Line, Picture, Rect, Shape, Text, Words
from ..picture.svg import svg_text
from .geometry import offset, place, rect
from .labels import Labels, formula_words, label_words, prose, text_width
from .palette import FILLS, INK, MUTED, STROKES
from .plates import Plate

__all__ = ["path_picture", "path_svg"]

_BOX_H, _PATH_ROW, _PATH_GAP, _MARGIN, _LABEL = 28.0, 48.0, 72.0, 20.0, 12.0
Item = tuple[object, Words, str]  # (key, words, kind) of one node of a chain
Node = tuple[Item, ...]           # a node of the drawing: the chain up to it (L: itself alone)


def path_svg(gradient: Gradient, labels: Labels, printer: Printer | None = None) -> str:
    """``path_picture`` as SVG."""
    return svg_text(path_picture(gradient, labels, printer))


def path_picture(gradient: Gradient, labels: Labels, printer: Printer | None = None) -> Picture:
    r"""θ → z → a → … → ŷ → L, branching where a unit feeds several, each arrow labelled with
    its local derivative as ``printer`` (the page's; by default one of the labels' names)
    prints the factor."""
    if printer is None:
        names = getattr(labels, "names", None)
        printer = Printer({"symbol_names": dict(names)} if names is not None else None)
    chains = _chains(gradient, labels)
    places, edges = _tree(chains)
    factors = {key: Plate([(formula_words(printer.doprint(f.value)), INK, _LABEL)])
               for key, f in _factors(gradient).items()}
    width = max(text_width(item[1].text, 13) for chain in chains for item in chain) + 20
    columns = 1 + max(c for c, _ in places.values())
    gaps = [_PATH_GAP] * columns
    for source, target in edges:
        plate = factors.get((source[-1][0], target[-1][0]))
        if plate is not None:      # a slanted arrow has less room; into L, half the arrow
            halved = target[-1][2] == "loss" and len(chains) > 1
            slanted = places[source][1] != places[target][1]
            column = places[source][0]
            gaps[column] = max(gaps[column], plate.width * (2 if halved else 1)
                               * (1.5 if slanted else 1) + 24)
    lefts = [_MARGIN + sum(gaps[:c]) + c * width for c in range(columns)]
    at = {key: (lefts[col] + width / 2, _MARGIN + _BOX_H / 2 + row * _PATH_ROW)
          for key, (col, row) in places.items()}
    shapes = _path_edges(edges, at, width, factors, len(chains) > 1)
    shapes += [_box(*at[key], width, key[-1][1], key[-1][2]) for key in places]
    caption = _caption(gradient, chains, labels)
    bottom = _MARGIN + _BOX_H + (len(chains) - 1) * _PATH_ROW + 26
    shapes.append(Text(_MARGIN, bottom, caption, MUTED, size=12))
    right = max(lefts[-1] + width, _MARGIN + text_width(caption.text, 12))
    theta, loss = labels[gradient.parameter], labels[LOSS]
    desc = "; ".join(" → ".join(item[1].text for item in chain) for chain in chains)
    return Picture(right + _MARGIN, bottom + 14, f"How {theta} reaches {loss}", desc,
                   tuple(shapes))


def _factors(gradient: Gradient) -> dict[tuple[object, object], Factor]:
    """(source, target) -> the factor ∂target/∂source of every arrow of every path."""
    out: dict[tuple[object, object], Factor] = {
        (gradient.parameter, gradient.last.partial.numerator): gradient.last}
    for path in gradient.paths:
        first = gradient.last_of(path)
        out[(gradient.parameter, first.partial.numerator)] = first
        out.update(((f.partial.denominator, f.partial.numerator), f) for f in path)
    return out


def _chains(gradient: Gradient, labels: Labels) -> list[Node]:
    """θ, z, a, …, ŷ, L along each path; without paths, θ, z, then δ layer by layer, L."""
    z = gradient.last.partial.numerator
    head: list[Item] = [(gradient.parameter, label_words(labels, gradient.parameter), "param"),
                        (z, label_words(labels, z), "unit")]
    if not gradient.paths:
        deltas = _layer_deltas(labels, gradient.role.layer)
        return [(*head, *((m, words, "delta") for m, words in deltas),
                 (LOSS, label_words(labels, LOSS), "loss"))]
    depth = role_of(gradient.paths[0][0].partial.denominator).layer  # type: ignore[union-attr]
    chains = []
    for path in gradient.paths:
        z = gradient.last_of(path).partial.numerator     # a shared bias: the path's own unit
        symbols = [factor.partial.numerator for factor in reversed(path)]
        chains.append((head[0], (z, label_words(labels, z), "unit"),
                       *((s, label_words(labels, s), _kind(s, depth)) for s in symbols)))
    return chains


def _layer_deltas(labels: Labels, after: int) -> list[tuple[int, Words]]:
    """(layer, words) of each layer's δ past layer ``after``, named by its first and last unit
    (``δ⁽³⁾₁ … δ⁽³⁾₂₀``): the layers and units whose δ has a label, counted from 1 and 0."""
    names = []
    layer = after + 1
    while delta_symbol(layer, 0) in labels:
        units = next(j for j in itertools.count(1) if delta_symbol(layer, j) not in labels)
        first = label_words(labels, delta_symbol(layer, 0))
        last = label_words(labels, delta_symbol(layer, units - 1))
        names.append((layer, first if units == 1 else first + Words(" … ", r" \ldots{} ") + last))
        layer += 1
    return names


def _kind(symbol: sp.Symbol, depth: int) -> str:
    role = role_of(symbol)
    if role is None:
        return "loss"
    return "output" if role.kind == "a" and role.layer == depth else "unit"


def _tree(chains: Sequence[Node]) -> tuple[dict[Node, tuple[int, float]], list[tuple[Node, Node]]]:
    """Nodes keyed by chain prefix (paths share their start; L is one node): (column, row)."""
    rows: dict[Node, list[int]] = {}
    edges: dict[tuple[Node, Node], None] = {}
    for r, chain in enumerate(chains):
        keys = [chain[:d + 1] if item[2] != "loss" else (item,) for d, item in enumerate(chain)]
        for key in keys:
            rows.setdefault(key, []).append(r)
        edges.update(dict.fromkeys(itertools.pairwise(keys)))
    places = {key: (len(chains[found[0]]) - 1 if key[-1][2] == "loss" else len(key) - 1,
                    sum(found) / len(found)) for key, found in rows.items()}
    return places, list(edges)


def _box(x: float, y: float, width: float, words: Words, kind: str) -> Group:
    return Group(f"step {kind}", (
        Rect(x - width / 2, y - _BOX_H / 2, width, _BOX_H, FILLS[kind], STROKES[kind],
             2.5 if kind in ("param", "loss") else 1.5, rx=7),
        Text(x, y + 4.5, words, INK, anchor="middle")))


def _path_edges(edges: Sequence[tuple[Node, Node]], at: Mapping[Node, tuple[float, float]],
                width: float, factors: Mapping[tuple[object, object], Plate],
                fan_in: bool) -> list[Shape]:
    """Arrows between the boxes, each arrow's local derivative written above it (``fan_in``:
    the arrows into L meet, so their labels go on their first halves)."""
    arrows: list[Shape] = []
    segments, texts = [], []
    for source, target in edges:
        (x0, y0), (x1, y1) = at[source], at[target]
        if target[-1][2] == "loss":  # spread the arrowheads along L's side
            y1 += max(-_BOX_H / 2 + 5, min(_BOX_H / 2 - 5, (y0 - y1) * 0.12))
        arrows.append(Line(x0 + width / 2, y0, x1 - width / 2 - 1, y1, MUTED, 1.4, head=True))
        plate = factors.get((source[-1][0], target[-1][0]))
        if plate is not None:
            start, end = (x0 + width / 2, y0), (x1 - width / 2, y1)
            if fan_in and target[-1][2] == "loss":
                end = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
            texts.append(plate)
            segments.append((offset((*start, *end), 10), plate.width, plate.height))
    blocked = [rect(x, y, 0, width, _BOX_H) for x, y in at.values()]
    return arrows + [text.at(*spot, cls="edge-label")
                     for spot, text in zip(place(segments, blocked), texts)]


def _caption(gradient: Gradient, chains: Sequence[Node], labels: Labels) -> Words:
    partial = (prose("∂") + label_words(labels, LOSS) + prose("/∂")
               + label_words(labels, gradient.parameter))
    if len(chains) == 1 and gradient.paths:
        return (prose("One path: ") + partial
                + prose(" is the product of the local derivatives on its arrows"))
    if gradient.paths:
        return (prose(f"{len(chains)} paths: ") + partial
                + prose(" adds up the product of the local derivatives along each path"))
    z = gradient.last.partial.numerator
    delta = delta_symbol(gradient.role.layer, gradient.role.index[0])
    return (label_words(labels, delta) + prose(" = ∂") + label_words(labels, LOSS) + prose("/∂")
            + label_words(labels, z)
            + prose(" gathers every path, one layer at a time (the recursion)"))
