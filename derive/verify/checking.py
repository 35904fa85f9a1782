"""``Derivation`` (+ ``WorkedExample``) -> ``CheckReport``: each symbolic gradient vs. oracles.

The default oracle is central finite differences of the loss, computed by an
independent forward pass (no derivative anywhere), in 50-digit mpmath for small
networks (its own error far below the tolerance) and float64 for large ones. Points
(points.py): the example's first update (when the spec has one) and seeded random
points. Oracles: oracles.py; the report and its tally: report.py. Never prints, never
exits.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import replace

from ..calculus import Derivation
from ..numbers import (
    MPMATH,
    Engine,
    Engines,
    NonFinite,
    Precision,
    WorkedExample,
    decay_gradients,
    forward,
    gradient_forms,
    parameter_env,
    precise,
)
from .oracles import METHODS
from .points import RANDOM_POINTS, Point, check_points, check_precision
from .report import TOLERANCE, CheckReport, Disagreement, OracleResult, Tally

__all__ = ["METHODS", "RANDOM_POINTS", "TOLERANCE", "AtPoint", "CheckReport", "Disagreement",
           "OracleResult", "check"]


def _symbolic(derivation: Derivation, point: Point, forms: tuple[str, ...],
              engine: Engine) -> tuple[dict, Point]:
    """Every gradient in each of ``forms`` at ``point``, reduced over its samples, and the
    point with its forward passes (the finite differences start from them)."""
    network = derivation.network
    precision = engine.precision
    env = parameter_env(network, point.params)
    forwards = tuple(forward(network, env, x, y, engine=engine) for x, y in zip(point.x, point.y))
    per_sample = [gradient_forms(derivation, dict(f.env), forms, engine=engine) for f in forwards]
    scale = precision.fraction(network.spec.batch_scale(len(per_sample)))
    reduced = _by_form(forms, per_sample, lambda column: scale * precision.total(column))
    decay = decay_gradients(network, point.params, precision)     # weight decay: + λ w
    return ({form: tuple(map(operator.add, values, decay)) for form, values in reduced.items()},
            replace(point, forwards=forwards))


def _by_form(forms: tuple[str, ...], per_sample: list, reduce: Callable) -> dict:
    """``{form: each gradient reduced over the samples}``, from each sample's values per form."""
    return {form: tuple(map(reduce, zip(*(values[i] for values in per_sample))))
            for i, form in enumerate(forms)}


class AtPoint:
    """One point in the check's precision and, made only when asked for, in 50 digits.

    A float64 difference whose own error may exceed the tolerance, that cannot be computed
    (log 0 after rounding), or that disagrees, is redone here before anything is reported:
    the tool's rounding is never reported as the derivation's error.
    """

    def __init__(self, derivation: Derivation, point: Point, forms: tuple[str, ...],
                 engines: Engines, precision: Precision) -> None:
        self.derivation, self.forms, self.engines = derivation, forms, engines
        try:
            self.engine = engines[precision]
            self.symbolic, self.point = _symbolic(derivation, point, forms, self.engine)
        except NonFinite:        # a float64 overflow or log(0): the point in 50 digits
            self.engine = engines[MPMATH]
            self.symbolic, self.point = _symbolic(derivation, _in_mpmath(point), forms,
                                                  self.engine)
        self._precise: tuple | None = None

    def precise(self) -> tuple[dict, Point, Engine]:
        """(symbolic values, point with its forward passes, engine), all in 50 digits."""
        if self.engine.precision is MPMATH:
            return self.symbolic, self.point, self.engine
        if self._precise is None:
            engine = self.engines[MPMATH]
            self._precise = (*_symbolic(self.derivation, _in_mpmath(self.point), self.forms,
                                        engine), engine)
        return self._precise


def _in_mpmath(point: Point) -> Point:
    """The same point (its float parameters exactly) as 50-digit numbers, no passes yet."""
    return replace(point, params=tuple(map(MPMATH.convert, point.params)), forwards=())


@precise
def check(derivation: Derivation, worked: WorkedExample | None = None, *,
          seed: int = 0, methods: tuple[str, ...] = ("finite_difference",),
          engines: Engines | None = None) -> CheckReport:
    """Compare every printed gradient (and its δ form) with each oracle in ``methods``.

    ``engines``: the run's (those the worked example used), so that nothing is compiled twice.
    """
    engines = engines or Engines()
    tallies = {method: Tally(method, seed) for method in methods}
    skipped = 0
    points = check_points(derivation, worked, seed)
    forms = ("value", "delta_form") if any(g.result is not None
                                           for g in derivation.gradients) else ("value",)
    precision = check_precision(derivation.network)
    checked = []
    for point in points:
        try:
            here = AtPoint(derivation, point, forms, engines, precision)
        except NonFinite:
            if point.name == "example":
                raise
            skipped += 1    # a random point outside a formula's domain (sqrt or log of z < 0)
            continue
        checked.append(point)
        for method, tally in tallies.items():
            skipped += METHODS[method](derivation, here, tally) or 0
    results = tuple(t.result() for t in tallies.values())
    bad = tuple(d for t in tallies.values() for d in t.bad)
    proved = [g.proved for g in derivation.gradients if g.proved is not None]
    matrix_ok = all(m.weights and m.bias and m.delta for m in derivation.matrix)
    claims: tuple = ()
    if derivation.network.spec.claims:
        from .claims import verify_claims  # the formula parser, only when there are claims
        claims = verify_claims(derivation, seed=seed, engines=engines)
    return CheckReport(
        passed=(not bad and all(proved) and matrix_ok and derivation.shortcut_proved
                and all(c.passed for c in claims) and bool(checked)), claims=claims,
        methods=tuple(methods), points=tuple(p.name for p in checked),
        compared=sum(r.compared for r in results), skipped=skipped,
        max_abs_error=max(r.max_abs_error for r in results),
        max_rel_error=max(r.max_rel_error for r in results), disagreements=bad,
        paths_proved=sum(proved), paths_total=len(proved), matrix_proved=matrix_ok, seed=seed,
        oracles=results)
