"""Differential test of the v1.1 structure keys against an independent PyTorch float64 oracle.

Random specs (a seeded ``random.Random`` per case) use ``bias: shared``, a layer ``name``
with a later ``add`` (residual, from a layer or the inputs), ``regularization: {l2: λ}``
and ``trainable``, combined with every (output activation, loss) pair, hidden
activations, 1-3 samples, mean and sum, batch and sgd, 1-3 steps. Every ``grad``,
``updated``, ``final``, every ``losses`` entry and ``loss.value`` of derive's JSON must
equal the oracle's within |a - b| <= 1e-9 * max(1, |b|), and the check must pass.

The oracle is written here from SPEC.md: explicit float64 tensors and torch.autograd; a
shared bias is a tensor of shape (1,) broadcast over the units, a residual adds the named
layer's output tensor, weight decay adds (λ/2) Σ w² of the trainable weights to the reduced
loss. The per-activation and per-loss torch forms (and their kink guards) are those of
``test_differential_torch``.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass
from typing import Any

import pytest

torch = pytest.importorskip("torch")

from derive import build_network, check, derive, load_spec, render, work_example  # noqa: E402
from tests import test_differential_torch as differential  # noqa: E402
from tests.test_differential_torch import (  # noqa: E402
    ELEMENTWISE, PAIRS, REL_TOL, VALUE_MAX, Comparison, Redraw, Reference, _activate,
    _activation_options, _choice_yaml, _flat, _num, _rows, _sample_loss, _targets)

CASES = 160
MAX_ATTEMPTS = 500
PROBABILITIES = ("binary_cross_entropy", "cross_entropy")   # no residual into their output


@dataclass(frozen=True)
class Layer:
    units: int
    activation: str
    options: dict[str, float]
    written: str
    bias: str                   # "true", "false" or "shared"
    trainable: str              # "true", "false", "[W]" or "[b]"
    add: str                    # "" or "inputs" or "h<k>"


@dataclass(frozen=True)
class Case(differential.Case):
    """``test_differential_torch``'s case, with these layers and a weight-decay factor."""

    l2: float = 0.0

    @property
    def keys(self) -> set[str]:
        used = {"shared" for la in self.layers if la.bias == "shared"}
        used |= {"add" for la in self.layers if la.add}
        used |= {"add inputs" for la in self.layers if la.add == "inputs"}
        used |= {"l2"} if self.l2 else set()
        used |= {"trainable" for la in self.layers if la.trainable != "true"}
        return used


def spec_yaml(case: Case) -> str:
    lines = [f"title: structure case {case.seed}", f"inputs: {case.inputs}", "layers:"]
    for i, layer in enumerate(case.layers, start=1):
        act = _choice_yaml(layer.activation, layer.options, layer.written)
        extra = f", bias: {layer.bias}" if layer.bias != "true" else ""
        extra += f", trainable: {layer.trainable}" if layer.trainable != "true" else ""
        extra += f", add: {layer.add}" if layer.add else ""
        lines.append(f"  - {{units: {layer.units}, activation: {act}, name: h{i}{extra}}}")
    loss = _choice_yaml(case.loss, case.loss_options, case.loss_written)
    lines += [f"loss: {loss}", f"reduction: {case.reduction}"]
    if case.l2:
        lines.append(f"regularization: {{l2: {_num(case.l2)}}}")
    lines += ["example:", f"  x: {_rows(case.x)}", f"  y: {_rows(case.y)}", "  init:"]
    for w, b in case.init:
        bias = f", b: [{', '.join(map(_num, b))}]" if b else ""
        lines.append(f"    - {{W: {_rows(w)}{bias}}}")
    lines += [f"  learning_rate: {_num(case.learning_rate)}", f"  steps: {case.steps}",
              f"  mode: {case.mode}"]
    return "\n".join(lines) + "\n"


def _draw(rng: random.Random, seed: int) -> Case:
    out_act, loss = PAIRS[seed % len(PAIRS)]
    depth, inputs = rng.choice((1, 2, 2, 3, 3)), rng.randint(1, 3)
    widths = [inputs]
    layers = []
    for i in range(depth):
        last = i == depth - 1
        act = out_act if last else rng.choice(ELEMENTWISE)
        smallest = 2 if (last and act == "softmax" and loss == "binary_cross_entropy") else 1
        units = rng.randint(smallest, 3)
        if rng.random() < 0.6:              # a width seen before: a residual can be drawn
            units = max(smallest, rng.choice(widths))
        sources = ["inputs" if k == 0 else f"h{k}" for k, w in enumerate(widths) if w == units]
        allowed = not (last and loss in PROBABILITIES)
        add = rng.choice(sources) if sources and allowed and rng.random() < 0.6 else ""
        options, written = _activation_options(rng, act)
        layers.append(Layer(units, act, options, written,
                            bias=rng.choice(("true", "shared", "shared", "false")),
                            trainable=rng.choice(("true", "true", "true", "[W]", "[b]", "false")),
                            add=add))
        widths.append(units)
    l2 = round(rng.uniform(0.001, 0.3), 4) if rng.random() < 0.6 else 0.0
    if not l2 and not any(la.bias == "shared" or la.add for la in layers):
        l2 = round(rng.uniform(0.001, 0.3), 4)      # every case uses at least one new key
    loss_options = {"delta": round(rng.uniform(0.1, 2.0), 4)} if loss == "huber" else {}
    samples = rng.randint(1, 3)
    init = tuple((tuple(tuple(rng.uniform(-1.0, 1.0) for _ in range(widths[i]))
                        for _ in range(la.units)),
                  tuple(rng.uniform(-1.0, 1.0)
                        for _ in range({"true": la.units, "shared": 1, "false": 0}[la.bias])))
                 for i, la in enumerate(layers))
    return Case(seed=seed, inputs=inputs, layers=tuple(layers), loss=loss,
                loss_options=loss_options, loss_written="set",
                reduction=rng.choice(("mean", "sum")),
                mode=rng.choice(("batch", "sgd")), steps=rng.randint(1, 3),
                learning_rate=round(rng.uniform(0.01, 0.5), 3), l2=l2,
                x=tuple(tuple(rng.uniform(-2.0, 2.0) for _ in range(inputs))
                        for _ in range(samples)),
                y=tuple(_targets(rng, loss, layers[-1].units) for _ in range(samples)),
                init=init)


# --------------------------------------------------------------------------- the oracle


def _trains(layer: Layer, kind: str) -> bool:
    return layer.trainable == "true" or layer.trainable == f"[{kind}]"


def _forward(case: Case, params: list, x: Any) -> Any:
    outputs, a, k = [x], x, 0
    for layer in case.layers:
        z = params[k] @ a
        k += 1
        if layer.bias != "false":
            z = z + params[k]           # shape (units,) or (1,): broadcast for a shared bias
            k += 1
        a = _activate(case, layer, z)
        if layer.add:
            a = a + outputs[0 if layer.add == "inputs" else int(layer.add[1:])]
        outputs.append(a)
    return a


def _reduced_loss(case: Case, params: list, samples: tuple[int, ...]) -> Any:
    terms = [_sample_loss(case, _forward(case, params, torch.tensor(case.x[n],
                                                                   dtype=torch.float64)),
                          torch.tensor(case.y[n], dtype=torch.float64)) for n in samples]
    total = torch.stack(terms).sum()
    loss = total / len(samples) if case.reduction == "mean" else total
    weights = [p for p, (layer, kind) in zip(params, _kinds(case)) if kind == "W"
               and _trains(layer, "W")]
    return loss + case.l2 / 2 * sum((w ** 2).sum() for w in weights) if weights else loss


def _kinds(case: Case) -> list[tuple[Layer, str]]:
    return [(layer, kind) for layer in case.layers
            for kind in (("W", "b") if layer.bias != "false" else ("W",))]


def reference(case: Case) -> Reference:
    params, names = [], []
    for number, (layer, (w, b)) in enumerate(zip(case.layers, case.init), start=1):
        params.append(torch.tensor(w, dtype=torch.float64, requires_grad=True))
        names += [(number, "W", (j, k)) for j in range(len(w)) for k in range(len(w[0]))]
        if layer.bias != "false":
            params.append(torch.tensor(b, dtype=torch.float64, requires_grad=True))
            names += [(number, "b", (j,)) for j in range(len(b))]
    trains = [_trains(layer, kind) for layer, kind in _kinds(case)]
    value, losses, grad, updated = _flat(params), [], [], []
    samples: tuple[int, ...] = ()
    for step in range(case.steps):
        samples = tuple(range(len(case.x))) if case.mode == "batch" else (step % len(case.x),)
        loss = _reduced_loss(case, params, samples)
        grads = torch.autograd.grad(loss, params)
        losses.append(loss.item())
        params = [(p - case.learning_rate * g if t else p).detach().requires_grad_(True)
                  for p, g, t in zip(params, grads, trains)]
        if step == 0:
            grad, updated = _flat(list(grads)), _flat(params)
    losses.append(_reduced_loss(case, params, samples).item())
    final = _flat(params)
    if any(not math.isfinite(v) or abs(v) > VALUE_MAX for v in (*losses, *grad, *final)):
        raise Redraw("training diverges")
    return Reference(names, value, grad, updated, final, losses)


def draw_case(seed: int) -> tuple[Case, Reference]:
    rng = random.Random(10_000 + seed)
    for _ in range(MAX_ATTEMPTS):
        case = _draw(rng, seed)
        try:
            return case, reference(case)
        except Redraw:
            continue
    raise AssertionError(f"seed {seed}: no usable draw in {MAX_ATTEMPTS} attempts")


# --------------------------------------------------------------------------- derive's side


def derive_json(case: Case) -> dict[str, Any]:
    spec = load_spec(spec_yaml(case), f"structure-{case.seed}.yaml")
    derivation = derive(build_network(spec))
    worked = work_example(derivation)
    report = check(derivation, worked)
    files = render(derivation, worked, report, stem="case", formats=("json",))
    return json.loads(files["case.json"])


def compare(case: Case, ref: Reference, document: dict[str, Any]) -> Comparison:
    result = Comparison()
    params = document["parameters"]
    got = [(p["layer"], p["kind"], tuple(p["index"])) for p in params]
    if got != ref.names:
        result.failures.append(f"parameters: derive lists {got}, expected {ref.names}")
        return result
    for p, name, v, g, u, f in zip(params, ref.names, ref.value, ref.grad, ref.updated,
                                   ref.final):
        label = f"{name[1]}{name[0]}{list(name[2])}"
        shared = case.layers[name[0] - 1].bias == "shared" and name[1] == "b"
        if p.get("shared", False) is not shared or p["value"] != v:
            result.failures.append(f"{label}: shared={p.get('shared')!r} value={p['value']!r}")
        result.add(f"{label} grad", p["grad"], g)
        result.add(f"{label} updated", p["updated"], u)
        result.add(f"{label} final", p["final"], f)
    for i, (got_loss, expected) in enumerate(zip(document["losses"], ref.losses)):
        result.add(f"losses[{i}]", got_loss, expected)
    if len(document["losses"]) != len(ref.losses):
        result.failures.append(f"losses: {document['losses']!r} vs {ref.losses!r}")
    result.add("loss.value", document["loss"]["value"], ref.losses[0])
    if document["check"]["passed"] is not True:
        result.failures.append("check.passed is not true")
    return result


# --------------------------------------------------------------------------- tests


def test_cases_cover_every_key_and_pair() -> None:
    cases = [_draw(random.Random(10_000 + seed), seed) for seed in range(CASES)]
    assert set().union(*(c.keys for c in cases)) == {"shared", "add", "add inputs", "l2",
                                                      "trainable"}
    assert all(c.keys & {"shared", "add", "l2"} for c in cases)
    assert {(c.layers[-1].activation, c.loss) for c in cases} == set(PAIRS)
    assert {c.mode for c in cases} == {"batch", "sgd"}
    assert {c.reduction for c in cases} == {"mean", "sum"}
    assert {len(c.layers) for c in cases} == {1, 2, 3}
    assert {la.activation for c in cases for la in c.layers if la.add} >= set(ELEMENTWISE)
    assert any(c.layers[-1].add and c.layers[-1].activation == "softmax" for c in cases)


@pytest.mark.parametrize("seed", range(CASES))
def test_structure_keys_match_torch(seed: int) -> None:
    case, ref = draw_case(seed)
    result = compare(case, ref, derive_json(case))
    if result.failures:
        shown = "\n  ".join(result.failures[:12])
        pytest.fail(f"seed {seed}: derive disagrees with torch\n  {shown}\nspec:\n"
                    f"{spec_yaml(case)}", pytrace=False)
    assert result.compared > 0 and result.max_rel <= REL_TOL


@pytest.mark.parametrize("seed", range(0, CASES, 10))
def test_the_torch_oracle_of_the_check_takes_the_new_keys(seed: int) -> None:
    """``check --oracle torch`` builds shared biases, residuals and weight decay in torch."""
    case, _ = draw_case(seed)
    derivation = derive(build_network(load_spec(spec_yaml(case), f"structure-{seed}.yaml")))
    report = check(derivation, work_example(derivation), methods=("torch",))
    assert report.passed and report.compared > 0 and report.max_rel_error < 1e-9
