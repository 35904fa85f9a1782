"""``regularization: {l2: λ}`` (SPEC v1.1): (λ/2) Σ w² of every trainable weight (no bias)
is added to the reduced loss, so each such weight's gradient gains λ w.

Oracles: the same network without regularization (the difference must be exactly the
penalty and λ w), and torch.optim.SGD's own ``weight_decay`` (which adds λ w to the gradient
before the step) for the update.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import derive
from derive.cli import cli

BASE = {"title": "Decay", "inputs": 2, "loss": "squared_error",
        "layers": [{"units": 2, "activation": "tanh"},
                   {"units": 1, "activation": "sigmoid"}],
        "example": {"x": [[0.5, -1.0], [1.5, 0.25]], "y": [[0.3], [0.8]],
                    "learning_rate": 0.2, "steps": 2,
                    "init": [{"W": [[0.15, -0.2], [0.25, 0.3]], "b": [0.35, -0.1]},
                             {"W": [[0.4, -0.45]], "b": [0.6]}]}}


def _run(spec: dict, l2: float | None) -> dict:
    return derive.load({**spec, "regularization": {"l2": l2}} if l2 is not None
                       else spec).json()


@settings(max_examples=12, deadline=None)
@given(st.floats(0.0, 2.0), st.sampled_from(["mean", "sum"]), st.sampled_from([True, False]))
def test_penalty_and_lambda_w_on_top_of_the_plain_loss(l2: float, reduction: str,
                                                       frozen: bool) -> None:
    layers = [{**BASE["layers"][0], **({"trainable": ["b"]} if frozen else {})},
              BASE["layers"][1]]
    spec = {**BASE, "reduction": reduction, "layers": layers}
    plain, decayed = _run(spec, None), _run(spec, l2)
    penalty = 0.0
    for p, q in zip(plain["parameters"], decayed["parameters"]):
        weight = p["kind"] == "W" and not (frozen and p["layer"] == 1)
        expected = p["grad"] + (l2 * p["value"] if weight else 0.0)
        assert q["grad"] == pytest.approx(expected, rel=1e-13, abs=1e-15)
        penalty += p["value"] ** 2 if weight else 0.0
    assert decayed["losses"][0] == pytest.approx(plain["losses"][0] + l2 / 2 * penalty,
                                                 rel=1e-13)
    assert decayed["loss"]["value"] == decayed["losses"][0]
    assert decayed["check"]["passed"] is True


def test_zero_is_no_regularization() -> None:
    plain, zero = _run(BASE, None), _run(BASE, 0)
    assert plain["parameters"] == zero["parameters"] and plain["losses"] == zero["losses"]
    assert "regularization" not in zero


def test_the_update_is_torch_sgd_with_weight_decay_on_the_trainable_weights() -> None:
    torch = pytest.importorskip("torch")
    l2, rate = 0.05, 0.2
    document = _run(BASE, l2)
    assert document["regularization"] == {"l2": l2}
    tensors = [torch.tensor(t, dtype=torch.float64, requires_grad=True)
               for init in BASE["example"]["init"] for t in (init["W"], init["b"])]
    weights, biases = tensors[0::2], tensors[1::2]
    optimizer = torch.optim.SGD([{"params": weights, "weight_decay": l2},
                                 {"params": biases, "weight_decay": 0.0}], lr=rate)
    x = torch.tensor(BASE["example"]["x"], dtype=torch.float64)
    y = torch.tensor(BASE["example"]["y"], dtype=torch.float64)
    losses = []
    for step in range(BASE["example"]["steps"] + 1):      # the last pass: the final loss
        optimizer.zero_grad()
        out = torch.sigmoid(torch.tanh(x @ tensors[0].T + tensors[1]) @ tensors[2].T
                            + tensors[3])
        loss = ((out - y) ** 2).sum(dim=1).mean()
        losses.append(loss.item() + l2 / 2 * sum(float((w.detach() ** 2).sum())
                                                 for w in weights))
        if step < BASE["example"]["steps"]:
            loss.backward()
            optimizer.step()
    assert document["losses"] == pytest.approx(losses, rel=1e-12)
    expected = [v for t in tensors for v in t.detach().reshape(-1).tolist()]
    assert [p["final"] for p in document["parameters"]] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("value, message", [
    ("{l2: -0.1}", "regularization.l2: expected a number >= 0, got '-0.1'"),
    ("{l1: 0.1}", "regularization.l1: expected one of l2, got 'l1'"),
    ("{l2: lots}", "regularization.l2: expected a finite number, got 'lots'"),
    ("0.1", "regularization: expected a mapping"),
])
def test_a_bad_regularization_is_one_line_and_exit_2(tmp_path, value: str,
                                                     message: str) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text("inputs: 1\nlayers:\n  - {units: 1, activation: sigmoid}\n"
                    f"loss: squared_error\nregularization: {value}\n")
    out = CliRunner().invoke(cli, ["render", str(spec), "-o", str(tmp_path / "o")])
    lines = out.stderr.strip().splitlines()
    assert out.exit_code == 2 and lines[0].startswith(f"{spec}:5: {message}"), out.stderr
    # one line per problem: {l1: ..} is also missing its l2
    assert len(lines) == (2 if "l1" in value else 1)
    assert not (tmp_path / "o").exists()


def test_cli_check_agrees_with_both_oracles(tmp_path) -> None:
    spec = tmp_path / "decay.yaml"
    spec.write_text(json.dumps({**BASE, "regularization": {"l2": 0.3}}))
    out = CliRunner().invoke(cli, ["check", str(spec)])
    assert out.exit_code == 0 and ": ok:" in out.output


def test_each_gradient_carries_its_decay_term_for_the_page() -> None:
    """λ w on every trainable weight's Gradient (what a page adds to the reduced gradient)."""
    from derive import build_network, derive as derive_network, load_spec

    layers = [{**BASE["layers"][0], "trainable": ["b"]}, BASE["layers"][1]]
    spec = load_spec(json.dumps({**BASE, "layers": layers, "regularization": {"l2": 0.25}}))
    derivation = derive_network(build_network(spec))
    for g in derivation.gradients:
        trains_w = g.role.kind == "W" and g.role.layer == 2
        assert g.decay == (g.parameter / 4 if trains_w else 0)
    assert set(derivation.network.decayed) == {g.parameter for g in derivation.gradients
                                               if g.decay != 0}
