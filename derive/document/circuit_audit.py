"""Every equation of a circuit's page evaluated before it is written, as a network page's
are (``audit``): each side at the circuit's inputs, every ∂A/∂B a central difference through
the circuit's formulas (never the reverse mode whose numbers the page prints)."""

from __future__ import annotations

import sympy as sp

from ..circuit import CircuitDerivation
from .audit import AuditReport, compare_equation
from .evaluate import Graph, Point
from .model import Document
from .quantities import PARTIAL

__all__ = ["audit_circuit_page", "local", "local_nodes"]


def _local_name(child: str, parent: str) -> str:
    return f"{child}__local__{parent}"


def local(child: str, parent: str) -> sp.Expr:
    """∂child/∂parent holding the child's other inputs at their values (a wire's local
    derivative), as an audited side: the child's formula with only ``parent`` moving."""
    return PARTIAL(sp.Symbol(_local_name(child, parent), real=True),
                   sp.Symbol(parent, real=True))


def local_nodes(result: CircuitDerivation) -> list[tuple[sp.Symbol, sp.Expr]]:
    """A node per wire: the child's formula with its other parents frozen at their values."""
    values = {sp.Symbol(q.name, real=True): sp.Float(float(q.value)) for q in result.quantities}
    out = []
    for edge in result.edges:
        node = result.circuit.node(edge.child)
        moving = sp.Symbol(edge.parent, real=True)
        frozen = {s: v for s, v in values.items() if s != moving}
        out.append((sp.Symbol(_local_name(edge.child, edge.parent), real=True),
                    node.formula.expr.xreplace(frozen)))
    return out


def audit_circuit_page(document: Document, result: CircuitDerivation) -> AuditReport:
    """What was compared at the circuit's inputs (its only point); ``FalseEquation`` at the
    first false equation. An equation with a side on a kink there (a tie of max or min,
    |u| at 0) is counted in ``at_kinks``: the convention's numbers have no slope to meet."""
    circuit = result.circuit
    graph = Graph([(n.symbol, n.formula.expr) for n in circuit.nodes if n.formula is not None]
                  + local_nodes(result))
    point = Point(graph, {sp.Symbol(name, real=True): float(value)
                          for name, value in circuit.inputs.items()})
    compiled: dict = {}
    verified = at_kinks = 0
    for where, display in document.displays():
        for line in display.lines:
            if line.equation is None:
                continue
            if compare_equation(line.equation, point, where, line.latex, compiled):
                verified += 1
            else:
                at_kinks += 1
    return AuditReport(equations=verified, example_lines=0, points=0, at_kinks=at_kinks)
