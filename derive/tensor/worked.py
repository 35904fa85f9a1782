"""The example's numbers (forward values, gradients, SGD steps) and their check against
central finite differences of the loss at the example and at seeded random points."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import sympy as sp

from ..numbers.second_look import NARROWER, own_error
from ..registry import OPTIMIZERS
from .build import Model
from .reverse import Evaluator

__all__ = ["Disagreement", "TensorCheck", "TensorWorked", "check_model", "work_model"]

TOLERANCE = 1e-6        # relative, as float64 finite differences allow
TORCH_TOLERANCE = 1e-9  # relative: two float64 computations of the same gradient
RANDOM_POINTS = 2


@dataclass(frozen=True, slots=True)
class TensorWorked:
    """Values and gradients at the example, the update, and the loss over the steps."""

    values: dict[sp.Symbol, float]      # every node at the example (first step)
    grads: dict[sp.Symbol, float]       # ∂L/∂node at the example
    updated: dict[sp.Symbol, float]     # parameters after the first step
    final: dict[sp.Symbol, float]       # parameters after the last step
    losses: tuple[float, ...]           # L before each step, then after the last


@dataclass(frozen=True, slots=True)
class Disagreement:
    parameter: str
    point: str
    symbolic: float
    numeric: float
    oracle: str = "finite_difference"


@dataclass(frozen=True, slots=True)
class TensorCheck:
    compared: int
    skipped: int                         # at a kink (the one-sided differences disagree)
    max_rel_error: float
    disagreements: tuple[Disagreement, ...]
    methods: tuple[str, ...] = ("finite_difference",)
    torch_compared: int = 0              # of ``compared``: against torch.autograd

    @property
    def passed(self) -> bool:
        return not self.disagreements


def work_model(model: Model, evaluator: Evaluator) -> TensorWorked:
    """The example's optimizer on the whole batch (SGD: θ ← θ − η ∂L/∂θ), ``steps`` times;
    frozen tensors (``trainable``) keep their values."""
    example, params = model.spec.example, [s for t in model.graph.parameters for s in t.symbols]
    trained = [s for r in model.layers for t in r.parameters if r.trains(t) for s in t.symbols]
    optimizer = example.optimizer.of(OPTIMIZERS)
    options = dict(example.optimizer.options)
    state: dict[sp.Symbol, tuple | None] = {p: None for p in trained}
    leaves = model.values()
    first_values = first_grads = updated = None
    losses = []
    for step in range(example.steps + 1):
        values = evaluator.forward(leaves)
        losses.append(values[model.graph.loss])
        if step == example.steps:
            break
        grads = evaluator.backward(values)
        leaves = dict(leaves)
        for p in trained:
            new, state[p] = optimizer.update(leaves[p], grads.get(p, 0.0), state[p], step + 1,
                                             example.learning_rate, **options)
            leaves[p] = float(new)      # Adam's square root is mpmath's
        if step == 0:
            first_values, first_grads, updated = values, grads, {p: leaves[p] for p in params}
    if first_values is None:        # no step: the example's values and gradients only
        first_values = evaluator.forward(leaves)
        first_grads = evaluator.backward(first_values)
        updated = {p: leaves[p] for p in params}
    return TensorWorked(first_values, first_grads, updated,   # type: ignore[arg-type]
                        {p: leaves[p] for p in params}, tuple(losses))


def _points(model: Model, seed: int) -> list[tuple[str, dict[sp.Symbol, float]]]:
    """The example, then random parameters and inputs (targets kept: the loss's range)."""
    rng = random.Random(seed)
    out = [("the example", model.values())]
    for k in range(RANDOM_POINTS):
        leaves = dict(model.data)
        for s in model.x.symbols:
            leaves[s] = rng.uniform(-2, 2)
        for t in model.graph.parameters:
            for s in t.symbols:
                leaves[s] = rng.uniform(-1, 1)
        out.append((f"random point {k + 1}", leaves))
    return out


STEP = 1e-5         # h = STEP · max(1, |θ|)


def _central(evaluator: Evaluator, env: dict, s: sp.Symbol, value: float, base: float,
             step: float) -> float | None:
    """The central difference of L in ``s`` with h = step · max(1, |value|); None at a kink
    (the one-sided differences disagree)."""
    h = step * max(1.0, abs(value))
    up = evaluator.moved_loss(env, s, value + h)
    down = evaluator.moved_loss(env, s, value - h)
    forward, backward = (up - base) / h, (base - down) / h
    if abs(forward - backward) > 1e-3 * max(1.0, abs(forward), abs(backward)):
        return None
    return (up - down) / (2 * h)


def _relative(symbolic: float, numeric: float) -> float:
    return abs(symbolic - numeric) / max(1.0, abs(numeric))


def check_model(model: Model, evaluator: Evaluator, seed: int = 0,
                methods: tuple[str, ...] = ("finite_difference",)) -> TensorCheck:
    """Every parameter's reverse-mode gradient against a central difference of L, and with
    ``"torch"`` in ``methods`` against torch.autograd of the same layers written in torch
    (``torch_oracle``), at the example and at seeded random points."""
    compared = skipped = against_torch = 0
    worst, wrong = 0.0, []
    for name, leaves in _points(model, seed):
        env = evaluator.forward(leaves)
        grads, base = evaluator.backward(env), env[model.graph.loss]
        for t in model.graph.parameters:
            for s in t.symbols:
                numeric = _central(evaluator, env, s, leaves[s], base, STEP)
                if numeric is None:
                    skipped += 1            # a kink: no derivative to compare with
                    continue
                symbolic = grads.get(s, 0.0)
                noise = 1e-13 * max(1.0, abs(base)) / (STEP * max(1.0, abs(leaves[s])))
                error, own = _relative(symbolic, numeric), False
                if error > TOLERANCE + noise and math.isfinite(symbolic):
                    # the second look: next to a kink of L'' (ReLU's z = 0 exactly) a
                    # difference is O(h) off, and a narrower one shows it
                    finer = _central(evaluator, env, s, leaves[s], base, STEP / NARROWER)
                    own = finer is not None and own_error(symbolic - numeric, symbolic - finer)
                    if own:
                        error = _relative(symbolic, finer)
                compared += 1
                worst = max(worst, error)
                if (error > TOLERANCE + noise and not own) or not math.isfinite(symbolic):
                    wrong.append(Disagreement(s.name, name, symbolic, numeric))
        if "torch" in methods:
            found = _against_torch(model, leaves, grads, name)
            against_torch += found[0]
            worst = max(worst, found[1])
            wrong += found[2]
    return TensorCheck(compared + against_torch, skipped, worst, tuple(wrong),
                       methods=("finite_difference", "torch") if "torch" in methods
                       else ("finite_difference",),
                       torch_compared=against_torch)


def _against_torch(model: Model, leaves: dict, grads: dict, name: str
                   ) -> tuple[int, float, list[Disagreement]]:
    """(comparisons, largest relative error, disagreements) of reverse mode and torch."""
    from .torch_oracle import torch_gradients

    worst, wrong = 0.0, []
    theirs = torch_gradients(model, leaves)
    for s, value in theirs.items():
        ours = grads.get(s, 0.0)
        error = abs(ours - value) / max(1.0, abs(value))
        worst = max(worst, error)
        if not error <= TORCH_TOLERANCE:
            wrong.append(Disagreement(s.name, name, ours, value, "torch"))
    return len(theirs), worst, wrong
