"""pictures' shortcuts give exactly what the plain computations give.

The SVG must not change by a byte when it is made faster, so each shortcut is compared with
the plain way it replaces: memoised attributes with formatting afresh, the inline bounds
test with ``_overlap``'s, edges grouped by column with looking every column up, and the δ
names found without parsing every symbol with parsing them all.
"""

from __future__ import annotations

import math

import pytest
import sympy as sp
from hypothesis import example, given
from hypothesis import strategies as st

from derive import build_network, load_spec
from derive.formats import pictures as P
from derive.calculus.network import LOSS, Network, role_of

from .conftest import EXAMPLES

# --------------------------------------------------------------------------- attributes

keys = st.sampled_from(["x", "y", "class", "fill", "stroke_width", "font-size", "text_anchor"])
values = st.one_of(st.integers(-10**6, 10**6), st.booleans(), st.floats(width=64),
                   st.floats(-1e4, 1e4).map(lambda v: round(v, 2)), st.sampled_from([0, 0.0, -0.0]),
                   st.text(max_size=8), st.sampled_from(['a"b', "&", "<x>", "#222222"]))


def plain_attribute(key: str, value: object) -> str:
    number = isinstance(value, (int, float))
    return f' {key.replace("_", "-")}="{P._n(value) if number else P._esc(value, True)}"'


@given(st.lists(st.dictionaries(keys, values, max_size=5), max_size=6), st.text(max_size=4))
def test_tags_with_memoised_attributes_are_formatted_afresh(attrs: list[dict], body: str) -> None:
    """Equal values of other types (1, 1.0, True; 0.0, -0.0) share a memo entry: fine only
    because they are written alike, which this checks."""
    for each in attrs:
        parts = "".join(plain_attribute(key, value) for key, value in each.items())
        plain = f"<g{parts}>{body}</g>" if body else f"<g{parts}/>"
        assert P._tag("g", each, body) == plain


# --------------------------------------------------------------------------- label placement

# On a coarse grid, so that boxes often touch exactly (touching is not meeting)
coordinates = st.integers(-40, 40).map(lambda v: v * 2.5)
boxes = st.builds(P._rect, coordinates, coordinates, st.sampled_from([0, 0.0, 30, -45, 90, 180]),
                  st.integers(1, 40).map(float), st.integers(1, 20).map(float))
close_boxes = st.builds(P._rect, st.sampled_from([0.0, 5.0, 10.0]), st.sampled_from([0.0, 5.0]),
                        st.just(0), st.sampled_from([5.0, 10.0]), st.sampled_from([5.0, 10.0]))


def bounds_meet(a: P.Box, b: P.Box) -> bool:
    return not (a[6][2] <= b[6][0] or b[6][2] <= a[6][0] or a[6][3] <= b[6][1]
                or b[6][3] <= a[6][1])


@given(st.one_of(boxes, close_boxes), st.lists(st.one_of(boxes, close_boxes), max_size=12))
@example(P._rect(0, 0, 0, 10, 10), [P._rect(x, y, 0, 10, 10)  # touching on each side
                                    for x, y in [(10, 0), (-10, 0), (0, 10), (0, -10)]])
def test_meeting_keeps_the_boxes_overlap_does_not_rule_out(reach: P.Box,
                                                           others: list[P.Box]) -> None:
    meeting = P._meeting(reach, others)
    assert meeting == [box for box in others if bounds_meet(reach, box)]
    assert not any(P._overlap(reach, box) for box in others if not bounds_meet(reach, box))


def plain_place(segments: list, blocked: list) -> list:
    """``_place`` as it read before ``_meeting``: a bounds test per call, every pair."""
    steepest = max((abs(y1 - y0) for (_, y0, _, y1), _, _ in segments), default=0.0) or 1.0
    reaches = [P._reach(segment, w, h) for segment, w, h in segments]
    near = [[box for box in blocked if bounds_meet(reach, box)] for reach in reaches]
    spots: list = [None] * len(segments)
    left = math.inf
    for _ in range(3):
        for i, (segment, w, h) in enumerate(segments):
            placed = [spot[1] for j, spot in enumerate(spots)
                      if spot is not None and j != i and bounds_meet(reaches[i], spot[1])]
            spots[i] = P._best_spot(segment, w, h, steepest, near[i] + placed)
        before, left = left, sum(spot[0] for spot in spots)
        if left == 0 or left >= before:
            break
    return [spot[2:] for spot in spots]


segments = st.tuples(st.tuples(coordinates, coordinates, coordinates, coordinates),
                     st.integers(6, 60).map(float), st.sampled_from([17.4, 30.6]))


@given(st.lists(segments, max_size=10), st.lists(boxes, max_size=10))
def test_placing_labels_is_unchanged(segments: list, blocked: list) -> None:
    assert P._place(segments, blocked) == plain_place(segments, blocked)


# --------------------------------------------------------------------------- the network's edges

WIDE = """
title: Wide
inputs: 3
layers:
  - {units: 12, activation: sigmoid}
  - {units: 20, activation: tanh}
  - {units: 2, activation: linear}
loss: squared_error
"""


def networks() -> list[Network]:
    specs = [(path.read_text(encoding="utf-8"), str(path)) for path in sorted(EXAMPLES.glob("*.yaml"))]
    return [build_network(load_spec(text, name)) for text, name in [*specs, (WIDE, "wide.yaml")]]


def plain_edge_texts(edges: list, drawn: dict, labels: P.Labels, values: dict | None,
                     marked: frozenset) -> dict:
    """``_edge_texts`` as it read before the grouping: each edge's column looked up."""
    into: dict[int, int] = {}
    hot: dict[int, int] = {}
    for key, _, target in edges:
        into[drawn[target]] = into.get(drawn[target], 0) + 1
        hot[drawn[target]] = hot.get(drawn[target], 0) + (key in marked)
    texts = {}
    for key, _, target in edges:
        count = into[drawn[target]]
        if count <= P._MAX_LABELLED or (key in marked and hot[drawn[target]] <= P._MAX_UNITS):
            valued = values is not None and key in values and count <= P._MAX_VALUED
            texts[key] = P._lines(labels[key], values[key] if valued else None)
    return texts


@pytest.mark.parametrize("network", networks(), ids=lambda network: network.spec.title[:30])
def test_edges_grouped_by_column_say_what_they_said(network: Network) -> None:
    labels = P.symbol_labels(network)
    columns = P._columns(network)
    drawn = {s: c for c, (*_, symbols) in enumerate(columns) for s in symbols if s is not None}
    into = P._edges(network, drawn)
    assert not into[0] and len(into) == len(columns)
    assert all(drawn[target] == c for c, edges in enumerate(into) for _, _, target in edges)
    edges = [edge for group in into for edge in group]
    values = dict.fromkeys(labels, 0.25)
    cases = [(values, frozenset())] + [
        (None, frozenset(P._as_node(s) for s in P.path_highlight(network, layer.W[0][0])))
        for layer in network.layers]
    for worked, marked in cases:
        texts = P._edge_texts(into, labels, worked, marked)
        assert texts == plain_edge_texts(edges, drawn, labels, worked, marked)
        assert list(texts) == list(plain_edge_texts(edges, drawn, labels, worked, marked))


# --------------------------------------------------------------------------- δ names, LaTeX groups

# (kind, layer and unit numbers): each unit once, as in a network (ties would compare symbols)
roles = st.lists(st.tuples(st.sampled_from(["w", "b", "z", "a", "x", "y", "d", "delta"]),
                           st.lists(st.integers(0, 12), min_size=2, max_size=3).map(tuple)),
                 max_size=40, unique_by=lambda role: role[1])


@given(roles)
def test_layer_deltas_match_parsing_every_symbol(found: list[tuple[str, tuple[int, ...]]]) -> None:
    names = [":".join([kind, *map(str, numbers)]) for kind, numbers in found]
    labels = {sp.Symbol(name): name for name in names} | {LOSS: "L"}
    units: dict[int, list] = {}
    for symbol in labels:
        role = role_of(symbol)
        if role is not None and role.kind == "delta":
            units.setdefault(role.layer, []).append((role.index, symbol))
    plain = {}
    for layer, deltas in units.items():
        (_, first), (_, last) = min(deltas), max(deltas)
        plain[layer] = labels[first] if first == last else f"{labels[first]} … {labels[last]}"
    assert P._layer_deltas(labels) == plain


def plain_group(latex: str, i: int) -> tuple[str, int]:
    """``_group`` as it read before: the brace depth from a dict per character."""
    while i < len(latex) and latex[i] == " ":
        i += 1
    if i >= len(latex) or latex[i] == "\\" or latex[i] != "{":
        return P._group(latex, i)  # not a braced group: that part did not change
    depth, j = 0, i
    while j < len(latex):
        depth += {"{": 1, "}": -1}.get(latex[j], 0)
        if depth == 0:
            return latex[i + 1:j], j + 1
        j += 2 if latex[j] == "\\" else 1
    return latex[i + 1:], len(latex)


@given(st.text(alphabet="{}\\ a^_", max_size=16))
def test_braced_groups_end_where_they_did(latex: str) -> None:
    for i in range(len(latex) + 1):
        assert P._group(latex, i) == plain_group(latex, i)
