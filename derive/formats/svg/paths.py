r"""One parameter's computation paths: ``Gradient`` -> θ → z → a → … → ŷ → L as boxes and arrows.

The chains branch where a unit feeds several (seed 004's drawing); when the paths are too
many to list, the chain goes through the δ of each later layer instead (the recursion).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence

import sympy as sp

from ...calculus import LOSS, Gradient, delta_symbol, role_of, weight_symbol
from .geometry import offset, place, rect
from .labels import Labels, text_width
from .markup import Sheet, coordinate
from .palette import FILLS, INK, MUTED, STROKES
from .plates import Plate

__all__ = ["path_svg"]

_BOX_H, _PATH_ROW, _PATH_GAP, _MARGIN = 28.0, 48.0, 72.0, 20.0
Item = tuple[object, str, str]  # (key, text, kind) of one node of a chain
Node = tuple[Item, ...]         # a node of the drawing: the chain up to it (L: itself alone)


def path_svg(gradient: Gradient, labels: Labels) -> str:
    r"""θ → z → a → … → ŷ → L, branching where a unit feeds several."""
    sheet = Sheet()
    chains = _chains(gradient, labels)
    places, edges = _tree(chains)
    width = max(text_width(item[1], 13) for chain in chains for item in chain) + 20
    step = width + _PATH_GAP
    at = {key: (_MARGIN + width / 2 + col * step, _MARGIN + _BOX_H / 2 + row * _PATH_ROW)
          for key, (col, row) in places.items()}
    parts = _path_edges(sheet, edges, at, width, labels)
    parts += [_box(sheet, *at[key], width, key[-1][1], key[-1][2]) for key in places]
    caption = _caption(gradient, chains, labels)
    bottom = _MARGIN + _BOX_H + (len(chains) - 1) * _PATH_ROW + 26
    parts.append(sheet.text(_MARGIN, bottom, caption, font_size=12, fill=MUTED))
    right = max(_MARGIN + width + step * max(c for c, _ in places.values()),
                _MARGIN + text_width(caption, 12))
    theta, loss = labels[gradient.parameter], labels[LOSS]
    desc = "; ".join(" → ".join(item[1] for item in chain) for chain in chains)
    return sheet.document(right + _MARGIN, bottom + 14, f"How {theta} reaches {loss}", desc,
                          parts)


def _chains(gradient: Gradient, labels: Labels) -> list[Node]:
    """θ, z, a, …, ŷ, L along each path; without paths, θ, z, then δ layer by layer, L."""
    z = gradient.last.partial.numerator
    head: list[Item] = [(gradient.parameter, labels[gradient.parameter], "param"),
                        (z, labels[z], "unit")]
    if not gradient.paths:
        deltas = _layer_deltas(labels, gradient.role.layer)
        return [(*head, *((m, text, "delta") for m, text in deltas),
                 (LOSS, labels[LOSS], "loss"))]
    depth = role_of(gradient.paths[0][0].partial.denominator).layer  # type: ignore[union-attr]
    chains = []
    for path in gradient.paths:
        z = gradient.last_of(path).partial.numerator     # a shared bias: the path's own unit
        symbols = [factor.partial.numerator for factor in reversed(path)]
        chains.append((head[0], (z, labels[z], "unit"),
                       *((s, labels[s], _kind(s, depth)) for s in symbols)))
    return chains


def _layer_deltas(labels: Labels, after: int) -> list[tuple[int, str]]:
    """(layer, text) of each layer's δ past layer ``after``, named by its first and last unit
    (``δ⁽³⁾₁ … δ⁽³⁾₂₀``): the layers and units whose δ has a label, counted from 1 and 0."""
    names = []
    layer = after + 1
    while delta_symbol(layer, 0) in labels:
        units = next(j for j in itertools.count(1) if delta_symbol(layer, j) not in labels)
        first, last = labels[delta_symbol(layer, 0)], labels[delta_symbol(layer, units - 1)]
        names.append((layer, first if units == 1 else f"{first} … {last}"))
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


def _weight_between(source: object, target: object) -> sp.Symbol | None:
    """The weight on an edge a^{(l-1)}_j -> z^{(l)}_i of a path, if it is one."""
    a, z = (role_of(s) if isinstance(s, sp.Symbol) else None for s in (source, target))
    if a is None or z is None or z.kind != "z" or a.kind not in ("a", "x"):
        return None
    return weight_symbol(z.layer, z.index[0], a.index[0])


def _arrow(sheet: Sheet, x0: float, y0: float, x1: float, y1: float) -> str:
    """A line with a drawn (not marker) arrowhead: markers need ids, ids clash inline."""
    length = math.hypot(x1 - x0, y1 - y0) or 1.0
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    head = [(x1, y1), (x1 - 9 * ux + 4 * uy, y1 - 9 * uy - 4 * ux),
            (x1 - 9 * ux - 4 * uy, y1 - 9 * uy + 4 * ux)]
    points = " ".join(f"{coordinate(x)},{coordinate(y)}" for x, y in head)
    return (sheet.tag("line", {"x1": x0, "y1": y0, "x2": x1 - 8 * ux, "y2": y1 - 8 * uy,
                               "stroke": MUTED, "stroke-width": 1.4})
            + sheet.tag("polygon", {"points": points, "fill": MUTED}))


def _box(sheet: Sheet, x: float, y: float, width: float, text: str, kind: str) -> str:
    return sheet.tag("g", {"class": f"step {kind}"}, sheet.tag(
        "rect", {"x": x - width / 2, "y": y - _BOX_H / 2, "width": width, "height": _BOX_H,
                 "rx": 7, "fill": FILLS[kind], "stroke": STROKES[kind],
                 "stroke-width": 2.5 if kind in ("param", "loss") else 1.5})
        + sheet.text(x, y + 4.5, text, text_anchor="middle", fill=INK))


def _path_edges(sheet: Sheet, edges: Sequence[tuple[Node, Node]],
                at: Mapping[Node, tuple[float, float]], width: float,
                labels: Labels) -> list[str]:
    """Arrows between the boxes, weights written above the a -> z arrows."""
    arrows, segments, texts = [], [], []
    for source, target in edges:
        (x0, y0), (x1, y1) = at[source], at[target]
        if target[-1][2] == "loss":  # spread the arrowheads along L's side
            y1 += max(-_BOX_H / 2 + 5, min(_BOX_H / 2 - 5, (y0 - y1) * 0.12))
        arrows.append(_arrow(sheet, x0 + width / 2, y0, x1 - width / 2 - 1, y1))
        weight = _weight_between(source[-1][0], target[-1][0])
        if weight is not None:
            texts.append(Plate([(labels[weight], INK, 12)]))
            segments.append((offset((x0 + width / 2, y0, x1 - width / 2, y1), 10),
                             texts[-1].width, texts[-1].height))
    blocked = [rect(x, y, 0, width, _BOX_H) for x, y in at.values()]
    return arrows + [text.draw(sheet, *spot, **{"class": "edge-label"})
                     for spot, text in zip(place(segments, blocked), texts)]


def _caption(gradient: Gradient, chains: Sequence[Node], labels: Labels) -> str:
    theta, loss = labels[gradient.parameter], labels[LOSS]
    if len(chains) == 1 and gradient.paths:
        return f"One path: ∂{loss}/∂{theta} is the product of the factors along it"
    if gradient.paths:
        return (f"{len(chains)} paths: ∂{loss}/∂{theta} adds up the product of the factors "
                "along each path")
    z = labels[gradient.last.partial.numerator]
    delta = labels[delta_symbol(gradient.role.layer, gradient.role.index[0])]
    return f"{delta} = ∂{loss}/∂{z} gathers every path, one layer at a time (the recursion)"
