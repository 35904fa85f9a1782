"""The dense layer's lesson (z = W a + b, then g) and flatten's (a reshape: gradients pass
through unchanged), shown on one unit and one weight, in symbols and with the numbers."""

from __future__ import annotations

import sympy as sp

from ..registry import ACTIVATIONS
from ..tensor import LayerRecord
from .lessons import Lesson, frac, numbers_line, partial, sum_latex, symbols_line
from .model import Block, Display, Section, math, plain
from .tensor_page import TensorContext

__all__ = ["DENSE", "FLATTEN"]


def _tensors(record: LayerRecord) -> tuple:
    made = {t.name.rstrip("0123456789"): t for t in record.made}
    return made["W"], made.get("b"), made["z"], record.output


def _positions(tensor, j: int) -> list[tuple[int, ...]]:  # type: ignore[no-untyped-def]
    """Every index of ``tensor`` (sample first) whose last axis is ``j``."""
    return [i for i in (tensor.index_of(s) for s in tensor.symbols) if i[-1] == j]


def _forward(ctx: TensorContext, record: LayerRecord) -> tuple[Block, ...]:
    W, b, z, a = _tensors(record)
    tex, inputs = ctx.tex, record.input
    first = z.symbols[0]
    index = z.index_of(first)
    fan_in = W.shape[1]
    reads = [inputs.at(*index[:-1], k) for k in range(fan_in)]
    terms = [W.at(0, k) * r for k, r in enumerate(reads)] + ([b.at(0)] if b else [])
    shown = " + ".join(f"{tex.symbol(W.at(0, k))} {tex.symbol(r)}"
                       for k, r in enumerate(reads[:3]))
    shown += (r" + \cdots" if fan_in > 3 else "") + (f" + {tex.symbol(b.at(0))}" if b else "")
    rows = [symbols_line(f"{tex.symbol(first)} &= {shown}", first, sp.Add(*terms))]
    rows.append(numbers_line(ctx, f"&= {tex.number(ctx.value(first))}", first,
                             ctx.value(first)))
    if a is not z:
        entry = record.spec.activation.of(ACTIVATIONS)
        g = entry.latex or rf"\operatorname{{{entry.name}}}"
        rows.append(numbers_line(ctx, rf"{tex.symbol(a.symbols[0])} &= {g}"
                                      rf"({tex.symbol(first)}) = "
                                      f"{tex.number(ctx.value(a.symbols[0]))}",
                                 a.symbols[0], ctx.value(a.symbols[0])))
    return (plain(f"Layer {record.number} (dense): each unit adds its weighted inputs and its "
                  "bias, then applies the activation. Its first value:"),
            Display(tuple(rows), aligned=True))


def _backward(ctx: TensorContext, record: LayerRecord) -> tuple[Section, ...]:
    W, b, z, a = _tensors(record)
    tex, inputs = ctx.tex, record.input
    w = W.at(0, 0)
    pairs = [(z.at(*i), inputs.at(*i[:-1], 0)) for i in _positions(z, 0)]
    rows = [symbols_line(rf"{frac(ctx, ctx.model.graph.loss, w)} &= "
                         + " + ".join(rf"{frac(ctx, ctx.model.graph.loss, dz)}\, {tex.symbol(r)}"
                                      for dz, r in pairs[:3])
                         + (r" + \cdots" if len(pairs) > 3 else ""),
                         partial(ctx, w), sp.Add(*(partial(ctx, dz) * r for dz, r in pairs)))]
    rows.append(numbers_line(ctx, "&= " + sum_latex(ctx, [(ctx.grad(dz), ctx.value(r))
                                                          for dz, r in pairs])
                             + f" = {tex.number(ctx.grad(w))}", partial(ctx, w), ctx.grad(w)))
    blocks = [plain("A weight multiplies one input in every sample (and at every position "
                    "the layer is applied to), so its gradient sums the gradient at the unit "
                    "times that input over all of them:"), Display(tuple(rows), aligned=True)]
    if b is not None:
        blocks += [plain("A bias adds to its unit everywhere, with local derivative 1:"),
                   Display((symbols_line(rf"{frac(ctx, ctx.model.graph.loss, b.at(0))} &= "
                                         + " + ".join(frac(ctx, ctx.model.graph.loss, dz)
                                                      for dz, _ in pairs[:3])
                                         + (r" + \cdots" if len(pairs) > 3 else ""),
                                         partial(ctx, b.at(0)),
                                         sp.Add(*(partial(ctx, dz) for dz, _ in pairs))),),
                           aligned=True)]
    if record.number > 1:
        back = [z.at(*i[:-1], j) for i in _positions(inputs, 0)[:1]
                for j in range(W.shape[0])]
        first = inputs.at(*_positions(inputs, 0)[0])
        blocks += [plain("What flows back to the layer below: each input feeds every unit, so "
                         "its gradient sums over the units, weighted by the weights:"),
                   Display((symbols_line(
                       rf"{frac(ctx, ctx.model.graph.loss, first)} &= " + " + ".join(
                           rf"{tex.symbol(W.at(j, 0))} {frac(ctx, ctx.model.graph.loss, dz)}"
                           for j, dz in enumerate(back[:3])) + (r" + \cdots" if len(back) > 3
                                                                else ""),
                       partial(ctx, first),
                       sp.Add(*(W.at(j, 0) * partial(ctx, dz) for j, dz in enumerate(back)))),),
                       aligned=True)]
    return (Section(plain(f"Layer {record.number} (dense): gradients"), tuple(blocks)),)


def _flatten_forward(ctx: TensorContext, record: LayerRecord) -> tuple[Block, ...]:
    shape = ctx.tex.shape(record.input.sample_shape)
    return (plain(f"Layer {record.number} (flatten) lays the ") + math(shape)
            + plain(" values of each sample out as one vector, row by row: no arithmetic, so "
                    "each gradient passes back through it unchanged."),)


def _no_sections(ctx: TensorContext, record: LayerRecord) -> tuple[Section, ...]:
    return ()


DENSE = Lesson(_forward, _backward)
FLATTEN = Lesson(_flatten_forward, _no_sections)
