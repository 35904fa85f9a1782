r"""One parameter's computation paths: ``Gradient`` -> θ → z → a → … → ŷ → L as boxes and arrows.

The chains branch where a unit feeds several (seed 004's drawing); each arrow carries its
local derivative, the chain-rule factor the page's derivation multiplies (``Gradient``'s
factors, printed by the page's printer). When the paths are too many to list, the chain goes
through the δ of each later layer instead (the recursion).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence

import sympy as sp

from ...calculus import LOSS, Gradient, Printer, delta_symbol, role_of
from ...calculus.expressions import Factor
from ..picture.model import Group, Line, Picture, Rect, Shape, Text, Words
from ..picture.svg import svg_text
from .geometry import offset, place, rect
from .labels import Labels, formula_words, label_words, prose, text_width
from .palette import FILLS, INK, MUTED, STROKES
from .path_layout import BOX_H, MARGIN, arrow_ends, layout
from .plates import Plate

__all__ = ["path_picture", "path_svg"]

_LABEL = 12.0       # the local derivatives' font size
_ONE_LINE = 16      # characters: a local derivative this long or shorter keeps one line
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
    factors = {key: Plate([(formula_words(part), INK, _LABEL)
                           for part in _halves(printer.doprint(f.value))])
               for key, f in _factors(gradient).items()}
    width = max(text_width(item[1].text, 13) for chain in chains for item in chain) + 20
    fan_in = len(chains) > 1

    def need(source: Node, target: Node) -> float:
        plate = factors.get((source[-1][0], target[-1][0]))
        return 0.0 if plate is None else plate.width

    at = layout(places, edges, width, need, snake=not fan_in)
    shapes = _path_edges(edges, at, width, factors, fan_in)
    shapes += [_box(*at[key], width, key[-1][1], key[-1][2]) for key in places]
    caption = _caption(gradient, chains, labels)
    bottom = max(y for _, y in at.values()) + BOX_H / 2 + 26
    shapes.append(Text(MARGIN, bottom, caption, MUTED, size=12))
    right = max(max(x for x, _ in at.values()) + width / 2, MARGIN + text_width(caption.text, 12))
    theta, loss = labels[gradient.parameter], labels[LOSS]
    desc = "; ".join(" → ".join(item[1].text for item in chain) for chain in chains)
    return Picture(right + MARGIN, bottom + 14, f"How {theta} reaches {loss}", desc,
                   tuple(shapes))


def _halves(latex: str) -> list[str]:
    r"""A long factor in two lines, split where it is a product or a sum at its top level
    (``σ(z)`` / ``· (1 − σ(z))``), as evenly as it goes; a short one in one line."""
    if len(formula_words(latex).text) <= _ONE_LINE:
        return [latex]
    depth, spots = 0, []
    for match in re.finditer(r"\\left.|\\right.|\\begin|\\end|[{}]| (?=\\left\(|[-+] )",
                             latex):
        token = match.group()
        if token == " ":
            if depth == 0:
                spots.append(match.start())
        else:
            depth += 1 if token[0] == "{" or token.startswith((r"\begin", r"\left")) else -1
    if not spots:
        return [latex]
    cut = min(spots, key=lambda i: abs(len(formula_words(latex[:i]).text)
                                       - len(formula_words(latex[i + 1:]).text)))
    rest = latex[cut + 1:]
    return [latex[:cut], rest if rest[0] in "+-" else r"\cdot " + rest]


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
        Rect(x - width / 2, y - BOX_H / 2, width, BOX_H, FILLS[kind], STROKES[kind],
             2.5 if kind in ("param", "loss") else 1.5, rx=7),
        Text(x, y + 4.5, words, INK, anchor="middle")))


def _path_edges(edges: Sequence[tuple[Node, Node]], at: Mapping[Node, tuple[float, float]],
                width: float, factors: Mapping[tuple[object, object], Plate],
                fan_in: bool) -> list[Shape]:
    """Arrows between the boxes, each arrow's local derivative written above it (``fan_in``:
    the arrows into L meet, so their labels stand upright where the arrows leave)."""
    arrows: list[Shape] = []
    segments, texts, beside = [], [], []
    for source, target in edges:
        (x0, y0), (x1, y1) = at[source], at[target]
        if target[-1][2] == "loss" and abs(x1 - x0) >= 1:  # spread the heads along L's side
            y1 += max(-BOX_H / 2 + 5, min(BOX_H / 2 - 5, (y0 - y1) * 0.12))
        start_x, start_y, end_x, end_y = arrow_ends(x0, y0, x1, y1, width)
        arrows.append(Line(start_x, start_y, end_x, end_y, MUTED, 1.4, head=True))
        plate = factors.get((source[-1][0], target[-1][0]))
        if plate is None:
            continue
        if abs(x1 - x0) < 1:    # down to the next row: upright, beside it on the inner side
            side = -1 if x0 > sum(x for x, _ in at.values()) / len(at) else 1
            beside.append(plate.at(x0 + side * (plate.width / 2 + 8), (start_y + end_y) / 2, 0,
                                   cls="edge-label"))
            continue
        if fan_in and target[-1][2] == "loss":  # where the arrows into L part: upright
            beside.append(plate.at(start_x + plate.width / 2 + 4,
                                   start_y - plate.height / 2 - 2, 0, cls="edge-label"))
            continue
        if end_x < start_x:                 # a backward row: the label reads left to right
            start_x, start_y, end_x, end_y = end_x, end_y, start_x, start_y
        texts.append(plate)
        segments.append((offset((start_x, start_y, end_x, end_y), plate.height / 2 + 1.5),
                         plate.width, plate.height))
    blocked = [rect(x, y, 0, width, BOX_H) for x, y in at.values()]
    blocked += [rect(p.x, p.y, 0, p.w, p.h) for p in beside]
    return arrows + beside + [text.at(*spot, cls="edge-label", grow="up")
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
