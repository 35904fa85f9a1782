"""pictures: valid SVG that names every node, marks θ's paths, plots every loss, escapes text."""

from __future__ import annotations

import functools
import itertools
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from derive import build_network, derive, load_spec, work_example
from derive.calculus.derivation import Derivation, Gradient
from derive.calculus.names import symbol_names
from derive.calculus.network import LOSS, Network, role_of
from derive.formats.pictures import (
    loss_curve_svg,
    network_svg,
    path_highlight,
    path_svg,
    symbol_labels,
    unicode_label,
)
from derive.numbers.worked import WorkedExample

from .conftest import EXAMPLES, ROOT

NS = "{http://www.w3.org/2000/svg}"
SPECS = sorted(EXAMPLES.glob("*.yaml"))
IDS = [p.stem for p in SPECS]


@functools.cache
def example(path: Path) -> tuple[Network, Derivation, WorkedExample | None]:
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
    network, _, _ = example(EXAMPLES / "output-and-hidden-layers-sigmoid.yaml")
    labels = symbol_labels(network)
    assert labels == {s: unicode_label(t) for s, t in symbol_names(network).items()}
    assert labels[network.layers[1].W[0][0]] == "w⁽²⁾₁₁"
    assert labels[network.output.a[0]] == "ŷ₁"


# --------------------------------------------------------------------------- the network


@pytest.mark.parametrize("path", SPECS, ids=IDS)
def test_network_names_every_node_and_weight(path: Path) -> None:
    network, _, _ = example(path)
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
    network, _, worked = example(path)
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
    network, derivation, _ = example(EXAMPLES / "output-and-hidden-layers-sigmoid.yaml")
    labels = symbol_labels(network)
    gradient = next(g for g in derivation.gradients if g.parameter == network.layers[0].W[0][0])
    assert len(gradient.paths) == 3  # a⁽¹⁾₁ feeds three output units
    root = parse(network_svg(network, labels, highlight=path_highlight(network,
                                                                       gradient.parameter)))
    on_paths = {labels[w] for w in path_weights(gradient) | {gradient.parameter}}
    assert set(titled(root, "line", "highlight")) == on_paths | {"y₁", "y₂", "y₃"}
    assert set(titled(root, "g", "highlight")) == {"a⁽¹⁾₁", "ŷ₁", "ŷ₂", "ŷ₃", "L"}
    assert len(titled(root, "g", "node")) == 8


@pytest.mark.parametrize("path", SPECS, ids=IDS)
def test_path_highlight_is_the_union_of_the_paths(path: Path) -> None:
    network, derivation, _ = example(path)
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
    network, derivation, _ = example(EXAMPLES / "output-and-hidden-layers-sigmoid.yaml")
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
    assert sorted(edge_labels) == ["w⁽²⁾₁₁", "w⁽²⁾₂₁", "w⁽²⁾₃₁"]
    assert "3 paths" in texts(root)[-1]


def test_path_of_an_output_weight_is_one_chain() -> None:
    network, derivation, _ = example(EXAMPLES / "output-and-hidden-layers-sigmoid.yaml")
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
    _, _, worked = example(path)
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
    network, derivation, worked = example(path)
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
