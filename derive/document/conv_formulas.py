"""The convolution's formulas in index notation, as the lesson prints them (1-based, as
every index on a page): the forward sum, the kernel gradient as a correlation with δ, the
bias gradient, and the input gradient as a full convolution with the flipped kernel (stride
1) or a sum over the outputs that read an input (a stride). A sum over a range of one is
left out and its index written 1. The lesson pairs each with SymPy sides that the audit
evaluates; this module only writes LaTeX.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Formulas", "Letters", "backward_latex", "forward_latex"]

OUT, KERNEL, INPUT = ("i", "j"), ("p", "q"), ("u", "v")


@dataclass(frozen=True, slots=True)
class Letters:
    rank: int
    batched: bool           # more than one sample: the sample index n is written

    @classmethod
    def of(cls, rank: int, samples: int) -> Letters:
        return cls(rank, samples > 1)

    @property
    def out(self) -> str:
        """An output's indices: ``n,o,i,j`` (``o,i,j`` for one sample)."""
        return ",".join(("n",) * self.batched + ("o",) + OUT[:self.rank])


@dataclass(frozen=True, slots=True)
class Formulas:
    latex: str = ""
    kernel: str = ""
    bias: str = ""
    input: str = ""


def _sum(letter: str, upper: int) -> str:
    return rf"\sum_{{{letter}=1}}^{{{upper}}} " if upper > 1 else ""


def _one(letter: str, upper: int) -> str:
    return letter if upper > 1 else "1"


def _source(i: str, p: str, s: int, pad: int) -> str:
    """The input index output i reads through kernel offset p (1-based): s(i−1)+p−pad."""
    if s == 1:
        return f"{i}+{p}-{1 + pad}"
    return f"{s}({i}-1)+{p}" + (f"-{pad}" if pad else "")


def _sub(*parts: str) -> str:
    return "_{" + ",".join(p for p in parts if p) + "}"


def forward_latex(cv: Any, letters: Letters, *, bias: bool) -> Formulas:
    """z_{n,o,i,j} = b_o + Σ_c Σ_{p,q} W_{o,c,p,q} a_{n,c,s(i−1)+p−pad,…}."""
    g, r = cv.g, letters.rank
    n = "n" if letters.batched else ""
    c = _one("c", g.channels)
    sums = _sum("c", g.channels) + "".join(_sum(KERNEL[k], g.kernel[k]) for k in range(r))
    reads = [_source(OUT[k], _one(KERNEL[k], g.kernel[k]), g.stride[k], g.padding[k])
             for k in range(r)]
    kernel = [_one(KERNEL[k], g.kernel[k]) for k in range(r)]
    b = f"{cv.b.latex}_{{o}} + " if bias else ""
    return Formulas(latex=f"{cv.z.latex}{_sub(n, 'o', *OUT[:r])} = {b}{sums}"
                          rf"{cv.W.latex}{_sub('o', c, *kernel)}\, {cv.a_in.latex}"
                          f"{_sub(n, c, *reads)}")


def backward_latex(cv: Any, letters: Letters) -> Formulas:
    g, r, l = cv.g, letters.rank, cv.record.number
    samples = cv.z.shape[0]
    n = "n" if letters.batched else ""
    c = _one("c", g.channels)
    o = _one("o", g.out_channels)
    delta = rf"\delta^{{({l})}}"
    over_outputs = _sum("n", samples) + "".join(_sum(OUT[k], g.out[k]) for k in range(r))
    kernel = [_one(KERNEL[k], g.kernel[k]) for k in range(r)]
    outs = [_one(OUT[k], g.out[k]) for k in range(r)]
    reads = [_source(outs[k], kernel[k], g.stride[k], g.padding[k]) for k in range(r)]
    dL = r"\frac{\partial \mathcal{L}}"
    kernel_text = (rf"{dL}{{\partial {cv.W.latex}{_sub('o', c, *kernel)}}} = {over_outputs}"
                   rf"{delta}{_sub(n, 'o', *outs)}\, {cv.a_in.latex}{_sub(n, c, *reads)}")
    bias_text = (rf"{dL}{{\partial {cv.b.latex}_{{o}}}} = {over_outputs}"
                 rf"{delta}{_sub(n, 'o', *outs)}") if cv.b is not None else ""
    sums = _sum("o", g.out_channels) + "".join(_sum(KERNEL[k], g.kernel[k]) for k in range(r))
    left = rf"{dL}{{\partial {cv.a_in.latex}{_sub(n, c, *INPUT[:r])}}} = {sums}"
    if all(s == 1 for s in g.stride):
        at = [f"{INPUT[k]}+{kernel[k]}-1" for k in range(r)]
        flipped = [f"{g.kernel[k] + 1}-{kernel[k]}" if g.kernel[k] > 1 else "1"
                   for k in range(r)]
        right = (rf"\tilde{{\delta}}^{{({l})}}{_sub(n, o, *at)}\, "
                 rf"{cv.W.latex}{_sub(o, c, *flipped)}")
    else:
        at = [rf"\frac{{{INPUT[k]}-{kernel[k]}" + (f"+{g.padding[k]}" if g.padding[k] else "")
              + rf"}}{{{g.stride[k]}}}+1" for k in range(r)]
        right = rf"{cv.W.latex}{_sub(o, c, *kernel)}\, {delta}{_sub(n, o, *at)}"
    return Formulas(kernel=kernel_text, bias=bias_text, input=left + right)
