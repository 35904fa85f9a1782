"""Batch normalization (issue 17) against torch.nn.BatchNorm1d in float64, training mode:
random nets with dense layers around it, on [features] and [channels, length] samples, every
gradient, updated and final value and loss to 1e-9; a batch of 1 refused as torch does."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from click.testing import CliRunner

from derive.cli import cli
from derive.errors import SpecError
from derive.spec.tensor import load_tensor
from derive.tensor import Evaluator, build_model, check_model, work_model

from .torch_oracle import assert_agree, sgd_run

ACTIVATIONS = ("sigmoid", "tanh", "relu", "linear")


def _tensor(rng: random.Random, dims: list[int], spread: float = 2.0) -> object:
    if not dims:
        return round(rng.uniform(-spread, spread), 3)
    return [_tensor(rng, dims[1:], spread) for _ in range(dims[0])]


def _spec(rng: random.Random) -> dict:
    """A random net: [F] -> (dense) -> batchnorm -> (dense), or [C, L] -> batchnorm ->
    flatten -> dense; γ and β PyTorch's 1 and 0 or given."""
    samples = rng.randint(2, 4)
    sequence = rng.random() < 0.3
    shape = [rng.randint(1, 3), rng.randint(1, 3)] if sequence else [rng.randint(1, 3)]
    layers: list[dict] = []
    init: list[dict] = []
    width = shape[0]
    if not sequence and rng.random() < 0.7:
        width = rng.randint(1, 3)
        layers.append({"type": "dense", "units": width,
                       "activation": rng.choice(ACTIVATIONS)})
        init.append({"W": _tensor(rng, [width, shape[0]], 0.8), "b": _tensor(rng, [width], 0.5)})
    norm: dict = {"type": "batchnorm", "activation": rng.choice(ACTIVATIONS)}
    if rng.random() < 0.4:
        norm["eps"] = rng.choice((1e-3, 0.1, 1e-5))
    layers.append(norm)
    init.append({"gamma": _tensor(rng, [width], 1.5), "beta": _tensor(rng, [width], 0.5)}
                if rng.random() < 0.5 else {})
    out = width * (shape[1] if sequence else 1)
    if sequence:
        layers.append({"type": "flatten"})
        init.append({})
    if sequence or rng.random() < 0.7:
        out = rng.randint(1, 2)
        layers.append({"type": "dense", "units": out, "activation": rng.choice(ACTIVATIONS)})
        init.append({"W": _tensor(rng, [out, width * (shape[1] if sequence else 1)], 0.8),
                     "b": _tensor(rng, [out], 0.5)})
    return {"inputs": {"shape": shape}, "layers": layers,
            "loss": rng.choice(("squared_error", "half_squared_error")),
            "reduction": rng.choice(("mean", "sum")),
            "example": {"x": [_tensor(rng, shape) for _ in range(samples)],
                        "y": [_tensor(rng, [out], 1.0) for _ in range(samples)],
                        "init": init, "learning_rate": rng.choice((0.05, 0.1)),
                        "steps": rng.randint(1, 3)}}


def _torch_run(model, torch):  # type: ignore[no-untyped-def]
    """The same net in torch float64 (nn.Linear, nn.BatchNorm1d in training mode, SGD):
    (losses, first gradients, updated, final), parameters by the graph's tensor names."""
    initial = dict(model.initial)
    modules, params = [], {}
    for record in model.layers:
        values = {t.name: torch.tensor([initial[s] for s in t.symbols], dtype=torch.float64)
                  .reshape(t.shape) for t in record.parameters}
        n = record.number
        if record.spec.type == "dense":
            W = values[f"W{n}"]
            module = torch.nn.Linear(W.shape[1], W.shape[0], dtype=torch.float64)
            module.weight.data, module.bias.data = W, values[f"b{n}"]
            params.update({f"W{n}": module.weight, f"b{n}": module.bias})
        elif record.spec.type == "batchnorm":
            gamma = values[f"gamma{n}"]
            module = torch.nn.BatchNorm1d(gamma.shape[0], eps=record.spec.get("eps", 1e-5),
                                          dtype=torch.float64)
            module.weight.data, module.bias.data = gamma, values[f"beta{n}"]
            params.update({f"gamma{n}": module.weight, f"beta{n}": module.bias})
        else:
            module = torch.nn.Flatten()
        modules.append((module, record.spec.activation.name))
    functions = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
                 "linear": lambda v: v}

    def forward(a):  # type: ignore[no-untyped-def]
        for module, activation in modules:
            a = functions[activation](module.train()(a))
        return a
    return sgd_run(model, torch, params, forward)


def test_batchnorm_nets_agree_with_torch_float64() -> None:
    torch = pytest.importorskip("torch")
    rng = random.Random(1701)
    compared = 0
    for case in range(100):
        spec = load_tensor(json.dumps(_spec(rng)), f"case{case}.yaml", default_title="t")
        model = build_model(spec)
        worked = work_model(model, Evaluator(model.graph))
        compared += assert_agree(model, worked, _torch_run(model, torch), case)
    assert compared > 800


SPEC = """title: Batch norm
inputs: {shape: [2]}
layers:
  - {type: dense, units: 3}
  - {type: batchnorm, activation: tanh}
  - {type: dense, units: 1}
loss: squared_error
example:
  x: [[1, 2], [0.5, -1], [-1, 0.3], [2, 1]]
  y: [[1], [0], [0.5], [-1]]
  init: {seed: 1}
"""


def test_gamma_and_beta_start_at_torch_defaults_and_gradients_match_differences() -> None:
    model = build_model(load_tensor(SPEC, "s.yaml", default_title="t"))
    initial = dict(model.initial)
    assert [initial[s] for s in model.graph.tensor("gamma2").symbols] == [1.0] * 3
    assert [initial[s] for s in model.graph.tensor("beta2").symbols] == [0.0] * 3
    check = check_model(model, Evaluator(model.graph), seed=2)
    assert check.passed and check.compared == 3 * 19 and check.max_rel_error < 1e-6


def test_every_input_gradient_of_a_feature_sums_to_zero() -> None:
    """Shifting a feature in every sample moves μ by the same: the output does not change."""
    model = build_model(load_tensor(SPEC, "s.yaml", default_title="t"))
    worked = work_model(model, Evaluator(model.graph))
    z = model.graph.tensor("z1")
    for j in range(3):
        total = sum(worked.grads[z.at(n, j)] for n in range(4))
        assert abs(total) < 1e-12 and any(abs(worked.grads[z.at(n, j)]) > 1e-3
                                          for n in range(4))


def test_a_sample_of_channels_by_length_takes_statistics_over_batch_and_length() -> None:
    """One sample of [C, L] with L > 1 is allowed (torch too): L values per channel."""
    text = ("inputs: {shape: [2, 3]}\nlayers:\n  - {type: batchnorm}\n  - {type: flatten}\n"
            "  - {type: dense, units: 1}\nloss: squared_error\n"
            "example: {x: [[[1, 2, 4], [0, -1, 3]]], y: [[1]]}\n")
    model = build_model(load_tensor(text, "s.yaml", default_title="t"))
    values = work_model(model, Evaluator(model.graph)).values
    mu = model.graph.tensor("mu1")
    assert values[mu.at(0)] == pytest.approx(7 / 3) and values[mu.at(1)] == pytest.approx(2 / 3)


@pytest.mark.parametrize("change, expected", [
    (("x: [[1, 2], [0.5, -1], [-1, 0.3], [2, 1]]", "x: [[1, 2]]"), "at least 2 samples"),
])
def test_a_batch_of_one_is_refused_in_one_line(tmp_path, change, expected) -> None:  # type: ignore[no-untyped-def]
    text = SPEC.replace(*change).replace("y: [[1], [0], [0.5], [-1]]", "y: [[1]]")
    with pytest.raises(SpecError):
        build_model(load_tensor(text, "s.yaml", default_title="t"))
    path = tmp_path / "one.yaml"
    path.write_text(text)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, [str(path), "-o", str(out), "--format", "all"])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and expected in lines[0] and "layers[1]" in lines[0]
    assert "one.yaml:5:" in lines[0] and "Traceback" not in result.output
    assert not out.exists()


def test_batchnorm_on_an_image_is_one_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = ("inputs: {shape: [1, 2, 2]}\nlayers:\n  - {type: batchnorm}\n  - {type: flatten}\n"
            "  - {type: dense, units: 1}\nloss: squared_error\nexample:\n"
            "  x: [[[[1, 2], [3, 4]]], [[[0, 1], [1, 0]]]]\n  y: [[1], [0]]\n")
    path = tmp_path / "img.yaml"
    path.write_text(text)
    result = CliRunner().invoke(cli, [str(path), "-o", str(tmp_path / "out")])
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 2 and len(lines) == 1
    assert "layers[0].type" in lines[0] and "[channels, length]" in lines[0]


def test_a_frozen_batchnorm_keeps_gamma_and_beta_and_a_list_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    frozen = SPEC.replace("activation: tanh}", "activation: tanh, trainable: false}")
    model = build_model(load_tensor(frozen, "f.yaml", default_title="t"))
    worked = work_model(model, Evaluator(model.graph))
    for name in ("gamma2", "beta2"):
        for s in model.graph.tensor(name).symbols:
            assert worked.final[s] == dict(model.initial)[s] and worked.grads[s] != 0.0
    path = tmp_path / "w.yaml"
    path.write_text(SPEC.replace("activation: tanh}", "activation: tanh, trainable: [W]}"))
    result = CliRunner().invoke(cli, [str(path), "-o", str(tmp_path / "out")])
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 2 and len(lines) == 1 and "layers[1].trainable" in lines[0]


_values = st.floats(-3, 3, allow_nan=False).map(lambda v: round(v, 2))


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 5).flatmap(lambda n: st.tuples(
    st.lists(st.lists(_values, min_size=2, max_size=2), min_size=n, max_size=n),
    st.lists(st.lists(_values, min_size=2, max_size=2), min_size=n, max_size=n))),
    st.lists(st.floats(0.2, 2), min_size=2, max_size=2), st.sampled_from((1e-5, 0.1)))
def test_input_gradients_are_the_published_compact_formula(data, gamma, eps) -> None:  # type: ignore[no-untyped-def]
    """∂L/∂x_i = γ/(N√(σ²+ε)) (N g_i − Σ g − x̂_i Σ g x̂) (Ioffe and Szegedy 2015, the
    form of cs231n's assignment), from reverse mode's g; the x gradients sum to zero."""
    x, y = data
    spec = {"inputs": {"shape": [2]}, "layers": [{"type": "batchnorm", "eps": eps}],
            "loss": "squared_error", "example": {"x": x, "y": y, "init": [{"gamma": gamma}]}}
    model = build_model(load_tensor(json.dumps(spec), "p.yaml", default_title="t"))
    worked = work_model(model, Evaluator(model.graph))
    n, out = len(x), model.output
    for j in range(2):
        column = [x[k][j] for k in range(n)]
        mean = sum(column) / n
        var = sum((v - mean) ** 2 for v in column) / n
        hat = [(v - mean) / (var + eps) ** 0.5 for v in column]
        g = [worked.grads.get(out.at(k, j), 0.0) for k in range(n)]
        total, moment = sum(g), sum(a * b for a, b in zip(g, hat))
        grads = [worked.grads.get(model.x.at(k, j), 0.0) for k in range(n)]
        for k in range(n):
            expected = gamma[j] / (n * (var + eps) ** 0.5) * (n * g[k] - total - hat[k] * moment)
            assert abs(grads[k] - expected) <= 1e-9 * max(1.0, abs(expected))
        assert abs(sum(grads)) <= 1e-9 * max(1.0, *map(abs, grads))
