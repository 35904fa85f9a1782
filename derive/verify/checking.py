"""``Derivation`` (+ ``WorkedExample``) -> ``CheckReport``: every symbolic gradient against an oracle.

The oracle is central finite differences of the loss, computed by an
independent forward pass (``numeric.forward`` on the network's local
equations, no derivative anywhere) in 50-digit mpmath, so its own error is far
below the tolerance. Points: the example's first update (when the spec has
one) and seeded random points. Never prints, never exits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import operator
import random
from collections.abc import Callable
from dataclasses import dataclass, replace

import mpmath

from ..calculus import Derivation
from ..calculus import Network, Role
from ..numbers import Forward, compile_float, evaluate, forward, parameter_env
from ..numbers import WorkedExample, float_forward, gradient_forms

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
    """One parameter whose symbolic and numeric gradients differ at one point."""

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
    """Where the gradients are compared: parameter values and a batch."""

    name: str
    params: tuple
    x: tuple
    y: tuple
    forwards: tuple[Forward, ...] = ()    # each sample's forward pass, made by ``_symbolic``


def _symbolic(derivation: Derivation, point: _Point,
              forms: tuple[str, ...]) -> tuple[dict, _Point]:
    """Every gradient in each of ``forms`` at ``point``, and the point with its forward passes
    (the finite differences start from them)."""
    network = derivation.network
    env = parameter_env(network, point.params)
    forwards, per_sample = [], []
    for x, y in zip(point.x, point.y):
        forwards.append(forward(network, env, x, y))
        per_sample.append(gradient_forms(derivation, dict(forwards[-1].env), forms))
    scale = mpmath.mpf(1) / len(per_sample) if network.spec.reduction == "mean" else 1
    return (_by_form(forms, per_sample, lambda column: scale * mpmath.fsum(column)),
            replace(point, forwards=tuple(forwards)))


def _symbolic_float(derivation: Derivation, point: _Point,
                    forms: tuple[str, ...]) -> tuple[dict, _Point]:
    """``_symbolic`` in float64, for networks too large for 50-digit arithmetic.

    The values stay floats: the tally's mpmath arithmetic converts those it compares exactly.
    """
    network = derivation.network
    envs, per_sample = [], []
    for x, y in zip(point.x, point.y):
        envs.append(float_forward(network, point.params, x, y))
        per_sample.append(gradient_forms(derivation, envs[-1], forms, engine="float"))
    loss = compile_float(network.loss_expr)
    forwards = tuple(Forward(env, loss(env)) for env in envs)
    scale = 1.0 / len(per_sample) if network.spec.reduction == "mean" else 1.0
    return (_by_form(forms, per_sample, lambda column: scale * sum(column)),
            replace(point, forwards=forwards))


def _by_form(forms: tuple[str, ...], per_sample: list, reduce: Callable) -> dict:
    """``{form: each gradient reduced over the samples}``, from each sample's values per form."""
    return {form: tuple(map(reduce, zip(*(values[i] for values in per_sample))))
            for i, form in enumerate(forms)}


def _downstream_loss(network, env: dict, first_layer: int,  # type: ignore[no-untyped-def]
                     unit: int | None) -> mpmath.mpf:
    """Recompute ``unit`` of ``first_layer`` and every later layer (the rest is unchanged).

    Layer by layer, each value is computed after every value it reads has its new value,
    so one memo serves the whole pass (softmax's a_j share their exp(z_k)).
    """
    memo: dict = {}
    for layer in network.layers[first_layer - 1:]:
        changed = range(layer.units) if unit is None else (unit,)
        for j in changed:
            env[layer.z[j]] = evaluate(layer.z_expr[j], env, memo)
        for j in range(layer.units) if layer.activation.vector else changed:
            env[layer.a[j]] = evaluate(layer.a_expr[j], env, memo)
        unit = None
    return evaluate(network.loss_expr, env, memo)


def finite_difference(derivation: Derivation, point: _Point, index: int,
                      forwards: tuple[Forward, ...] = ()) -> tuple:
    """Central, forward and backward differences of the loss in parameter ``index``.

    ``forwards``: the point's forward passes, when already made (their losses are the centre).
    """
    network = derivation.network
    if not forwards:
        env = parameter_env(network, point.params)
        forwards = tuple(forward(network, env, x, y) for x, y in zip(point.x, point.y))
    symbol = network.parameters[index]
    role = derivation.gradients[index].role
    scale = mpmath.mpf(1) / len(forwards) if network.spec.reduction == "mean" else mpmath.mpf(1)

    def loss(delta: mpmath.mpf) -> mpmath.mpf:
        total = []
        for base in forwards:
            env = dict(base.env)
            env[symbol] = base.env[symbol] + delta
            total.append(_downstream_loss(network, env, role.layer, role.index[0]))
        return scale * mpmath.fsum(total)
    here = scale * mpmath.fsum(base.loss for base in forwards)
    up, down = loss(STEP), loss(-STEP)
    return (up - down) / (2 * STEP), (up - here) / STEP, (here - down) / STEP


@dataclass(frozen=True, slots=True)
class _FloatLists:
    """A float64 forward pass's numbers as lists per layer, read once from its env.

    The finite differences rerun the layers after a changed parameter ~1000 times: lists
    spare them a dict lookup (a SymPy hash) per weight and input, with the same floats.
    """

    values: tuple[list[float], ...]                 # x, then each layer's a
    weights: tuple[tuple[list[float], ...], ...]    # per layer, W row by row
    biases: tuple[list[float], ...]                 # per layer (empty without a bias)
    activations: tuple[tuple[Callable, ...], ...]   # per layer, each a_j compiled
    env: dict                  # x, y, z, a: all that the activations and the loss read

    @classmethod
    def of(cls, network: Network, env: dict) -> _FloatLists:
        get = env.__getitem__
        read = (*network.x, *network.y, *(s for layer in network.layers
                                          for s in (*layer.z, *layer.a)))
        return cls(values=(list(map(get, network.x)),
                           *(list(map(get, layer.a)) for layer in network.layers)),
                   weights=tuple(tuple(list(map(get, row)) for row in layer.W)
                                 for layer in network.layers),
                   biases=tuple(list(map(get, layer.b)) for layer in network.layers),
                   activations=tuple(tuple(map(compile_float, layer.a_expr))
                                     for layer in network.layers),
                   env={s: env[s] for s in read})

    def moved(self, role: Role, delta: float) -> tuple[list[float], float | None]:
        """The weights and bias of the unit that ``role``'s parameter feeds, that parameter
        moved by ``delta``."""
        layer, unit = role.layer - 1, role.index[0]
        weights = list(self.weights[layer][unit])
        bias = self.biases[layer][unit] if self.biases[layer] else None
        if role.kind == "W":
            weights[role.index[1]] += delta
        else:
            bias = self.biases[layer][unit] + delta
        return weights, bias


def _float_downstream(network: Network, lists: _FloatLists, role: Role,
                      weights: list[float], bias: float | None) -> float:
    """The loss after a change to ``role``'s parameter (``weights``, ``bias``: its unit's,
    changed), recomputing only that unit and the later layers: the sums of
    ``worked.float_forward`` in the same order, the rest from ``lists``."""
    env = dict(lists.env)
    first, unit = role.layer, role.index[0]
    layer, activations = network.layers[first - 1], lists.activations[first - 1]
    total = sum(map(operator.mul, weights, lists.values[first - 1]))
    env[layer.z[unit]] = total + bias if layer.b else total
    outputs = list(lists.values[first])
    for j in range(layer.units) if layer.activation.vector else (unit,):
        env[layer.a[j]] = outputs[j] = activations[j](env)
    for layer, rows, biases, activations in zip(network.layers[first:], lists.weights[first:],
                                                lists.biases[first:], lists.activations[first:]):
        inputs, outputs = outputs, []
        for j, row in enumerate(rows):
            total = sum(map(operator.mul, row, inputs))
            env[layer.z[j]] = total + biases[j] if biases else total
        for a, activation in zip(layer.a, activations):
            env[a] = value = activation(env)
            outputs.append(value)
    return compile_float(network.loss_expr)(env)


def float_difference(derivation: Derivation, index: int, forwards: tuple[Forward, ...],
                     lists: list[_FloatLists]) -> tuple:
    """Central difference in float64 (error near 1e-10) and the one-sided ones (a kink: a gap).

    ``forwards``: the point's float64 forward passes; ``lists``: their numbers as lists.
    """
    network = derivation.network
    role = derivation.gradients[index].role
    scale = 1.0 / len(forwards) if network.spec.reduction == "mean" else 1.0
    h = FLOAT_STEP * max(1.0, abs(forwards[0].env[network.parameters[index]]))

    def loss(delta: float) -> float:
        total = 0.0
        for numbers in lists:
            total += _float_downstream(network, numbers, role, *numbers.moved(role, delta))
        return scale * total
    here = scale * sum(base.loss for base in forwards)
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
    """Seeded parameters and sample (as mpf for the 50-digit checks, else the floats drawn)."""
    network = derivation.network
    params = tuple(rng.uniform(-1, 1) for _ in network.parameters)
    if len(network.parameters) <= MPMATH_PARAMETERS:
        params = tuple(map(mpmath.mpf, params))
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
        self.add_forms(index, point, (symbolic,), oracle)

    def add_forms(self, index: int, point: str, forms: tuple, oracle: mpmath.mpf) -> None:
        """Compare the value of each form with one oracle value (its scale worked out once;
        a form whose value equals the previous one's has its error, so that is reused)."""
        scale = max(1, abs(oracle))
        allowed = self.tolerance * scale
        previous = None
        for symbolic in forms:
            if previous is None or symbolic != previous:
                error = abs(symbolic - oracle)
                self.max_abs = max(self.max_abs, error)
                self.max_rel = max(self.max_rel, error / scale)
                wrong, previous = error > allowed, symbolic
            self.compared += 1
            if wrong:
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
    lists = [] if exact else [_FloatLists.of(network, base.env) for base in point.forwards]
    if not exact:
        tally.tolerance, tally.precision = FLOAT_TOLERANCE, "float64"
    kink = TOLERANCE if exact else KINK
    skipped = 0
    for index in compared_parameters(derivation, tally.seed):
        central, ahead, behind = (
            finite_difference(derivation, point, index, point.forwards) if exact
            else float_difference(derivation, index, point.forwards, lists))
        if abs(ahead - behind) > kink * max(1, abs(central)):
            skipped += 1   # a kink (ReLU at 0): the loss has no derivative here
            continue
        tally.add_forms(index, point.name, tuple(values[index] for values in symbolic.values()),
                        mpmath.mpf(central))
    return skipped


def _autograd(derivation: Derivation, point: _Point, symbolic: dict, tally: _Tally) -> None:
    from .torch_oracle import loss_and_gradients

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
    forms = ("value", "delta_form") if any(g.result is not None
                                           for g in derivation.gradients) else ("value",)
    evaluate_at = _symbolic if len(derivation.network.parameters) <= MPMATH_PARAMETERS \
        else _symbolic_float       # as precise as the finite differences they meet
    for point in points:
        symbolic, point = evaluate_at(derivation, point, forms)
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
