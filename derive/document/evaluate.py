"""A page's quantities as numbers at one point, and ∂A/∂B by finite differences through the graph.

The audit's own arithmetic, kept apart from the derivation on purpose: an equation's sides are
compiled to closures (float64, or mpmath's numbers at a point float64 cannot hold:
``arithmetic``), and every ``partial(A, B)`` (and every δ) is a central difference
of A's forward definition with B nudged, never the symbolic derivative the page prints.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

import mpmath
import sympy as sp

from ..calculus import LOSS, pre_activation_symbol, role_of
from ..numbers.second_look import NARROWER
from ..registry import ActivationFunction
from .arithmetic import EXACT, FLOAT, real, sum_of
from .quantities import PARTIAL, sample_loss

__all__ = ["OUTSIDE", "Graph", "Point", "compile_expr"]

Closure = Callable[["Point"], float]

_RELATIONS: Mapping[type, Callable[[float, float], bool]] = MappingProxyType({
    sp.StrictGreaterThan: lambda a, b: a > b, sp.GreaterThan: lambda a, b: a >= b,
    sp.StrictLessThan: lambda a, b: a < b, sp.LessThan: lambda a, b: a <= b,
})


OUTSIDE = (ValueError, TypeError, ZeroDivisionError, OverflowError)   # a point off the domain
STEP = 1e-5         # a central difference's step, relative to max(1, |value|)


def compile_expr(expr: Any, rename: Mapping[sp.Symbol, sp.Symbol] | None = None,
                 memo: dict | None = None) -> Closure:
    """A float closure of a SymPy expression over network symbols (``point.value(symbol)``);
    ``rename``: read each symbol as another (a batch sample's own copy of one sample's node;
    it names every symbol, a dict that makes missing names);
    ``memo``: closures already made for subexpressions (equations share their factors)."""
    if memo is not None:
        closure = memo.get(expr)
        if closure is None:
            closure = memo[expr] = _compile(expr, rename, memo)
        return closure
    return _compile(expr, rename, memo)


def _compile(expr: Any, rename: Mapping[sp.Symbol, sp.Symbol] | None, memo: dict | None
             ) -> Closure:
    if isinstance(expr, sp.Symbol):
        symbol = rename[expr] if rename is not None else expr
        return lambda pt: pt.value(symbol)
    if isinstance(expr, (sp.Number, sp.NumberSymbol)) or expr is sp.true or expr is sp.false:
        number = float(expr) if isinstance(expr, sp.Expr) else bool(expr)
        return lambda pt: number
    if isinstance(expr, sp.Piecewise):
        pairs = [(compile_expr(v, rename, memo), compile_expr(c, rename, memo))
                 for v, c in expr.args]
        return lambda pt: next(v(pt) for v, c in pairs if c(pt))
    if isinstance(expr, sp.Mul) and len(expr.args) == 2 and all(
            isinstance(a, sp.Symbol) for a in expr.args):      # w·a: most terms of a graph
        u, v = (rename[a] for a in expr.args) if rename is not None else expr.args
        return lambda pt: pt.value(u) * pt.value(v)
    if not isinstance(expr, (sp.Add, sp.Mul)) and expr.func == PARTIAL:
        a, b = (rename[e] for e in expr.args) if rename is not None else expr.args
        return lambda pt: pt.partial(a, b)
    return _combine(expr, [compile_expr(a, rename, memo) for a in expr.args])


def _combine(expr: Any, args: list[Closure]) -> Closure:
    """The closure of ``expr`` from its arguments' closures (a point says its precision)."""
    if isinstance(expr, sp.Add):
        return lambda pt: (mpmath.fsum if pt.exact else math.fsum)([a(pt) for a in args])
    if isinstance(expr, sp.Mul):
        return lambda pt: math.prod([a(pt) for a in args])
    if isinstance(expr, sp.Pow):
        base, power = args
        return lambda pt: real(base(pt) ** power(pt))
    if type(expr) in _RELATIONS:
        rel, (left, right) = _RELATIONS[type(expr)], args
        return lambda pt: rel(left(pt), right(pt))
    if isinstance(expr, ActivationFunction):
        value, exact = type(expr).float_value, type(expr).numeric
        return lambda pt: (exact if pt.exact else value)(*(a(pt) for a in args))
    if expr.func in FLOAT:
        value, exact = FLOAT[expr.func], EXACT[expr.func]
        return lambda pt: (exact if pt.exact else value)(*(a(pt) for a in args))
    raise TypeError(f"cannot evaluate {expr.func}")


class Graph:
    """Forward definitions in order: (symbol, expression of earlier symbols).

    ``copies``: one renaming per copy of ``nodes`` (a batch: each sample's own x, y, z, a, L),
    compiled from the one-sample expressions without building SymPy copies; ``then``: nodes
    after the copies (the batch loss)."""

    def __init__(self, nodes: Sequence[tuple[sp.Symbol, sp.Expr]], *,
                 copies: Sequence[Mapping[sp.Symbol, sp.Symbol]] | None = None,
                 then: Sequence[tuple[sp.Symbol, sp.Expr]] = ()) -> None:
        self.order: list[sp.Symbol] = []
        self.closures: dict[sp.Symbol, Closure] = {}
        # a long sum's terms, and which terms read each symbol: a nudge recomputes only the
        # terms it reaches
        self.terms: dict[sp.Symbol, list[Closure]] = {}
        self.term_of: dict[sp.Symbol, dict[sp.Symbol, list[int]]] = {}
        self.users: dict[sp.Symbol, set[sp.Symbol]] = {}
        reads = {s: _reads(e) for s, e in (*nodes, *then)}      # once, whatever the copies
        for rename in (None,) if copies is None else copies:
            for s, e in nodes:
                self._add(s, e, reads[s], rename)
        for s, e in then:
            self._add(s, e, reads[s], None)
        self._position = {s: i for i, s in enumerate(self.order)}
        self._plans: dict[sp.Symbol, list[tuple[sp.Symbol, list[int] | None]]] = {}

    def _add(self, s: sp.Symbol, e: sp.Expr, reads: tuple[frozenset, list | None],
             rename: Mapping[sp.Symbol, sp.Symbol] | None) -> None:
        own = rename[s] if rename is not None else s
        names = rename.__getitem__ if rename is not None else None
        used, term_reads = reads
        self.order.append(own)
        if term_reads is not None:
            terms = self.terms[own] = [compile_expr(t, rename) for t in e.args]
            self.closures[own] = _combine(e, terms)
            index: dict[sp.Symbol, list[int]] = {}
            for i, symbols in enumerate(term_reads):
                for u in symbols:
                    index.setdefault(names(u) if names else u, []).append(i)
            self.term_of[own] = index
        else:
            self.closures[own] = compile_expr(e, rename)
        for u in used:
            self.users.setdefault(names(u) if names else u, set()).add(own)

    def downstream(self, b: sp.Symbol) -> list[sp.Symbol]:
        """The nodes that depend on ``b``, in forward order."""
        seen, todo = set(), [b]
        while todo:
            for u in self.users.get(todo.pop(), ()):
                if u not in seen:
                    seen.add(u)
                    todo.append(u)
        return sorted(seen, key=self._position.__getitem__)

    def plan(self, b: sp.Symbol) -> list[tuple[sp.Symbol, Closure | None, list[int]]]:
        """What a nudge of ``b`` recomputes, in forward order: each node it moves, with its
        closure, or for a long sum (None) the terms that read a moved value. The same at every
        point, so it is made once per graph."""
        if b not in self._plans:
            down = self.downstream(b)
            moved_parents: dict[sp.Symbol, set[sp.Symbol]] = {}
            for u in (b, *down):
                for s in self.users.get(u, ()):
                    moved_parents.setdefault(s, set()).add(u)
            plan: list[tuple[sp.Symbol, Closure | None, list[int]]] = []
            for s in down:
                index = self.term_of.get(s)
                plan.append((s, self.closures[s], []) if index is None else (s, None, sorted(
                    {i for u in moved_parents[s] for i in index.get(u, ())})))
            self._plans[b] = plan
        return self._plans[b]

    def forward(self, leaves: dict[sp.Symbol, float], exact: bool = False
                ) -> dict[sp.Symbol, float]:
        """Every node's value from the leaves' (``exact``: in mpmath's numbers)."""
        env = {s: mpmath.mpf(v) for s, v in leaves.items()} if exact else dict(leaves)
        point = Point(self, env, evaluate=False, exact=exact)
        for s in self.order:
            point.env[s] = self.closures[s](point)
        return point.env


def _reads(e: sp.Expr) -> tuple[frozenset, list | None]:
    """The symbols an expression reads, and for a long sum those of each term."""
    if isinstance(e, sp.Add) and len(e.args) > 4:
        terms = [t.free_symbols for t in e.args]
        return frozenset().union(*terms), terms
    return frozenset(e.free_symbols), None


class Point:
    """The graph's values at one point; partials by central differences, kinks detected."""

    def __init__(self, graph: Graph, env: dict[sp.Symbol, float], *, evaluate: bool = True,
                 exact: bool = False, loss: Callable[[int | None], sp.Symbol] =
                 lambda n: LOSS if n is None else sample_loss(n)) -> None:
        self.graph = graph
        self.exact = exact        # mpmath's numbers: float64 left its range at this point
        if evaluate:
            leaves = env
            try:
                env = graph.forward(leaves)
                if not all(map(math.isfinite, env.values())):
                    raise OverflowError("a value outside float64's range")
            except OUTSIDE:       # off the domain (raised again below), or out of float range
                self.exact, env = True, graph.forward(leaves, exact=True)
        self.env = env
        self.loss = loss
        self.step = STEP          # h = step · max(1, |b|)
        self._nudged: dict[sp.Symbol, tuple[float, dict, dict]] = {}
        self._terms: dict[sp.Symbol, list[float | None]] = {}
        self.noise = 0.0      # the largest rounding error of a difference since the last reset
        self.sides: dict[Any, tuple[float, float]] = {}     # the audit's: (value, noise) of a side

    def value(self, symbol: sp.Symbol) -> float:
        if symbol in self.env:
            return self.env[symbol]
        role = role_of(symbol)
        if role is not None and role.kind == "delta":
            z = pre_activation_symbol(role.layer, role.index[0], role.sample)
            return self.partial(self.loss(role.sample), z)
        raise KeyError(symbol)

    def finer(self) -> Point:
        """The same point with differences ``NARROWER`` times narrower: a second look at a
        mismatch (``numbers.second_look``).

        A difference across a kink of a higher derivative (ELU's second at 0, Huber's at δ)
        is off by O(h), not O(h²), and a step of 10⁻⁵ can miss by more than the audit's
        1e-6 there; narrowed, that error shrinks 100 times, while a false equation's stays.
        """
        finer = Point(self.graph, self.env, evaluate=False, exact=self.exact, loss=self.loss)
        finer.step = self.step / NARROWER
        return finer

    def _nudge(self, b: sp.Symbol) -> tuple[float, dict, dict]:
        """(h, the values moved by b + h, by b − h): each nudge keeps only what it moved, and a
        long sum moves by its changed terms only."""
        if b not in self._nudged:
            graph, env, exact = self.graph, self.env, self.exact
            h = self.step * max(1.0, abs(env[b]))
            plan = graph.plan(b)
            # a long sum's value here and its changed terms' (closure, value here): both steps'
            sums = [None if whole is not None else (env[s], self._old_terms(s, changed))
                    for s, whole, changed in plan]
            total = sum_of(exact)
            sides = []
            for step in (h, -h):
                moved = {b: env[b] + step}       # only what the nudge changes
                new = _Moved(moved, env, exact)
                for (s, whole, _), before in zip(plan, sums):
                    if whole is not None:
                        moved[s] = whole(new)
                    else:
                        here, terms = before
                        moved[s] = here + total([t(new) - v for t, v in terms])
                sides.append(moved)
            self._nudged[b] = (h, sides[0], sides[1])
        return self._nudged[b]

    def _old_terms(self, s: sp.Symbol, wanted: list[int]) -> list[tuple[Closure, float]]:
        """Some terms of the long sum ``s``: each closure with its value at this point (each
        evaluated once, when first asked)."""
        old = self._terms.get(s)
        if old is None:
            old = self._terms[s] = [None] * len(self.graph.terms[s])
        here, closures = _Env(self.env, self.exact), self.graph.terms[s]
        out = []
        for i in wanted:
            if old[i] is None:
                old[i] = closures[i](here)
            out.append((closures[i], old[i]))
        return out

    def partial(self, a: sp.Symbol, b: sp.Symbol) -> float:
        """∂a/∂b: NaN at a kink (the one-sided differences disagree)."""
        if a == b:
            return 1.0
        h, up, down = self._nudge(b)
        a_mid = self.env[a]
        a_up, a_down = up.get(a, a_mid), down.get(a, a_mid)
        noise = 1e-14 * (abs(a_up) + abs(a_down) + abs(a_mid)) / h
        forward, backward = (a_up - a_mid) / h, (a_mid - a_down) / h
        if abs(forward - backward) > 1e-3 * max(1.0, abs(forward), abs(backward)) + 2 * noise:
            return math.nan
        self.noise = max(self.noise, noise)
        return (a_up - a_down) / (2 * h)


class _Moved:
    """The point after a nudge: the moved values over the point's own."""

    __slots__ = ("moved", "env", "exact")

    def __init__(self, moved: dict, env: dict, exact: bool) -> None:
        self.moved, self.env, self.exact = moved, env, exact

    def value(self, symbol: sp.Symbol) -> float:
        moved = self.moved.get(symbol)
        return self.env[symbol] if moved is None else moved


class _Env:
    """A bare point for re-evaluating forward nodes (no partials inside definitions)."""

    __slots__ = ("env", "exact")

    def __init__(self, env: dict, exact: bool) -> None:
        self.env, self.exact = env, exact

    def value(self, symbol: sp.Symbol) -> float:
        return self.env[symbol]
