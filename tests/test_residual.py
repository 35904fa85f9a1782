"""Residual layers (SPEC v1.1): ``name: h1`` on a layer, ``add: h1`` (or ``add: inputs``) on a
later one gives a = g(z) + the output of h1.

Oracles: a forward pass written here in NumPy with central finite differences (no
derivative anywhere), torch.autograd where installed, and the derivation's own structure:
the δ of the added layer gains the residual's "+1" path.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

import derive
from derive import build_network, derive as derive_network, load_spec
from derive.calculus.chain import path_count, paths_to_loss
from derive.cli import cli
from tests.test_shared_bias import rendered

W1, B1 = [[0.15, -0.2], [0.25, 0.3]], [0.35, -0.1]
W2, B2 = [[0.4, 0.45], [-0.5, 0.55]], [0.6, 0.2]
W3, B3 = [[0.3, -0.7]], [0.05]
X, Y = [[0.5, -1.0], [1.5, 0.25]], [[0.3], [0.8]]
RESIDUAL = {"title": "Residual", "inputs": 2, "loss": "squared_error",
            "layers": [{"units": 2, "activation": "tanh", "name": "h1"},
                       {"units": 2, "activation": "sigmoid", "add": "h1"},
                       {"units": 1, "activation": "linear"}],
            "example": {"x": X, "y": Y, "learning_rate": 0.1,
                        "init": [{"W": W1, "b": B1}, {"W": W2, "b": B2}, {"W": W3, "b": B3}]}}


def _loss(theta: np.ndarray, x_add: bool = False) -> float:
    """The mean squared error of RESIDUAL (or of its ``add: inputs`` twin) in NumPy."""
    w1, b1 = theta[0:4].reshape(2, 2), theta[4:6]
    w2, b2 = theta[6:10].reshape(2, 2), theta[10:12]
    w3, b3 = theta[12:14].reshape(1, 2), theta[14:15]
    total = 0.0
    for x, y in zip(np.array(X), np.array(Y)):
        h1 = np.tanh(w1 @ x + b1)
        h2 = 1 / (1 + np.exp(-(w2 @ h1 + b2))) + (x if x_add else h1)
        total += float(np.sum((y - (w3 @ h2 + b3)) ** 2))
    return total / len(X)


def _central(theta: np.ndarray, x_add: bool = False, h: float = 1e-6) -> np.ndarray:
    out = np.zeros_like(theta)
    for i in range(len(theta)):
        step = np.zeros_like(theta)
        step[i] = h
        out[i] = (_loss(theta + step, x_add) - _loss(theta - step, x_add)) / (2 * h)
    return out


THETA = np.array([*np.ravel(W1), *B1, *np.ravel(W2), *B2, *np.ravel(W3), *B3])


@pytest.mark.parametrize("source", ["h1", "inputs"])
def test_gradients_match_a_hand_written_forward_pass(source: str) -> None:
    spec = {**RESIDUAL, "layers": [RESIDUAL["layers"][0], {**RESIDUAL["layers"][1],
                                                          "add": source},
                                   RESIDUAL["layers"][2]]}
    document = derive.load(spec).json()
    grads = np.array([p["grad"] for p in document["parameters"]])
    assert document["losses"][0] == pytest.approx(_loss(THETA, source == "inputs"), rel=1e-14)
    assert grads == pytest.approx(_central(THETA, source == "inputs"), rel=1e-7, abs=1e-9)
    assert document["check"]["passed"] is True


def test_without_the_residual_the_numbers_differ() -> None:
    """The +1 path matters: dropping ``add`` changes every gradient of layer 1."""
    plain = {**RESIDUAL, "layers": [RESIDUAL["layers"][0],
                                    {"units": 2, "activation": "sigmoid"},
                                    RESIDUAL["layers"][2]]}
    with_add = [p["grad"] for p in derive.load(RESIDUAL).json()["parameters"][:6]]
    without = [p["grad"] for p in derive.load(plain).json()["parameters"][:6]]
    assert all(abs(a - b) > 1e-6 for a, b in zip(with_add, without))


def test_the_delta_of_the_added_layer_takes_the_plus_one_path() -> None:
    network = build_network(load_spec(json.dumps(RESIDUAL)))
    derivation = derive_network(network)
    delta = derivation.delta(1, 0).value
    text = str(getattr(delta, "expr", lambda: delta)())
    assert "d:3:0" in text and "w:2:0:0" in text     # via layer 2's units and straight to 3
    # z1 -> a1 -> (2 units of layer 2 -> layer 3) or (+1 -> a2 -> layer 3): 3 paths
    assert path_count(network, 1) == 3
    paths = paths_to_loss(network, 1, 0)
    assert len(paths) == 3 and sum(1 for p in paths if any(
        f.value == 1 and f.partial.denominator == network.layers[0].a[0] for f in p)) == 1
    assert all(g.proved for g in derivation.gradients if g.proved is not None)
    assert all(m.delta and m.bias and m.weights for m in derivation.matrix)


@pytest.mark.parametrize("output, loss", [("softmax", "squared_error"),
                                          ("sigmoid", "half_squared_error"),
                                          ("relu", "huber")])
def test_a_residual_into_the_output_layer_is_checked(output: str, loss: str) -> None:
    """No loss/activation shortcut holds when ŷ = g(z) + a: the check proves the δ anyway."""
    spec = {"inputs": 2, "loss": loss, "layers": [
        {"units": 2, "activation": "tanh", "name": "h1"},
        {"units": 2, "activation": output, "add": "h1"}],
        "example": {"x": [0.3, -0.8], "y": [0.2, 0.7],
                    "init": [{"W": W1, "b": B1}, {"W": W2, "b": B2}]}}
    document = derive.load(spec).json()      # finite differences, and torch when installed
    assert document["check"]["passed"] is True
    assert document["check"]["max_rel_error"] < 1e-9


@pytest.mark.parametrize("layers, message", [
    ("  - {units: 2, activation: tanh, name: h1}\n  - {units: 3, activation: tanh, add: h1}\n",
     "4: layers[1].add: expected h1 with 3 units (as many as this layer), got 2 units"),
    ("  - {units: 2, activation: tanh}\n  - {units: 2, activation: tanh, add: h1}\n",
     "4: layers[1].add: expected the name of an earlier layer or inputs (inputs), got 'h1'"),
    ("  - {units: 2, activation: tanh, add: h2}\n  - {units: 2, activation: tanh, name: h2}\n",
     "3: layers[0].add: expected the name of an earlier layer or inputs (inputs), got 'h2'"),
    ("  - {units: 2, activation: tanh, name: h1}\n  - {units: 2, activation: tanh, name: h1}\n",
     "4: layers[1].name: expected a unique name, got 'h1'"),
    ("  - {units: 2, activation: tanh, name: inputs}\n  - {units: 2, activation: tanh}\n",
     "3: layers[0].name: expected a name other than inputs, got 'inputs'"),
    ("  - {units: 3, activation: tanh, add: inputs}\n  - {units: 2, activation: tanh}\n",
     "3: layers[0].add: expected inputs with 3 units (as many as this layer), got 2 units"),
    ("  - {units: 2, activation: tanh, name: 1x}\n  - {units: 2, activation: tanh}\n",
     "3: layers[0].name: expected a name of letters, digits and _ starting with a letter "
     "(at most 32 characters), got '1x'"),
])
def test_a_bad_residual_is_one_line_exit_2_and_writes_nothing(tmp_path, layers: str,
                                                              message: str) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text(f"inputs: 2\nlayers:\n{layers}loss: squared_error\n")
    out = CliRunner().invoke(cli, ["render", str(spec), "-o", str(tmp_path / "o")])
    assert out.exit_code == 2
    assert out.stderr.strip() == f"{spec}:{message}"
    assert not (tmp_path / "o").exists()


def test_the_page_shows_the_residual_sum(tmp_path) -> None:
    page, document = rendered(tmp_path, RESIDUAL)
    assert document["check"]["passed"] is True
    assert r"a^{(2)}_{1} &= a^{(1)}_{1} + \sigma\left(z^{(2)}_{1}\right)" in page
    # δ of h1: through layer 2's units, and (the +1 path) straight on to layer 3
    assert (r"\delta^{(1)}_{1} &= \left(w^{(2)}_{11} \delta^{(2)}_{1} + w^{(2)}_{21} "
            r"\delta^{(2)}_{2} + w^{(3)}_{11} \delta^{(3)}_{1}\right)") in page


def test_check_against_diagnoses_a_wrong_backward_of_a_residual_network(
        tmp_path, monkeypatch) -> None:
    """The mutant backward pass takes the +1 path too: a flipped sign is named as such."""
    spec = tmp_path / "res.yaml"
    spec.write_text(json.dumps({**RESIDUAL, "regularization": {"l2": 0.1}}))
    (tmp_path / "flipped_backward.py").write_text(
        f"import derive\nRIGHT = derive.load({str(spec)!r})\n\n"
        "def backward(params, x, y):\n"
        "    grads = RIGHT.gradients(params, x, y)\n"
        "    return {k: -v if k == 'W1' else v for k, v in grads.items()}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    out = CliRunner().invoke(cli, ["check", str(spec), "--against", "flipped_backward:backward"])
    text = out.output + out.stderr
    assert out.exit_code == 1 and "internal error" not in text
    assert "--against flipped_backward:backward: W1:" in text and "the sign is flipped" in text
    assert "W2:" not in text and "b1:" not in text
