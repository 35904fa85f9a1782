"""'What the numbers show': each observation appears when its numbers say so, with the
numbers recomputed here from the JSON (or by hand), and not otherwise.

Oracles: σ′(z) = σ(z)(1 − σ(z)) computed with ``math``; the gradients and updated values
the page's JSON reports (themselves checked against finite differences and torch elsewhere).
"""

from __future__ import annotations

import math

import derive


def _spec(layers: list, x: float, y: float, init: list, **example) -> dict:
    return {"title": "t", "inputs": 1, "layers": layers, "loss": "squared_error",
            "example": {"x": [[x]], "y": [[y]], "init": init, **example}}


def _notes(spec: dict) -> tuple[str, dict]:
    loaded = derive.load(spec)
    page = loaded.markdown()
    start = page.find("What the numbers show:")
    end = page.find("## How this was checked")
    return (page[start:end] if start >= 0 else ""), loaded.json()


def test_a_relu_with_negative_z_passes_no_error_back_and_is_not_called_saturated() -> None:
    """ReLU′ = 0 for z < 0 exactly: no error at all, which 'saturated' (a sigmoid's flat
    tail, where a little still flows) misnamed."""
    notes, _ = _notes(_spec([{"units": 2, "activation": "relu"},
                             {"units": 1, "activation": "linear"}], 1.0, 0.3,
                            [{"W": [[-0.5], [0.5]], "b": [0.0, 0.0]},
                             {"W": [[0.5, 0.5]], "b": [0.0]}]))
    assert ("Unit 1 of layer 1 passes no error back: its activation's slope is 0 at "
            "z = -0.5, so the weights into it get no gradient from this sample.") in notes
    assert "saturated" not in notes and "Unit 2" not in notes


def test_a_sigmoid_far_out_is_saturated_with_its_slope() -> None:
    z = 8.0
    slope = 1 / (1 + math.exp(-z)) * (1 - 1 / (1 + math.exp(-z)))
    notes, _ = _notes(_spec([{"units": 1, "activation": "sigmoid"},
                             {"units": 1, "activation": "linear"}], 1.0, 0.3,
                            [{"W": [[z]], "b": [0.0]}, {"W": [[0.5]], "b": [0.0]}]))
    assert (f"Unit 1 of layer 1 is saturated: its activation's slope is {slope:.2g} at "
            f"z = {z:.4g}, so almost no error flows back through it.") in notes


def test_a_relu_pushed_below_zero_by_the_update_is_dead() -> None:
    """z = 0.1 before; the update moves w and b by η·20.2 each, so z = 0.1 − 4.04 after."""
    notes, page = _notes(_spec([{"units": 1, "activation": "relu"},
                                {"units": 1, "activation": "linear"}], 1.0, -10.0,
                               [{"W": [[0.1]], "b": [0.0]}, {"W": [[1.0]], "b": [0.0]}],
                               learning_rate=0.1))
    w, b = (p for p in page["parameters"] if p["layer"] == 1)
    after = w["updated"] * 1.0 + b["updated"]
    assert math.isclose(after, 0.1 - 2 * 0.1 * 20.2)
    assert (f"After the first update, z of ReLU unit 1 in layer 1 is {after:.4g} ≤ 0: its "
            "output and gradient are now 0, so it stops learning (a dead ReLU)") in notes


def test_a_gradient_shrinking_through_sigmoids_is_measured_from_the_json() -> None:
    layers = [{"units": 1, "activation": "sigmoid"} for _ in range(4)]
    layers.append({"units": 1, "activation": "linear"})
    init = [{"W": [[3.0]], "b": [0.0]} for _ in range(4)] + [{"W": [[1.0]], "b": [0.0]}]
    notes, page = _notes(_spec(layers, 1.0, 0.0, init))
    largest = {}
    for p in page["parameters"]:
        if p["kind"] == "W":
            largest[p["layer"]] = max(largest.get(p["layer"], 0.0), abs(p["grad"]))
    ratio = largest[5] / largest[1]
    assert ratio > 4
    assert (f"The largest weight gradient is {ratio:.3g} times smaller in layer 1 than in "
            "layer 5") in notes


def test_nothing_is_said_where_nothing_happens() -> None:
    notes, _ = _notes(_spec([{"units": 1, "activation": "tanh"},
                             {"units": 1, "activation": "linear"}], 0.5, 0.3,
                            [{"W": [[0.4]], "b": [0.1]}, {"W": [[0.7]], "b": [0.0]}]))
    assert notes == ""


def _slow(optimizer: str, **extra) -> tuple[str, dict]:
    spec = _spec([{"units": 1, "activation": "sigmoid"}, {"units": 1, "activation": "linear"}],
                 1.0, 0.9, [{"W": [[0.4]], "b": [0.1]}, {"W": [[0.7]], "b": [0.0]}],
                 learning_rate=0.0001, steps=3, optimizer=optimizer)
    return _notes({**spec, **extra})


def test_a_slow_loss_under_sgd_is_explained_by_eta_times_the_gradient() -> None:
    notes, page = _slow("sgd")
    largest = max(abs(p["grad"]) for p in page["parameters"])
    assert (f"the largest gradient is {largest:.3g}, so a step moves a parameter by at most "
            f"η·{largest:.3g} = {1e-4 * largest:.3g}") in notes


def test_a_slow_loss_under_adam_momentum_or_decay_says_how_far_the_step_went() -> None:
    """Adam's first step is about η whatever the gradient, momentum's grows, weight decay
    adds λw: "at most η·g" would be false there; the page gives the measured move."""
    for optimizer, extra in (("adam", {}), ("momentum", {}),
                             ("sgd", {"regularization": {"l2": 0.5}})):
        notes, page = _slow(optimizer, **extra)
        moved = max(abs(p["updated"] - p["value"]) for p in page["parameters"])
        assert f"the first update moved no parameter by more than {moved:.3g} (η = 0.0001" \
            in notes, (optimizer, notes)
        assert "at most η·" not in notes
