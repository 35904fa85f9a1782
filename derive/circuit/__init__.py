"""A scalar computational graph (a spec's ``graph:``): the maths of cs231n's circuits.

    grammar   the safe formula grammar (tokenizer + recursive descent; never eval)
    graph     Circuit: the validated graph and its forward pass
    backward  reverse mode: local derivatives, upstream × local, gradients, gate patterns

The page (JSON, Markdown, SVG) is rendered at the formats layer: derive.formats.circuit_page.
"""

from __future__ import annotations

from .backward import CircuitDerivation, Edge, Quantity, derive_circuit
from .grammar import FUNCTIONS, Formula, FormulaError, parse_formula
from .graph import Circuit, Node

__all__ = ["FUNCTIONS", "Circuit", "CircuitDerivation", "Edge", "Formula", "FormulaError",
           "Node", "Quantity", "derive_circuit", "parse_formula"]
