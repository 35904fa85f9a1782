"""A page's quantities as floats at one point, and ∂A/∂B by finite differences through the graph.

The audit's own arithmetic, kept apart from the derivation on purpose: an equation's sides are
compiled to float closures, and every ``partial(A, B)`` (and every δ) is a central difference
of A's forward definition with B nudged, never the symbolic derivative the page prints.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

import sympy as sp

from ..calculus import LOSS, pre_activation_symbol, role_of
from ..registry import ActivationFunction
from .quantities import PARTIAL, sample_loss

__all__ = ["OUTSIDE", "Graph", "Point", "compile_expr"]

Closure = Callable[["Point"], float]

_FUNCTIONS: Mapping[type, Callable[..., float]] = MappingProxyType({
    sp.exp: lambda x: math.exp(min(x, 700.0)), sp.log: math.log, sp.tanh: math.tanh,
    sp.sqrt: math.sqrt, sp.Abs: abs, sp.sign: lambda x: float((x > 0) - (x < 0)),
    sp.cosh: math.cosh, sp.sinh: math.sinh, sp.sin: math.sin, sp.cos: math.cos,
    sp.Max: max, sp.Min: min,
    sp.Heaviside: lambda x, at=0.5: 1.0 if x > 0 else (0.0 if x < 0 else at),
})
_RELATIONS: Mapping[type, Callable[[float, float], bool]] = MappingProxyType({
    sp.StrictGreaterThan: lambda a, b: a > b, sp.GreaterThan: lambda a, b: a >= b,
    sp.StrictLessThan: lambda a, b: a < b, sp.LessThan: lambda a, b: a <= b,
})


OUTSIDE = (ValueError, TypeError, ZeroDivisionError, OverflowError)   # a point off the domain


def _real(value: float | complex) -> float:
    """A real power (a negative number to a fractional power is outside the domain)."""
    if isinstance(value, complex):
        raise ValueError("a complex power")
    return value


def compile_expr(expr: Any) -> Closure:
    """A float closure of a SymPy expression over network symbols (``point.value(symbol)``)."""
    if isinstance(expr, sp.Symbol):
        return lambda pt: pt.value(expr)
    if isinstance(expr, (sp.Number, sp.NumberSymbol)) or expr in (sp.true, sp.false):
        number = float(expr) if isinstance(expr, sp.Expr) else bool(expr)
        return lambda pt: number
    if isinstance(expr, sp.Piecewise):
        pairs = [(compile_expr(v), compile_expr(c)) for v, c in expr.args]
        return lambda pt: next(v(pt) for v, c in pairs if c(pt))
    args = [compile_expr(a) for a in expr.args]
    if isinstance(expr, sp.Add):
        return lambda pt: math.fsum(a(pt) for a in args)
    if isinstance(expr, sp.Mul):
        return lambda pt: math.prod(a(pt) for a in args)
    if isinstance(expr, sp.Pow):
        base, power = args
        return lambda pt: _real(base(pt) ** power(pt))
    if type(expr) in _RELATIONS:
        rel, (left, right) = _RELATIONS[type(expr)], args
        return lambda pt: rel(left(pt), right(pt))
    if isinstance(expr, ActivationFunction):
        value = type(expr).float_value
        return lambda pt: value(*(a(pt) for a in args))
    if expr.func == PARTIAL:
        a, b = expr.args
        return lambda pt: pt.partial(a, b)
    if expr.func in _FUNCTIONS:
        function = _FUNCTIONS[expr.func]
        return lambda pt: function(*(a(pt) for a in args))
    raise TypeError(f"cannot evaluate {expr.func}")


class Graph:
    """Forward definitions in order: (symbol, expression of earlier symbols)."""

    def __init__(self, nodes: Sequence[tuple[sp.Symbol, sp.Expr]]) -> None:
        self.order = [s for s, _ in nodes]
        self.closures = {s: compile_expr(e) for s, e in nodes}
        # a sum's terms with what each reads: a nudge recomputes only the terms it reaches
        self.terms = {s: [(compile_expr(t), frozenset(t.free_symbols)) for t in e.args]
                      for s, e in nodes if isinstance(e, sp.Add) and len(e.args) > 4}
        self.users: dict[sp.Symbol, set[sp.Symbol]] = {}
        for s, e in nodes:
            for used in e.free_symbols:
                self.users.setdefault(used, set()).add(s)
        self._downstream: dict[sp.Symbol, list[sp.Symbol]] = {}

    def downstream(self, b: sp.Symbol) -> list[sp.Symbol]:
        """The nodes that depend on ``b``, in forward order."""
        if b not in self._downstream:
            seen, todo = set(), [b]
            while todo:
                for u in self.users.get(todo.pop(), ()):
                    if u not in seen:
                        seen.add(u)
                        todo.append(u)
            self._downstream[b] = [s for s in self.order if s in seen]
        return self._downstream[b]

    def forward(self, leaves: dict[sp.Symbol, float]) -> dict[sp.Symbol, float]:
        point = Point(self, dict(leaves), evaluate=False)
        for s in self.order:
            point.env[s] = self.closures[s](point)
        return point.env


class Point:
    """The graph's values at one point; partials by central differences, kinks detected."""

    def __init__(self, graph: Graph, env: dict[sp.Symbol, float], *, evaluate: bool = True,
                 loss: Callable[[int | None], sp.Symbol] = lambda n: LOSS if n is None
                 else sample_loss(n)) -> None:
        self.graph = graph
        self.env = graph.forward(env) if evaluate else env
        self.loss = loss
        self._nudged: dict[sp.Symbol, tuple[float, dict, dict]] = {}
        self.noise = 0.0      # the largest rounding error of a difference since the last reset

    def value(self, symbol: sp.Symbol) -> float:
        if symbol in self.env:
            return self.env[symbol]
        role = role_of(symbol)
        if role is not None and role.kind == "delta":
            z = pre_activation_symbol(role.layer, role.index[0], role.sample)
            return self.partial(self.loss(role.sample), z)
        raise KeyError(symbol)

    def _nudge(self, b: sp.Symbol) -> tuple[float, dict, dict]:
        """(h, the values moved by b + h, by b − h): each nudge keeps only what it moved."""
        if b not in self._nudged:
            h = 1e-5 * max(1.0, abs(self.env[b]))
            sides = []
            for step in (h, -h):
                moved = {b: self.env[b] + step}       # only what the nudge changes
                for s in self.graph.downstream(b):
                    moved[s] = self._recompute(s, moved)
                sides.append(moved)
            self._nudged[b] = (h, sides[0], sides[1])
        return self._nudged[b]

    def _recompute(self, s: sp.Symbol, moved: dict) -> float:
        """A node after a nudge (``moved``: the values it changed so far); a long sum moves
        by its changed terms only."""
        new = _Moved(moved, self.env)
        terms = self.graph.terms.get(s)
        if terms is None:
            return self.graph.closures[s](new)
        old = _Env(self.env)
        return self.env[s] + math.fsum(t(new) - t(old) for t, reads in terms
                                       if not reads.isdisjoint(moved))

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

    __slots__ = ("moved", "env")

    def __init__(self, moved: dict, env: dict) -> None:
        self.moved, self.env = moved, env

    def value(self, symbol: sp.Symbol) -> float:
        moved = self.moved.get(symbol)
        return self.env[symbol] if moved is None else moved


class _Env:
    """A bare point for re-evaluating forward nodes (no partials inside definitions)."""

    __slots__ = ("env",)

    def __init__(self, env: dict) -> None:
        self.env = env

    def value(self, symbol: sp.Symbol) -> float:
        return self.env[symbol]
