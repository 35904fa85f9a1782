"""Differential test: formula activations and losses, and the optimizers, against PyTorch float64.

Random specs (a seeded ``random.Random`` per case): depth 1-3, widths 1-3, 1-3 inputs,
activations drawn from formula ones (swish, mish, gaussian, ..., some with a declared
parameter) and smooth built-ins, a formula or built-in loss, mean or sum, batch or sgd,
1-3 steps, ``trainable`` per layer, and an optimizer (sgd, momentum, adam with drawn
hyperparameters). Run through the library (and a few through the installed CLI), every
``grad``, ``updated``, ``final``, ``losses`` and the optimizer's state per step must equal the
oracle's within |a - b| <= 1e-9 * max(1, |b|).

The oracle is written here from SPEC.md alone: each formula is written again as torch code
(never derive's evaluator), torch.autograd gives the gradients and torch.optim.SGD /
torch.optim.Adam make the updates (frozen tensors are left out of the optimizer).
"""

from __future__ import annotations

import json
import math
import random
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pytest

torch = pytest.importorskip("torch")

from derive import build_network, check, derive, load_spec, render, work_example  # noqa: E402

F = torch.nn.functional
DT = torch.float64
CASES = 160
CLI_CASES = (7, 88)
REL_TOL = 1e-9
VALUE_MAX = 1e3


@dataclass(frozen=True)
class Fn:
    """A function as the spec writes it and as torch computes it."""

    name: str
    formula: str
    torch: Callable[..., Any]
    parameters: tuple[tuple[str, tuple[float, float]], ...] = ()   # name, drawn range


ACTIVATIONS = (
    Fn("swish", "z*sigmoid(z)", lambda z: z * torch.sigmoid(z)),
    Fn("swish_beta", "z * sigmoid(beta * z)", lambda z, beta: z * torch.sigmoid(beta * z),
       (("beta", (0.5, 2.0)),)),
    Fn("mish", "z*tanh(softplus(z))", lambda z: z * torch.tanh(F.softplus(z))),
    Fn("gauss", "exp(-z^2)", lambda z: torch.exp(-z ** 2)),
    Fn("wave", "sin(z) + cos(z)/2", lambda z: torch.sin(z) + torch.cos(z) / 2),
    Fn("smooth_abs", "sqrt(1 + z**2) - 1", lambda z: torch.sqrt(1 + z ** 2) - 1),
    Fn("bent", "(sqrt(z^2 + 1) - 1)/2 + z", lambda z: (torch.sqrt(z ** 2 + 1) - 1) / 2 + z),
    Fn("scaled_tanh", "a * tanh(b * z)", lambda z, a, b: a * torch.tanh(b * z),
       (("a", (0.5, 1.7)), ("b", (0.3, 1.5)))),
    Fn("hyper", "sinh(z/2) + cosh(z/3)", lambda z: torch.sinh(z / 2) + torch.cosh(z / 3)),
)
BUILTIN_ACTIVATIONS = {"linear": lambda z: z, "sigmoid": torch.sigmoid, "tanh": torch.tanh}
LOSSES = (
    Fn("log_cosh", "log(cosh(yhat - y))", lambda a, y: torch.log(torch.cosh(a - y))),
    Fn("pseudo_huber", "d^2 * (sqrt(1 + ((yhat - y)/d)^2) - 1)",
       lambda a, y, d: d ** 2 * (torch.sqrt(1 + ((a - y) / d) ** 2) - 1), (("d", (0.5, 2.0)),)),
    Fn("quartic", "(yhat - y)^2/2 + c*(yhat - y)^4", lambda a, y, c: (a - y) ** 2 / 2
       + c * (a - y) ** 4, (("c", (0.0, 0.5)),)),
    Fn("exp_gap", "exp(yhat - y) - (yhat - y) - 1", lambda a, y: torch.exp(a - y) - (a - y) - 1),
)
BUILTIN_LOSSES = {"squared_error": lambda a, y: (y - a) ** 2,
                  "half_squared_error": lambda a, y: 0.5 * (a - y) ** 2}
OPTIMIZERS = ("sgd", "momentum", "adam")
TRAINABLE = (None, None, "[W]", "[b]", "false")


class Redraw(Exception):
    pass


@dataclass
class Case:
    seed: int
    yaml: str
    layers: list[dict]
    loss: tuple[Callable[..., Any], dict[str, float]]
    reduction: str
    mode: str
    steps: int
    rate: float
    optimizer: dict[str, Any]
    x: list[list[float]]
    y: list[list[float]]
    init: list[tuple[list[list[float]], list[float]]]


def _num(v: float) -> str:
    return repr(float(v))


def _function(rng: random.Random, fn: Fn) -> tuple[str, Callable[..., Any], dict[str, float]]:
    values = {name: round(rng.uniform(*bounds), 3) for name, bounds in fn.parameters}
    extra = "".join(f", {k}: {_num(v)}" for k, v in values.items())
    return f'{{name: {fn.name}, formula: "{fn.formula}"{extra}}}', fn.torch, values


def _draw(seed: int) -> Case:
    rng = random.Random(seed)
    inputs, depth = rng.randint(1, 3), rng.randint(1, 3)
    lines = [f"title: formula case {seed}", f"inputs: {inputs}", "layers:"]
    layers, fan_in, init = [], inputs, []
    for number in range(depth):
        units = rng.randint(1, 3)
        if rng.random() < 0.7 or number == 0 and seed % 2 == 0:
            text, fn, values = _function(rng, ACTIVATIONS[(seed + number) % len(ACTIVATIONS)])
        else:
            text = rng.choice(tuple(BUILTIN_ACTIVATIONS))
            fn, values = BUILTIN_ACTIVATIONS[text], {}
        bias = rng.random() < 0.8
        trainable = rng.choice(TRAINABLE)
        extra = ("" if bias else ", bias: false") + (f", trainable: {trainable}" if trainable else "")
        lines.append(f"  - {{units: {units}, activation: {text}{extra}}}")
        trains = {"[W]": ("W",), "[b]": ("b",), "false": ()}.get(trainable or "", ("W", "b"))
        layers.append({"fn": fn, "values": values, "bias": bias, "trains": trains})
        init.append(([[rng.uniform(-1, 1) for _ in range(fan_in)] for _ in range(units)],
                     [rng.uniform(-1, 1) for _ in range(units)] if bias else []))
        fan_in = units
    if seed % 3:
        text, loss_fn, loss_values = _function(rng, LOSSES[seed % len(LOSSES)])
    else:
        text = rng.choice(tuple(BUILTIN_LOSSES))
        loss_fn, loss_values = BUILTIN_LOSSES[text], {}
    samples = rng.randint(1, 3)
    x = [[rng.uniform(-2, 2) for _ in range(inputs)] for _ in range(samples)]
    y = [[rng.uniform(-1, 1) for _ in range(fan_in)] for _ in range(samples)]
    reduction, mode = rng.choice(("mean", "sum")), rng.choice(("batch", "sgd"))
    steps, rate = rng.randint(1, 3), round(rng.uniform(0.01, 0.5), 3)
    kind = OPTIMIZERS[seed % 3]
    optimizer: dict[str, Any] = {"name": kind}
    if kind == "momentum":
        optimizer["momentum"] = round(rng.uniform(0.1, 0.99), 3)
    if kind == "adam":
        optimizer.update(beta1=round(rng.uniform(0.5, 0.95), 3),
                         beta2=round(rng.uniform(0.9, 0.9999), 4), eps=rng.choice((1e-8, 1e-3)))
    written = kind if kind == "sgd" and seed % 2 else \
        "{" + ", ".join(f"{k}: {v}" for k, v in optimizer.items()) + "}"
    rows = lambda m: "[" + ", ".join("[" + ", ".join(map(_num, r)) + "]" for r in m) + "]"  # noqa
    lines += [f"loss: {text}", f"reduction: {reduction}", "example:", f"  x: {rows(x)}",
              f"  y: {rows(y)}", "  init:"]
    for w, b in init:
        lines.append(f"    - {{W: {rows(w)}" + (f", b: [{', '.join(map(_num, b))}]}}" if b else "}"))
    lines += [f"  learning_rate: {rate}", f"  steps: {steps}", f"  mode: {mode}",
              f"  optimizer: {written}"]
    return Case(seed, "\n".join(lines) + "\n", layers, (loss_fn, loss_values), reduction, mode,
                steps, rate, optimizer, x, y, init)


# --------------------------------------------------------------------------- the oracle


def _loss(case: Case, leaves: list[tuple[str, torch.Tensor]], samples: tuple[int, ...]) -> Any:
    tensors = iter(t for _, t in leaves)
    params = [(next(tensors), next(tensors) if layer["bias"] else None) for layer in case.layers]
    x = torch.tensor([case.x[n] for n in samples], dtype=DT)
    y = torch.tensor([case.y[n] for n in samples], dtype=DT)
    a = x
    for layer, (w, b) in zip(case.layers, params):
        z = a @ w.T + (b if b is not None else 0)
        a = layer["fn"](z, **layer["values"])
    fn, values = case.loss
    total = fn(a, y, **values).sum()
    return total / len(samples) if case.reduction == "mean" else total


def reference(case: Case) -> dict[str, Any]:
    leaves: list[tuple[str, torch.Tensor]] = []
    for layer, (w, b) in zip(case.layers, case.init):
        leaves.append(("W" if "W" in layer["trains"] else "", torch.tensor(w, dtype=DT,
                                                                       requires_grad=True)))
        if layer["bias"]:
            leaves.append(("b" if "b" in layer["trains"] else "",
                           torch.tensor(b, dtype=DT, requires_grad=True)))
    trained = [t for kind, t in leaves if kind]
    opt = case.optimizer
    if opt["name"] == "adam":
        optim = torch.optim.Adam(trained, lr=case.rate, betas=(opt["beta1"], opt["beta2"]),
                                 eps=opt["eps"]) if trained else None
    else:
        optim = torch.optim.SGD(trained, lr=case.rate, momentum=opt.get("momentum", 0.0)) \
            if trained else None
    flat = lambda ts: [float(v) for t in ts for v in t.detach().reshape(-1).tolist()]  # noqa
    out: dict[str, Any] = {"losses": [], "states": []}
    samples: tuple[int, ...] = ()
    for step in range(case.steps):
        samples = tuple(range(len(case.x))) if case.mode == "batch" else (step % len(case.x),)
        for _, t in leaves:
            t.grad = None
        loss = _loss(case, leaves, samples)
        loss.backward()
        out["losses"].append(loss.item())
        if step == 0:
            out["grad"] = flat(t.grad for _, t in leaves)
        if optim is not None:
            optim.step()
        out["states"].append(_state(optim, leaves, opt["name"]))
        if step == 0:
            out["updated"] = flat(t for _, t in leaves)
    with torch.no_grad():
        out["losses"].append(_loss(case, leaves, samples).item())
    out["final"] = flat(t for _, t in leaves)
    if any(not math.isfinite(v) or abs(v) > VALUE_MAX for v in (*out["losses"], *out["final"])):
        raise Redraw
    return out


STATE_NAMES = {"sgd": {}, "momentum": {"momentum_buffer": "velocity"},
               "adam": {"exp_avg": "m", "exp_avg_sq": "v"}}


def _state(optim: Any, leaves: list[tuple[str, torch.Tensor]], kind: str) -> dict[str, list]:
    """torch's optimizer state per parameter, None for a frozen one, by derive's JSON names."""
    out: dict[str, list] = {}
    for torch_name, ours in STATE_NAMES[kind].items():
        values = []
        for kind, t in leaves:
            state = optim.state.get(t, {}) if optim is not None and kind else {}
            buffer = state.get(torch_name)
            count = t.numel()
            values += [None] * count if buffer is None else buffer.reshape(-1).tolist()
        out[ours] = values
    return out


def draw_case(seed: int) -> tuple[Case, dict[str, Any]]:
    for attempt in range(100):
        case = _draw(seed + 100_000 * attempt)
        try:
            return case, reference(case)
        except Redraw:
            continue
    raise AssertionError("no case drawn")


def derive_json(case: Case) -> dict[str, Any]:
    spec = load_spec(case.yaml, f"formula-{case.seed}.yaml")
    derivation = derive(build_network(spec))
    worked = work_example(derivation)
    report = check(derivation, worked)
    return json.loads(render(derivation, worked, report, stem="c", formats=("json",))["c.json"])


def assert_agrees(case: Case, ref: dict[str, Any], doc: dict[str, Any]) -> float:
    failures, worst = [], 0.0

    def add(what: str, got: Any, expected: Any) -> None:
        nonlocal worst
        if expected is None or got is None:
            if expected is not got:
                failures.append(f"{what}: derive={got!r} torch={expected!r}")
            return
        rel = abs(got - expected) / max(1.0, abs(expected))
        worst = max(worst, rel)
        if not rel <= REL_TOL:
            failures.append(f"{what}: derive={got!r} torch={expected!r} rel {rel:.3g}")

    for i, p in enumerate(doc["parameters"]):
        for key in ("grad", "updated", "final"):
            add(f"{p['kind']}{p['layer']}{p['index']} {key}", p[key], ref[key][i])
    assert len(doc["losses"]) == case.steps + 1
    for i, (got, expected) in enumerate(zip(doc["losses"], ref["losses"])):
        add(f"losses[{i}]", got, expected)
    add("loss.value", doc["loss"]["value"], ref["losses"][0])
    steps = doc.get("optimizer", {}).get("steps", [{}] * case.steps)
    for step, (got, expected) in enumerate(zip(steps, ref["states"])):
        assert set(got) - {"step"} == set(expected), (got, expected)
        for name, values in expected.items():
            for i, value in enumerate(values):
                add(f"step {step + 1} {name}[{i}]", got[name][i], value)
    if doc["check"]["passed"] is not True:
        failures.append("check.passed is not true")
    if failures:
        pytest.fail(f"case {case.seed}:\n  " + "\n  ".join(failures[:12]) + f"\n{case.yaml}",
                    pytrace=False)
    return worst


def test_cases_cover_the_space() -> None:
    cases = [_draw(seed) for seed in range(CASES)]
    texts = "".join(c.yaml for c in cases)
    for fn in (*ACTIVATIONS, *LOSSES):
        assert f"name: {fn.name}," in texts
    for word in (*BUILTIN_ACTIVATIONS, *BUILTIN_LOSSES, "name: momentum", "name: adam",
                 "optimizer: sgd", "trainable: [W]", "trainable: [b]", "trainable: false",
                 "mode: sgd", "mode: batch", "steps: 3", "reduction: sum"):
        assert word in texts, word


@pytest.mark.parametrize("seed", range(CASES))
def test_library_matches_torch(seed: int) -> None:
    case, ref = draw_case(seed)
    assert_agrees(case, ref, derive_json(case))


@pytest.mark.parametrize("seed", CLI_CASES)
def test_cli_matches_torch(seed: int, cli_path: str, tmp_path: Path) -> None:
    case, ref = draw_case(seed)
    spec = tmp_path / "case.yaml"
    spec.write_text(case.yaml, encoding="utf-8")
    run = subprocess.run([cli_path, str(spec), "--format", "json", "-o", "-"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert_agrees(case, ref, json.loads(run.stdout))
