"""Reverse mode over a circuit: every edge's local derivative and every node's gradient.

The gradient of a node is the sum over its consumers of upstream × local, where local is
SymPy's ``diff`` of the consumer's formula with respect to the node, at the forward values.
At a tie, ``max(a, b)`` (and ``min``) gives each argument half the upstream gradient, as
PyTorch's ``torch.maximum``/``torch.minimum`` do (``Heaviside(0) = 1/2`` in SymPy); ``abs``
at 0 gives 0 (``sign(0)``), as ``torch.abs`` does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import sympy as sp

from ..errors import NumericError
from .graph import Circuit, Node, number_value

__all__ = ["CircuitDerivation", "Edge", "Quantity", "derive_circuit"]

@dataclass(frozen=True)
class Edge:
    """A wire from ``parent`` into ``child``'s formula, with what flows back along it."""

    parent: str
    child: str
    local: sp.Expr          # ∂child/∂parent as a formula of the child's parents
    local_value: sp.Expr    # ... at the forward values
    upstream: sp.Expr       # ∂output/∂child
    contribution: sp.Expr   # upstream × local: this wire's share of ∂output/∂parent


@dataclass(frozen=True)
class Quantity:
    """One node with its forward value and its gradient ∂output/∂node.

    ``rule`` names the node's backward pattern when its formula is a plain gate of its
    parents ("add", "multiply", "max", "min"), else None; ``consumers`` counts the wires out
    of it (more than one is a fan-out: their contributions add).
    """

    name: str
    definition: str | None
    value: sp.Expr
    grad: sp.Expr
    rule: str | None
    consumers: int


@dataclass(frozen=True)
class CircuitDerivation:
    """The circuit with its forward values, gradients and edges, in forward order."""

    circuit: Circuit
    quantities: tuple[Quantity, ...]
    edges: tuple[Edge, ...]

    @property
    def output(self) -> Quantity:
        return self.quantity(self.circuit.output)

    def quantity(self, name: str) -> Quantity:
        return next(q for q in self.quantities if q.name == name)

    def edges_into(self, name: str) -> tuple[Edge, ...]:
        return tuple(e for e in self.edges if e.child == name)

    def edges_out_of(self, name: str) -> tuple[Edge, ...]:
        return tuple(e for e in self.edges if e.parent == name)

    def gradients(self) -> dict[str, float]:
        """∂output/∂node for every node, as floats."""
        return {q.name: float(q.grad) for q in self.quantities}


def _rule(node: Node) -> str | None:
    """The gate a formula is, when its arguments are exactly its parents."""
    if node.formula is None:
        return None
    expr = node.formula.expr
    plain = all(isinstance(a, sp.Symbol) for a in expr.args) and len(expr.args) >= 2
    if isinstance(expr, sp.Add) and plain:
        return "add"
    if isinstance(expr, sp.Mul) and plain and len(expr.args) == 2:
        return "multiply"
    if isinstance(expr, (sp.Max, sp.Min)) and plain:
        return "max" if isinstance(expr, sp.Max) else "min"
    return None


def _locals(circuit: Circuit, values: Mapping[str, sp.Expr]) -> dict[tuple[str, str], tuple]:
    """(parent, child) -> (∂child/∂parent, its value), for every wire in forward order."""
    found = {}
    for node in circuit.nodes:
        if node.formula is None:
            continue
        at = {sp.Symbol(p, real=True): values[p] for p in node.parents}
        for parent in node.parents:
            local = sp.diff(node.formula.expr, sp.Symbol(parent, real=True))
            value = number_value(sp.sympify(local.subs(at)))
            if not (value.is_real and value.is_finite):
                raise NumericError(f"graph.nodes.{node.name}",
                                   f"a finite derivative with respect to {parent}",
                                   got_text=str(value), file=circuit.file,
                                   line=circuit.lines.get(f"graph.nodes.{node.name}"))
            found[parent, node.name] = (local, value)
    return found


def derive_circuit(mapping: object, file: str = "<spec>",
                   lines: Mapping[str, int] | None = None) -> CircuitDerivation:
    """Validate the ``graph:`` mapping, run it forward, then backward (reverse mode)."""
    circuit = Circuit.from_mapping(mapping, file, lines)
    values = circuit.forward()
    local = _locals(circuit, values)
    consumers: dict[str, list[tuple[str, sp.Expr]]] = {n.name: [] for n in circuit.nodes}
    for (parent, child), (_, value) in local.items():
        consumers[parent].append((child, value))
    grads: dict[str, sp.Expr] = {}
    for node in reversed(circuit.nodes):
        grads[node.name] = sp.Integer(1) if node.name == circuit.output else number_value(
            sum((grads[child] * value for child, value in consumers[node.name]), sp.Integer(0)))
    edges = tuple(Edge(parent, child, symbolic, value, grads[child],
                       number_value(grads[child] * value))
                  for (parent, child), (symbolic, value) in local.items())
    quantities = tuple(
        Quantity(node.name, node.formula.text if node.formula else None, values[node.name],
                 grads[node.name], _rule(node), sum(e.parent == node.name for e in edges))
        for node in circuit.nodes)
    return CircuitDerivation(circuit, quantities, edges)

