"""The rnn layer (issue 17) against torch.nn.RNN in float64: backpropagation through time as
reverse mode over the unrolled graph, every gradient, update and loss to 1e-9; its page
audited; impossible shapes one line, exit 2."""

from __future__ import annotations

import json
import random

import pytest
from click.testing import CliRunner

from derive.cli import cli
from derive.spec.tensor import load_tensor
from derive.tensor import Evaluator, build_model, work_model

from .conftest import EXAMPLES
from .torch_oracle import assert_agree, sgd_run

CASES = 100


def _case(rng: random.Random) -> str:
    steps, features, units = rng.randint(2, 5), rng.randint(1, 3), rng.randint(1, 3)
    samples, sequence = rng.randint(1, 3), rng.random() < 0.4
    rnn = {"type": "rnn", "units": units, "activation": rng.choice(("tanh", "relu")),
           "bias": rng.random() < 0.8, "return": "sequence" if sequence else "last"}
    head = rng.randint(1, 2)
    outputs = head * (steps if sequence else 1)
    x = [[[round(rng.uniform(-1, 1), 3) for _ in range(features)] for _ in range(steps)]
         for _ in range(samples)]
    y = [[round(rng.uniform(-1, 1), 3) for _ in range(outputs)] for _ in range(samples)]
    return json.dumps({
        "inputs": {"shape": [steps, features]},
        "layers": [rnn, {"type": "dense", "units": head}],
        "loss": rng.choice(("squared_error", "half_squared_error")),
        "reduction": rng.choice(("mean", "sum")),
        "example": {"x": x, "y": y, "init": {"seed": rng.randint(0, 99)},
                    "learning_rate": 0.1, "steps": rng.randint(1, 2)}})


def _torch_forward(model, torch):  # type: ignore[no-untyped-def]
    """torch.nn.RNN (batch_first, b_hh = 0) and nn.Linear with the model's first values."""
    initial = dict(model.initial)
    params = {t.name: torch.tensor([initial[s] for s in t.symbols], dtype=torch.float64)
              .reshape(t.shape).requires_grad_() for t in model.graph.parameters}
    layer = model.layers[0].spec
    sequence = layer.get("return", "last") == "sequence"
    act = torch.tanh if layer.get("activation").name == "tanh" else torch.relu

    def forward(x):  # type: ignore[no-untyped-def]
        rnn = torch.nn.RNN(x.shape[2], params["W1"].shape[0], nonlinearity=layer.get(
            "activation").name, bias="b1" in params, batch_first=True).double()
        # the module's own forward, with our leaves as its weights (b_hh = 0)
        weights = {"weight_ih_l0": params["W1"], "weight_hh_l0": params["U1"]}
        if "b1" in params:
            weights |= {"bias_ih_l0": params["b1"],
                        "bias_hh_l0": torch.zeros_like(params["b1"])}
        out, _ = torch.func.functional_call(rnn, weights, (x,))
        assert act is not None
        h = out if sequence else out[:, -1]
        return h @ params["W2"].T + params["b2"]
    return params, forward


def test_rnn_agrees_with_torch_float64() -> None:
    torch = pytest.importorskip("torch")
    rng = random.Random(2026)
    compared = 0
    for case in range(CASES):
        model = build_model(load_tensor(_case(rng), f"case{case}.yaml", default_title="t"))
        worked = work_model(model, Evaluator(model.graph))
        params, forward = _torch_forward(model, torch)
        compared += assert_agree(model, worked, sgd_run(model, torch, params, forward), case)
    assert compared > 5 * CASES


def test_the_example_teaches_bptt_and_every_equation_is_audited(tmp_path) -> None:  # type: ignore[no-untyped-def]
    spec = EXAMPLES / "rnn-backprop-through-time.yaml"
    result = CliRunner().invoke(cli, [str(spec), "-o", str(tmp_path), "--format", "all"])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "rnn-backprop-through-time.md").read_text(encoding="utf-8")
    assert "backpropagation through time" in page and "vanishing gradients" in page
    data = json.loads((tmp_path / "rnn-backprop-through-time.json").read_text())
    assert data["verified"]["passed"] and data["verified"]["equations"] >= 10


@pytest.mark.parametrize("layers, shape", [
    ('[{type: rnn, units: 2}, {type: dense, units: 1}]', "[1, 3, 3]"),   # an image
    ('[{type: rnn, units: 2}, {type: dense, units: 1}]', "[3]"),         # one vector
    ('[{type: flatten}, {type: rnn, units: 2}]', "[2, 2]"),              # after flatten
])
def test_impossible_shapes_are_one_line_exit_2(tmp_path, layers: str, shape: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bad.yaml"
    size = 1
    for n in json.loads(shape):
        size *= n
    x = [[0.5] * size]          # a flat sample of the right size: the shape error is the layer's
    path.write_text(f"inputs: {{shape: {shape}}}\nlayers: {layers}\nloss: squared_error\n"
                    f"example: {{x: {x}, y: [[1]]}}\n")
    result = CliRunner().invoke(cli, [str(path), "-o", str(tmp_path / "o")])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.output
    assert "layers[" in lines[0] and "rnn" in lines[0] or "sequence" in lines[0], lines[0]
    assert not (tmp_path / "o").exists()
