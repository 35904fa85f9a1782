"""Printable math structures that SymPy would reorder: chain-ordered products and sums.

SymPy keeps ``Mul`` args in canonical order, so ∂L/∂a · ∂a/∂z · ∂z/∂w would print
in alphabetical order. These small frozen dataclasses keep the order a textbook
uses; the printer has a ``_print_<ClassName>`` for each and ``expr()`` gives the
plain SymPy value for algebra and numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

__all__ = ["ChainProduct", "ChainSum", "Equation", "Factor", "Partial", "as_expr", "chain_product",
           "chain_sum"]


@dataclass(frozen=True, slots=True)
class Partial:
    """∂numerator/∂denominator, printed as a fraction with ∂ (never d)."""

    numerator: sp.Expr
    denominator: sp.Expr


@dataclass(frozen=True, slots=True)
class ChainProduct:
    """A product whose factors print in the given (chain) order."""

    factors: tuple[object, ...]

    def expr(self) -> sp.Expr:
        return sp.Mul(*(as_expr(f) for f in self.factors))


@dataclass(frozen=True, slots=True)
class ChainSum:
    """A sum whose terms print in the given order (one term per path or unit)."""

    terms: tuple[object, ...]

    def expr(self) -> sp.Expr:
        return sp.Add(*(as_expr(t) for t in self.terms))


@dataclass(frozen=True, slots=True)
class Factor:
    r"""One chain-rule factor: ∂num/∂den = ∂/∂den (of) = value."""

    partial: Partial
    of: object
    value: object


@dataclass(frozen=True, slots=True)
class Equation:
    """lhs = rhs, for forward equations and δ definitions."""

    lhs: object
    rhs: object


def as_expr(obj: object) -> sp.Expr:
    """The SymPy value of a printable structure or expression."""
    if isinstance(obj, (ChainProduct, ChainSum)):
        return obj.expr()
    return obj if isinstance(obj, sp.Basic) else sp.sympify(obj)


def chain_product(factors: list[object]) -> object:
    """Drop factors equal to 1; a single factor stands alone, none is 1."""
    kept = [f for f in factors if not (isinstance(f, sp.Basic) and f == 1)]
    if not kept:
        return sp.S.One
    return kept[0] if len(kept) == 1 else ChainProduct(tuple(kept))


def chain_sum(terms: list[object]) -> object:
    """Drop zero terms; a single term stands alone, none is 0."""
    kept = [t for t in terms if not (isinstance(t, sp.Basic) and t == 0)]
    if not kept:
        return sp.S.Zero
    return kept[0] if len(kept) == 1 else ChainSum(tuple(kept))
