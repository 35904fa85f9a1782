"""``example.optimizer`` (SPEC v1.1): sgd, momentum and Adam with torch.optim's semantics.

Oracles independent of the update code: momentum 0 is plain sgd; the first momentum step is
plain sgd (torch starts the velocity at the gradient); Adam's first step moves every
trainable parameter by lr · |g| / (|g| + eps) against its gradient (m̂ = g, v̂ = g²); a
hand recurrence over the worked gradients for later steps; frozen tensors keep their values
and have no state. (tests/test_torch_formula_optim.py compares with torch.optim itself.)
"""

from __future__ import annotations

import math

import pytest
import yaml

import derive
from derive.registry import OPTIMIZERS

SPEC = {"title": "optimizers", "inputs": 2, "loss": "half_squared_error",
        "layers": [{"units": 2, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}],
        "example": {"x": [[0.5, -0.3], [0.2, 0.9]], "y": [[0.7], [0.2]], "steps": 3,
                    "learning_rate": 0.2, "init": {"seed": 5}}}


def _with(optimizer: object, **example: object) -> dict:
    spec = {**SPEC, "example": {**SPEC["example"], "optimizer": optimizer, **example}}
    return derive.load(spec).json()


def test_momentum_zero_is_sgd_and_its_first_step_is_sgd() -> None:
    sgd = derive.load(SPEC).json()
    zero = _with({"name": "momentum", "momentum": 0})
    assert zero["losses"] == sgd["losses"]
    assert [p["final"] for p in zero["parameters"]] == [p["final"] for p in sgd["parameters"]]
    momentum = _with({"name": "momentum", "momentum": 0.9})
    assert [p["updated"] for p in momentum["parameters"]] == \
        [p["updated"] for p in sgd["parameters"]]
    assert momentum["optimizer"]["steps"][0]["velocity"] == [p["grad"] for p in sgd["parameters"]]
    assert "optimizer" not in sgd and "optimizer" not in _with("sgd")


def test_adam_moves_each_parameter_by_the_rate_on_its_first_step() -> None:
    document = _with({"name": "adam", "eps": 1e-8})
    assert document["optimizer"]["name"] == "adam" and document["optimizer"]["beta2"] == 0.999
    for p in document["parameters"]:
        g = p["grad"]
        expected = p["value"] - 0.2 * g / (abs(g) + 1e-8)
        assert math.isclose(p["updated"], expected, rel_tol=1e-13, abs_tol=1e-15)


def test_adam_state_follows_the_recurrence_over_the_steps() -> None:
    """m, v after each step from the gradients at each step (sgd mode: one sample a step)."""
    b1, b2 = 0.8, 0.99
    document = _with({"name": "adam", "beta1": b1, "beta2": b2}, mode="sgd")
    spec = {**SPEC, "example": {**SPEC["example"], "mode": "sgd", "optimizer": {
        "name": "adam", "beta1": b1, "beta2": b2}}}
    worked = derive.work_example(derive.derive(derive.build_network(
        derive.load_spec(yaml.safe_dump(spec), "adam.yaml"))))
    steps = worked.steps
    for k in range(len(document["parameters"])):
        m = v = 0.0
        for t, step in enumerate(steps, start=1):
            g = float(step.gradients[k])
            m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
            assert math.isclose(document["optimizer"]["steps"][t - 1]["m"][k], m, rel_tol=1e-12)
            assert math.isclose(document["optimizer"]["steps"][t - 1]["v"][k], v, rel_tol=1e-12)
            theta = float(step.parameters[k]) - 0.2 * (m / (1 - b1 ** t)) / (
                math.sqrt(v / (1 - b2 ** t)) + 1e-8)
            after = steps[t].parameters[k] if t < len(steps) else worked.final[k]
            assert math.isclose(float(after), theta, rel_tol=1e-12)


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_frozen_tensors_have_no_state_and_keep_their_values(optimizer: str) -> None:
    spec = {**SPEC, "layers": [{**SPEC["layers"][0], "trainable": ["W"]}, SPEC["layers"][1]],
            "example": {**SPEC["example"], "optimizer": optimizer}}
    document = derive.load(spec).json()
    frozen = [i for i, p in enumerate(document["parameters"]) if p.get("trainable") is False]
    assert frozen and all(document["parameters"][i]["final"] == document["parameters"][i]["value"]
                          for i in frozen)
    for step in document["optimizer"]["steps"]:
        for name in OPTIMIZERS[optimizer].state:
            assert [i for i, v in enumerate(step[name]) if v is None] == frozen


@pytest.mark.parametrize(("optimizer", "message"), [
    ("nesterov", "example.optimizer: expected one of adam, momentum, sgd, got 'nesterov'"),
    ({"name": "adam", "beta1": 1}, "example.optimizer.beta1: expected a number in [0, 1)"),
    ({"name": "momentum", "momentum": -0.5}, "example.optimizer.momentum: expected a number >= 0"),
    ({"name": "adam", "gamma": 2}, "example.optimizer.gamma: expected one of beta1, beta2, eps"),
])
def test_a_bad_optimizer_is_one_line(optimizer: object, message: str) -> None:
    with pytest.raises(derive.SpecError) as caught:
        _with(optimizer)
    assert message in str(caught.value) and len(str(caught.value).splitlines()) == 1


@pytest.mark.parametrize(("optimizer", "words"), [
    ({"name": "momentum", "momentum": 0.85},
     r"gradient descent with momentum (\(\mu = 0.85\)), exactly as torch.optim does: "
     r"\(v \leftarrow \mu v + g"),
    ({"name": "adam", "beta1": 0.8},
     r"Adam (\(\beta_1 = 0.8, \beta_2 = 0.999, \epsilon = 1e-08\)), exactly as torch.optim "
     r"does: "
     r"\(m \leftarrow \beta_1 m"),
    ("sgd", r"\(\theta \leftarrow \theta - \eta \, \partial \mathcal{L} / \partial \theta\)"),
])
def test_the_page_states_the_update_rule_it_used(optimizer: object, words: str) -> None:
    spec = {**SPEC, "example": {**SPEC["example"], "optimizer": optimizer}}
    page = derive.load(spec).markdown()
    assert words in page
    assert (r"\theta \leftarrow \theta - \eta \, \partial" in page) == (optimizer == "sgd")
