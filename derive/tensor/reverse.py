"""Forward values and reverse mode over a typed-layer graph, in float64.

Each node's local derivatives ∂node/∂parent are SymPy's ``diff`` of its definition, made
once per graph; a backward pass visits the nodes once in reverse order and adds
upstream × local into each parent: the gradient of a node is the sum over its consumers
(a shared kernel, a tied RNN weight and batch norm's statistics add up here). Time and
memory are linear in the number of edges.
"""

from __future__ import annotations

import math
from collections import ChainMap
from collections.abc import Mapping

import sympy as sp

from ..errors import NumericError
from ..numbers import Engine
from ..numbers.precision import FLOAT64
from .graph import Graph

__all__ = ["Evaluator"]


def _local_derivatives(expr: sp.Expr, templates: dict[sp.Expr, list[sp.Expr]]
                       ) -> list[tuple[sp.Symbol, sp.Expr]]:
    """(parent, ∂expr/∂parent) for each parent: SymPy's ``diff`` once per shape of
    definition (a layer's nodes share one: z = Σ W x + b at every position), the parents
    put in afterwards."""
    parents = sorted(expr.free_symbols, key=lambda q: q.name)
    slots = [sp.Symbol(f"_slot{i}", real=True) for i in range(len(parents))]
    template = expr.xreplace(dict(zip(parents, slots)))
    if template not in templates:
        templates[template] = _diffs(template, slots)
    back = dict(zip(slots, parents))
    return [(p, d.xreplace(back)) for p, d in zip(parents, templates[template])]


def _diffs(expr: sp.Expr, slots: list[sp.Symbol]) -> list[sp.Expr]:
    """∂expr/∂slot for each slot; a sum differentiates only the terms that read the slot
    (a dense node after a flatten, n terms and 2n parents, was n² term diffs)."""
    if not isinstance(expr, sp.Add):
        return [sp.diff(expr, slot) for slot in slots]
    reads: dict[sp.Symbol, list[sp.Expr]] = {slot: [] for slot in slots}
    for term in expr.args:
        for slot in term.free_symbols:
            reads[slot].append(term)
    return [sp.Add(*(_term(t, slot) for t in reads[slot])) for slot in slots]


def _term(t: sp.Expr, p: sp.Symbol) -> sp.Expr:
    """∂t/∂p for one term: p itself, a product with p once as a factor (w·a), else diff."""
    if t == p:
        return sp.S.One
    if isinstance(t, sp.Mul) and t.args.count(p) == 1 and all(
            a == p or p not in a.free_symbols for a in t.args):
        return sp.Mul(*(a for a in t.args if a != p))
    return sp.diff(t, p)


class Evaluator:
    """One graph's compiled forward definitions and local derivatives."""

    def __init__(self, graph: Graph) -> None:
        engine = Engine(FLOAT64)
        self.graph = graph
        self._forward = [(s, engine.compile(e)) for s, e in graph.definitions]
        self._users: dict[sp.Symbol, list[int]] = {}       # leaf or node -> readers' positions
        for position, (s, e) in enumerate(graph.definitions):
            for used in e.free_symbols:
                self._users.setdefault(used, []).append(position)
        self._downstream: dict[sp.Symbol, list[tuple[sp.Symbol, object]]] = {}
        templates: dict[sp.Expr, list[sp.Expr]] = {}
        self._locals = [(s, [(p, engine.compile(d)) for p, d in _local_derivatives(e, templates)])
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

    def downstream(self, symbol: sp.Symbol) -> list[tuple[sp.Symbol, object]]:
        """The definitions that read ``symbol``, directly or not, in forward order."""
        if symbol not in self._downstream:
            reached, todo = set(), [symbol]
            while todo:
                for position in self._users.get(todo.pop(), ()):
                    if position not in reached:
                        reached.add(position)
                        todo.append(self._forward[position][0])
            self._downstream[symbol] = [self._forward[p] for p in sorted(reached)]
        return self._downstream[symbol]

    def moved_loss(self, env: Mapping[sp.Symbol, float], symbol: sp.Symbol,
                   value: float) -> float:
        """The loss with ``symbol`` moved to ``value`` and everything else as in ``env`` (a
        forward pass's values): only what reads it is recomputed, so a finite difference
        costs the parameter's part of the graph, not the whole graph."""
        moved = ChainMap({symbol: value}, env)
        for node, compiled in self.downstream(symbol):
            moved[node] = compiled(moved, {})          # type: ignore[operator]
        return moved[self.graph.loss]

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
