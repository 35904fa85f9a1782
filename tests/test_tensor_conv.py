"""conv1d / conv2d layers against torch.nn.functional.conv1d / conv2d in float64.

Seeded random networks (a conv, sometimes a second conv, then sometimes flatten and dense;
1-3 channels in and out, kernels, strides, paddings, with and without bias, several
activations, mean and sum, 1-3 samples, 1-3 SGD steps) are written as spec YAML and run
through the library (load_tensor -> build_model -> work_model). The oracle is written here
from torch alone: every gradient (parameters and inputs) at the example, the parameters
after the first and the last step, and every loss must agree to 1e-9 relative. Impossible
shapes are one-line SpecErrors at the layer's key and line.
"""

from __future__ import annotations

import random

import pytest

from derive.errors import SpecError
from derive.spec.tensor import load_tensor
from derive.tensor import Evaluator, build_model, check_model, work_model

torch = pytest.importorskip("torch")
F = torch.nn.functional

CASES = 110
REL_TOL = 1e-9
ACTIVATIONS = {"linear": lambda z: z, "relu": torch.relu, "tanh": torch.tanh,
               "sigmoid": torch.sigmoid}
LOSSES = {"squared_error": lambda p, y: (y - p) ** 2,
          "half_squared_error": lambda p, y: 0.5 * (p - y) ** 2}
CONV = {1: F.conv1d, 2: F.conv2d}


@pytest.fixture(autouse=True, scope="module")
def _one_thread():  # type: ignore[no-untyped-def]
    """Tiny tensors: torch's threads only contend on a shared machine (75 -> 1 ms a case)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _nested(values: list[float], shape: tuple[int, ...]) -> object:
    if not shape:
        return values[0]
    step = len(values) // shape[0]
    return [_nested(values[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]


def _conv_layer(rng: random.Random, rank: int, channels: int, size: list[int]) -> tuple[dict, list[int]]:
    """A conv layer that fits ``size`` (spatial), and the output's spatial sizes."""
    kernel = [rng.randint(1, min(3, n + 2)) for n in size]
    padding = [max(rng.choice((0, 0, 1, 2)), (k - n + 1) // 2) for k, n in zip(kernel, size)]
    stride = [rng.choice((1, 1, 2)) for _ in size]
    layer = {"type": f"conv{rank}d", "channels": channels,
             "activation": rng.choice(tuple(ACTIVATIONS))}
    same = rank == 1 or rng.random() < 0.6
    layer["kernel"] = kernel[0] if same and len(set(kernel)) == 1 else kernel
    if any(s != 1 for s in stride):
        layer["stride"] = stride[0] if len(set(stride)) == 1 else stride
    if any(p for p in padding):
        layer["padding"] = padding[0] if len(set(padding)) == 1 else padding
    if rng.random() < 0.25:
        layer["bias"] = False
    out = [(n + 2 * p - k) // s + 1 for n, p, k, s in zip(size, padding, kernel, stride)]
    return layer, out


def _case(seed: int, rank: int) -> dict:
    rng = random.Random(seed)
    channels = rng.randint(1, 3)
    size = [rng.randint(1, 6 if rank == 1 else 4) for _ in range(rank)]
    layers, width, spatial = [], channels, size
    for _ in range(1 if rng.random() < 0.6 else 2):
        out_channels = rng.randint(1, 3)
        layer, spatial = _conv_layer(rng, rank, out_channels, spatial)
        layers.append(layer)
        width = out_channels
    out_shape = [width] + spatial
    if rng.random() < 0.6:
        units = rng.randint(1, 2)
        layers += [{"type": "flatten"}, {"units": units}]
        out_shape = [units]
    samples = rng.randint(1, 3)
    size_in = channels * _prod(size)
    x = [_nested([round(rng.uniform(-2, 2), 3) for _ in range(size_in)], (channels, *size))
         for _ in range(samples)]
    y = [_nested([round(rng.uniform(-1, 1), 2) for _ in range(_prod(out_shape))],
                 tuple(out_shape)) for _ in range(samples)]
    return {"title": f"conv case {seed}", "inputs": {"shape": [channels, *size]},
            "layers": layers, "loss": rng.choice(tuple(LOSSES)),
            "reduction": rng.choice(("mean", "sum")),
            "example": {"x": x, "y": y, "init": {"seed": seed},
                        "learning_rate": rng.choice((0.01, 0.05, 0.1)),
                        "steps": rng.randint(1, 3)}}


def _prod(sizes: list[int]) -> int:
    out = 1
    for n in sizes:
        out *= n
    return out


def _yaml(case: dict) -> str:
    import json      # JSON is YAML: the spec as the reader sees any file
    return json.dumps(case)


def _torch_run(case: dict, model) -> tuple[list[dict], list[float]]:  # type: ignore[no-untyped-def]
    """Parameters by name (per step), losses, the input gradient at the first step."""
    start = model.values()
    params = {t.name: torch.tensor([start[s] for s in t.symbols], dtype=torch.float64)
              .reshape(t.shape) for t in model.graph.parameters}
    x = torch.tensor(case["example"]["x"], dtype=torch.float64, requires_grad=True)
    y = torch.tensor(case["example"]["y"], dtype=torch.float64)
    ex, states, losses, grads = case["example"], [], [], None

    def loss_of(p: dict) -> torch.Tensor:
        a = x
        for number, layer in enumerate(case["layers"], start=1):
            kind = layer.get("type", "dense")
            if kind == "flatten":
                a = a.flatten(1)
                continue
            W, b = p[f"W{number}"], p.get(f"b{number}")
            if kind == "dense":
                z = a @ W.T + (b if b is not None else 0)
            else:
                z = CONV[len(W.shape) - 2](a, W, b, stride=layer.get("stride", 1),
                                           padding=layer.get("padding", 0))
            a = ACTIVATIONS[layer.get("activation", "linear")](z)
        per = LOSSES[case["loss"]](a, y).flatten(1).sum(1)
        return per.mean() if case["reduction"] == "mean" else per.sum()

    for step in range(ex["steps"] + 1):
        leaves = {k: v.detach().clone().requires_grad_(True) for k, v in params.items()}
        x.grad = None
        loss = loss_of(leaves)
        losses.append(loss.item())
        if step == ex["steps"]:
            break
        loss.backward()
        if step == 0:
            grads = {k: v.grad.clone() for k, v in leaves.items()} | {"x": x.grad.clone()}
        params = {k: (v - ex["learning_rate"] * leaves[k].grad).detach()
                  for k, v in params.items()}
        states.append(params)
    return [grads, *states], losses


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= REL_TOL * max(1.0, abs(b))


def _agrees(case: dict) -> None:
    model = build_model(load_tensor(_yaml(case), "case.yaml", default_title="t"))
    worked = work_model(model, Evaluator(model.graph))
    (grads, *states), losses = _torch_run(case, model)
    assert len(worked.losses) == len(losses)
    assert all(_close(a, b) for a, b in zip(worked.losses, losses)), (worked.losses, losses)
    for t in (*model.graph.parameters, model.x):
        want = grads[t.name].flatten().tolist()
        got = [worked.grads.get(s, 0.0) for s in t.symbols]
        assert all(_close(a, b) for a, b in zip(got, want)), (t.name, got, want)
    for t in model.graph.parameters:
        for mine, theirs in ((worked.updated, states[0]), (worked.final, states[-1])):
            want = theirs[t.name].flatten().tolist()
            assert all(_close(mine[s], w) for s, w in zip(t.symbols, want)), t.name


@pytest.mark.parametrize("seed", range(CASES))
def test_conv1d_matches_torch(seed: int) -> None:
    _agrees(_case(seed, 1))


@pytest.mark.parametrize("seed", range(CASES))
def test_conv2d_matches_torch(seed: int) -> None:
    _agrees(_case(1000 + seed, 2))


def test_the_kernel_gradient_passes_the_finite_difference_check() -> None:
    case = _case(7, 2)
    model = build_model(load_tensor(_yaml(case), "case.yaml", default_title="t"))
    check = check_model(model, Evaluator(model.graph))
    assert check.passed and check.compared > 0


def _error(text: str) -> SpecError:
    spec = load_tensor(text, "bad.yaml", default_title="t")
    with pytest.raises(SpecError) as caught:
        build_model(spec)
    return caught.value


BAD = {
    "a kernel larger than the padded input": (
        "inputs: {shape: [1, 3, 3]}\nlayers:\n  - {type: conv2d, channels: 1, kernel: 4, "
        "padding: 0}\nloss: squared_error\nexample: {x: [[[[1,2,3],[4,5,6],[7,8,9]]]], "
        "y: [[[[0]]]]}\n", "layers[0].kernel", 3),
    "a conv after flatten and dense": (
        "inputs: {shape: [1, 2, 2]}\nlayers:\n  - {type: flatten}\n  - {units: 2}\n"
        "  - {type: conv1d, channels: 1, kernel: 1}\nloss: squared_error\n"
        "example: {x: [[[[1,2],[3,4]]]], y: [[0, 0]]}\n", "layers[2].type", 5),
    "a conv1d on a [features] input": (
        "inputs: {shape: [4]}\nlayers:\n  - {type: conv1d, channels: 1, kernel: 2}\n"
        "loss: squared_error\nexample: {x: [[1, 2, 3, 4]], y: [[0, 0, 0]]}\n",
        "layers[0].type", 3),
    "a conv2d on a [channels, length] input": (
        "inputs: {shape: [1, 4]}\nlayers:\n  - {type: conv2d, channels: 1, kernel: 2}\n"
        "loss: squared_error\nexample: {x: [[[1, 2, 3, 4]]], y: [[0]]}\n",
        "layers[0].type", 3),
    "a kernel with three sizes for conv2d": (
        "inputs: {shape: [1, 3, 3]}\nlayers:\n  - {type: conv2d, channels: 1, kernel: [1, 1, 1]}"
        "\nloss: squared_error\nexample: {x: [[[[1,2,3],[4,5,6],[7,8,9]]]], y: [[0]]}\n",
        "layers[0].kernel", 3),
}


@pytest.mark.parametrize("name", BAD)
def test_impossible_shapes_are_one_line_at_the_layer(name: str) -> None:
    text, key, line = BAD[name]
    error = _error(text)
    message = str(error)
    assert "\n" not in message
    assert message.startswith(f"bad.yaml:{line}: {key}: expected "), message
    assert ", got " in message


def test_a_padded_input_may_be_smaller_than_the_kernel() -> None:
    text = ("inputs: {shape: [1, 2]}\nlayers:\n  - {type: conv1d, channels: 1, kernel: 4, "
            "padding: 1}\nloss: squared_error\nexample: {x: [[[1, 2]]], y: [[[0]]]}\n")
    model = build_model(load_tensor(text, "ok.yaml", default_title="t"))
    assert model.output.sample_shape == (1, 1)
