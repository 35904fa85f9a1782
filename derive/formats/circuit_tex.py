"""LaTeX of one circuit's names, formulas, numbers and ∂-fractions: the one place both the
page's equations and its lesson sentences take their mathematics from."""

from __future__ import annotations

import re

import sympy as sp

from ..calculus import Printer
from ..circuit import CircuitDerivation, Quantity
from ..numerals import format_number

__all__ = ["CircuitTex"]


def _symbol(name: str) -> str:
    """A name in LaTeX: ``w0`` as w₀, a one-letter name as is, anything else italic text."""
    if (match := re.fullmatch(r"([A-Za-z])_?(\d+)", name)) is not None:
        return f"{match.group(1)}_{{{match.group(2)}}}"
    return name if len(name) == 1 else r"\mathit{" + name.replace("_", r"\_") + "}"


class CircuitTex:
    """The circuit's LaTeX: ``name``, ``expr``, ``number``, ``partial``, ``definition``."""

    def __init__(self, result: CircuitDerivation) -> None:
        names = {sp.Symbol(q.name, real=True): _symbol(q.name) for q in result.quantities}
        self.printer = Printer({"symbol_names": names})
        self.result = result

    @staticmethod
    def name(name: str) -> str:
        return _symbol(name)

    def expr(self, expr: sp.Expr) -> str:
        return self.printer.doprint(expr)

    @staticmethod
    def number(value: sp.Expr, factor: bool = False) -> str:
        """The page's number; ``factor``: a negative one in parentheses (it is multiplied)."""
        text = format_number(float(value))
        return f"\\left({text}\\right)" if factor and text.startswith("-") else text

    def partial(self, top: str, bottom: str) -> str:
        return rf"\frac{{\partial {self.name(top)}}}{{\partial {self.name(bottom)}}}"

    def definition(self, quantity: Quantity) -> str:
        node = self.result.circuit.node(quantity.name)
        return f"{self.name(quantity.name)} = {self.expr(node.formula.expr)}"

    def valued(self, name: str) -> str:
        """``x = -2``: a name with its forward value."""
        return f"{self.name(name)} = {self.number(self.result.quantity(name).value)}"
