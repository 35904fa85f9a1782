"""Differential test: derive's JSON numbers against an independent PyTorch float64 oracle.

Issue 4's acceptance test. Random networks (a seeded ``random.Random`` per case:
depth 1-4, widths 1-5, 1-4 inputs, every activation and loss with their options,
1-4 samples, mean and sum, batch and sgd, 1-3 steps, explicit init in [-1, 1],
inputs in [-2, 2], targets valid for the loss) are written as spec YAML, run
through the library (load_spec -> build_network -> derive -> work_example ->
check -> render json) and, for a few, through the installed CLI. Every ``grad``,
``updated``, ``final``, every ``losses`` entry and ``loss.value`` must equal
the oracle's within |a - b| <= 1e-9 * max(1, |b|).

The oracle is written here from SPEC.md alone: explicit float64 tensors,
torch.autograd and torch's own functions. It does not import derive.verify.torch_oracle nor
derive's registry lambdas (only the registry's *names*, to notice a new entry).

Draws whose training passes come within 1e-6 of a kink (ReLU, LeakyReLU, ELU at
z = 0, |residual| = 0 for absolute_error, |residual| = delta for huber), whose
softplus input reaches 20 (torch turns linear there), or whose sigmoid/softmax
output nears 0 or 1 under a cross-entropy (float64 cancellation), are redrawn.

``DIFFERENTIAL_TORCH_REPORT=path.json`` writes the largest relative errors
overall and per (activation, loss) pair when the module finishes.
"""

from __future__ import annotations

import json
import math
import os
import random
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

try:
    import torch
    import torch.nn.functional as F
except ImportError:  # pragma: no cover - depends on the environment
    if os.environ.get("CI"):
        pytest.fail("torch is required in CI for tests/test_differential_torch.py "
                    "(pip install '.[torch]')", pytrace=False)
    pytest.skip("torch is not installed (pip install '.[torch]')", allow_module_level=True)

from derive import build_network, check, derive, load_spec, render, work_example
from derive.registry import ACTIVATIONS, LOSSES

# --------------------------------------------------------------------------- the case space

ELEMENTWISE = ("linear", "sigmoid", "tanh", "relu", "leaky_relu", "softplus", "elu")
OUTPUT_ACTIVATIONS = ELEMENTWISE + ("softmax",)
LOSS_NAMES = ("squared_error", "half_squared_error", "binary_cross_entropy", "cross_entropy",
              "absolute_error", "huber")
NEEDS_OUTPUT = {"binary_cross_entropy": ("sigmoid", "softmax"), "cross_entropy": ("softmax",)}
KINKED = ("relu", "leaky_relu", "elu")
# Every valid (output activation, loss) pair; case i covers pair i mod len(PAIRS).
PAIRS = tuple((act, loss) for loss in LOSS_NAMES for act in OUTPUT_ACTIVATIONS
              if act in NEEDS_OUTPUT.get(loss, (act,)))

CASES = 300
CLI_CASES = (3, 41, 77, 150, 233)   # also run through the installed script
REL_TOL = 1e-9
KINK_MARGIN = 1e-6        # |z| (or the residual's distance to its kink) at least this
SOFTPLUS_MAX = 19.0       # torch's softplus is linear above threshold=20
PROB_MARGIN = 1e-5        # cross-entropies: outputs in [PROB_MARGIN, 1 - PROB_MARGIN]
VALUE_MAX = 1e4           # redraw divergent training (float64 error grows with the scale)
MAX_ATTEMPTS = 1000
# derive's cost grows fast with the size (a 4-5-5-5-5 network takes 2-7 s), so smaller
# networks are drawn more often, and every FULL_EVERY-th case is the largest size.
SIZES = (1, 2, 3, 4, 5)
DEPTH_WEIGHTS = (4, 4, 3, 2)
INPUT_WEIGHTS = (3, 3, 2, 2)
WIDTH_WEIGHTS = (4, 4, 3, 2, 2)
FULL_EVERY = 75

torch_dtype = torch.float64


@dataclass(frozen=True)
class Layer:
    units: int
    activation: str
    options: dict[str, float]
    written: str          # "plain" (name only), "default" (option written with its default), "set"
    bias: bool


@dataclass(frozen=True)
class Case:
    seed: int
    inputs: int
    layers: tuple[Layer, ...]
    loss: str
    loss_options: dict[str, float]
    loss_written: str
    reduction: str
    mode: str
    steps: int
    learning_rate: float
    x: tuple[tuple[float, ...], ...]
    y: tuple[tuple[float, ...], ...]
    init: tuple[tuple[tuple[tuple[float, ...], ...], tuple[float, ...]], ...]   # (W, b) per layer
    exact_kinks: bool = False   # hand-written cases that sit on a kink on purpose

    @property
    def pair(self) -> tuple[str, str]:
        return self.layers[-1].activation, self.loss

    @property
    def activations(self) -> set[str]:
        return {layer.activation for layer in self.layers}


def _num(value: float) -> str:
    return repr(float(value))


def _choice_yaml(name: str, options: dict[str, float], written: str) -> str:
    if written == "plain" or not options:
        return name
    inner = ", ".join(f"{k}: {_num(v)}" for k, v in options.items())
    return f"{{name: {name}, {inner}}}"


def _rows(rows: tuple[tuple[float, ...], ...]) -> str:
    return "[" + ", ".join("[" + ", ".join(_num(v) for v in row) + "]" for row in rows) + "]"


def spec_yaml(case: Case) -> str:
    """The case as a spec file (always a batch of samples, explicit per-layer init)."""
    lines = [f"title: differential case {case.seed}", f"inputs: {case.inputs}", "layers:"]
    for layer in case.layers:
        act = _choice_yaml(layer.activation, layer.options, layer.written)
        bias = "" if layer.bias else ", bias: false"
        lines.append(f"  - {{units: {layer.units}, activation: {act}{bias}}}")
    lines += [f"loss: {_choice_yaml(case.loss, case.loss_options, case.loss_written)}",
              f"reduction: {case.reduction}", "example:",
              f"  x: {_rows(case.x)}", f"  y: {_rows(case.y)}", "  init:"]
    for w, b in case.init:
        lines.append(f"    - {{W: {_rows(w)}" + (f", b: [{', '.join(map(_num, b))}]}}" if b else "}"))
    lines += [f"  learning_rate: {_num(case.learning_rate)}", f"  steps: {case.steps}",
              f"  mode: {case.mode}"]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- drawing


def _option(rng: random.Random, name: str, default: float, low: float,
            high: float) -> tuple[dict[str, float], str]:
    """Half the time the name alone, else the option written: its default or another value."""
    r = rng.random()
    if r < 0.4:
        return {name: default}, "plain"
    if r < 0.55:
        return {name: default}, "default"
    return {name: round(rng.uniform(low, high), 4)}, "set"


def _activation_options(rng: random.Random, name: str) -> tuple[dict[str, float], str]:
    if name == "leaky_relu":
        options, written = _option(rng, "slope", 0.01, 0.0, 0.6)
        if written == "set" and rng.random() < 0.15:
            options = {"slope": 0.0}
        return options, written
    if name == "elu":
        return _option(rng, "alpha", 1.0, 0.1, 2.5)
    return {}, "plain"


def _targets(rng: random.Random, loss: str, units: int) -> tuple[float, ...]:
    if loss == "cross_entropy":
        if rng.random() < 0.4:                       # one-hot
            hot = rng.randrange(units)
            return tuple(1.0 if j == hot else 0.0 for j in range(units))
        raw = [rng.uniform(0.0, 1.0) for _ in range(units)]
        total = sum(raw)
        values = [v / total for v in raw]
        values[-1] = 1.0 - math.fsum(values[:-1])  # sums to 1 in floats as well as it can
        return tuple(values)
    if loss == "binary_cross_entropy":
        return tuple(rng.choice((0.0, 1.0)) if rng.random() < 0.3 else rng.uniform(0.0, 1.0)
                     for _ in range(units))
    return tuple(rng.uniform(-1.5, 1.5) for _ in range(units))


def _draw(rng: random.Random, seed: int) -> Case:
    out_act, loss = PAIRS[seed % len(PAIRS)]
    full = seed % FULL_EVERY == FULL_EVERY - 1      # the largest size: 4 inputs, 4 x 5 units
    depth = 4 if full else rng.choices(SIZES[:4], DEPTH_WEIGHTS)[0]
    inputs = 4 if full else rng.choices(SIZES[:4], INPUT_WEIGHTS)[0]
    layers = []
    for i in range(depth):
        last = i == depth - 1
        act = out_act if last else rng.choice(ELEMENTWISE)
        smallest = 2 if (last and act == "softmax" and loss == "binary_cross_entropy") else 1
        units = 5 if full else rng.choices(SIZES[smallest - 1:], WIDTH_WEIGHTS[smallest - 1:])[0]
        options, written = _activation_options(rng, act)
        layers.append(Layer(units, act, options, written, bias=rng.random() < 0.85))
    loss_options, loss_written = (_option(rng, "delta", 1.0, 0.1, 2.0) if loss == "huber"
                                  else ({}, "plain"))
    samples = 4 if full else rng.randint(1, 4)
    fans = [inputs] + [layer.units for layer in layers]
    init = tuple((tuple(tuple(rng.uniform(-1.0, 1.0) for _ in range(fans[i]))
                        for _ in range(layer.units)),
                  tuple(rng.uniform(-1.0, 1.0) for _ in range(layer.units)) if layer.bias else ())
                 for i, layer in enumerate(layers))
    return Case(
        seed=seed, inputs=inputs, layers=tuple(layers), loss=loss, loss_options=loss_options,
        loss_written=loss_written, reduction=rng.choice(("mean", "sum")),
        mode=rng.choice(("batch", "sgd")), steps=rng.randint(1, 3),
        learning_rate=round(rng.uniform(0.01, 0.5), 3),
        x=tuple(tuple(rng.uniform(-2.0, 2.0) for _ in range(inputs)) for _ in range(samples)),
        y=tuple(_targets(rng, loss, layers[-1].units) for _ in range(samples)),
        init=init)


class Redraw(Exception):
    """The draw comes too close to a kink or a float64 trap."""


def draw_case(seed: int) -> tuple[Case, "Reference"]:
    """The case for ``seed`` and its oracle numbers (redrawn until no pass is near a kink)."""
    rng = random.Random(seed)
    for _ in range(MAX_ATTEMPTS):
        case = _draw(rng, seed)
        try:
            return case, reference(case)
        except Redraw:
            continue
    raise AssertionError(f"seed {seed}: no usable draw in {MAX_ATTEMPTS} attempts")


# --------------------------------------------------------------------------- the oracle


def _near(case: Case, distance: torch.Tensor) -> bool:
    return not case.exact_kinks and bool((distance.detach() < KINK_MARGIN).any())


def _activate(case: Case, layer: Layer, z: torch.Tensor) -> torch.Tensor:
    name = layer.activation
    if name in KINKED and _near(case, z.abs()):
        raise Redraw(f"{name} input near 0")
    if name == "linear":
        return z
    if name == "sigmoid":
        return torch.sigmoid(z)
    if name == "tanh":
        return torch.tanh(z)
    if name == "relu":
        return torch.relu(z)
    if name == "leaky_relu":
        return F.leaky_relu(z, negative_slope=layer.options["slope"])
    if name == "softplus":
        if bool((z.detach() >= SOFTPLUS_MAX).any()):
            raise Redraw("softplus input near torch's threshold")
        return F.softplus(z)
    if name == "elu":
        return F.elu(z, alpha=layer.options["alpha"])
    if name == "softmax":
        return torch.softmax(z, dim=0)
    raise AssertionError(f"no oracle for activation {name!r}")


def _sample_loss(case: Case, yhat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """SPEC.md's per-sample loss: a sum over the output units."""
    r = (yhat - y).detach()
    if case.loss == "squared_error":
        return ((y - yhat) ** 2).sum()
    if case.loss == "half_squared_error":
        return 0.5 * ((yhat - y) ** 2).sum()
    if case.loss == "absolute_error":
        if _near(case, r.abs()):
            raise Redraw("absolute residual near 0")
        return (y - yhat).abs().sum()
    if case.loss == "huber":
        delta = case.loss_options["delta"]
        if _near(case, (r.abs() - delta).abs()):
            raise Redraw("huber residual near delta")
        return F.huber_loss(yhat, y, reduction="sum", delta=delta)
    p = yhat.detach()
    if case.loss == "binary_cross_entropy":
        if bool(((p < PROB_MARGIN) | (p > 1 - PROB_MARGIN)).any()):
            raise Redraw("output near 0 or 1 under binary cross-entropy")
        return -(y * torch.log(yhat) + (1 - y) * torch.log(1 - yhat)).sum()
    if case.loss == "cross_entropy":
        if bool(((p < PROB_MARGIN) & (y > 0)).any()):
            raise Redraw("target class probability near 0 under cross-entropy")
        return -(y * torch.log(yhat)).sum()
    raise AssertionError(f"no oracle for loss {case.loss!r}")


def _forward(case: Case, params: list[torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    a, k = x, 0
    for layer in case.layers:
        w = params[k]
        k += 1
        z = w @ a
        if layer.bias:
            z = z + params[k]
            k += 1
        a = _activate(case, layer, z)
    return a


def _reduced_loss(case: Case, params: list[torch.Tensor], samples: tuple[int, ...]) -> torch.Tensor:
    terms = []
    for n in samples:
        x = torch.tensor(case.x[n], dtype=torch_dtype)
        y = torch.tensor(case.y[n], dtype=torch_dtype)
        terms.append(_sample_loss(case, _forward(case, params, x), y))
    total = torch.stack(terms).sum()
    return total / len(samples) if case.reduction == "mean" else total


def _flat(params: list[torch.Tensor]) -> list[float]:
    """Parameter order of the JSON: per layer W row-major, then b."""
    return [float(v) for p in params for v in p.detach().reshape(-1).tolist()]


@dataclass
class Reference:
    names: list[tuple[int, str, tuple[int, ...]]]
    value: list[float]
    grad: list[float]
    updated: list[float]
    final: list[float]
    losses: list[float]


def reference(case: Case) -> Reference:
    """SPEC.md's training, in float64 with torch.autograd."""
    params: list[torch.Tensor] = []
    names: list[tuple[int, str, tuple[int, ...]]] = []
    for number, (layer, (w, b)) in enumerate(zip(case.layers, case.init), start=1):
        params.append(torch.tensor(w, dtype=torch_dtype, requires_grad=True))
        names += [(number, "W", (j, k)) for j in range(len(w)) for k in range(len(w[0]))]
        if layer.bias:
            params.append(torch.tensor(b, dtype=torch_dtype, requires_grad=True))
            names += [(number, "b", (j,)) for j in range(len(b))]
    value = _flat(params)
    count = len(case.x)
    losses: list[float] = []
    grad: list[float] = []
    updated: list[float] = []
    samples: tuple[int, ...] = ()
    for step in range(case.steps):
        samples = tuple(range(count)) if case.mode == "batch" else (step % count,)
        loss = _reduced_loss(case, params, samples)
        grads = torch.autograd.grad(loss, params)
        losses.append(loss.item())
        params = [(p - case.learning_rate * g).detach().requires_grad_(True)
                  for p, g in zip(params, grads)]
        if step == 0:
            grad = _flat(list(grads))
            updated = _flat(params)
    losses.append(_reduced_loss(case, params, samples).item())
    final = _flat(params)
    if any(not math.isfinite(v) or abs(v) > VALUE_MAX for v in (*losses, *grad, *final)):
        raise Redraw("training diverges")
    return Reference(names, value, grad, updated, final, losses)


# --------------------------------------------------------------------------- derive's side


def derive_json(case: Case) -> dict[str, Any]:
    """The JSON document, in process."""
    text = spec_yaml(case)
    file = f"differential-{case.seed}.yaml"
    spec = load_spec(text, file, default_title=f"differential-{case.seed}")
    derivation = derive(build_network(spec))
    worked = work_example(derivation)
    report = check(derivation, worked)
    files = render(derivation, worked, report, stem="case", formats=("json",))
    return json.loads(files["case.json"])


@dataclass
class Comparison:
    max_rel: float = 0.0
    where: str = ""
    compared: int = 0
    failures: list[str] = field(default_factory=list)

    def add(self, what: str, got: Any, expected: float) -> None:
        self.compared += 1
        if not isinstance(got, (int, float)) or isinstance(got, bool) or not math.isfinite(got):
            self.failures.append(f"{what}: derive={got!r} (not a finite number), torch={expected!r}")
            return
        rel = abs(got - expected) / max(1.0, abs(expected))
        if rel > self.max_rel:
            self.max_rel, self.where = rel, what
        if not rel <= REL_TOL:
            self.failures.append(f"{what}: derive={got!r} torch={expected!r} rel err {rel:.3g}")


def _label(name: tuple[int, str, tuple[int, ...]]) -> str:
    layer, kind, index = name
    return f"{kind}{layer}[{','.join(map(str, index))}]"


def compare(case: Case, ref: Reference, document: dict[str, Any]) -> Comparison:
    result = Comparison()
    params = document["parameters"]
    got_names = [(p["layer"], p["kind"], tuple(p["index"])) for p in params]
    if got_names != ref.names:
        result.failures.append(f"parameters: derive lists {got_names}, expected {ref.names}")
        return result
    for i, (p, name) in enumerate(zip(params, ref.names)):
        label = _label(name)
        if p["value"] != ref.value[i]:
            result.failures.append(f"{label} value: derive={p['value']!r} spec={ref.value[i]!r}")
        result.add(f"{label} grad", p["grad"], ref.grad[i])
        result.add(f"{label} updated", p["updated"], ref.updated[i])
        result.add(f"{label} final", p["final"], ref.final[i])
    losses = document["losses"]
    if not isinstance(losses, list) or len(losses) != case.steps + 1:
        result.failures.append(f"losses: derive={losses!r}, expected {case.steps + 1} numbers "
                               f"{ref.losses!r}")
    else:
        for i, (got, expected) in enumerate(zip(losses, ref.losses)):
            result.add(f"losses[{i}]", got, expected)
    result.add("loss.value", document["loss"]["value"], ref.losses[0])
    return result


def describe(case: Case) -> str:
    acts = "-".join(f"{layer.units}{layer.activation}" for layer in case.layers)
    loss = case.loss + "".join(f" {k}={v!r}" for k, v in case.loss_options.items())
    return (f"case seed={case.seed} ({case.inputs} inputs, {acts}, {loss}, {case.reduction}, {case.mode}, {case.steps} steps, "
            f"{len(case.x)} samples)")


def assert_agrees(case: Case, ref: Reference, document: dict[str, Any], via: str) -> Comparison:
    result = compare(case, ref, document)
    if document["check"]["passed"] is not True:
        result.failures.append(f"check.passed is {document['check']['passed']!r}")
    if result.failures:
        shown = "\n  ".join(result.failures[:12])
        more = f"\n  ... and {len(result.failures) - 12} more" if len(result.failures) > 12 else ""
        pytest.fail(f"{describe(case)} via {via}: derive disagrees with torch\n  {shown}{more}\n"
                    f"spec:\n{spec_yaml(case)}", pytrace=False)
    return result


# --------------------------------------------------------------------------- statistics

_STATS: dict[str, Any] = {"cases": 0, "compared": 0, "max_rel": 0.0, "where": "", "pairs": {},
                          "output_pairs": {}, "seconds": 0.0}


def _record(case: Case, result: Comparison, seconds: float) -> None:
    _STATS["cases"] += 1
    _STATS["compared"] += result.compared
    _STATS["seconds"] += seconds
    if result.max_rel >= _STATS["max_rel"]:
        _STATS["max_rel"] = result.max_rel
        _STATS["where"] = f"seed {case.seed}: {result.where}"
    for act in case.activations:
        key = f"{act}/{case.loss}"
        _STATS["pairs"][key] = max(_STATS["pairs"].get(key, 0.0), result.max_rel)
    key = "/".join(case.pair)
    _STATS["output_pairs"][key] = max(_STATS["output_pairs"].get(key, 0.0), result.max_rel)


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    yield
    path = os.environ.get("DIFFERENTIAL_TORCH_REPORT")
    if path:
        Path(path).write_text(json.dumps(_STATS, indent=2, sort_keys=True) + "\n")


# --------------------------------------------------------------------------- tests


def test_oracle_covers_every_registry_entry() -> None:
    """A new activation or loss needs its own oracle here before it is differentially tested."""
    assert set(ACTIVATIONS.names()) == set(OUTPUT_ACTIVATIONS)
    assert set(LOSSES.names()) == set(LOSS_NAMES)


def test_cases_cover_the_space() -> None:
    cases = [_draw(random.Random(seed), seed) for seed in range(CASES)]
    seen = lambda f: {v for c in cases for v in f(c)}  # noqa: E731
    assert seen(lambda c: c.activations) == set(OUTPUT_ACTIVATIONS)
    assert seen(lambda c: [c.loss]) == set(LOSS_NAMES)
    assert seen(lambda c: [c.pair]) == set(PAIRS)
    assert seen(lambda c: [len(c.layers)]) == {1, 2, 3, 4}
    assert seen(lambda c: [la.units for la in c.layers]) == {1, 2, 3, 4, 5}
    assert seen(lambda c: [c.inputs]) == {1, 2, 3, 4}
    assert seen(lambda c: [len(c.x)]) == {1, 2, 3, 4}
    assert seen(lambda c: [c.steps]) == {1, 2, 3}
    assert seen(lambda c: [c.reduction]) == {"mean", "sum"}
    assert seen(lambda c: [c.mode]) == {"batch", "sgd"}
    assert seen(lambda c: [la.bias for la in c.layers]) == {True, False}
    written = seen(lambda c: [(la.activation, la.written) for la in c.layers])
    for act in ("leaky_relu", "elu"):
        assert {(act, w) for w in ("plain", "default", "set")} <= written
    assert seen(lambda c: [c.loss_written for c in [c] if c.loss == "huber"]) == {
        "plain", "default", "set"}


@pytest.mark.parametrize("seed", range(CASES))
def test_library_matches_torch(seed: int) -> None:
    case, ref = draw_case(seed)
    start = time.perf_counter()
    document = derive_json(case)
    result = assert_agrees(case, ref, document, "the library")
    _record(case, result, time.perf_counter() - start)


@pytest.mark.parametrize("seed", CLI_CASES)
def test_cli_matches_torch(seed: int, cli_path: str, tmp_path: Path) -> None:
    case, ref = draw_case(seed)
    spec = tmp_path / f"case-{seed}.yaml"
    spec.write_text(spec_yaml(case), encoding="utf-8")
    result = subprocess.run([cli_path, str(spec), "--format", "json", "-o", "-"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{describe(case)}: exit {result.returncode}: {result.stderr}"
    assert_agrees(case, ref, json.loads(result.stdout), "the CLI")
    assert sorted(p.name for p in tmp_path.iterdir()) == [spec.name]


def _kink_case(name: str, act: str, options: dict[str, float], hidden: bool,
               loss: str = "squared_error", loss_options: dict[str, float] | None = None,
               w: float = 1.0, b: float = -1.0, written: str = "set") -> Any:
    """One input x = 1 and z = w x + b (0 with the defaults: exactly on the kink)."""
    first = Layer(1, act, options, written if options else "plain", True)
    layers = (first, Layer(1, "linear", {}, "plain", True)) if hidden else (first,)
    init = ((((w,),), (b,)), (((2.0,),), (0.25,))) if hidden else ((((w,),), (b,)),)
    case = Case(seed=-1, inputs=1, layers=layers, loss=loss, loss_options=loss_options or {},
                loss_written="set" if loss_options else "plain", reduction="mean", mode="batch",
                steps=1, learning_rate=0.5, x=((1.0,),), y=((0.5,),), init=init, exact_kinks=True)
    return pytest.param(case, id=name)


KINK_CASES = [
    *(_kink_case(f"{act}{options.get('slope', options.get('alpha', ''))}-{where}-z0", act,
                 options, where == "hidden", written=written)
      for act, options, written in (("relu", {}, "plain"), ("leaky_relu", {"slope": 0.2}, "set"),
                                    ("leaky_relu", {"slope": 0.01}, "plain"),
                                    ("elu", {"alpha": 0.5}, "set"), ("elu", {"alpha": 1.0}, "plain"))
      for where in ("hidden", "output")),
    _kink_case("absolute-residual0", "linear", {}, False, "absolute_error", w=0.25, b=0.25),
    _kink_case("huber-residual+delta", "linear", {}, False, "huber", {"delta": 0.5}, 0.75, 0.25),
    _kink_case("huber-residual-delta", "linear", {}, False, "huber", {"delta": 0.5}, -0.25, 0.25),
]


@pytest.mark.parametrize("case", KINK_CASES)
def test_kinks_follow_pytorch(case: Case) -> None:
    """Exactly on a kink derive takes PyTorch's one-sided choice (ReLU'(0) = 0, sgn(0) = 0, ...)."""
    assert_agrees(case, reference(case), derive_json(case), "the library")
