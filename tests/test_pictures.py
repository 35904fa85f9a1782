"""pictures: valid SVG that names every node, marks θ's paths, plots every loss, escapes text.

Examples check what each picture shows; properties (Hypothesis) check what holds for any
network, losses or text: everything inside the view box, labels clear of each other and of
the nodes, hostile text shown as text.
"""

from __future__ import annotations

import functools
import itertools
import math
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from derive import build_network, derive, load_spec, work_example
from derive.calculus import LOSS, Derivation, Gradient, Network, delta_symbol, role_of, symbol_names
from derive.formats.svg import (
    loss_curve_svg,
    network_svg,
    path_highlight,
    path_svg,
    symbol_labels,
    unicode_label,
)
from derive.formats.svg.geometry import Box, offset, overlap, place, rect
from derive.formats.svg.labels import text_width
from derive.formats.svg.markup import Sheet, coordinate, escape
from derive.numbers import WorkedExample

from .conftest import EXAMPLES, NETWORK_EXAMPLES, ROOT

NS = "{http://www.w3.org/2000/svg}"
SPECS = list(NETWORK_EXAMPLES)
IDS = [p.stem for p in SPECS]


@functools.cache
def built(path: Path) -> tuple[Network, Derivation, WorkedExample | None]:
    spec = load_spec(path.read_text(encoding="utf-8"), str(path))
    network = build_network(spec)
    derivation = derive(network)
    return network, derivation, work_example(derivation)


def inline(text: str, name: str = "inline.yaml") -> tuple[Network, Derivation]:
    network = build_network(load_spec(text, name))
    return network, derive(network)


def parse(svg: str) -> ET.Element:
    """Parse and check what every picture must have: xmlns, viewBox, <title> first."""
    root = ET.fromstring(svg)
    assert root.tag == NS + "svg"
    assert re.fullmatch(r"0 0 \d+ \d+", root.get("viewBox", ""))
    assert root.get("font-family") == "sans-serif"
    assert root[0].tag == NS + "title" and root[0].text
    assert " id=" not in svg  # several pictures may share one HTML page
    return root


def texts(root: ET.Element) -> list[str]:
    return ["".join(el.itertext()) for el in root.iter(NS + "text")]


def titled(root: ET.Element, tag: str, cls: str) -> list[str]:
    """The <title> of each ``tag`` element whose class list holds ``cls``."""
    return [el.find(f".//{NS}title").text for el in root.iter(NS + tag)  # type: ignore[union-attr]
            if cls in el.get("class", "").split()]


def path_weights(gradient: Gradient) -> set:
    """The weight on every a -> z edge of every path (factors ∂z_i/∂a_j = w_ij)."""
    return {f.value for path in gradient.paths for f in path
            if role_of(f.partial.numerator) is not None
            and role_of(f.partial.numerator).kind == "z"}  # type: ignore[union-attr]


def worked_number(value: object) -> str:
    text = f"{float(value):.4g}"  # type: ignore[arg-type]
    return "0" if text == "-0" else text.replace("-", "−")


# --------------------------------------------------------------------------- labels


@pytest.mark.parametrize(("latex", "text"), [
    (r"w^{(2)}_{11}", "w⁽²⁾₁₁"),
    (r"z^{(1)}_{2}", "z⁽¹⁾₂"),
    (r"a^{(1)}_{1}", "a⁽¹⁾₁"),
    (r"\hat{y}", "ŷ"),
    (r"\hat{y}_{3}", "ŷ₃"),
    (r"\hat{Y}", "Ŷ"),
    (r"\delta^{(2)}_{1}", "δ⁽²⁾₁"),
    (r"w^{(1)}_{1,10}", "w⁽¹⁾₁,₁₀"),
    (r"\mathrm{iq}", "iq"),
    (r"\mathrm{hours\_slept}", "hours_slept"),
    (r"x_{1}", "x₁"),
    ("w'_{11}", "w′₁₁"),
    (r"W_{1}", "W₁"),
    ("L", "L"),
])
def test_unicode_label(latex: str, text: str) -> None:
    assert unicode_label(latex) == text


def test_labels_are_the_printers_names_in_plain_text() -> None:
    network, _, _ = built(EXAMPLES / "output-and-hidden-layers-sigmoid.yaml")
    labels = symbol_labels(network)
    assert labels == {s: unicode_label(t) for s, t in symbol_names(network).items()}
    assert labels[network.layers[1].W[0][0]] == "w⁽²⁾₁₁"
    assert labels[network.output.a[0]] == "ŷ₁"


# --------------------------------------------------------------------------- the network


@pytest.mark.parametrize("path", SPECS, ids=IDS)
def test_network_names_every_node_and_weight(path: Path) -> None:
    network, _, _ = built(path)
    labels = symbol_labels(network)
    root = parse(network_svg(network, labels))
    shown = set(texts(root))
    for symbol in (*network.x, *(a for layer in network.layers for a in layer.a), LOSS):
        assert labels[symbol] in shown
    weights = [w for layer in network.layers for row in layer.W for w in row]
    assert sorted(titled(root, "line", "edge")) == sorted(
        [labels[w] for w in weights] + [labels[y] for y in network.y])


@pytest.mark.parametrize("path", SPECS, ids=IDS)
def test_network_shows_the_worked_values(path: Path) -> None:
    network, _, worked = built(path)
    if worked is None:
        pytest.skip("no example")
    env = {**worked.first.forwards[0].env, LOSS: worked.first.forwards[0].loss}
    root = parse(network_svg(network, symbol_labels(network), values=env))
    shown = set(texts(root))
    for symbol in (*network.x, *network.output.a, LOSS):
        assert worked_number(env[symbol]) in shown
    first = network.layers[0].W[0][0]
    assert any(t.endswith(f"= {worked_number(env[first])}") for t in titled(root, "line", "edge"))


def test_highlight_marks_every_path_of_a_hidden_weight() -> None:
    network, derivation, _ = built(EXAMPLES / "output-and-hidden-layers-sigmoid.yaml")
    labels = symbol_labels(network)
    gradient = next(g for g in derivation.gradients if g.parameter == network.layers[0].W[0][0])
    assert len(gradient.paths) == 3  # a⁽¹⁾₁ feeds three output units
    root = parse(network_svg(network, labels, highlight=path_highlight(network,
                                                                       gradient.parameter)))
    on_paths = {labels[w] for w in path_weights(gradient) | {gradient.parameter}}
    assert set(titled(root, "line", "highlight")) == on_paths | {"y₁", "y₂", "y₃"}
    assert set(titled(root, "g", "highlight")) == {"a⁽¹⁾₁", "ŷ₁", "ŷ₂", "ŷ₃", "L"}
    assert len(titled(root, "g", "node")) == 8


def test_highlighting_a_units_z_or_bias_marks_the_unit() -> None:
    network, _, _ = built(EXAMPLES / "output-and-hidden-layers-sigmoid.yaml")
    labels = symbol_labels(network)
    hidden, output = network.layers
    root = parse(network_svg(network, labels, highlight=[hidden.z[0], output.b[1]]))
    assert set(titled(root, "g", "highlight")) == {labels[hidden.a[0]], labels[output.a[1]]}
    assert not titled(root, "line", "highlight")


@pytest.mark.parametrize("path", SPECS, ids=IDS)
def test_path_highlight_is_the_union_of_the_paths(path: Path) -> None:
    network, derivation, _ = built(path)
    for gradient in derivation.gradients:
        marked = path_highlight(network, gradient.parameter)
        units = {f.partial.numerator for path in gradient.paths for f in path
                 if role_of(f.partial.numerator) is not None
                 and role_of(f.partial.numerator).kind == "a"}  # type: ignore[union-attr]
        expected = units | path_weights(gradient) | {gradient.parameter}
        assert expected <= marked
        if gradient.paths:  # nothing off the paths but L, targets, θ's own unit
            others = {s for s in marked - expected if role_of(s) is not None
                      and role_of(s).kind != "y"}  # type: ignore[union-attr]
            unit = gradient.role.layer, gradient.role.index[0]
            assert {(role_of(s).layer, role_of(s).index[0])  # type: ignore[union-attr]
                    for s in others} <= {unit}


def test_wide_layer_draws_first_units_an_ellipsis_and_the_last() -> None:
    network, _ = inline("inputs: 3\nlayers:\n  - {units: 20, activation: tanh}\n"
                        "  - {units: 1, activation: sigmoid}\nloss: half_squared_error\n")
    labels = symbol_labels(network)
    root = parse(network_svg(network, labels))
    shown = texts(root)
    units = network.layers[0].a
    assert all(labels[a] in shown for a in (*units[:8], units[-1]))
    assert not any(labels[a] in shown for a in units[8:-1])
    assert shown.count("⋮") == 1
    width, height = (int(v) for v in root.get("viewBox", "").split()[2:])
    assert 300 < width < 1200 and 300 < height < 1000


# --------------------------------------------------------------------------- one parameter's paths


def test_path_branches_where_a_hidden_unit_feeds_several() -> None:
    network, derivation, _ = built(EXAMPLES / "output-and-hidden-layers-sigmoid.yaml")
    labels = symbol_labels(network)
    gradient = next(g for g in derivation.gradients if g.parameter == network.layers[0].W[0][0])
    root = parse(path_svg(gradient, labels))
    desc = root.find(NS + "desc").text  # type: ignore[union-attr]
    assert desc == "; ".join(f"w⁽¹⁾₁₁ → z⁽¹⁾₁ → a⁽¹⁾₁ → z⁽²⁾{j} → ŷ{j} → L" for j in "₁₂₃")
    boxes = ["".join(g.itertext()) for g in root.iter(NS + "g") if "step" in g.get("class", "")]
    assert boxes.count("w⁽¹⁾₁₁") == boxes.count("a⁽¹⁾₁") == boxes.count("L") == 1
    assert sorted(b for b in boxes if b.startswith("ŷ")) == ["ŷ₁", "ŷ₂", "ŷ₃"]
    edge_labels = ["".join(g.itertext()) for g in root.iter(NS + "g")
                   if g.get("class") == "edge-label"]
    outputs = [(f"σ(z⁽²⁾{j})· (1 − σ(z⁽²⁾{j}))", f"ŷ{j} − y{j}") for j in "₁₂₃"]  # two lines
    assert sorted(edge_labels) == sorted(["x₁", "σ(z⁽¹⁾₁)· (1 − σ(z⁽¹⁾₁))", "w⁽²⁾₁₁", "w⁽²⁾₂₁",
                                          "w⁽²⁾₃₁", *itertools.chain(*outputs)])
    assert "3 paths" in texts(root)[-1]


def test_path_of_an_output_weight_is_one_chain() -> None:
    network, derivation, _ = built(EXAMPLES / "output-and-hidden-layers-sigmoid.yaml")
    gradient = next(g for g in derivation.gradients if g.parameter == network.output.W[1][0])
    root = parse(path_svg(gradient, symbol_labels(network)))
    assert root.find(NS + "desc").text == "w⁽²⁾₂₁ → z⁽²⁾₂ → ŷ₂ → L"  # type: ignore[union-attr]


def test_path_without_listed_paths_draws_the_delta_chain() -> None:
    network, derivation = inline("inputs: 2\nlayers:\n  - {units: 3, activation: tanh}\n"
                                 "  - {units: 5, activation: tanh}\n"
                                 "  - {units: 4, activation: sigmoid}\n"
                                 "loss: half_squared_error\n")
    gradient = next(g for g in derivation.gradients if g.parameter == network.layers[0].b[0])
    assert gradient.paths == ()
    root = parse(path_svg(gradient, symbol_labels(network)))
    assert root.find(NS + "desc").text == (  # type: ignore[union-attr]
        "b⁽¹⁾₁ → z⁽¹⁾₁ → δ⁽²⁾₁ … δ⁽²⁾₅ → δ⁽³⁾₁ … δ⁽³⁾₄ → L")


# --------------------------------------------------------------------------- the loss curve


@pytest.mark.parametrize("path", SPECS, ids=IDS)
def test_loss_curve_has_one_point_per_loss(path: Path) -> None:
    _, _, worked = built(path)
    if worked is None or len(worked.losses) < 3:
        pytest.skip("fewer than two steps")
    root = parse(loss_curve_svg(worked.losses, mode=worked.mode))
    points = [c for c in root.iter(NS + "circle") if c.get("class") == "point"]
    assert len(points) == len(worked.losses)
    xs = [float(c.get("cx", "")) for c in points]
    assert xs == sorted(xs)
    line = next(p for p in root.iter(NS + "polyline") if p.get("stroke") != "#555555")
    assert len(line.get("points", "").split()) == len(worked.losses)


def test_loss_curve_ticks_are_round_numbers() -> None:
    root = parse(loss_curve_svg([0.31, 0.2874, 0.25, 0.2311], mode="batch"))
    ticks = [t for t in texts(root) if re.fullmatch(r"−?[0-9.]+", t)]
    loss_ticks = [float(t) for t in ticks if "." in t]
    steps = {round(b - a, 9) for a, b in itertools.pairwise(loss_ticks)}
    assert len(steps) == 1 and steps.pop() in (0.01, 0.02, 0.05)
    assert [t for t in ticks if "." not in t] == ["0", "1", "2", "3"]


def test_loss_curve_takes_flat_and_single_losses() -> None:
    parse(loss_curve_svg([0.5, 0.5, 0.5], mode="sgd"))
    parse(loss_curve_svg([2.0], mode="batch"))


def test_loss_curve_rejects_unknown_mode() -> None:
    with pytest.raises(ValueError, match="mode"):
        loss_curve_svg([1.0, 0.5], mode="adam")


# --------------------------------------------------------------------------- determinism, escaping


def all_pictures(path: Path) -> tuple[str, ...]:
    network, derivation, worked = built(path)
    labels = symbol_labels(network)
    parameter = network.layers[0].W[0][0]
    gradient = next(g for g in derivation.gradients if g.parameter == parameter)
    env = worked.first.forwards[0].env if worked else None
    pictures = (network_svg(network, labels, values=env,
                            highlight=path_highlight(network, parameter)),
                path_svg(gradient, labels))
    return pictures + ((loss_curve_svg(worked.losses, mode=worked.mode),) if worked else ())


@pytest.mark.parametrize("path", SPECS, ids=IDS)
def test_pictures_are_deterministic(path: Path) -> None:
    assert all_pictures(path) == all_pictures(path)


def test_pictures_do_not_depend_on_the_hash_seed() -> None:
    script = ("import hashlib, sys; from pathlib import Path; from tests.test_pictures import "
              "all_pictures; print(hashlib.sha256(''.join(all_pictures(Path(sys.argv[1])))"
              ".encode()).hexdigest())")
    spec = str(EXAMPLES / "output-and-hidden-layers-sigmoid.yaml")
    digests = {subprocess.run([sys.executable, "-c", script, spec], cwd=ROOT, check=True,
                              capture_output=True, text=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}).stdout
               for seed in ("1", "2")}
    assert len(digests) == 1


def test_hostile_text_is_escaped() -> None:
    hostile = '<script>alert("x")</script> & ]]>'
    network, derivation = inline(f"title: '{hostile}'\ninputs: [iq]\nlayers:\n"
                                 "  - {units: 1, activation: linear}\nloss: squared_error\n")
    svg = network_svg(network, symbol_labels(network))
    root = parse(svg)
    assert "<script>" not in svg and not list(root.iter(NS + "script"))
    assert root[0].text == f"The network of “{hostile}”: 1-1 units"
    labels = {s: f'{t}<b a="1">&amp;\x01' for s, t in symbol_labels(network).items()}
    for svg in (network_svg(network, labels), path_svg(derivation.gradients[0], labels)):
        shown = "".join(parse(svg).itertext())
        assert '<b a="1">&amp;' in shown and "\x01" not in shown


# --------------------------------------------------------------------------- properties: the writer

# What XML 1.0 forbids, and how a parser reads back line ends (text) and white space (attributes)
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
any_text = st.lists(st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF)
                    | st.sampled_from(["&", "<", ">", '"', "]]>", "&amp;", "\r\n", "\ud800",
                                       "\ufffe", "\x0b", "\x00", "<script>"]),
                    max_size=20).map("".join)


def read_as_text(text: str) -> str:
    return NOT_XML.sub("", text).replace("\r\n", "\n").replace("\r", "\n")


@given(any_text)
def test_escaped_text_reads_back_as_itself(text: str) -> None:
    """Whatever the text, a parser reads it back (less what XML cannot hold), as text."""
    root = ET.fromstring(f'<a b="{escape(text, True)}">{escape(text)}</a>')
    assert not list(root)
    assert (root.text or "") == read_as_text(text)
    assert root.get("b") == re.sub("[\t\n]", " ", read_as_text(text))


@given(st.floats(-1e9, 1e9))
def test_coordinates_have_one_decimal_at_most_and_no_minus_zero(value: float) -> None:
    text = coordinate(value)
    assert float(text) == float(f"{value:.1f}")
    assert re.fullmatch(r"-?(0|[1-9][0-9]*)(\.[1-9])?", text) and text != "-0"


attribute_keys = st.sampled_from(["x", "y", "class", "fill", "stroke_width", "font-size",
                                  "text_anchor"])
attribute_values = st.one_of(st.integers(-10**6, 10**6), st.booleans(),
                             st.floats(-1e6, 1e6), st.sampled_from([0, 0.0, -0.0, 1, 1.0, True]),
                             any_text, st.sampled_from(['a"b', "&", "<x>", "#222222"]))
attribute_sets = st.dictionaries(attribute_keys, attribute_values, max_size=5)


@given(st.lists(attribute_sets, max_size=6), attribute_sets)
def test_a_sheet_writes_an_element_alike_whatever_it_wrote_before(before: list[dict],
                                                                  attrs: dict) -> None:
    """Attributes read back as written (``_`` as ``-``, numbers as coordinates), and a sheet
    that has written other elements (equal numbers of other types too) writes the same."""
    sheet = Sheet()
    for each in before:
        sheet.tag("g", each)
    assert sheet.tag("g", attrs, "<b/>") == Sheet().tag("g", attrs, "<b/>")
    root = ET.fromstring(sheet.tag("g", attrs))
    assert root.attrib == {
        key.replace("_", "-"): coordinate(value) if isinstance(value, (int, float))
        else re.sub("[\t\n]", " ", read_as_text(value)) for key, value in attrs.items()}


# --------------------------------------------------------------------------- properties: geometry

spots = st.integers(-40, 40).map(lambda v: v * 2.5)  # a coarse grid: boxes often touch exactly
sides = st.integers(1, 40).map(float)
boxes = st.builds(rect, spots, spots, st.sampled_from([0, 30, -45, 90, 180, 12.5]), sides,
                  sides)


@given(boxes, boxes)
def test_overlap_is_symmetric_and_each_box_overlaps_itself(a: Box, b: Box) -> None:
    assert overlap(a, b) == overlap(b, a)
    assert overlap(a, a)


def corners(box: Box) -> list[tuple[float, float]]:
    """The box's corners, counter-clockwise in SVG's y-down frame."""
    x, y, c, s, half_w, half_h, _ = box
    return [(x + u * c - v * s, y + u * s + v * c)
            for u, v in ((-half_w, -half_h), (half_w, -half_h), (half_w, half_h),
                         (-half_w, half_h))]


def side(start: tuple[float, float], end: tuple[float, float],
         point: tuple[float, float]) -> float:
    """Positive left of start -> end (inside, for the counter-clockwise corners)."""
    return (end[0] - start[0]) * (point[1] - start[1]) - (end[1] - start[1]) * (point[0] - start[0])


def shared_area(a: Box, b: Box) -> float:
    """The area two boxes share: a clipped by each side of b (Sutherland–Hodgman)."""
    polygon = corners(a)
    edges = corners(b)
    for start, end in zip(edges, edges[1:] + edges[:1]):
        clipped = []
        for here, there in zip(polygon, polygon[1:] + polygon[:1]):
            s_here, s_there = side(start, end, here), side(start, end, there)
            if s_here >= 0:
                clipped.append(here)
            if (s_here >= 0) != (s_there >= 0):
                t = s_here / (s_here - s_there)
                clipped.append((here[0] + t * (there[0] - here[0]),
                                here[1] + t * (there[1] - here[1])))
        polygon = clipped
        if not polygon:
            return 0.0
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1)
                   in zip(polygon, polygon[1:] + polygon[:1]))) / 2


angles = st.sampled_from([0, 30, -45, 90, 180, 12.5, 71])
near_pairs = st.tuples(boxes, st.integers(-16, 16).map(lambda v: v * 2.5),
                       st.integers(-16, 16).map(lambda v: v * 2.5), angles, sides, sides).map(
    lambda p: (p[0], rect(p[0][0] + p[1], p[0][1] + p[2], p[3], p[4], p[5])))


@given(st.one_of(st.tuples(boxes, boxes), near_pairs))
@example((rect(0, 0, 0, 10, 10), rect(8, 8, -45, 40, 2)))  # apart only across the bar's axis
@example((rect(0, 0, 0, 10, 10), rect(6, 6, -45, 40, 2)))  # the same bar, crossing a corner
def test_boxes_overlap_when_they_share_area(pair: tuple[Box, Box]) -> None:
    """Touching is not overlapping; any shared area is (up to rounding)."""
    area = shared_area(*pair)
    if area > 1e-6:
        assert overlap(*pair)
    elif area < 1e-12:
        assert not overlap(*pair)


@given(spots, spots, sides, sides)
def test_boxes_side_by_side_touch_without_overlapping(x: float, y: float, w: float,
                                                      h: float) -> None:
    box = rect(x, y, 0, w, h)
    for dx, dy in ((w, 0), (-w, 0), (0, h), (0, -h)):
        assert not overlap(box, rect(x + dx, y + dy, 0, w, h))
    assert overlap(box, rect(x + w / 2, y + h / 2, 0, w, h))


segments = st.tuples(spots, spots, spots, spots).filter(lambda s: s[:2] != s[2:])
labels_along = st.tuples(segments, st.integers(6, 60).map(float), st.sampled_from([17.4, 30.6]))


@given(st.lists(labels_along, max_size=10), st.lists(boxes, max_size=10))
def test_every_label_goes_on_its_segment_turned_with_it(labels: list, blocked: list) -> None:
    for ((x0, y0, x1, y1), _, _), (x, y, angle) in zip(labels, place(labels, blocked),
                                                          strict=True):
        t = (x - x0) / (x1 - x0) if abs(x1 - x0) > abs(y1 - y0) else (y - y0) / (y1 - y0)
        assert 0.2 - 1e-9 <= t <= 0.8 + 1e-9
        assert math.isclose(x, x0 + t * (x1 - x0), abs_tol=1e-6)
        assert math.isclose(y, y0 + t * (y1 - y0), abs_tol=1e-6)
        assert math.isclose(angle, math.degrees(math.atan2(y1 - y0, x1 - x0)))


@given(spots, spots, st.integers(20, 200).map(float), st.integers(6, 60).map(float))
def test_a_lone_label_on_a_level_edge_sits_at_its_middle(x: float, y: float, length: float,
                                                         width: float) -> None:
    assert place([((x, y, x + length, y), width, 17.4)], []) == [(x + length / 2, y, 0.0)]


@given(segments, st.integers(1, 30).map(float))
def test_offset_moves_a_segment_to_its_left_hand_side(segment: tuple, by: float) -> None:
    x0, y0, x1, y1 = segment
    moved = offset(segment, by)
    assert math.isclose(math.dist(moved[:2], segment[:2]), by)
    assert math.isclose(math.dist(moved[2:], segment[2:]), by)
    # a left-to-right edge's left-hand side is above it (SVG's y grows downwards)
    cross = (x1 - x0) * (moved[1] - y0) - (y1 - y0) * (moved[0] - x0)
    assert cross < 0


# --------------------------------------------------------------------------- properties: labels

@given(st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,6}", fullmatch=True), st.integers(0, 10**6),
       st.integers(0, 10**6))
def test_scripts_become_unicode_scripts(base: str, upper: int, lower: int) -> None:
    assert unicode_label(base) == base
    sup, sub = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"), str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
    assert unicode_label(f"{base}^{{({upper})}}_{{{lower}}}") == (
        f"{base}⁽{str(upper).translate(sup)}⁾{str(lower).translate(sub)}")


@given(st.text(alphabet="{}\\ a^_'~,", max_size=16))
def test_any_latex_becomes_a_label_without_braces(latex: str) -> None:
    label = unicode_label(latex)
    if "\\" not in latex:
        assert "{" not in label and "}" not in label


# --------------------------------------------------------------------------- properties: pictures

HIDDEN = ["sigmoid", "tanh", "relu"]
NAMES = ["x", "iq", "hours_slept", "temperature_celsius_max"]


@st.composite
def network_specs(draw: st.DrawFn, widths: tuple[int, ...] = (1, 2, 3, 4, 5, 9, 11, 16),
                  depth: int = 3) -> str:
    """A spec's text: 1–12 inputs (counted or named), 1–``depth`` layers, a softmax output
    sometimes (wide layers draw an ellipsis; past 16 edges into a column, few labels)."""
    count = draw(st.integers(1, 12))
    inputs = (f"[{', '.join(f'{draw(st.sampled_from(NAMES))}{i}' for i in range(count))}]"
              if draw(st.booleans()) else str(count))
    units = [draw(st.sampled_from(widths)) for _ in range(draw(st.integers(1, depth)))]
    softmax = draw(st.booleans())
    layers = [f"  - {{units: {n}, activation: {draw(st.sampled_from(HIDDEN))}}}\n"
              for n in units[:-1]]
    layers.append(f"  - {{units: {max(units[-1], 2) if softmax else units[-1]}, "
                  f"activation: {'softmax' if softmax else 'linear'}}}\n")
    loss = "cross_entropy" if softmax else "squared_error"
    return f"inputs: {inputs}\nlayers:\n{''.join(layers)}loss: {loss}\n"


@functools.cache
def network_of(text: str) -> Network:
    return build_network(load_spec(text, "drawn.yaml"))


@functools.cache
def derivation_of(text: str) -> Derivation:
    return derive(network_of(text))


def view_box(root: ET.Element) -> tuple[float, float]:
    width, height = (float(v) for v in root.get("viewBox", "").split()[2:])
    return width, height


def plates(root: ET.Element) -> list[Box]:
    """The edge labels' plates, as boxes (each a group turned by its transform)."""
    found = []
    for group in root.iter(NS + "g"):
        if group.get("class") == "edge-label":
            turn = re.fullmatch(r"translate\((\S+) (\S+)\)(?: rotate\((\S+)\))?",
                                group.get("transform", ""))
            plate = group.find(NS + "rect")
            assert turn is not None and plate is not None
            found.append(rect(float(turn[1]), float(turn[2]), float(turn[3] or 0),
                              float(plate.get("width", "")), float(plate.get("height", ""))))
    return found


def within(box: Box, width: float, height: float) -> bool:
    x0, y0, x1, y1 = box[6]
    return 0 <= x0 and 0 <= y0 and x1 <= width and y1 <= height


@settings(max_examples=40)
@given(network_specs(), st.data())
def test_network_keeps_everything_in_view_and_labels_apart(text: str, data: st.DataObject) -> None:
    network = network_of(text)
    labels = symbol_labels(network)
    layer = data.draw(st.sampled_from(network.layers))
    marked = data.draw(st.sampled_from([frozenset(), path_highlight(network, layer.W[0][0])]))
    values = data.draw(st.sampled_from([None, dict.fromkeys(labels, -123.456)]))
    root = parse(network_svg(network, labels, values=values, highlight=marked))
    width, height = view_box(root)
    nodes = [rect(float(c.get("cx", "")), float(c.get("cy", "")), 0, 2 * float(c.get("r", "")),
                  2 * float(c.get("r", ""))) for c in root.iter(NS + "circle")]
    written = plates(root)
    assert all(within(box, width, height) for box in nodes + written)
    assert not any(overlap(a, b) for a, b in itertools.combinations(written, 2))
    assert not any(overlap(a, b) for a in written for b in nodes)
    for text_element in root.iter(NS + "text"):  # long input names fit left of their node
        if text_element.get("text-anchor") == "end":
            left = float(text_element.get("x", "")) - text_width(text_element.text or "", 13)
            assert left >= 0


@settings(max_examples=40)
@given(network_specs(), st.data())
def test_network_draws_each_weight_once_and_marks_exactly_the_paths(
        text: str, data: st.DataObject) -> None:
    network = network_of(text)
    labels = symbol_labels(network)
    parameter = data.draw(st.sampled_from([*network.parameters]))
    marked = path_highlight(network, parameter)
    root = parse(network_svg(network, labels, highlight=marked))
    symbol_of = {labels[s]: s for s in labels}
    unit_of = {s: a for layer in network.layers  # a unit's z and bias are drawn as the unit
               for s, a in zip((*layer.z, *layer.b), layer.a * 2)}
    on_paths = {unit_of.get(s, s) for s in marked}
    nodes, edges = titled(root, "g", "node"), titled(root, "line", "edge")
    assert len(edges) == len(set(edges))
    assert set(titled(root, "g", "highlight")) == {t for t in nodes if symbol_of[t] in on_paths}
    assert set(titled(root, "line", "highlight")) == {t for t in edges if symbol_of[t] in marked}


@settings(max_examples=30)
@given(network_specs(widths=(1, 2, 3, 4), depth=4), st.data())
def test_paths_keep_boxes_in_view_and_apart(text: str, data: st.DataObject) -> None:
    network, derivation = network_of(text), derivation_of(text)
    labels = symbol_labels(network)
    gradient = data.draw(st.sampled_from(derivation.gradients))
    root = parse(path_svg(gradient, labels))
    width, height = view_box(root)
    steps = []
    for group in root.iter(NS + "g"):
        if "step" in group.get("class", "").split():
            box = group.find(NS + "rect")
            assert box is not None
            x, y, w, h = (float(box.get(k, "")) for k in ("x", "y", "width", "height"))
            steps.append(rect(x + w / 2, y + h / 2, 0, w, h))
    written = plates(root)
    assert all(within(box, width, height) for box in steps + written)
    assert not any(overlap(a, b) for a, b in itertools.combinations(steps + written, 2))
    chains = root.find(NS + "desc").text.split("; ")  # type: ignore[union-attr]
    assert len(chains) == max(1, len(gradient.paths))
    assert all(chain.startswith(f"{labels[gradient.parameter]} → ")
               and chain.endswith(f" → {labels[LOSS]}") for chain in chains)


@settings(max_examples=10)
@given(st.integers(1, 3), st.integers(5, 8), st.integers(5, 8), st.integers(1, 4))
def test_paths_too_many_to_list_go_through_each_later_layers_delta(
        inputs: int, first: int, second: int, outputs: int) -> None:
    text = (f"inputs: {inputs}\nlayers:\n  - {{units: {first}, activation: tanh}}\n"
            f"  - {{units: {second}, activation: tanh}}\n"
            f"  - {{units: {outputs}, activation: sigmoid}}\nloss: half_squared_error\n")
    network, derivation = network_of(text), derivation_of(text)
    gradient = next(g for g in derivation.gradients if g.role.layer == 1)
    assume(not gradient.paths)
    labels = symbol_labels(network)
    root = parse(path_svg(gradient, labels))

    def deltas(layer: int, units: int) -> str:
        first, last = labels[delta_symbol(layer, 0)], labels[delta_symbol(layer, units - 1)]
        return first if units == 1 else f"{first} … {last}"

    z = labels[network.layers[0].z[gradient.role.index[0]]]
    assert root.find(NS + "desc").text == " → ".join(  # type: ignore[union-attr]
        [labels[gradient.parameter], z, deltas(2, second), deltas(3, outputs), "L"])
    assert "(the recursion)" in texts(root)[-1]


@settings(max_examples=40)
@given(st.lists(st.one_of(st.floats(0, 1e4), st.floats(-3, 3)), min_size=1, max_size=80),
       st.sampled_from(["batch", "sgd"]))
def test_loss_curve_keeps_every_point_on_its_axes_in_order(losses: list[float],
                                                            mode: str) -> None:
    root = parse(loss_curve_svg(losses, mode=mode))
    axes = next(p for p in root.iter(NS + "polyline") if p.get("fill") == "none"
                and p.get("stroke") == "#555555")
    (left, top), _, (right, bottom) = (tuple(map(float, point.split(",")))
                                       for point in axes.get("points", "").split())
    points = [(float(c.get("cx", "")), float(c.get("cy", ""))) for c in root.iter(NS + "circle")]
    assert len(points) == len(losses)
    assert all(left <= x <= right and top <= y <= bottom for x, y in points)
    assert all(a[0] < b[0] for a, b in itertools.pairwise(points))
    for ((_, y_i), v_i), ((_, y_j), v_j) in itertools.pairwise(zip(points, losses)):
        if v_i < v_j:  # a larger loss is drawn higher (SVG's y grows downwards)
            assert y_i >= y_j
        if v_i > v_j:
            assert y_i <= y_j


@pytest.mark.parametrize("losses", [[], [1.0, math.nan], [math.inf], [0.5, -math.inf]])
def test_loss_curve_rejects_no_or_infinite_losses(losses: list[float]) -> None:
    with pytest.raises(ValueError, match="loss"):
        loss_curve_svg(losses, mode="batch")


@settings(max_examples=30)
@given(network_specs(widths=(1, 2, 3), depth=2), any_text, st.data())
def test_hostile_labels_are_shown_as_text(text: str, hostile: str, data: st.DataObject) -> None:
    """Every label, whatever its text, is shown as text: in titles, on nodes, on edges."""
    network, derivation = network_of(text), derivation_of(text)
    labels = {s: f"{t}{hostile}" for s, t in symbol_labels(network).items()}
    gradient = data.draw(st.sampled_from(derivation.gradients))
    for svg in (network_svg(network, labels), path_svg(gradient, labels)):
        root = parse(svg)
        assert not any(el.tag in (NS + "script", NS + "a") for el in root.iter())
    root = parse(network_svg(network, labels))
    shown = {read_as_text(labels[s]) for s in labels}
    nodes, edges = titled(root, "g", "node"), titled(root, "line", "edge")
    assert set(nodes) | set(edges) <= shown
    assert read_as_text(labels[LOSS]) in nodes and read_as_text(labels[network.x[0]]) in nodes
    assert read_as_text(labels[network.layers[0].W[0][0]]) in edges
