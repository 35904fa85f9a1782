"""Display lines made from printable structures: the LaTeX a page prints and the SymPy sides
the audit evaluates, from the same objects, so that what is shown is what is checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy as sp

from ..calculus import ChainProduct, ChainSum, Partial, Printer
from ..numerals import format_number
from .model import Display, Equation, Line
from .quantities import PARTIAL

__all__ = ["CORNER", "LARGE", "Side", "display", "line", "number", "numbers_product", "side", "sides"]

Side = tuple[str, Any]       # (LaTeX, SymPy side)
CORNER = 6     # a vector or matrix side holds at most this many rows and columns (Context)
LARGE = 1_000  # parameters above which sides hold a 2 x 2 corner and the audit one random point


def side(obj: Any) -> Any:
    """The SymPy value of a printable structure, with ∂A/∂B as ``partial(A, B)``."""
    if isinstance(obj, Partial):
        return PARTIAL(obj.numerator, obj.denominator)
    if isinstance(obj, ChainProduct):
        return sp.Mul(*(side(f) for f in obj.factors))
    if isinstance(obj, ChainSum):
        return sp.Add(*(side(t) for t in obj.terms))
    return obj if isinstance(obj, sp.Basic) else sp.sympify(obj)


def sides(p: Printer, *objs: Any) -> list[Side]:
    return [(p.doprint(o), side(o)) for o in objs]


def number(value: float, digits: int, *, bracket: bool = True) -> Side:
    """A number as printed, and as the audit reads it (the printed digits, no more)."""
    text = format_number(value, digits)
    shown = rf"\left({text}\right)" if bracket and text.startswith("-") else text
    return shown, sp.Float(text, 30)


def numbers_product(groups: Sequence[Sequence[float]], digits: int) -> Side:
    """``a · b + c · d`` from numbers (factors equal to 1 left out)."""
    latex, terms = [], []
    for group in groups:
        kept = [number(v, digits) for v in group if v != 1] or [number(1, digits)]
        latex.append(r" \cdot ".join(t for t, _ in kept))
        terms.append(sp.Mul(*(e for _, e in kept), evaluate=False))
    side = sp.Add(*terms, evaluate=False) if len(terms) > 1 else terms[0]
    return " + ".join(latex), side       # unevaluated: the audit sees each printed term


def line(parts: Sequence[Side], *, aligned: bool = True, at: str | None = None,
         samples: int | None = None, digits: int = 6, continued: bool = False) -> Line:
    """``s0 &= s1 = s2 …`` and the equation that all its sides are equal (the printers break
    long rows to the width); ``continued``: ``&= s1 = s2 …`` under a row with the same s0."""
    texts = [t for t, _ in parts]
    latex = texts[0] + (" &= " if aligned else " = ") + " = ".join(texts[1:])
    if continued:      # the row goes on from the row above: its left side is not printed again
        latex = "&= " + " = ".join(texts[1:])
    return Line(latex, Equation(tuple(e for _, e in parts), at=at, samples=samples,
                                digits=digits))


def display(lines: Sequence[Line], *, aligned: bool | None = None) -> Display:
    aligned = len(lines) > 1 or any("&" in ln.latex for ln in lines) if aligned is None \
        else aligned
    return Display(tuple(lines), aligned=aligned)
