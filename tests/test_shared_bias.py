"""``bias: shared`` (SPEC v1.1): ONE scalar bias for the whole layer.

Oracles: Mazur's published numbers ("A Step by Step Backpropagation Example", whose
b1, b2 are one bias per layer), the sum over units of the per-unit biases' gradients of
the same network with per-unit biases of equal value (the chain rule: b feeds every unit),
and the CLI's own check (finite differences and torch).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import derive
from derive.cli import cli

MAZUR = {"title": "Mazur", "inputs": 2, "loss": "half_squared_error",
         "layers": [{"units": 2, "activation": "sigmoid", "bias": "shared", "trainable": ["W"]},
                    {"units": 2, "activation": "sigmoid", "bias": "shared", "trainable": ["W"]}],
         "example": {"x": [0.05, 0.10], "y": [0.01, 0.99], "learning_rate": 0.5,
                     "init": [{"W": [[0.15, 0.20], [0.25, 0.30]], "b": 0.35},
                              {"W": [[0.40, 0.45], [0.50, 0.55]], "b": [0.60]}]}}


def _entry(document: dict, layer: int, kind: str, index: list[int]) -> dict:
    return next(p for p in document["parameters"]
                if (p["layer"], p["kind"], p["index"]) == (layer, kind, index))


def test_mazur_published_numbers_with_one_frozen_bias_per_layer() -> None:
    document = derive.load(MAZUR).json()
    assert document["losses"][0] == pytest.approx(0.298371109, abs=1e-9)      # E before
    assert _entry(document, 2, "W", [0, 0])["updated"] == pytest.approx(0.35891648, abs=1e-8)
    assert _entry(document, 1, "W", [0, 0])["updated"] == pytest.approx(0.149780716, abs=1e-9)
    assert document["losses"][1] == pytest.approx(0.2910277737, abs=1e-10)   # he: 0.291027924
    assert document["check"]["passed"] is True


def test_json_has_one_shared_entry_per_layer() -> None:
    biases = [p for p in derive.load(MAZUR).json()["parameters"] if p["kind"] == "b"]
    assert [(p["layer"], p["index"], p["shared"]) for p in biases] == [(1, [0], True),
                                                                       (2, [0], True)]
    assert all(p["trainable"] is False and p["final"] == p["value"] for p in biases)


def _per_unit(spec: dict) -> dict:
    """The same network with a bias per unit, each of the shared one's value."""
    layers = [{**la, "bias": True} for la in spec["layers"]]
    init = [{"W": i["W"], "b": [float(np.ravel(i["b"])[0])] * len(i["W"])}
            for i in spec["example"]["init"]]
    return {**spec, "layers": layers, "example": {**spec["example"], "init": init}}


def test_the_gradient_is_the_sum_over_the_layers_units() -> None:
    shared = derive.load(MAZUR).json()["parameters"]
    per_unit = derive.load(_per_unit(MAZUR)).json()["parameters"]
    for layer in (1, 2):
        units = [p["grad"] for p in per_unit if p["kind"] == "b" and p["layer"] == layer]
        (one,) = [p["grad"] for p in shared if p["kind"] == "b" and p["layer"] == layer]
        assert len(units) == 2 and one == pytest.approx(sum(units), rel=1e-13)


@settings(max_examples=15, deadline=None)
@given(st.lists(st.floats(-1, 1), min_size=10, max_size=10),
       st.sampled_from(["tanh", "relu", "linear"]), st.sampled_from(["mean", "sum"]))
def test_sum_over_units_holds_anywhere(values: list[float], activation: str,
                                       reduction: str) -> None:
    spec = {"inputs": 2, "loss": "squared_error", "reduction": reduction,
            "layers": [{"units": 3, "activation": activation, "bias": "shared"},
                       {"units": 1, "activation": "sigmoid"}],
            "example": {"x": [[0.3, -0.7], [1.1, 0.4]], "y": [[0.2], [0.9]],
                        "init": [{"W": [values[0:2], values[2:4], values[4:6]], "b": values[6]},
                                 {"W": [values[7:10]], "b": 0.1}]}}
    shared = derive.load(spec).json()["parameters"]
    per_unit = derive.load(_per_unit(spec)).json()["parameters"]
    units = [p["grad"] for p in per_unit if p["kind"] == "b" and p["layer"] == 1]
    (one,) = [p for p in shared if p["kind"] == "b" and p["layer"] == 1]
    assert one["grad"] == pytest.approx(sum(units), rel=1e-9, abs=1e-12)
    assert one["updated"] == pytest.approx(one["value"] - 0.1 * one["grad"], rel=1e-12,
                                           abs=1e-15)


def test_api_gives_b_of_shape_one() -> None:
    result = derive.load(MAZUR)
    grads = result.gradients()
    assert grads["b1"].shape == (1,) and grads["b2"].shape == (1,)
    assert grads["W1"].shape == (2, 2)
    params = result.parameters()
    assert params["b1"].tolist() == [0.35]
    again = result.gradients(params, [0.05, 0.10], [0.01, 0.99])
    assert again["b2"].tolist() == pytest.approx(grads["b2"].tolist(), rel=1e-14)


def test_trainable_b_moves_only_the_shared_bias() -> None:
    spec = {**MAZUR, "layers": [{**la, "trainable": ["b"]} for la in MAZUR["layers"]]}
    document = derive.load(spec).json()
    for p in document["parameters"]:
        if p["kind"] == "b":
            assert p["updated"] == pytest.approx(p["value"] - 0.5 * p["grad"], abs=1e-15)
        else:
            assert p["updated"] == p["value"]


def rendered(tmp_path, spec: dict) -> tuple[str, dict]:
    """The spec rendered by the command line in every format: its Markdown page and JSON."""
    path = tmp_path / "spec.yaml"
    path.write_text(json.dumps(spec))
    out = CliRunner().invoke(cli, ["render", str(path), "--format", "all", "-o",
                                   str(tmp_path / "o")])
    assert out.exit_code == 0, out.output
    return ((tmp_path / "o" / "spec.md").read_text(),
            json.loads((tmp_path / "o" / "spec.json").read_text()))


def test_the_page_writes_the_shared_bias_without_a_unit_index(tmp_path) -> None:
    page, document = rendered(tmp_path, MAZUR)
    assert r"x_{2} + b^{(1)} \\" in page and "b^{(1)}_{1}" not in page
    # each path leaves from the unit it goes through: ∂z_2/∂b on unit 2's paths
    assert r"\frac{\partial z^{(2)}_{2}}{\partial b^{(2)}}" in page
    # the shared bias's gradient sums the δ of every unit it feeds
    assert r"= \delta^{(2)}_{1} + \delta^{(2)}_{2}" in page
    assert document["check"]["passed"] is True


@pytest.mark.parametrize("bias, message", [
    ("sharde", "layers[0].bias: expected true, false or shared, got 'sharde'"),
    ("[shared]", "layers[0].bias: expected true, false or shared, got a list of 1"),
])
def test_a_bad_bias_is_one_line_and_exit_2(tmp_path, bias: str, message: str) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text(f"inputs: 1\nlayers:\n  - {{units: 2, activation: sigmoid, bias: {bias}}}\n"
                    "  - {units: 1, activation: linear}\nloss: squared_error\n")
    out = CliRunner().invoke(cli, ["render", str(spec), "-o", str(tmp_path / "o")])
    assert out.exit_code == 2 and out.stderr.strip() == f"{spec}:3: {message}"
    assert not (tmp_path / "o").exists()


def test_a_shared_bias_takes_one_initial_value(tmp_path) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text("inputs: 1\nlayers:\n  - {units: 2, activation: sigmoid, bias: shared}\n"
                    "loss: squared_error\nexample:\n  x: [1]\n  y: [0, 1]\n"
                    "  init:\n    - {W: [[1], [2]], b: [0.1, 0.2]}\n")
    out = CliRunner().invoke(cli, ["render", str(spec), "-o", str(tmp_path / "o")])
    assert out.exit_code == 2 and len(out.stderr.strip().splitlines()) == 1
    assert "example.init[0].b: expected a list of 1 numbers (one per shared bias)" in out.stderr


def test_exercise_variants_draw_one_value_for_a_shared_bias(tmp_path) -> None:
    spec = tmp_path / "mazur.yaml"
    spec.write_text(json.dumps(MAZUR))
    out = CliRunner().invoke(cli, ["exercises", str(spec), "--variants", "2", "-o",
                                   str(tmp_path / "ex")])
    assert out.exit_code == 0, out.output + out.stderr
    variant = (tmp_path / "ex" / "variant-1" / "spec.yaml").read_text()
    assert variant.count("b: [") == 2 and "bias: shared" in variant
    assert all(len(line.split(",")) == 1 for line in variant.splitlines() if "b: [" in line)
