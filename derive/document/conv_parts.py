"""One convolution layer as the lesson and its picture read it (its tensors, sizes, which
nodes read which), and matrices of the example's numbers as audited lines."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import sympy as sp

from ..numerals import format_number
from ..spec.tensor import TensorSpec
from ..tensor import LayerRecord, Tensor
from ..tensor.conv import Geometry, geometry
from ..tensor.layers import Site
from .model import Equation, Line
from .tensor_page import TensorContext

__all__ = ["SHOWN", "Conv", "conv_of", "fits", "index_rows", "matrix_line", "pmatrix"]

SHOWN = 6           # a matrix of numbers is shown when each of its sides is at most this
MATRIX_DIGITS = 4   # significant digits in a matrix of numbers (a line's own show all)


@dataclass(frozen=True, slots=True)
class Conv:
    """One built convolution: its tensors and sizes."""

    record: LayerRecord
    W: Tensor
    b: Tensor | None
    z: Tensor
    g: Geometry

    @property
    def rank(self) -> int:
        return len(self.g.kernel)

    @property
    def a_in(self) -> Tensor:
        return self.record.input

    def positions(self) -> list[tuple[int, ...]]:
        return list(product(*(range(n) for n in self.g.out)))

    def offsets(self) -> list[tuple[int, ...]]:
        return list(product(*(range(k) for k in self.g.kernel)))

    def weight_pairs(self, o: int, c: int, p: tuple[int, ...]) -> list[tuple[sp.Symbol, sp.Symbol]]:
        """(z, the input it reads through W[o, c, p]) over every sample and position."""
        out = []
        for n in range(self.z.shape[0]):
            for i in self.positions():
                source = self.g.source(i, p)
                if source is not None:
                    out.append((self.z.at(n, o, *i), self.a_in.at(n, c, *source)))
        return out

    def reads(self, n: int, o: int, i: tuple[int, ...]) -> list[tuple[sp.Symbol, sp.Symbol]]:
        """(W, a) pairs z[n, o, i] adds (the zero padding left out)."""
        return [(self.W.at(o, c, *p), self.a_in.at(n, c, *s)) for c in range(self.g.channels)
                for p in self.offsets() if (s := self.g.source(i, p)) is not None]

    def input_terms(self, n: int, c: int, u: tuple[int, ...]) -> list[tuple[sp.Symbol, sp.Symbol]]:
        """(W[o, c, p], z[n, o, i]) for every output that reads input ``u`` of channel c:
        along each axis i = (u + pad − p) / stride, when whole and inside the output."""
        g, out = self.g, []
        for p in self.offsets():
            i = []
            for uu, pp, s, pad, m in zip(u, p, g.stride, g.padding, g.out):
                q, r = divmod(uu + pad - pp, s)
                if r or not 0 <= q < m:
                    break
                i.append(q)
            else:
                out += [(self.W.at(o, c, *p), self.z.at(n, o, *i))
                        for o in range(g.out_channels)]
        return out


def conv_of(spec: TensorSpec, record: LayerRecord) -> Conv:
    """The convolution a layer record built, with its sizes."""
    made = {t.name.rstrip("0123456789"): t for t in record.made}
    rank = len(record.input.sample_shape) - 1
    g = geometry(Site(spec, record.spec), record.input.sample_shape, rank)
    return Conv(record, made["W"], made.get("b"), made["z"], g)


def index_rows(shape: tuple[int, ...]) -> list[list[tuple[int, ...]]]:
    """A spatial shape as rows of indices (one row for conv1d)."""
    if len(shape) == 1:
        return [[(j,) for j in range(shape[0])]]
    return [[(i, j) for j in range(shape[1])] for i in range(shape[0])]


def fits(shape: tuple[int, ...]) -> bool:
    return all(n <= SHOWN for n in shape)


def pmatrix(rows: list[list[str]]) -> str:
    return r"\begin{pmatrix} " + r" \\ ".join(" & ".join(r) for r in rows) + r" \end{pmatrix}"


def matrix_line(ctx: TensorContext, latex: str, grid: list[list[tuple[int, ...]]],
                 expr, value) -> Line:  # type: ignore[no-untyped-def]
    """``latex = (numbers)``: each entry ``expr(index)`` at the example equals its number."""
    values = [[value(i) for i in row] for row in grid]
    digits = min(ctx.tex.digits, MATRIX_DIGITS)
    shown = pmatrix([[format_number(v, digits) for v in row] for row in values])
    sides = (tuple(tuple(expr(i) for i in row) for row in grid),
             tuple(tuple(sp.Float(v) for v in row) for row in values))
    return Line(f"{latex} = {shown}", Equation(sides, at="example", digits=digits))
