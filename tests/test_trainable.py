"""``trainable:`` (SPEC v1.1): frozen tensors are derived and shown but never updated.

Compared with an independent hand-written update: the trainable tensors move by
θ − η ∂L/∂θ with the derivation's own gradients; the frozen ones keep their values.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import derive
from derive.cli import cli

MAZUR = {"title": "Mazur", "inputs": 2, "loss": "half_squared_error",
         "layers": [{"units": 2, "activation": "sigmoid", "trainable": ["W"]},
                    {"units": 2, "activation": "sigmoid", "trainable": ["W"]}],
         "example": {"x": [0.05, 0.10], "y": [0.01, 0.99], "learning_rate": 0.5, "steps": 3,
                     "init": [{"W": [[0.15, 0.20], [0.25, 0.30]], "b": [0.35, 0.35]},
                              {"W": [[0.40, 0.45], [0.50, 0.55]], "b": [0.60, 0.60]}]}}


def test_frozen_biases_keep_their_values_and_weights_follow_the_gradient() -> None:
    document = derive.load(MAZUR).json()
    for p in document["parameters"]:
        if p["kind"] == "b":
            assert p["trainable"] is False and p["updated"] == p["value"] == p["final"]
        else:
            assert "trainable" not in p
            assert p["updated"] == pytest.approx(p["value"] - 0.5 * p["grad"], abs=1e-15)
    w5 = next(p for p in document["parameters"] if p["layer"] == 2 and p["index"] == [0, 0])
    w1 = next(p for p in document["parameters"] if p["layer"] == 1 and p["index"] == [0, 0])
    assert w5["updated"] == pytest.approx(0.35891648, abs=1e-8)        # Mazur's w5+
    assert w1["updated"] == pytest.approx(0.149780716, abs=1e-9)       # Mazur's w1+


def test_a_frozen_layer_keeps_everything_and_still_has_gradients() -> None:
    frozen = {**MAZUR, "layers": [{"units": 2, "activation": "sigmoid", "trainable": False},
                                  {"units": 2, "activation": "sigmoid"}]}
    document = derive.load(frozen).json()
    first = [p for p in document["parameters"] if p["layer"] == 1]
    assert all(p["final"] == p["value"] and p["grad"] != 0 for p in first)
    assert all(p["final"] != p["value"] for p in document["parameters"] if p["layer"] == 2)


@pytest.mark.parametrize("value", ["[W, W]", "[w]", "maybe", "{W: 1}"])
def test_a_bad_trainable_is_one_line_and_exit_2(tmp_path, value: str) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text("inputs: 1\nlayers:\n  - {units: 1, activation: sigmoid, trainable: "
                    f"{value}}}\nloss: squared_error\n")
    out = CliRunner().invoke(cli, [str(spec), "-o", str(tmp_path / "o")])
    assert out.exit_code == 2 and "layers[0].trainable" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_mazur_error_after_the_first_round_is_exact_with_frozen_biases() -> None:
    """Mazur's biases are one per layer and never trained; frozen per-unit biases of equal
    value give the same forward pass, so his published numbers come out exactly."""
    one_step = {**MAZUR, "example": {**MAZUR["example"], "steps": 1}}
    losses = derive.load(one_step).json()["losses"]
    assert losses[0] == pytest.approx(0.298371109, abs=1e-9)
    assert losses[1] == pytest.approx(0.2910277737, abs=1e-10)   # he prints 0.291027924
