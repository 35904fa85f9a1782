"""Our objects and SymPy expressions -> LaTeX, by type, on top of SymPy's LatexPrinter.

Dispatch follows SymPy (``_print_<ClassName>``): chain-ordered products and
sums, ∂-fractions and factor lines (each activation function prints itself through
the ``_derive_latex`` printmethod, in derive/registry). Symbols print
through the ``symbol_names`` setting, which render fills from the notation
preset, so no LaTeX is patched after printing. All settings are declared in
``_default_settings``.
"""

from __future__ import annotations

from itertools import groupby
from typing import Any

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE

from .expressions import ChainProduct, ChainSum, Partial

__all__ = ["Memoized", "Printer"]


class Memoized:
    """A SymPy printer that prints each distinct expression once (mixed in before the
    printer; the class sets ``self._memo = {}``): pages repeat the same factors many times."""

    _memo: dict

    def _print(self, expr: Any, **kwargs: Any) -> str:
        if kwargs:
            return super()._print(expr, **kwargs)  # type: ignore[misc]
        try:
            return self._memo[expr]
        except KeyError:
            text = self._memo[expr] = super()._print(expr)  # type: ignore[misc]
            return text
        except TypeError:          # an unhashable argument: print it every time
            return super()._print(expr)  # type: ignore[misc]


class Printer(Memoized, LatexPrinter):
    """LaTeX in a course's notation: factors in chain order, always ∂."""

    printmethod = "_derive_latex"
    _default_settings: dict[str, Any] = {
        **LatexPrinter._default_settings,
        "symbol_names": {},
        "mul_symbol": None,
        "order": "none",
    }

    def __init__(self, settings: dict[str, Any] | None = None) -> None:
        super().__init__(settings)
        self._memo: dict[object, str] = {}

    @property
    def symbol_names(self) -> dict[sp.Symbol, str]:
        """The LaTeX of each symbol (the setting): the page's pictures are labelled from it."""
        return self._settings["symbol_names"]

    def doprint(self, expr: Any) -> str:
        """``_print``'s text: SymPy's two wrappers around it add nothing in the plain mode,
        and a page prints thousands of formulas."""
        if self._settings["mode"] != "plain":
            return super().doprint(expr)
        return self._print(expr)


    # -- our structures -------------------------------------------------------

    def _print_Partial(self, expr: Any) -> str:
        return (rf"\frac{{\partial {self._print(expr.numerator)}}}"
                rf"{{\partial {self._print(expr.denominator)}}}")

    def _print_ChainProduct(self, expr: Any) -> str:
        parts: list[str] = []
        for position, factor in enumerate(expr.factors):
            text = self._factor(factor, first=position == 0)
            if parts:
                glue = r" \cdot " if _needs_dot(factor, text) else " "
                parts.append(glue)
            parts.append(text)
        return "".join(parts)

    def _print_ChainSum(self, expr: Any) -> str:
        return " ".join(self.sum_rows(expr))

    def sum_rows(self, expr: Any) -> list[str]:
        """The terms of a sum with their signs (``t1``, ``+ t2``, ``- t3``), one per row."""
        if not isinstance(expr, ChainSum):
            return [self._print(expr)]
        rows = []
        for position, term in enumerate(expr.terms):
            negative, positive = _split_sign(term)
            text = self._print(positive)
            sign = ("- " if negative else "") if position == 0 else ("- " if negative else "+ ")
            rows.append(sign + text)
        return rows

    def _print_Factor(self, expr: Any) -> str:
        return self.factor_row(expr, align="")

    def factor_row(self, factor: Any, *, align: str = "&") -> str:
        """``∂a/∂b &= ∂/∂b (of) = value``; ``align`` goes before the first ``=``."""
        of = self._print(factor.of)
        line = (rf"{self._print(factor.partial)} {align}= \frac{{\partial}}"
                rf"{{\partial {self._print(factor.partial.denominator)}}}\left({of}\right)"
                rf" = {self._print(factor.value)}")
        definition = getattr(type(factor.value), "definition", None)
        if definition is not None:
            line += " = " + self._print(definition(*factor.value.args))
        return line

    def _print_Equation(self, expr: Any) -> str:
        return f"{self._print(expr.lhs)} = {self._print(expr.rhs)}"

    def _factor(self, factor: Any, *, first: bool) -> str:
        text = self._print(factor)
        wrap = isinstance(factor, (ChainSum, sp.Add))
        if not first and not wrap:
            negative, _ = _split_sign(factor)
            wrap = negative
        return rf"\left({text}\right)" if wrap else text

    def _print_Mul(self, expr: sp.Mul) -> str:
        """SymPy's product, except that a factor 1 written out (a claim's ``w_2 \\cdot 1
        \\cdot x``: only an unevaluated product keeps one) stands between dots, since
        juxtaposed, "1 x" reads as "1x"."""
        if not any(arg is sp.S.One for arg in expr.args):
            return super()._print_Mul(expr)
        pieces: list[str] = []
        for one, run in groupby(expr.args, key=lambda arg: arg is sp.S.One):
            factors = list(run)
            if one:
                pieces += ["1"] * len(factors)
            elif len(factors) > 1:
                pieces.append(super()._print_Mul(sp.Mul(*factors, evaluate=False)))
            elif factors[0].is_Number and not pieces:      # a leading -2, not (-2)
                pieces.append(self._print(factors[0]))
            else:
                pieces.append(self.parenthesize(factors[0], PRECEDENCE["Mul"]))
        return r" \cdot ".join(pieces)

    # -- SymPy's piecewise as cases (our activation functions print themselves) --

    def _print_Piecewise(self, expr: sp.Piecewise) -> str:
        rows = []
        for value, condition in expr.args:
            when = r"\text{otherwise}" if condition is sp.true else self._print(condition)
            rows.append(f"{self._print(value)} & {when}")
        return r"\begin{cases} " + r" \\ ".join(rows) + r" \end{cases}"


def _needs_dot(factor: Any, text: str) -> bool:
    """Juxtapose letters; put ``\\cdot`` before numbers, signs, fractions and brackets."""
    return (isinstance(factor, Partial) or text[:1].isdigit() or text[:1] in "-("
            or text.startswith((r"\frac", r"\left")))


def _split_sign(term: Any) -> tuple[bool, Any]:
    """(True, -term) when the term prints with a leading minus, else (False, term)."""
    if isinstance(term, ChainProduct):
        negative, first = _split_sign(term.factors[0])
        if not negative:
            return False, term
        rest = term.factors[1:] if first == 1 else (first, *term.factors[1:])
        return True, (rest[0] if len(rest) == 1 else ChainProduct(rest))
    if isinstance(term, sp.Mul):
        coeff, rest = term.as_coeff_Mul()
        if coeff.is_negative:
            positive = rest if coeff == -1 else sp.Mul(-coeff, rest, evaluate=False)
            return True, positive
    if isinstance(term, sp.Number) and term.is_negative:
        return True, -term
    return False, term
