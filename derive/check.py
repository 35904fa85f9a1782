"""``Derivation`` (+ ``WorkedExample``) -> ``CheckReport``: every symbolic gradient against an oracle.

The oracle is central finite differences of the loss, computed by an
independent forward pass (``numeric.forward`` on the network's local
equations, no derivative anywhere) in 50-digit mpmath, so its own error is far
below the tolerance. Points: the example's first update (when the spec has
one) and seeded random points. Never prints, never exits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import random
from dataclasses import dataclass

import mpmath

from .derivation import Derivation
from .numeric import compile_float, evaluate, evaluate_float, forward, parameter_env
from .worked import WorkedExample, float_downstream, float_forward, gradient_values

if TYPE_CHECKING:
    from .claims import ClaimResult

__all__ = ["Disagreement", "OracleResult", "CheckReport", "check", "METHODS", "TOLERANCE",
           "RANDOM_POINTS"]

TOLERANCE = mpmath.mpf("1e-9")   # |symbolic - numeric| <= TOLERANCE * max(1, |numeric|)
STEP = mpmath.mpf("1e-20")
MPMATH_PARAMETERS = 60        # up to this many parameters, finite differences in 50 digits
FLOAT_STEP = 1e-5
FLOAT_TOLERANCE = mpmath.mpf("1e-6")
KINK = 1e-3                   # one-sided float differences further apart than this: a kink
MAX_FINITE_DIFFERENCE = 400   # parameters compared by finite differences; beyond, a seeded sample
MPMATH_LIMIT_EVALUATION = 2_000   # beyond: a smaller finite-difference sample (LARGE_SAMPLE)
LARGE_SAMPLE = 100            # the finite-difference sample beyond MPMATH_LIMIT_EVALUATION
RANDOM_POINTS = 2


@dataclass(frozen=True, slots=True)
class Disagreement:
    parameter: int
    point: str
    symbolic: float
    numeric: float
    method: str


@dataclass(frozen=True, slots=True)
class OracleResult:
    """How one oracle fared: comparisons made and the largest differences."""

    method: str
    compared: int
    max_abs_error: float
    max_rel_error: float
    agreed: bool
    precision: str = ""


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
    oracles: tuple[OracleResult, ...] = ()
    claims: tuple[ClaimResult, ...] = ()


@dataclass(frozen=True, slots=True)
class _Point:
    name: str
    params: tuple
    x: tuple
    y: tuple


def _symbolic(derivation: Derivation, point: _Point, form: str) -> tuple:
    network = derivation.network
    env = parameter_env(network, point.params)
    per_sample = [gradient_values(derivation, forward(network, env, x, y).env, form=form)
                  for x, y in zip(point.x, point.y)]
    scale = mpmath.mpf(1) / len(per_sample) if network.spec.reduction == "mean" else 1
    return tuple(scale * mpmath.fsum(column) for column in zip(*per_sample))


def _symbolic_float(derivation: Derivation, point: _Point, form: str) -> tuple:
    """``_symbolic`` in float64, for networks too large for 50-digit arithmetic."""
    network = derivation.network
    per_sample = []
    for x, y in zip(point.x, point.y):
        env = float_forward(network, point.params, x, y)
        for layer in reversed(derivation.deltas):
            for eq in layer:
                env[eq.symbol] = evaluate_float(eq.value, env)
        per_sample.append([evaluate_float(getattr(g, form), env)
                           for g in derivation.gradients])
    scale = 1.0 / len(per_sample) if network.spec.reduction == "mean" else 1.0
    return tuple(mpmath.mpf(scale * sum(column)) for column in zip(*per_sample))


def _downstream_loss(network, env: dict, first_layer: int,  # type: ignore[no-untyped-def]
                     unit: int | None) -> mpmath.mpf:
    """Recompute ``unit`` of ``first_layer`` and every later layer (the rest is unchanged)."""
    for layer in network.layers[first_layer - 1:]:
        changed = range(layer.units) if unit is None else (unit,)
        for j in changed:
            env[layer.z[j]] = evaluate(layer.z_expr[j], env)
        for j in range(layer.units) if layer.activation.vector else changed:
            env[layer.a[j]] = evaluate(layer.a_expr[j], env)
        unit = None
    return evaluate(network.loss_expr, env)


def finite_difference(derivation: Derivation, point: _Point, index: int,
                      bases: list[dict] | None = None) -> tuple:
    """Central, forward and backward differences of the loss in parameter ``index``."""
    network = derivation.network
    if bases is None:
        env = parameter_env(network, point.params)
        bases = [forward(network, env, x, y).env for x, y in zip(point.x, point.y)]
    symbol = network.parameters[index]
    role = derivation.gradients[index].role
    scale = mpmath.mpf(1) / len(bases) if network.spec.reduction == "mean" else mpmath.mpf(1)

    def loss(delta: mpmath.mpf) -> mpmath.mpf:
        total = []
        for base in bases:
            env = dict(base)
            env[symbol] = base[symbol] + delta
            total.append(_downstream_loss(network, env, role.layer, role.index[0]))
        return scale * mpmath.fsum(total)
    here = scale * mpmath.fsum(evaluate(network.loss_expr, base) for base in bases)
    up, down = loss(STEP), loss(-STEP)
    return (up - down) / (2 * STEP), (up - here) / STEP, (here - down) / STEP


def float_difference(derivation: Derivation, index: int, bases: list[dict]) -> tuple:
    """Central difference in float64 (error near 1e-10) and the one-sided ones (a kink: a gap)."""
    network = derivation.network
    symbol = network.parameters[index]
    role = derivation.gradients[index].role
    scale = 1.0 / len(bases) if network.spec.reduction == "mean" else 1.0
    h = FLOAT_STEP * max(1.0, abs(bases[0][symbol]))

    def loss(delta: float) -> float:
        total = 0.0
        for base in bases:
            env = dict(base)
            env[symbol] = base[symbol] + delta
            total += float_downstream(network, env, role.layer, role.index[0])
        return scale * total
    here = scale * sum(compile_float(network.loss_expr)(base) for base in bases)
    up, down = loss(h), loss(-h)
    return (up - down) / (2 * h), (up - here) / h, (here - down) / h


def compared_parameters(derivation: Derivation, seed: int) -> tuple[int, ...]:
    """All parameters up to MAX_FINITE_DIFFERENCE, else a seeded sample from every layer."""
    count = len(derivation.network.parameters)
    if count <= MAX_FINITE_DIFFERENCE:
        return tuple(range(count))
    sample = MAX_FINITE_DIFFERENCE if count <= MPMATH_LIMIT_EVALUATION else LARGE_SAMPLE
    rng = random.Random(seed)
    by_layer: dict[int, list[int]] = {}
    for index, g in enumerate(derivation.gradients):
        by_layer.setdefault(g.role.layer, []).append(index)
    share = sample // len(by_layer)
    chosen = [i for indices in by_layer.values()
              for i in rng.sample(indices, min(share, len(indices)))]
    return tuple(sorted(chosen))


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


class _Tally:
    """Largest errors and disagreements of one oracle."""

    def __init__(self, method: str, seed: int = 0) -> None:
        self.method, self.compared, self.seed = method, 0, seed
        self.tolerance = TOLERANCE
        self.precision = "float64" if method == "torch" else "50-digit mpmath"
        self.max_abs = self.max_rel = mpmath.mpf(0)
        self.bad: list[Disagreement] = []

    def add(self, index: int, point: str, symbolic: mpmath.mpf, oracle: mpmath.mpf) -> None:
        error = abs(symbolic - oracle)
        self.compared += 1
        self.max_abs = max(self.max_abs, error)
        self.max_rel = max(self.max_rel, error / max(1, abs(oracle)))
        if error > self.tolerance * max(1, abs(oracle)):
            self.bad.append(Disagreement(index, point, float(symbolic), float(oracle),
                                         self.method))

    def result(self) -> OracleResult:
        return OracleResult(self.method, self.compared, float(self.max_abs), float(self.max_rel),
                            not self.bad, self.precision)


def _finite_differences(derivation: Derivation, point: _Point, symbolic: dict,
                        tally: _Tally) -> int:
    """Compare every printed form with central differences; return how many kinks were skipped.

    Small networks use 50-digit mpmath (errors near 1e-30); larger ones float64
    (errors near 1e-10, tolerance FLOAT_TOLERANCE).
    """
    network = derivation.network
    exact = len(network.parameters) <= MPMATH_PARAMETERS
    if exact:
        env = parameter_env(network, point.params)
        bases = [forward(network, env, x, y).env for x, y in zip(point.x, point.y)]
    else:
        bases = [float_forward(network, point.params, x, y) for x, y in zip(point.x, point.y)]
        tally.tolerance, tally.precision = FLOAT_TOLERANCE, "float64"
    kink = TOLERANCE if exact else KINK
    skipped = 0
    for index in compared_parameters(derivation, tally.seed):
        central, ahead, behind = (finite_difference(derivation, point, index, bases) if exact
                                  else float_difference(derivation, index, bases))
        if abs(ahead - behind) > kink * max(1, abs(central)):
            skipped += 1   # a kink (ReLU at 0): the loss has no derivative here
            continue
        central = mpmath.mpf(central)
        for values in symbolic.values():
            tally.add(index, point.name, values[index], central)
    return skipped


def _autograd(derivation: Derivation, point: _Point, symbolic: dict, tally: _Tally) -> None:
    from .autodiff import loss_and_gradients

    _, grads = loss_and_gradients(derivation.network, point.params, point.x, point.y)
    for values in symbolic.values():
        for index, oracle in enumerate(grads):
            tally.add(index, point.name, values[index], mpmath.mpf(oracle))


METHODS = {"finite_difference": _finite_differences, "torch": _autograd}


def check(derivation: Derivation, worked: WorkedExample | None = None, *,
          seed: int = 0, methods: tuple[str, ...] = ("finite_difference",)) -> CheckReport:
    """Compare every printed gradient (and its δ form) with each oracle in ``methods``."""
    tallies = {method: _Tally(method, seed) for method in methods}
    skipped = 0
    points = _points(derivation, worked, seed)
    for point in points:
        forms = ("value", "delta_form") if any(g.result is not None
                                               for g in derivation.gradients) else ("value",)
        evaluate_at = _symbolic if len(derivation.network.parameters) <= MPMATH_PARAMETERS \
            else _symbolic_float       # as precise as the finite differences they meet
        symbolic = {form: evaluate_at(derivation, point, form) for form in forms}
        for method, tally in tallies.items():
            skipped += METHODS[method](derivation, point, symbolic, tally) or 0
    results = tuple(t.result() for t in tallies.values())
    bad = tuple(d for t in tallies.values() for d in t.bad)
    proved = [g.proved for g in derivation.gradients if g.proved is not None]
    matrix_ok = all(m.weights and m.bias and m.delta for m in derivation.matrix)
    claims: tuple = ()
    if derivation.network.spec.claims:
        from .claims import verify_claims    # the formula parser, only when there are claims
        claims = verify_claims(derivation, seed=seed)
    return CheckReport(
        passed=(not bad and all(proved) and matrix_ok and derivation.shortcut_proved
                and all(c.passed for c in claims)), claims=claims,
        methods=tuple(methods), points=tuple(p.name for p in points),
        compared=sum(r.compared for r in results), skipped=skipped,
        max_abs_error=max(r.max_abs_error for r in results),
        max_rel_error=max(r.max_rel_error for r in results), disagreements=bad,
        paths_proved=sum(proved), paths_total=len(proved), matrix_proved=matrix_ok, seed=seed,
        oracles=results)
