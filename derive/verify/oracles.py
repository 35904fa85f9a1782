"""The oracles a symbolic gradient is compared with: central finite differences of the loss
(in the check's precision) and, when asked for, PyTorch's autograd (torch_oracle).

The finite differences use no derivative anywhere: each reruns the network's forward
pass (``numbers.Sweep``) with one parameter moved either way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

import mpmath

from ..calculus import Derivation
from ..numbers import FLOAT64, MPMATH, Engine, NonFinite, Precision, Sweep, penalty_change
from ..numbers.precision import DIGITS, SHARED_FLOAT64, more_digits
from .points import Point, compared_parameters, has_kinks
from .report import TOLERANCE, Tally

if TYPE_CHECKING:
    from .checking import AtPoint

__all__ = ["METHODS", "Differences", "finite_difference"]


@dataclass(frozen=True, slots=True)
class Differences:
    """How finite differences are taken in one precision."""

    step: Callable[[object], object]      # the step h for a parameter of this value
    tolerance: object                     # for the tally: |symbolic - central| allowed
    kink: object                          # one-sided differences further apart: a kink
    rounding: object                      # relative error of a computed loss (its bound)


def _float_step(value: float) -> float:
    return 1e-5 * max(1.0, abs(value))


STEP = MPMATH.decimal(1e-20)
MAX_DIGITS = 1_000       # for one difference of a loss too large for 50 (within float range: ~400)
# float64: errors near 1e-10, a kink (ReLU at 0) opens a gap of ~1e-3 or more; a loss
# is computed to ~64 ulps (a long sum), so its difference is good to 64 ε |L| / h
_FLOAT = Differences(step=_float_step, tolerance=MPMATH.decimal(1e-6), kink=1e-3,
                     rounding=64 * 2.0 ** -52)
DIFFERENCES: Mapping[Precision, Differences] = MappingProxyType({
    # 50 digits: a tiny fixed step, errors near 1e-30
    MPMATH: Differences(step=lambda value: STEP, tolerance=TOLERANCE, kink=TOLERANCE,
                        rounding=mpmath.mpf(10) ** -45),
    FLOAT64: _FLOAT, SHARED_FLOAT64: _FLOAT,
})


def finite_difference(derivation: Derivation, point: Point, index: int,
                      sweeps: list[Sweep], step: object = None) -> tuple:
    """Central, forward and backward differences of the reduced loss in parameter ``index``,
    and a bound on the central difference's rounding error.

    ``sweeps``: the point's forward passes (their losses, in ``point.forwards``, are the
    centre), all in one precision; ``step``: h (by default the precision's own).
    """
    network = derivation.network
    precision = sweeps[0].precision
    differences = DIFFERENCES[precision]
    role = derivation.gradients[index].role
    scale = precision.fraction(network.spec.batch_scale(len(sweeps)))
    h = step if step is not None else differences.step(
        point.forwards[0].env[network.parameters[index]])

    def loss(delta: object) -> object:
        """The reduced loss with the parameter moved; weight decay's penalty enters as its
        change (its constant rest cancels from every difference)."""
        return (scale * precision.total([sweep.loss_after(role, delta) for sweep in sweeps])
                + penalty_change(network, point.params, precision, index, delta))
    here = scale * precision.total([base.loss for base in point.forwards])
    up, down = loss(h), loss(-h)
    rounding = differences.rounding * max(abs(up), abs(down), abs(here)) / h
    return (up - down) / (2 * h), (up - here) / h, (here - down) / h, rounding


class _Comparison:
    """One point's finite differences: float64 where it can be trusted, else 50 digits."""

    def __init__(self, derivation: Derivation, here: AtPoint) -> None:
        self.derivation, self.here = derivation, here
        self.kinks = has_kinks(derivation.network)    # a kink's one-sided differences part
        self.vector = any(layer.activation.vector for layer in derivation.network.layers)
        self._sweeps: dict[Precision, list[Sweep]] = {}

    def sweeps(self, point: Point, engine: Engine) -> list[Sweep]:
        """The point's passes, rerun per parameter: a softmax layer's in SHARED_FLOAT64, so
        that each rerun costs O(units), not O(units²)."""
        if engine.precision not in self._sweeps:
            sweeping = (self.here.engines[SHARED_FLOAT64]
                        if self.vector and engine.precision is FLOAT64 else engine)
            self._sweeps[engine.precision] = [
                Sweep.of(self.derivation.network, base.env, sweeping) for base in point.forwards]
        return self._sweeps[engine.precision]

    def central(self, index: int, symbolic: dict, point: Point,
                engine: Engine) -> object | None:
        """The central difference in ``engine``'s precision if it can be trusted there (its
        rounding within the tolerance, and, if it disagrees, never); None at a kink."""
        differences = DIFFERENCES[engine.precision]
        sweeps = self.sweeps(point, engine)
        try:
            central, ahead, behind, rounding = finite_difference(self.derivation, point, index,
                                                                 sweeps)
        except NonFinite:
            return self._redo(index, engine)
        allowed = differences.tolerance * max(1, abs(central))
        if not mpmath.isfinite(central):
            return self._redo(index, engine)
        if not rounding <= allowed:
            if engine.precision is not MPMATH:
                return self._redo(index, engine)
            return self._in_more_digits(index, point, sweeps, rounding / allowed)
        if self.kinks and abs(ahead - behind) > differences.kink * max(1, abs(central)):
            # a kink's gap stays as h shrinks; a smooth loss's (h·f'') shrinks with it
            h = differences.step(point.forwards[0].env[self.derivation.network.parameters[index]])
            _, ahead2, behind2, _ = finite_difference(self.derivation, point, index, sweeps, h / 16)
            if abs(ahead2 - behind2) > abs(ahead - behind) / 4:
                return None
        if engine.precision is not MPMATH and any(
                not abs(values[index] - central) <= allowed for values in symbolic.values()):
            return self._redo(index, engine)     # confirmed in 50 digits before it is reported
        return central

    def _in_more_digits(self, index: int, point: Point, sweeps: list[Sweep],
                        excess: object) -> object:
        """A 50-digit difference whose rounding is ``excess`` times too large (a loss of 10^30,
        a weight of 10^150), taken again in as many more digits as that needs. (A wider step
        stops being small next to the parameter: from a loss of 10^300 a weight's slope of
        ¼ is 10^-300 of the loss, which no step in 50 digits resolves.)"""
        digits = DIGITS + int(mpmath.ceil(mpmath.log10(excess))) + 10
        if digits > MAX_DIGITS:
            raise _Untrusted
        with more_digits(digits):
            central, *_ = finite_difference(self.derivation, point, index, sweeps)
        return +central        # back in 50 digits

    def _redo(self, index: int, engine: Engine) -> object | None:
        if engine.precision is MPMATH:
            raise _Untrusted
        symbolic, point, engine = self.here.precise()
        return self.central(index, symbolic, point, engine)


class _Untrusted(Exception):
    """A 50-digit difference that still cannot be trusted (never expected)."""


def _finite_differences(derivation: Derivation, here: AtPoint, tally: Tally) -> int:
    """Compare every printed form with central differences; return how many kinks were skipped.

    Each value is compared in the precision its difference was trusted in (the point's own,
    or 50 digits when float64 could not be trusted or disagreed).
    """
    differences = DIFFERENCES[here.engine.precision]
    tally.tolerance, tally.precision = differences.tolerance, here.engine.precision.name
    comparison = _Comparison(derivation, here)
    skipped = 0
    for index in compared_parameters(derivation, tally.seed):
        symbolic, point, engine = here.symbolic, here.point, here.engine
        try:
            central = comparison.central(index, symbolic, point, engine)
        except _Untrusted:
            symbolic, point, engine = here.precise()
            central, *_ = finite_difference(derivation, point, index,
                                            comparison.sweeps(point, engine))
        if central is None:
            skipped += 1   # a kink (ReLU at 0): the loss has no derivative here
            continue
        if engine is not here.engine:
            symbolic, _, _ = here.precise()
        tally.add_forms(index, point.name, tuple(values[index] for values in symbolic.values()),
                        mpmath.mpf(central))
    return skipped


def _autograd(derivation: Derivation, here: AtPoint, tally: Tally) -> None:
    from .torch_oracle import loss_and_gradients

    point = here.point
    _, grads = loss_and_gradients(derivation.network, point.params, point.x, point.y)
    for values in here.symbolic.values():
        for index, oracle in enumerate(grads):
            tally.add(index, point.name, values[index], mpmath.mpf(oracle))


METHODS = MappingProxyType({"finite_difference": _finite_differences, "torch": _autograd})
