"""The typed-layer core (issue 17): dense and flatten over shaped inputs against PyTorch
float64, the page's audit, the spec's errors through the command, and deterministic files."""

from __future__ import annotations

import json
import random
import subprocess

import pytest
from click.testing import CliRunner

from derive.cli import cli
from derive.document.model import Display, Equation, Line, Section
from derive.document.quantities import PARTIAL
from derive.document.tensor_audit import audit_tensor_page
from derive.document.tensor_build import build_tensor_document
from derive.document.audit import FalseEquation
from derive.spec.tensor import load_tensor
from derive.tensor import Evaluator, build_model, check_model, work_model

from .torch_oracle import assert_agree, sgd_run

ACTIVATIONS = ("sigmoid", "tanh", "relu", "linear")
LOSSES = ("squared_error", "half_squared_error")


def _spec(rng: random.Random) -> str:
    """A random dense net over a [F] input, or a [T, F] input flattened first."""
    shape = [rng.randint(1, 3)] if rng.random() < 0.6 else [rng.randint(2, 3), rng.randint(1, 3)]
    widths = [rng.randint(1, 3) for _ in range(rng.randint(1, 3))]
    samples = rng.randint(1, 3)
    layers = [{"type": "dense", "units": w, "activation": rng.choice(ACTIVATIONS),
               "bias": rng.random() < 0.8} for w in widths]
    if len(shape) == 2 or rng.random() < 0.2:
        layers.insert(0, {"type": "flatten"})
    out = widths[-1]

    def tensor(dims: list[int]) -> object:
        if not dims:
            return round(rng.uniform(-2, 2), 3)
        return [tensor(dims[1:]) for _ in range(dims[0])]
    x = [tensor(shape) for _ in range(samples)]
    y = [[round(rng.uniform(-1, 1), 3) for _ in range(out)] for _ in range(samples)]
    spec = {"inputs": {"shape": shape}, "layers": layers, "loss": rng.choice(LOSSES),
            "reduction": rng.choice(("mean", "sum")),
            "example": {"x": x, "y": y, "init": {"seed": rng.randint(0, 99)},
                        "learning_rate": 0.1, "steps": rng.randint(1, 3)}}
    return json.dumps(spec)


def _torch_run(model, torch):  # type: ignore[no-untyped-def]
    """The same net and steps in torch float64: (losses, first grads, updated, final)."""
    initial = dict(model.initial)
    params = {t.name: torch.tensor([initial[s] for s in t.symbols], dtype=torch.float64)
              .reshape(t.shape).requires_grad_() for t in model.graph.parameters}
    functions = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
                 "linear": lambda v: v}

    def forward(a):  # type: ignore[no-untyped-def]
        for record in model.layers:
            if record.spec.type == "flatten":
                a = a.flatten(1)
                continue
            n = record.number
            a = a @ params[f"W{n}"].T + (params[f"b{n}"] if f"b{n}" in params else 0)
            a = functions[record.spec.activation.name](a)
        return a
    return sgd_run(model, torch, params, forward)


def test_dense_nets_agree_with_torch_float64() -> None:
    torch = pytest.importorskip("torch")
    rng = random.Random(17)
    for case in range(120):
        spec = load_tensor(_spec(rng), f"case{case}.yaml", default_title="t")
        model = build_model(spec)
        worked = work_model(model, Evaluator(model.graph))
        assert_agree(model, worked, _torch_run(model, torch), case)


SPEC = """title: Dense over a flattened input
inputs: {shape: [2, 3]}
layers:
  - {type: flatten}
  - {type: dense, units: 2, activation: tanh}
  - {type: dense, units: 1}
loss: squared_error
example:
  x: [[[1, 2, 3], [0.5, -1, 2]], [[0, 1, -1], [2, 0.5, 0]]]
  y: [[1], [0]]
  init: {seed: 3}
  steps: 2
"""


def test_reverse_mode_agrees_with_finite_differences_everywhere() -> None:
    model = build_model(load_tensor(SPEC, "s.yaml", default_title="t"))
    check = check_model(model, Evaluator(model.graph), seed=4)
    assert check.passed and check.compared == 3 * 17 and check.max_rel_error < 1e-7


def test_the_page_audit_refuses_a_false_equation() -> None:
    model = build_model(load_tensor(SPEC, "s.yaml", default_title="t"))
    evaluator = Evaluator(model.graph)
    worked, check = work_model(model, evaluator), check_model(model, evaluator)
    document, _, audited = build_tensor_document(model, worked, check, stem="s")
    assert audited.equations >= 10 and audited.at_kinks == 0
    W = model.graph.tensor("W2")
    z = model.graph.tensor("z2")
    # ∂L/∂W_11 with one sample's term left out (a classic slip): caught at a random point
    wrong = Equation((PARTIAL(model.graph.loss, W.symbols[0]),
                      PARTIAL(model.graph.loss, z.symbols[0]) * model.x.symbols[0]))
    tampered = document.__class__(document.title, document.about, document.banner,
                                  document.sections + (Section(
                                      document.sections[0].title,
                                      (Display((Line("x", wrong),)),)),))
    with pytest.raises(FalseEquation):
        audit_tensor_page(tampered, model)


def _write(tmp_path, text: str, name: str = "net.yaml"):  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize("change, key", [
    (("type: dense, units: 2", "type: dense3, units: 2"), "layers[1].type"),
    (("x: [[[1, 2, 3], [0.5, -1, 2]]", "x: [[[1, 2], [0.5, -1, 2]]"), "example.x[0]"),
    (("y: [[1], [0]]", "y: [[1, 2], [0]]"), "example.y[0]"),
    (("init: {seed: 3}", "init: [{}, {W: [1, 2]}, {}]"), "example.init[1].W"),
    (("init: {seed: 3}", "init: [{}, {V: [1]}, {}]"), "example.init[1].V"),
    (("{type: flatten}", "{type: flatten, units: 2}"), "layers[0].units"),
    (("  - {type: flatten}\n", ""), "layers[0].type"),
    (("shape: [2, 3]", "shape: [2, 3, 1, 1]"), "inputs.shape"),
])
def test_bad_specs_get_one_line_and_exit_2(tmp_path, change, key) -> None:  # type: ignore[no-untyped-def]
    path = _write(tmp_path, SPEC.replace(*change))
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, [str(path), "-o", str(out), "--format", "all"])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and key in lines[0] and "Traceback" not in result.output
    assert not out.exists()


def test_the_installed_command_writes_the_same_files_twice(tmp_path, cli_path) -> None:  # type: ignore[no-untyped-def]
    path = _write(tmp_path, SPEC)
    texts = []
    for run in ("a", "b"):
        out = tmp_path / run
        done = subprocess.run([cli_path, str(path), "-o", str(out), "--format", "all"],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        texts.append({p.name: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert texts[0] == texts[1] and set(texts[0]) == {"net.md", "net.tex", "net.json"}
    data = json.loads(texts[0]["net.json"])
    assert data["kind"] == "layers" and data["verified"]["passed"]
    assert data["verified"]["equations"] >= 10 and len(data["losses"]) == 3
    check = subprocess.run([cli_path, "check", str(path)], capture_output=True, text=True,
                           timeout=120)
    assert check.returncode == 0 and ": ok: 51 comparisons" in check.stdout


_ON_THE_KINK = """title: t
inputs: {shape: [1, 3, 3]}
layers:
  - {type: conv2d, channels: 1, kernel: 2, activation: ACT}
  - {type: flatten}
  - {type: dense, units: 1}
loss: LOSS
example:
  x: [[[[0.1, 0.2, 0.0], [0.0, 0.3, 0.2], [0.2, 0.1, 0.0]]]]
  y: [[Y]]
  init:
    - {W: [[[[0.0, 0.0], [0.0, 0.0]]]], b: [0.0]}
    - {}
    - {W: [[0.5, 0.5, 0.5, 0.5]], b: [0.0]}
"""


@pytest.mark.parametrize(("act", "loss", "y"), [
    ("relu", "squared_error", "0"),              # every z = 0: L'' jumps across b = 0
    ("tanh", "{name: huber, delta: 0.5}", "0.5"),  # the residual exactly δ
    ("{name: leaky_relu, slope: 0.2}", "{name: huber, delta: 0.5}", "0.5"),
])
def test_a_right_gradient_on_a_kink_of_the_second_derivative_passes(act, loss, y) -> None:  # type: ignore[no-untyped-def]
    """∂L/∂b = 0 is right here, but a central difference with h = 1e-5 is h·ΔL''/4 off
    (2e-5 for the ReLU, over the 1e-6 tolerance). The check looks again 100 times narrower,
    where only a difference's own error shrinks, and passes (it once failed such pages)."""
    text = _ON_THE_KINK.replace("ACT", act).replace("LOSS", loss).replace("Y", y)
    model = build_model(load_tensor(text, "kink.yaml", default_title="t"))
    check = check_model(model, Evaluator(model.graph))
    assert check.passed and check.compared > 0, check.disagreements[:2]


def test_a_wrong_gradient_on_that_kink_still_fails() -> None:
    """The second look accepts only a mismatch that shrinks with the step."""
    text = _ON_THE_KINK.replace("ACT", "relu").replace("LOSS", "squared_error").replace("Y", "0")
    model = build_model(load_tensor(text, "kink.yaml", default_title="t"))
    bias = model.graph.parameters[1].symbols[0]
    assert bias.name == "b1_1"          # the conv's bias

    class Wrong(Evaluator):
        def backward(self, env):  # type: ignore[no-untyped-def]
            grads = dict(super().backward(env))
            grads[bias] = grads.get(bias, 0.0) + 1e-3
            return grads

    check = check_model(model, Wrong(model.graph))
    assert not check.passed and {d.parameter for d in check.disagreements} == {bias.name}


def test_a_typed_page_counts_the_equations_a_kink_leaves_uncompared() -> None:
    """A constant batch under batch norm and a ReLU: every x̂ is 0, on the kink. The page
    said "Every displayed equation (31)" while it showed 42; the banner, "How this was
    checked" and the JSON now count the 11 left uncompared."""
    from derive.pipeline import Options, run_text

    text = ("title: bn\ninputs: {shape: [2]}\nlayers:\n  - {type: dense, units: 2}\n"
            "  - {type: batchnorm, activation: relu}\n  - {type: dense, units: 1}\n"
            "loss: squared_error\nexample:\n  x: [[1.0, 1.0], [1.0, 1.0], [1.0, 1.0]]\n"
            "  y: [[1.0], [0.0], [0.5]]\n  init:\n"
            "    - {W: [[0.4, -0.3], [0.1, 0.5]], b: [0.1, -0.1]}\n    - {}\n"
            "    - {W: [[0.6, -0.8]], b: [0.2]}\n")
    result = run_text(text, "bn.yaml", Options(formats=("md", "json")))
    verified = json.loads(result.files["bn.json"])["verified"]
    shown = len(json.loads(result.files["bn.json"])["equations"])
    at_kinks = verified["equations_at_kinks"]
    assert at_kinks > 0 and verified["equations"] + at_kinks == shown
    page = result.files["bn.md"]
    assert f"{verified['equations']} equations verified and {at_kinks} on a kink" in page
    assert f": {verified['equations']} compared and {at_kinks} on a kink" in page
