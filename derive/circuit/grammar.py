"""The graph's formula grammar: the project's one parser (``registry.grammar``), with max and
min among its functions, as a ``graph:`` node's formula may use them."""

from __future__ import annotations

from ..registry.grammar import GRAPH_FUNCTIONS as FUNCTIONS
from ..registry.grammar import Formula, FormulaError, parse_formula

__all__ = ["FUNCTIONS", "Formula", "FormulaError", "parse_formula"]
