"""``--format numpy``: the exported module's gradients and update equal PyTorch's in float64.

The oracle is written here from the SPEC's meaning (rows are samples, z = a Wᵀ + b, the
loss per unit summed over units, then mean or sum), with torch's autograd: it shares no
code with the exporter. Every example goes through the installed command; random specs
(hypothesis) through ``numpy_module`` directly, since they need no derivation.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from derive.cli import cli
from derive.errors import OutputError
from derive.formats.numpy_forms import ACTIVATION_CODE, LOSS_CODE
from derive.formats.numpy_module import numpy_module
from derive.registry import ACTIVATIONS, LOSSES
from derive.spec import Choice, load

from .conftest import NETWORK_EXAMPLES

torch = pytest.importorskip("torch")
np = pytest.importorskip("numpy")
F = torch.nn.functional

EXAMPLES = list(NETWORK_EXAMPLES)     # --format numpy exports layers: networks
TOLERANCE = 1e-12

ACTIVATION = {
    "linear": lambda z: z,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky_relu": lambda z, slope=0.01: F.leaky_relu(z, slope),
    "softplus": lambda z: torch.logaddexp(torch.zeros_like(z), z),
    "elu": lambda z, alpha=1.0: F.elu(z, alpha),
    "softmax": lambda z: torch.softmax(z, dim=-1),
}
LOSS = {
    "squared_error": lambda yhat, y: (y - yhat) ** 2,
    "half_squared_error": lambda yhat, y: 0.5 * (yhat - y) ** 2,
    "binary_cross_entropy": lambda yhat, y: -(y * torch.log(yhat) + (1 - y) * torch.log(1 - yhat)),
    "cross_entropy": lambda yhat, y: -y * torch.log(yhat),
    "absolute_error": lambda yhat, y: (y - yhat).abs(),
    "huber": lambda yhat, y, delta=1.0: F.huber_loss(yhat, y, reduction="none", delta=delta),
}


def _import(path: Path) -> object:
    spec = importlib.util.spec_from_file_location(f"exported_{abs(hash(path))}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _torch_step(spec, params: dict, x, y, sample: int | None):
    """(gradients, updated parameters) of the first update, by torch autograd."""
    tensors = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True)
               for k, v in params.items()}
    x = torch.tensor(x, dtype=torch.float64)
    y = torch.tensor(y, dtype=torch.float64)
    if sample is not None:
        x, y = x[sample:sample + 1], y[sample:sample + 1]
    a = x
    for l, layer in enumerate(spec.layers, 1):
        z = a @ tensors[f"W{l}"].T + (tensors[f"b{l}"] if layer.bias else 0.0)
        a = ACTIVATION[layer.activation.name](z, **dict(layer.activation.options))
    per_sample = LOSS[spec.loss.name](a, y, **dict(spec.loss.options)).sum(dim=1)
    loss = per_sample.mean() if spec.reduction == "mean" else per_sample.sum()
    loss.backward()
    grads = {k: t.grad.numpy() for k, t in tensors.items()}
    rate = spec.example.learning_rate
    trainable = {f"{kind}{l}" for l, layer in enumerate(spec.layers, 1)
                 for kind in layer.trainable}
    updated = {k: params[k] - rate * grads[k] if k in trainable else params[k] for k in params}
    return grads, updated, float(loss.detach())


def _agree(module, spec) -> None:
    """The module's first update (gradients, parameters, loss) equals torch's."""
    params = {k: np.array(v, dtype=float) for k, v in module.PARAMS.items()}
    sample = 0 if spec.example.mode == "sgd" else None
    expected, updated, loss = _torch_step(spec, params, module.X, module.Y, sample)
    new, grads = module.step(params, module.X, module.Y)
    assert set(grads) == set(expected)
    for name in expected:
        assert grads[name].shape == expected[name].shape, name
        assert np.allclose(grads[name], expected[name], rtol=TOLERANCE, atol=TOLERANCE), name
        assert np.allclose(new[name], updated[name], rtol=TOLERANCE, atol=TOLERANCE), name
    x = module.X[:1] if sample is not None else module.X
    y = module.Y[:1] if sample is not None else module.Y
    assert math.isclose(module.loss(params, x, y), loss, rel_tol=TOLERANCE, abs_tol=TOLERANCE)


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_exports_a_module_that_equals_torch(example: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, [str(example), "--format", "numpy", "-o", str(tmp_path),
                                      "--oracle", "finite_difference"])
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.iterdir()] == [f"{example.stem}.py"]
    module = _import(tmp_path / f"{example.stem}.py")
    spec = load(example.read_text(encoding="utf-8"), str(example))
    _agree(module, spec)


def test_the_relu_seed_gives_its_published_numbers(tmp_path: Path) -> None:
    """Seed 001: m1 = 3, m2 = 0.5, x = 2, y = 1, rate 0.1 -> m1 = 2.8, m2 = -0.7."""
    example = next(p for p in EXAMPLES if p.stem.startswith("relu-worked"))
    CliRunner().invoke(cli, [str(example), "--format", "numpy", "-o", str(tmp_path)])
    module = _import(tmp_path / f"{example.stem}.py")
    new, _ = module.step(module.PARAMS, module.X, module.Y)
    assert (float(new["W1"][0, 0]), float(new["W2"][0, 0])) == pytest.approx((2.8, -0.7))


def test_a_module_runs_as_a_script(tmp_path: Path) -> None:
    import subprocess
    example = EXAMPLES[0]
    CliRunner().invoke(cli, [str(example), "--format", "numpy", "-o", str(tmp_path)])
    done = subprocess.run([sys.executable, str(tmp_path / f"{example.stem}.py")],
                          capture_output=True, text=True, check=True)
    assert "dL/dW1 =" in done.stdout and "loss before each update: [" in done.stdout


def test_every_registry_entry_has_a_numpy_form() -> None:
    assert {a.name for a in ACTIVATIONS} <= set(ACTIVATION_CODE)
    assert {loss.name for loss in LOSSES} <= set(LOSS_CODE)


def test_a_title_cannot_inject_code(tmp_path: Path) -> None:
    text = ('title: "x\\"\\"\\" ; import os; os.system(1) #  \'\'\' "\n'
            "inputs: 1\nlayers: [{units: 1, activation: sigmoid}]\nloss: squared_error\n"
            "example: {x: [1.0], y: [0.5]}\n")
    source = numpy_module(load(text, "t.yaml"))
    namespace: dict = {"__name__": "exported"}
    exec(compile(source, "t.py", "exec"), namespace)       # it compiles and defines no more
    assert namespace["TITLE"] == load(text, "t.yaml").title
    assert "import os" not in source.replace(repr(namespace["TITLE"]), "")


def test_an_activation_without_a_numpy_form_is_one_error() -> None:
    spec = load("inputs: 1\nlayers: [{units: 1, activation: tanh}]\nloss: squared_error\n",
                "t.yaml")
    from dataclasses import replace
    layer = replace(spec.layers[0], activation=Choice("no_such_activation"))
    with pytest.raises(OutputError, match="NumPy form"):
        numpy_module(replace(spec, layers=(layer,)))


def test_numpy_is_not_part_of_all(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, [str(EXAMPLES[0]), "--format", "all", "-o", str(tmp_path),
                                      "--oracle", "finite_difference"])
    assert result.exit_code == 0, result.output
    assert not list(tmp_path.glob("*.py"))


_HIDDEN = ["linear", "sigmoid", "tanh", "relu", "leaky_relu", "softplus", "elu"]
_COMPATIBLE = {  # loss -> the output activations it accepts (bce: in (0, 1); ce: softmax)
    "squared_error": _HIDDEN + ["softmax"], "half_squared_error": _HIDDEN,
    "absolute_error": _HIDDEN, "huber": _HIDDEN,
    "binary_cross_entropy": ["sigmoid"], "cross_entropy": ["softmax"]}
_number = st.floats(-2, 2, allow_nan=False).map(lambda v: round(v, 6))


@st.composite
def specs(draw: st.DrawFn) -> str:
    inputs = draw(st.integers(1, 3))
    loss = draw(st.sampled_from(sorted(_COMPATIBLE)))
    sizes = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    samples = draw(st.integers(1, 3))
    layers, init, fan_in = [], [], inputs
    for index, units in enumerate(sizes):
        last = index == len(sizes) - 1
        name = draw(st.sampled_from(_COMPATIBLE[loss] if last else _HIDDEN))
        activation: object = name
        if name in ("leaky_relu", "elu"):
            activation = {"name": name, ("slope" if name == "leaky_relu" else "alpha"):
                          draw(st.sampled_from([0.2, 0.5, 1.0]))}
        bias = draw(st.booleans())
        layer = {"units": units, "activation": activation, "bias": bias,
                 "trainable": draw(st.sampled_from([True, False, ["W"], ["b"]]))}
        layers.append(layer)
        init.append({"W": [[draw(_number) for _ in range(fan_in)] for _ in range(units)],
                     **({"b": [draw(_number) for _ in range(units)]} if bias else {})})
        fan_in = units
    outputs = sizes[-1]
    if loss == "cross_entropy":
        y = [[1.0 if j == draw(st.integers(0, outputs - 1)) else 0.0 for j in range(outputs)]
             for _ in range(samples)]
        y = [row if sum(row) == 1 else [1.0] + [0.0] * (outputs - 1) for row in y]
    elif loss == "binary_cross_entropy":
        y = [[draw(st.sampled_from([0.0, 0.25, 1.0])) for _ in range(outputs)]
             for _ in range(samples)]
    else:
        y = [[draw(_number) for _ in range(outputs)] for _ in range(samples)]
    loss_entry: object = {"name": "huber", "delta": 0.5} if loss == "huber" else loss
    spec = {"inputs": inputs, "layers": layers, "loss": loss_entry,
            "reduction": draw(st.sampled_from(["mean", "sum"])),
            "example": {"x": [[draw(_number) for _ in range(inputs)] for _ in range(samples)],
                        "y": y, "init": init, "learning_rate": draw(st.sampled_from([0.1, 0.5])),
                        "mode": draw(st.sampled_from(["batch", "sgd"]))}}
    return yaml.safe_dump(spec)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs())
def test_random_specs_export_modules_that_equal_torch(text: str) -> None:
    spec = load(text, "random.yaml")
    namespace: dict = {"__name__": "exported"}
    exec(compile(numpy_module(spec), "random.py", "exec"), namespace)
    module = type(sys)("exported")
    module.__dict__.update(namespace)
    _agree(module, spec)


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_train_ends_where_the_page_does(example: Path, tmp_path: Path) -> None:
    """``train`` over the example's steps gives the JSON's ``final`` and ``losses``."""
    import json
    for fmt in ("numpy", "json"):
        CliRunner().invoke(cli, [str(example), "--format", fmt, "-o", str(tmp_path),
                                 "--oracle", "finite_difference"])
    page = json.loads((tmp_path / f"{example.stem}.json").read_text(encoding="utf-8"))
    module = _import(tmp_path / f"{example.stem}.py")
    final, losses = module.train(module.PARAMS, module.X, module.Y)
    for entry in page["parameters"]:
        name = f"{entry['kind']}{entry['layer']}"
        assert final[name][tuple(entry["index"])] == pytest.approx(entry["final"], rel=1e-12,
                                                                   abs=1e-12)
    assert losses == pytest.approx(page["losses"][:-1], rel=1e-12, abs=1e-12)
