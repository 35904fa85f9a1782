"""The oracles a symbolic gradient is compared with: central finite differences of the loss
(in the check's precision) and, when asked for, PyTorch's autograd (torch_oracle).

The finite differences use no derivative anywhere: each reruns the network's forward
pass (``numbers.Sweep``) with one parameter moved either way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import mpmath

from ..calculus import Derivation
from ..numbers import FLOAT64, MPMATH, Engine, Precision, Sweep, penalty_change
from .points import Point, compared_parameters
from .report import TOLERANCE, Tally

__all__ = ["METHODS", "Differences", "finite_difference"]


@dataclass(frozen=True, slots=True)
class Differences:
    """How finite differences are taken in one precision."""

    step: Callable[[object], object]      # the step h for a parameter of this value
    tolerance: object                     # for the tally: |symbolic - central| allowed
    kink: object                          # one-sided differences further apart: a kink


def _float_step(value: float) -> float:
    return 1e-5 * max(1.0, abs(value))


STEP = MPMATH.decimal(1e-20)
DIFFERENCES: Mapping[Precision, Differences] = MappingProxyType({
    # 50 digits: a tiny fixed step, errors near 1e-30
    MPMATH: Differences(step=lambda value: STEP, tolerance=TOLERANCE, kink=TOLERANCE),
    # float64: errors near 1e-10, a kink (ReLU at 0) opens a gap of ~1e-3 or more
    FLOAT64: Differences(step=_float_step, tolerance=MPMATH.decimal(1e-6), kink=1e-3),
})


def finite_difference(derivation: Derivation, point: Point, index: int,
                      sweeps: list[Sweep]) -> tuple:
    """Central, forward and backward differences of the reduced loss in parameter ``index``.

    ``sweeps``: the point's forward passes (their losses, in ``point.forwards``, are the
    centre), all in one precision.
    """
    network = derivation.network
    precision = sweeps[0].precision
    role = derivation.gradients[index].role
    scale = precision.fraction(network.spec.batch_scale(len(sweeps)))
    h = DIFFERENCES[precision].step(point.forwards[0].env[network.parameters[index]])

    def loss(delta: object) -> object:
        """The reduced loss with the parameter moved; weight decay's penalty enters as its
        change (its constant rest cancels from every difference)."""
        return (scale * precision.total([sweep.loss_after(role, delta) for sweep in sweeps])
                + penalty_change(network, point.params, precision, index, delta))
    here = scale * precision.total([base.loss for base in point.forwards])
    up, down = loss(h), loss(-h)
    return (up - down) / (2 * h), (up - here) / h, (here - down) / h


def _finite_differences(derivation: Derivation, point: Point, symbolic: dict, tally: Tally,
                        engine: Engine) -> int:
    """Compare every printed form with central differences; return how many kinks were skipped."""
    differences = DIFFERENCES[engine.precision]
    tally.tolerance, tally.precision = differences.tolerance, engine.precision.name
    sweeps = [Sweep.of(derivation.network, base.env, engine) for base in point.forwards]
    skipped = 0
    for index in compared_parameters(derivation, tally.seed):
        central, ahead, behind = finite_difference(derivation, point, index, sweeps)
        if abs(ahead - behind) > differences.kink * max(1, abs(central)):
            skipped += 1   # a kink (ReLU at 0): the loss has no derivative here
            continue
        tally.add_forms(index, point.name, tuple(values[index] for values in symbolic.values()),
                        mpmath.mpf(central))
    return skipped


def _autograd(derivation: Derivation, point: Point, symbolic: dict, tally: Tally,
              engine: Engine) -> None:
    from .torch_oracle import loss_and_gradients

    _, grads = loss_and_gradients(derivation.network, point.params, point.x, point.y)
    for values in symbolic.values():
        for index, oracle in enumerate(grads):
            tally.add(index, point.name, values[index], mpmath.mpf(oracle))


METHODS = MappingProxyType({"finite_difference": _finite_differences, "torch": _autograd})
