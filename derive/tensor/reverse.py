"""Forward values and reverse mode over a typed-layer graph, in float64.

Each node's local derivatives ∂node/∂parent are SymPy's ``diff`` of its definition, made
once per graph; a backward pass visits the nodes once in reverse order and adds
upstream × local into each parent: the gradient of a node is the sum over its consumers
(a shared kernel, a tied RNN weight and batch norm's statistics add up here). Time and
memory are linear in the number of edges.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import sympy as sp

from ..errors import NumericError
from ..numbers import Engine
from ..numbers.precision import FLOAT64
from .graph import Graph

__all__ = ["Evaluator"]


class Evaluator:
    """One graph's compiled forward definitions and local derivatives."""

    def __init__(self, graph: Graph) -> None:
        engine = Engine(FLOAT64)
        self.graph = graph
        self._forward = [(s, engine.compile(e)) for s, e in graph.definitions]
        self._locals = [
            (s, [(p, engine.compile(d)) for p, d in _locals(e)])
            for s, e in reversed(graph.definitions)]

    def forward(self, leaves: Mapping[sp.Symbol, float]) -> dict[sp.Symbol, float]:
        """Every node's value from the leaves' (inputs, targets, parameters)."""
        env = dict(leaves)
        memo: dict = {}
        for symbol, compiled in self._forward:
            value = compiled(env, memo)
            if not math.isfinite(value):
                raise NumericError(symbol.name, "a finite value", got_text=f"{value!r} at {symbol.name}")
            env[symbol] = value
        return env

    def loss(self, leaves: Mapping[sp.Symbol, float]) -> float:
        return self.forward(leaves)[self.graph.loss]

    def backward(self, env: Mapping[sp.Symbol, float]) -> dict[sp.Symbol, float]:
        """∂L/∂node for every node and leaf, from a forward pass's values."""
        grad: dict[sp.Symbol, float] = {self.graph.loss: 1.0}
        memo: dict = {}
        for symbol, parents in self._locals:
            upstream = grad.get(symbol, 0.0)
            if upstream == 0.0:
                continue
            for parent, local in parents:
                grad[parent] = grad.get(parent, 0.0) + upstream * local(env, memo)
        return grad


def _locals(e: sp.Expr) -> list[tuple[sp.Symbol, sp.Expr]]:
    """∂e/∂p for each parent p, by name; a sum differentiates only the terms that read p (a
    conv or dense node's n-term sum would otherwise be walked once per parent: n²)."""
    parents = sorted(e.free_symbols, key=lambda q: q.name)
    if not isinstance(e, sp.Add):
        return [(p, sp.diff(e, p)) for p in parents]
    reads: dict[sp.Symbol, list[sp.Expr]] = {p: [] for p in parents}
    for term in e.args:
        for p in term.free_symbols:
            reads[p].append(term)
    return [(p, sp.Add(*(_term(t, p) for t in reads[p]))) for p in parents]


def _term(t: sp.Expr, p: sp.Symbol) -> sp.Expr:
    """∂t/∂p for one term: p itself, a product with p once as a factor (w·a), else diff."""
    if t == p:
        return sp.S.One
    if isinstance(t, sp.Mul) and p in t.args and all(
            a == p or p not in a.free_symbols for a in t.args) and t.args.count(p) == 1:
        return sp.Mul(*(a for a in t.args if a != p))
    return sp.diff(t, p)

