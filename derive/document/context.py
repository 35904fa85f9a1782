"""What every section builder of one page reads: the derivation, the example, the printer."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import sympy as sp

from ..calculus import LOSS, Derivation, Gradient, Network, Printer
from ..numbers import WorkedExample
from ..registry import NOTATIONS, Notation, matrix_symbol
from ..verify import CheckReport
from .audit import Graphs
from .evaluate import Point, compile_expr
from .lines import CORNER, LARGE

__all__ = ["Context"]



@dataclass(slots=True)
class Context:
    """What every section builder reads, made once per page."""

    derivation: Derivation
    worked: WorkedExample | None
    report: CheckReport
    printer: Printer                # the render's own: the JSON and pictures print with it
    notation: Notation = field(init=False)
    graphs: Graphs = field(init=False)       # the audit's too: each graph compiled once
    _compiled: dict = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.notation = NOTATIONS[self.network.spec.notation]
        self.graphs = Graphs(self.network)

    @property
    def network(self) -> Network:
        return self.derivation.network

    @property
    def digits(self) -> int:
        example = self.network.spec.example
        return example.digits if example is not None else 6

    @property
    def samples(self) -> int:
        example = self.network.spec.example
        return len(example.x) if example is not None else 1

    def tex(self, obj: object) -> str:
        return self.printer.doprint(obj)

    @property
    def loss(self) -> str:
        return self.tex(LOSS)

    @property
    def batch_loss(self) -> str:
        return rf"\mathcal{{{self.notation.loss}}}"

    def matrix(self, letter: str, layer: int | str) -> str:
        return matrix_symbol(self.notation, letter, str(layer))

    def vector(self, kind: str, layer: int) -> str:
        """A layer's z, a, δ, b as one vector symbol (the output's a is ŷ)."""
        if kind == "a" and layer == len(self.network.layers) \
                and not self.notation.output_is_activation:
            return rf"\hat{{\mathbf{{{self.notation.target}}}}}"
        if kind == "a" and layer == 0:
            return rf"\mathbf{{{self.notation.input}}}"
        letter = {"z": self.notation.pre_activation, "a": self.notation.activation,
                  "delta": r"\boldsymbol{\delta}", "b": self.notation.bias}[kind]
        letter = letter if kind == "delta" else rf"\mathbf{{{letter}}}"
        return matrix_symbol(self.notation, letter, str(layer))

    @property
    def corner(self) -> int:
        """Rows and columns a vector or matrix side holds: a 6 x 6 corner, 2 x 2 for a network
        too large to check more entries by finite differences through its whole graph."""
        return CORNER if len(self.network.parameters) <= LARGE else 2

    def upto(self, n: int) -> range:
        """The entries of a vector or matrix side (the equation is about every entry; the
        audit and the JSON check a corner, as the matrix proofs do)."""
        return range(min(n, self.corner))

    def example_point(self) -> Point | None:
        """The example's first sample before any update, as floats (None without an example)."""
        return None if self.worked is None else self.graphs.example(self.worked, None)

    def at_example(self, expr: object) -> float:
        point = self.example_point()
        assert point is not None
        closure = self._compiled.get(expr)
        if closure is None:
            closure = compile_expr(sp.sympify(expr), memo=self._compiled)
        value = float(closure(point))     # a number for the page (mpmath's at a far point)
        if not math.isfinite(value):      # past float64: the page could not print it
            raise OverflowError("math range error")
        return value

    def gradient(self, index: int) -> Gradient:
        return self.derivation.gradients[index]
