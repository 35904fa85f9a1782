"""Each layer type's lesson: what its forward step computes and how the gradient flows back
through it, as blocks and sections whose equations the audit verifies. One entry per type.

Helpers for every lesson live here too: ∂A/∂B as LaTeX and as an audited side, and an
equation shown once in symbols (checked at random points) and once with the example's
numbers (checked at the example).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import sympy as sp

from ..tensor import LayerRecord
from .model import Block, Equation, Line, Section
from .quantities import PARTIAL
from .tensor_page import TensorContext

__all__ = ["LESSONS", "Lesson", "frac", "numbers_line", "partial", "symbols_line"]


@dataclass(frozen=True, slots=True)
class Lesson:
    forward: Callable[[TensorContext, LayerRecord], tuple[Block, ...]]
    backward: Callable[[TensorContext, LayerRecord], tuple[Section, ...]]


def frac(ctx: TensorContext, a: sp.Symbol, b: sp.Symbol) -> str:
    """∂a/∂b in LaTeX (∂𝓛/∂b for the loss)."""
    top = r"\mathcal{L}" if a == ctx.model.graph.loss else ctx.tex.symbol(a)
    return rf"\frac{{\partial {top}}}{{\partial {ctx.tex.symbol(b)}}}"


def partial(ctx: TensorContext, b: sp.Symbol, a: sp.Symbol | None = None) -> sp.Expr:
    """∂a/∂b as an audited side (a: the loss by default)."""
    return PARTIAL(ctx.model.graph.loss if a is None else a, b)


def symbols_line(latex: str, *sides: object) -> Line:
    """A row in symbols: every side equal at random points."""
    return Line(latex, Equation(tuple(sides)))


def numbers_line(ctx: TensorContext, latex: str, expr: object, value: float) -> Line:
    """A row with the example's numbers: ``expr`` (over the graph) equals the printed value."""
    return Line(latex, Equation((expr, sp.Float(value)), at="example",
                                digits=ctx.tex.digits))


def sum_latex(ctx: TensorContext, terms: Sequence[tuple[float, float]], shown: int = 4) -> str:
    """a₁b₁ + a₂b₂ + … with the example's numbers, the middle elided past ``shown`` terms."""
    # braced numbers: a line breaker never splits "(-0.23)" after its parenthesis
    parts = [rf"({{{ctx.tex.number(u)}}})({{{ctx.tex.number(v)}}})" for u, v in terms]
    if len(parts) > shown:
        parts = parts[:shown - 1] + [r"\cdots", parts[-1]]
    return " + ".join(parts)


def _lessons() -> MappingProxyType:
    """One entry per layer type (imported here: each lesson module imports this one)."""
    from .lesson_batchnorm import LESSON as BATCHNORM
    from .lesson_conv import LESSON as CONV
    from .lesson_dense import DENSE, FLATTEN
    from .lesson_rnn import LESSON as RNN
    return MappingProxyType({"dense": DENSE, "flatten": FLATTEN, "conv1d": CONV,
                             "conv2d": CONV, "rnn": RNN, "batchnorm": BATCHNORM})


LESSONS = _lessons()
