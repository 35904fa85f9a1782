"""``Derivation`` (+ ``WorkedExample``) -> ``CheckReport``: every symbolic gradient against an oracle.

The oracle is central finite differences of the loss, computed by an
independent forward pass (``numeric.forward`` on the network's local
equations, no derivative anywhere) in 50-digit mpmath, so its own error is far
below the tolerance. Points: the example's first update (when the spec has
one) and seeded random points. Never prints, never exits.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import mpmath

from .derivation import Derivation
from .numeric import forward, parameter_env
from .worked import WorkedExample, gradient_values

__all__ = ["Disagreement", "CheckReport", "check", "TOLERANCE", "RANDOM_POINTS"]

TOLERANCE = mpmath.mpf("1e-9")   # |symbolic - numeric| <= TOLERANCE * max(1, |numeric|)
STEP = mpmath.mpf("1e-20")
RANDOM_POINTS = 2


@dataclass(frozen=True, slots=True)
class Disagreement:
    parameter: int
    point: str
    symbolic: float
    numeric: float
    method: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckReport:
    """What was compared, with which oracle, and the largest difference."""

    passed: bool
    methods: tuple[str, ...]
    points: tuple[str, ...]
    compared: int
    skipped: int
    max_abs_error: float
    max_rel_error: float
    disagreements: tuple[Disagreement, ...]
    paths_proved: int
    paths_total: int
    matrix_proved: bool
    seed: int


@dataclass(frozen=True, slots=True)
class _Point:
    name: str
    params: tuple
    x: tuple
    y: tuple


def _loss(derivation: Derivation, params: tuple, point: _Point) -> mpmath.mpf:
    network = derivation.network
    env = parameter_env(network, params)
    losses = [forward(network, env, x, y).loss for x, y in zip(point.x, point.y)]
    scale = mpmath.mpf(1) / len(losses) if network.spec.reduction == "mean" else mpmath.mpf(1)
    return scale * mpmath.fsum(losses)


def _symbolic(derivation: Derivation, point: _Point, form: str) -> tuple:
    network = derivation.network
    env = parameter_env(network, point.params)
    per_sample = [gradient_values(derivation, forward(network, env, x, y).env, form=form)
                  for x, y in zip(point.x, point.y)]
    scale = mpmath.mpf(1) / len(per_sample) if network.spec.reduction == "mean" else 1
    return tuple(scale * mpmath.fsum(column) for column in zip(*per_sample))


def finite_difference(derivation: Derivation, point: _Point, index: int) -> tuple:
    """Central, forward and backward differences of the loss in parameter ``index``."""
    def shifted(delta: mpmath.mpf) -> mpmath.mpf:
        params = list(point.params)
        params[index] += delta
        return _loss(derivation, tuple(params), point)
    here, up, down = _loss(derivation, point.params, point), shifted(STEP), shifted(-STEP)
    return (up - down) / (2 * STEP), (up - here) / STEP, (here - down) / STEP


def _random_point(derivation: Derivation, rng: random.Random, name: str) -> _Point:
    network = derivation.network
    params = tuple(mpmath.mpf(rng.uniform(-1, 1)) for _ in network.parameters)
    x = (tuple(rng.uniform(-2, 2) for _ in network.x),)
    y = (network.loss.sample_targets(rng, len(network.y)),)
    return _Point(name, params, x, y)


def _points(derivation: Derivation, worked: WorkedExample | None, seed: int) -> list[_Point]:
    rng = random.Random(seed)
    points = []
    example = derivation.network.spec.example
    if worked is not None and example is not None:
        first = worked.first
        points.append(_Point("example", first.parameters,
                             tuple(example.x[n] for n in first.samples),
                             tuple(example.y[n] for n in first.samples)))
    points += [_random_point(derivation, rng, f"random point {i + 1} (seed {seed})")
               for i in range(RANDOM_POINTS)]
    return points


def check(derivation: Derivation, worked: WorkedExample | None = None, *,
          seed: int = 0) -> CheckReport:
    """Compare every printed gradient (and its δ form) with central differences."""
    compared = skipped = 0
    max_abs = max_rel = mpmath.mpf(0)
    bad: list[Disagreement] = []
    forms = ("value", "delta_form")
    for point in _points(derivation, worked, seed):
        symbolic = {form: _symbolic(derivation, point, form) for form in forms}
        for index in range(len(derivation.network.parameters)):
            central, ahead, behind = finite_difference(derivation, point, index)
            if abs(ahead - behind) > TOLERANCE * max(1, abs(central)):
                skipped += 1   # a kink (ReLU at 0): the loss has no derivative here
                continue
            for form in forms:
                error = abs(symbolic[form][index] - central)
                compared += 1
                max_abs = max(max_abs, error)
                max_rel = max(max_rel, error / max(1, abs(central)))
                if error > TOLERANCE * max(1, abs(central)):
                    bad.append(Disagreement(index, point.name, float(symbolic[form][index]),
                                            float(central), "finite_difference"))
    proved = [g.proved for g in derivation.gradients if g.proved is not None]
    matrix_ok = all(m.weights and m.bias and m.delta for m in derivation.matrix)
    return CheckReport(
        passed=not bad and all(proved) and matrix_ok and derivation.shortcut_proved, methods=("finite_difference",),
        points=tuple(p.name for p in _points(derivation, worked, seed)), compared=compared,
        skipped=skipped, max_abs_error=float(max_abs), max_rel_error=float(max_rel),
        disagreements=tuple(bad), paths_proved=sum(proved), paths_total=len(proved),
        matrix_proved=matrix_ok, seed=seed)

