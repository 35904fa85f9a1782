"""Every equation of a page evaluated before anything is written: a false one stops the run.

Symbolic equations are evaluated at seeded random points, lines with the example's numbers at
the example (to within the digits printed). Each ``partial(A, B)`` and δ is a central
difference through the forward graph (``evaluate``), so the audit is independent of the
derivation whose results the page prints. A point where a side sits on a kink (ReLU at 0)
skips that comparison; an equation that is never compared is not counted as verified.

Symbolic equations are evaluated at two random points, or at one for a network of more than
``LARGE`` parameters, or of more than ``SMOOTH`` whose functions have no kink: there every
nudge recomputes a large graph (10 000 parameters: a second point cost about a second; 151:
a third of the page's audit). One point still separates a false equation: two different
analytic expressions agree only on a set of measure zero, which a random point misses with
probability 1. The second point is a second chance for piecewise functions (ReLU, Huber),
whose pieces a point meets one at a time; pages of every size are built by the same code and
audited at two points on every smaller network; the example's lines keep the example.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

import mpmath
import sympy as sp

from ..calculus import LOSS, Network, for_sample, role_of
from ..errors import CheckFailed
from ..numbers import WorkedExample
from ..numbers.second_look import own_error
from ..verify.points import SMOOTH, has_kinks
from .evaluate import OUTSIDE, Graph, Point, compile_expr
from .lines import LARGE
from .model import Document, Equation
from .quantities import BATCH_LOSS, sample_loss, sample_nodes

__all__ = ["AuditReport", "FalseEquation", "Graphs", "audit", "equations_sentence",
           "kinks_phrase"]

RANDOM_POINTS = 2
DRAWS = 50          # tries for a random point inside a formula's domain

class FalseEquation(CheckFailed):
    """A displayed equation whose sides differ (exit 1): a bug, never a page."""


@dataclass(frozen=True, slots=True)
class AuditReport:
    """What the page audit compared: the counts the banner and JSON report."""

    equations: int        # equations compared at least once
    example_lines: int    # of them, lines with the example's numbers
    points: int           # random points per symbolic equation
    at_kinks: int = 0     # equations never compared: every side met a kink (no slope there)


class Graphs:
    """One-sample and batch graphs of a network, and the example's points on them, each made
    once per page when first asked for (the page's builders and the audit share them)."""

    def __init__(self, network: Network) -> None:
        self.network = network
        self._made: dict[int | None, Graph] = {}
        self._examples: dict[int | None, Point] = {}

    def __getitem__(self, n: int | None) -> Graph:
        if n not in self._made:
            per = sample_nodes(self.network)
            if n is None:
                self._made[n] = Graph(per)
            else:
                scale = sp.Rational(self.network.spec.batch_scale(n))
                total = scale * sp.Add(*(sample_loss(k) for k in range(n)))
                self._made[n] = Graph(per, copies=[_InSample(k) for k in range(n)],
                                      then=[(BATCH_LOSS, total)])
        return self._made[n]

    def example(self, worked: WorkedExample, n: int | None) -> Point:
        """The example's point (its first sample for n = None) before any update."""
        if n not in self._examples:
            self._examples[n] = Point(self[n], _example_leaves(self.network, worked, n))
        return self._examples[n]


class _InSample(dict):
    """Sample k's names for one sample's symbols, made when first read: its x, y, z, a, δ,
    its loss (``L__k``) and its softmax sums (``S_l__k``); parameters keep theirs."""

    def __init__(self, k: int) -> None:
        super().__init__()
        self.k = k

    def __missing__(self, s: sp.Symbol) -> sp.Symbol:
        role = role_of(s)
        own = sp.Symbol(f"{s.name}__{self.k}") if role is None else \
            for_sample(s, self.k) if role.per_sample else s
        self[s] = own
        return own


def _random_leaves(network: Network, n: int | None, rng: random.Random) -> dict:
    leaves = {p: rng.uniform(-1, 1) for p in network.parameters}
    for k in ([None] if n is None else range(n)):
        for x in network.x:
            leaves[for_sample(x, k) if k is not None else x] = rng.uniform(-1, 1)
        for y, v in zip(network.y, network.loss.sample_targets(rng, len(network.y))):
            leaves[for_sample(y, k) if k is not None else y] = v
    return leaves


def _example_leaves(network: Network, worked: WorkedExample, n: int | None) -> dict:
    first = worked.first
    leaves = {p: float(v) for p, v in zip(network.parameters, first.parameters)}
    forwards = first.forwards if n is not None else first.forwards[:1]
    for k, forward in enumerate(forwards):
        for s in (*network.x, *network.y):
            leaves[for_sample(s, k) if n is not None else s] = float(forward.env[s])
    return leaves


def kinks_phrase(report: AuditReport, at: str = "the example") -> str:
    """The equations the audit could not compare, for a verdict: each sits on a kink ``at``
    the point (a ∂ in it a NaN: the one-sided differences disagree)."""
    if not report.at_kinks:
        return ""
    return f" and {report.at_kinks} on a kink at {at} left uncompared (no slope there)"


def equations_sentence(report: AuditReport, how: str) -> str:
    """'Every displayed equation (N) was evaluated ``how``.', with the kinks when any."""
    if not report.at_kinks:
        return f"Every displayed equation ({report.equations}) was evaluated {how}."
    return (f"Every displayed equation was evaluated {how}: {report.equations} compared"
            f"{kinks_phrase(report)}.")


def _flat(value: Any) -> list[Any]:
    return [e for row in value for e in row] if isinstance(value, tuple) else [value]


def _close(a: float, b: float, rel: float, absolute: float) -> bool:
    return abs(a - b) <= max(rel * max(abs(a), abs(b)), absolute)


def _value(expr: Any, point: Point, compiled: dict) -> float:
    """A side's value; NaN (no comparison) where a nudge leaves a function's domain.
    ``compiled``: each expression's closure, made once for all the points of a run; each
    distinct side is evaluated once per point (pages repeat sides), with its rounding noise."""
    known = point.sides.get(expr)
    if known is None:
        closure = compiled.get(expr)
        if closure is None:
            closure = compile_expr(sp.sympify(expr), memo=compiled)
        before, point.noise = point.noise, 0.0
        try:
            value = closure(point)
        except OUTSIDE:
            value = math.nan
        known = point.sides[expr] = (value, point.noise)
        point.noise = before
    point.noise = max(point.noise, known[1])
    return known[0]


def _points(network: Network) -> int:
    """Random points per symbolic equation (see the module's doc)."""
    size = len(network.parameters)
    if size > LARGE:
        return 1
    return 1 if size > SMOOTH and not has_kinks(network) else RANDOM_POINTS


def _shown(value: Any) -> str:
    return mpmath.nstr(value, 9) if isinstance(value, mpmath.mpf) else f"{value:.9g}"


def _random_point(graph: Graph, network: Network, n: int | None, rng: random.Random) -> Point:
    """A seeded random point inside every function's domain (a formula's sqrt or log)."""
    for _ in range(DRAWS):
        try:
            return Point(graph, _random_leaves(network, n, rng))
        except OUTSIDE:
            continue
    raise FalseEquation("audit", "a random point where the page's functions are defined",
                        got_text=f"none in {DRAWS} draws", stage="audit")


def _compare(eq: Equation, point: Point, where: str, latex: str, compiled: dict) -> bool:
    """True when compared (every pair agreed), False when a side met a kink there.

    A mismatch is looked at again with narrower differences (``Point.finer``) before it
    stops the run, and a pair passes when it agrees there or its mismatch shrank as a
    difference's own error does (``numbers.second_look``: ELU's ∂L/∂w = 0 at z = 0 exactly,
    where the second derivative jumps, is 1.9e-6 off at h = 1e-5 and 1.9e-8 at h = 1e-7).
    """
    pairs = _pairs(eq, point, where, latex, compiled)
    if any(math.isnan(a) or math.isnan(b) for a, b, _ in pairs):
        # a side with no slope here (a kink): the numbers printed beside it follow the
        # kink's convention (ReLU'(0) = 0, a tie of max split evenly), not a slope that
        # exists, so no side of this equation is compared at this point
        return False
    wrong = [i for i, (a, b, allowed) in enumerate(pairs) if not _close_pair(a, b, allowed)]
    if not wrong:
        return any(not math.isnan(a) and not math.isnan(b) for a, b, _ in pairs)
    again = _pairs(eq, point.finer(), where, latex, compiled)   # the same shapes
    for i in wrong:
        a, b, allowed = pairs[i]
        a2, b2, allowed2 = again[i]
        if not (_close_pair(a2, b2, allowed2) or own_error(a - b, a2 - b2)):
            raise FalseEquation(where, f"equal sides ({_shown(a)} on the left)",
                                got_text=f"{_shown(b)} in {latex[:100]}", stage="audit")
    return True


def _close_pair(a: float, b: float, allowed: tuple[float, float]) -> bool:
    """Agreeing within (relative, absolute), or not compared (NaN: a kink)."""
    return math.isnan(a) or math.isnan(b) or _close(a, b, *allowed)


def _pairs(eq: Equation, point: Point, where: str, latex: str,
           compiled: dict) -> list[tuple[float, float, tuple[float, float]]]:
    """Each entry of the first side against the same entry of every other side, with the
    tolerance it is held to: (left, right, (relative, absolute))."""
    point.noise = 0.0
    sides = [[_value(e, point, compiled) for e in _flat(s)] for s in eq.sides]
    if eq.at == "example":      # printed numbers: rounding error grows with the terms' sizes
        terms = [abs(_value(t, point, compiled)) for s in eq.sides for e in _flat(s)
                 for t in (e.args if isinstance(e, sp.Add) else (e,))]     # a matrix too
        rel, absolute = 10.0 ** (1 - eq.digits) * 3, 10.0 ** (1 - eq.digits) * sum(terms)
    else:
        rel, absolute = 1e-6, 1e-9
    allowed = (rel, max(absolute, 1e-12) + point.noise)
    out = []
    for other in sides[1:]:
        if len(other) != len(sides[0]):
            raise FalseEquation(where, "sides of the same shape", got_text=latex[:120],
                                stage="audit")
        out += [(a, b, allowed) for a, b in zip(sides[0], other)]
    return out


def audit(document: Document, network: Network, worked: WorkedExample | None, *,
          seed: int = 0, graphs: Graphs | None = None) -> AuditReport:
    """Evaluate every equation of ``document``; raise ``FalseEquation`` at the first false one.
    ``graphs``: the page's own (its example points already evaluated), else made here."""
    graphs = Graphs(network) if graphs is None else graphs
    rng = random.Random(seed)
    random_points: dict[int | None, list[Point]] = {}
    per = _points(network)
    verified = at_example = at_kinks = 0
    compiled: dict = {}
    for where, display in document.displays():
        for line in display.lines:
            eq = line.equation
            if eq is None:
                continue
            n = eq.samples
            if eq.at == "example":
                if worked is None:
                    continue
                points = [graphs.example(worked, n)]
            else:
                if n not in random_points:
                    random_points[n] = [_random_point(graphs[n], network, n, rng)
                                        for _ in range(per)]
                points = random_points[n]
            results = [_compare(eq, point, where, line.latex, compiled) for point in points]
            if any(results):
                verified += 1
                at_example += eq.at == "example"
            else:
                at_kinks += 1
    return AuditReport(equations=verified, example_lines=at_example, points=per,
                       at_kinks=at_kinks)


compare_equation = _compare     # a typed-layer page's audit (tensor_audit) compares the same way
