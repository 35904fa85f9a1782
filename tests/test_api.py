"""The Python API (derive.load -> Result): sources, gradients against PyTorch, the page.

PyTorch float64 autograd is the independent oracle: the test builds the same network with
torch's own functions and compares every gradient of the reduced loss.
"""

from __future__ import annotations

import json
import random

import pytest
import yaml

import derive
from derive.formats import plain_markdown

from .conftest import EXAMPLES

np = pytest.importorskip("numpy")

RELU = EXAMPLES / "relu-worked-example-1-1-1.yaml"


def test_a_path_yaml_text_and_a_dict_give_the_same_result() -> None:
    text = RELU.read_text(encoding="utf-8")
    by_path, by_text = derive.load(str(RELU)), derive.load(text)
    by_dict = derive.load(yaml.safe_load(text))
    for other in (by_text, by_dict):
        assert {k: v.tolist() for k, v in other.gradients().items()} == \
            {k: v.tolist() for k, v in by_path.gradients().items()}
        assert other.json()["parameters"] == by_path.json()["parameters"]


def test_seed_001_worked_example_through_the_api() -> None:
    r = derive.load(RELU)
    grads = r.gradients()
    assert grads["W1"].shape == (1, 1) and grads["W2"].shape == (1, 1)
    assert grads["W1"][0, 0] == pytest.approx(2.0) and grads["W2"][0, 0] == pytest.approx(12.0)
    assert r.losses == pytest.approx([2.0, 0.5])
    assert r.passed and r.parameters()["W1"][0, 0] == 3.0


def test_a_bad_spec_raises_the_spec_error_the_cli_prints() -> None:
    with pytest.raises(derive.SpecError) as caught:
        derive.load({"inputs": 2, "layers": [{"units": 1, "activation": "sigmod"}],
                     "loss": "squared_error"})
    assert "did you mean 'sigmoid'" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_wrong_shapes_are_one_clear_line() -> None:
    r = derive.load(RELU)
    with pytest.raises(derive.SpecError, match=r"params\.W1: expected a finite array of shape"):
        r.gradients(params={"W1": [[1.0, 2.0]], "W2": [[1.0]]}, x=[1.0], y=[1.0])
    with pytest.raises(derive.SpecError, match=r"x: expected a finite array of shape \(N, 1\)"):
        r.gradients(x=[[1.0, 2.0]], y=[1.0])


def test_markdown_json_latex_svg() -> None:
    r = derive.load(RELU)
    assert r.markdown().startswith("---\ntitle:")
    assert r.json()["title"] == "One step of gradient descent through a ReLU"
    assert r.latex().lstrip().startswith("\\documentclass")
    assert set(r.svg()) >= {"network.svg"} and all(s.startswith("<svg") for s in r.svg().values())
    shown = r._repr_markdown_()
    assert "data:image/svg+xml;base64," in shown and "!!!" not in shown and "\\(" not in shown


def test_plain_markdown_spells_boxes_math_and_front_matter_plainly() -> None:
    page = ('---\ntitle: "T"\n---\n\n# T\n\n!!! note "Conventions"\n    - \\(a\\) and more\n\n'
            '???+ note "Each factor"\n    $$\n    x = \\left(1\\right)\n    $$\n\nText \\(b_{1}\\).\n'
            '$$\n\\begin{aligned} a \\\\(b) \\end{aligned}\n$$\n')
    plain = plain_markdown(page)
    assert plain.startswith("\n# T")
    assert "> **Conventions**\n>\n> - $a$ and more" in plain
    assert "<details open><summary>Each factor</summary>\n\n$$\nx = \\left(1\\right)\n$$\n\n" \
           "</details>" in plain
    assert "Text $b_{1}$." in plain
    assert "a \\\\(b)" in plain             # display math is left as it is


# --------------------------------------------------------------------------- against torch

ACTIVATIONS = ["linear", "sigmoid", "tanh", "relu", "softplus"]
LOSSES = ["squared_error", "half_squared_error"]


def _random_spec(rng: random.Random) -> dict:
    inputs = rng.randint(1, 3)
    layers = [{"units": rng.randint(1, 3), "activation": rng.choice(ACTIVATIONS),
               "bias": rng.random() < 0.7} for _ in range(rng.randint(1, 3))]
    batch = rng.randint(1, 3)
    outputs = layers[-1]["units"]
    return {"inputs": inputs, "layers": layers, "loss": rng.choice(LOSSES),
            "reduction": rng.choice(["mean", "sum"]),
            "example": {"x": [[rng.uniform(-2, 2) for _ in range(inputs)] for _ in range(batch)],
                        "y": [[rng.uniform(-1, 1) for _ in range(outputs)] for _ in range(batch)],
                        "init": {"seed": rng.randint(0, 99), "scheme": "uniform"},
                        "learning_rate": 0.1, "steps": 1}}


def _torch_gradients(spec: dict, params: dict, x, y) -> dict:
    torch = pytest.importorskip("torch")
    act = {"linear": lambda t: t, "sigmoid": torch.sigmoid, "tanh": torch.tanh,
           "relu": torch.relu, "softplus": torch.nn.functional.softplus}
    tensors = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True)
               for k, v in params.items()}
    a = torch.tensor(x, dtype=torch.float64)
    for n, layer in enumerate(spec["layers"], start=1):
        z = a @ tensors[f"W{n}"].T + (tensors[f"b{n}"] if f"b{n}" in tensors else 0)
        a = act[layer["activation"]](z)
    target = torch.tensor(y, dtype=torch.float64)
    per_sample = ((a - target) ** 2).sum(dim=1)
    if spec["loss"] == "half_squared_error":
        per_sample = per_sample / 2
    loss = per_sample.mean() if spec["reduction"] == "mean" else per_sample.sum()
    loss.backward()
    return {k: t.grad.numpy() for k, t in tensors.items()}


@pytest.mark.parametrize("seed", range(12))
def test_gradients_equal_torch_at_the_example_and_elsewhere(seed: int) -> None:
    rng = random.Random(seed)
    spec = _random_spec(rng)
    r = derive.load(spec)
    params = r.parameters()
    x, y = spec["example"]["x"], spec["example"]["y"]
    ours, theirs = r.gradients(), _torch_gradients(spec, params, x, y)
    assert set(ours) == set(theirs)
    for name in ours:
        np.testing.assert_allclose(ours[name], theirs[name], rtol=1e-9, atol=1e-12)
    moved = {k: v + np.asarray([rng.uniform(-0.5, 0.5) for _ in range(v.size)]).reshape(v.shape)
             for k, v in params.items()}
    x2 = np.array([[rng.uniform(-2, 2) for _ in range(len(x[0]))] for _ in range(2)])
    y2 = np.array([[rng.uniform(-1, 1) for _ in range(len(y[0]))] for _ in range(2)])
    ours, theirs = r.gradients(moved, x2, y2), _torch_gradients(spec, moved, x2, y2)
    for name in ours:
        np.testing.assert_allclose(ours[name], theirs[name], rtol=1e-9, atol=1e-12)


def test_the_result_json_is_the_cli_json(tmp_path) -> None:
    from click.testing import CliRunner

    from derive.cli import cli
    out = CliRunner().invoke(cli, [str(RELU), "--format", "json", "-o", "-"])   # both defaults
    assert out.exit_code == 0
    assert json.loads(out.stdout) == derive.load(RELU).json()


def test_targets_a_loss_cannot_take_are_refused() -> None:
    r = derive.load(EXAMPLES / "softmax-cross-entropy-3-classes.yaml")
    params = r.parameters()
    x = [[0.1] * r.shapes()["W1"][1]]
    with pytest.raises(derive.SpecError, match="summing to 1"):
        r.gradients(params, x, [[0.5, 0.5, 0.5]])
    ok = r.gradients(params, x, [[0.2, 0.3, 0.5]])
    assert set(ok) == set(params)


def test_example_digits_sets_the_page_numbers_and_json_stays_full() -> None:
    """Mazur's network: his loss 0.298371109 needs 9 digits (the page's default is 6)."""
    mazur = {"title": "Mazur", "inputs": 2, "loss": "half_squared_error",
             "layers": [{"units": 2, "activation": "sigmoid"}, {"units": 2, "activation": "sigmoid"}],
             "example": {"x": [0.05, 0.10], "y": [0.01, 0.99], "learning_rate": 0.5,
                         "init": [{"W": [[0.15, 0.20], [0.25, 0.30]], "b": [0.35, 0.35]},
                                  {"W": [[0.40, 0.45], [0.50, 0.55]], "b": [0.60, 0.60]}]}}
    six = derive.load(mazur)
    nine = derive.load({**mazur, "example": {**mazur["example"], "digits": 9}})
    assert r"L = 0.298371\)" in six.markdown() and "0.298371109" not in six.markdown()
    assert r"L = 0.298371109\)" in nine.markdown()
    assert nine.json()["loss"]["value"] == six.json()["loss"]["value"] == \
        pytest.approx(0.298371109, abs=1e-9)
    with pytest.raises(derive.SpecError, match="example.digits"):
        derive.load({**mazur, "example": {**mazur["example"], "digits": 40}})


def test_a_dict_may_hold_numpy_arrays_and_nothing_stranger() -> None:
    spec = yaml.safe_load(RELU.read_text(encoding="utf-8"))
    spec["example"]["x"] = np.array([2.0])
    assert derive.load(spec).gradients()["W1"][0, 0] == pytest.approx(2.0)
    spec["example"]["x"] = object()
    with pytest.raises(derive.SpecError, match="source: expected a dict of numbers"):
        derive.load(spec)


@pytest.mark.parametrize(("arguments", "got"), [
    ({"x": [[float("nan")], [1.0]], "y": [[0.0], [1.0]]},
     "x: expected a finite array of shape (N, 1), N at least 1, got 1 of its 2 numbers not "
     "finite (nan or inf)"),
    ({"x": [["a"]]}, "x: expected a finite array of shape (N, 1), N at least 1, got text"),
    ({"x": [[object()]]}, "x: expected a finite array of shape (N, 1), N at least 1, got an array "
                          "holding object '<object object at"),
    ({"x": [[1j]], "y": [[0.0]]}, "got complex numbers"),
    ({"params": [1, 2]}, "params: expected a dict of arrays (W1, b1, ...), got list"),
    ({"params": {"W1": [[float("inf")]], "W2": [[1.0]]}},
     "params.W1: expected a finite array of shape (1, 1), got 1 of its 1 numbers not finite"),
    ({"params": {"W1": [[1.0]], "b1": [0.0], "W2": [[1.0]]}},      # the layers have no bias
     "params.b1: expected one of W1, W2, got 'b1'"),
    ({"x": [[1.0], [2.0]]}, "y: expected as many samples as x (2), got 1"),
])
def test_gradients_refuse_what_is_not_finite_real_numbers_by_name(arguments: dict,
                                                                  got: str) -> None:
    """NaN was refused as 'got shape (1, 2)', text raised NumPy's ValueError, a complex x was
    cast to its real part with a ComplexWarning, a list of params a TypeError."""
    r = derive.load(RELU)
    with pytest.raises(derive.SpecError) as caught:
        r.gradients(**arguments)
    assert got in str(caught.value)


@pytest.mark.parametrize(("source", "oracle", "message"), [
    ("", "finite_difference", "source: expected a path, YAML text or a dict, got an empty string"),
    ("  \n", "finite_difference", "got an empty string"),
    (str(EXAMPLES / "relu-worked-example-1-1-1.yaml"), "nope",
     "oracle: expected one of finite_difference, torch, auto, got 'nope'"),
])
def test_an_empty_source_or_an_unknown_oracle_is_one_line(source: str, oracle: str,
                                                          message: str) -> None:
    """``load('')`` said "expected a spec file, got a directory" and ``oracle="nope"`` was
    taken as finite differences."""
    with pytest.raises(derive.SpecError) as caught:
        derive.load(source, oracle=oracle)
    assert message in str(caught.value) and len(str(caught.value).splitlines()) == 1


def test_numbers_written_as_text_are_refused_not_cast() -> None:
    """'3.0' was read as 3.0: text is never a silent cast (real_array's promise)."""
    result = derive.load(RELU)
    params = {name: value.astype(str) for name, value in result.parameters().items()}
    with pytest.raises(derive.SpecError) as caught:
        result.gradients(params)
    assert str(caught.value).endswith("params.W1: expected a finite array of shape (1, 1), got text")


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
def test_a_non_finite_learning_rate_in_a_dict_says_finite(value: float) -> None:
    """A dict's NaN reaches the reader as 'NaN', not YAML's '.nan': it said 'a number > 0'."""
    spec = yaml.safe_load(RELU.read_text(encoding="utf-8"))
    spec["example"]["learning_rate"] = value
    with pytest.raises(derive.SpecError, match=r"example.learning_rate: expected a finite "
                                               r"number > 0, got "):
        derive.load(spec)
