"""The RNN's lesson: the recurrence step by step, backpropagation through time (the tied
weights' gradients as sums over the steps, δ carried back one step at a time through U and
g′), and what the example's numbers say about how δ shrinks or grows on the way back.

Shown for sample 1 and unit 1; every equation's sides are over the graph's nodes, audited.
"""

from __future__ import annotations

import math

import sympy as sp

from ..registry import ACTIVATIONS
from ..tensor import LayerRecord
from ..tensor.rnn import rnn_activation
from .lessons import Lesson, frac, numbers_line, partial, sum_latex, symbols_line
from .model import Block, Display, Section, Table, math as inline, plain
from .tensor_page import TensorContext

__all__ = ["LESSON"]


def _parts(record: LayerRecord) -> dict:
    return {t.name.rstrip("0123456789"): t for t in record.made}


def _g(record: LayerRecord):  # type: ignore[no-untyped-def]
    choice = rnn_activation(record.spec)
    entry = choice.of(ACTIVATIONS)
    return entry, dict(choice.options), entry.latex or rf"\operatorname{{{entry.name}}}"


def _forward(ctx: TensorContext, record: LayerRecord) -> tuple[Block, ...]:
    p, tex = _parts(record), ctx.tex
    W, U, s, h = p["W"], p["U"], p["s"], p["h"]
    b, x = p.get("b"), record.input
    steps, units = s.sample_shape
    _, _, g = _g(record)
    rows = []
    for t in range(min(2, steps)):
        reads = [W.at(0, k) * x.at(0, t, k) for k in range(W.shape[1])]
        shown = [f"{tex.symbol(W.at(0, k))} {tex.symbol(x.at(0, t, k))}"
                 for k in range(W.shape[1])]
        if t:
            reads += [U.at(0, i) * h.at(0, t - 1, i) for i in range(units)]
            shown += [f"{tex.symbol(U.at(0, i))} {tex.symbol(h.at(0, t - 1, i))}"
                      for i in range(units)]
        if b is not None:
            reads.append(b.at(0))
            shown.append(tex.symbol(b.at(0)))
        node = s.at(0, t, 0)
        rows.append(symbols_line(f"{tex.symbol(node)} &= " + " + ".join(shown), node,
                                 sp.Add(*reads)))
        rows.append(numbers_line(ctx, f"&= {tex.number(ctx.value(node))}", node,
                                 ctx.value(node)))
        out = h.at(0, t, 0)
        rows.append(numbers_line(ctx, rf"{tex.symbol(out)} &= {g}({tex.symbol(node)}) = "
                                      f"{tex.number(ctx.value(out))}", out, ctx.value(out)))
    return (plain(f"Layer {record.number} (rnn) reads the sequence one step at a time: at step "
                  "t its pre-activation adds the weighted input, the previous state through ")
            + inline(U.latex) + plain(" (nothing at step 1: ") + inline("h_0 = 0")
            + plain(") and the bias, and the state is its activation. The same ")
            + inline(f"{W.latex}, {U.latex}") + plain(" and bias serve every step. Unit 1 at "
                                                     "the first steps:"),
            Display(tuple(rows), aligned=True))


def _tied(ctx: TensorContext, record: LayerRecord) -> tuple[Block, ...]:
    """∂L/∂U_11 = Σ_t δ_{t,1} h_{t−1,1}: one term per step (and per sample)."""
    p, tex, L = _parts(record), ctx.tex, ctx.model.graph.loss
    U, s, h = p["U"], p["s"], p["h"]
    steps = s.sample_shape[0]
    pairs = [(s.at(n, t, 0), h.at(n, t - 1, 0)) for n in range(ctx.model.graph.samples)
             for t in range(1, steps)]
    u = U.at(0, 0)
    shown = " + ".join(rf"{frac(ctx, L, d)}\, {tex.symbol(r)}" for d, r in pairs[:2])
    rows = [symbols_line(rf"{frac(ctx, L, u)} &= {shown}"
                         + (r" + \cdots" if len(pairs) > 2 else ""),
                         partial(ctx, u), sp.Add(*(partial(ctx, d) * r for d, r in pairs))),
            numbers_line(ctx, "&= " + sum_latex(ctx, [(ctx.grad(d), ctx.value(r))
                                                     for d, r in pairs])
                         + f" = {tex.number(ctx.grad(u))}", partial(ctx, u), ctx.grad(u))]
    return (plain("Unrolled, the network is as deep as the sequence is long, and ")
            + inline(U.latex) + plain(" is read at every step after the first. Its gradient is "
                                      "the sum over the steps of the gradient at the step's "
                                      "pre-activation times the previous state it multiplied:"),
            Display(tuple(rows), aligned=True))


def _through_time(ctx: TensorContext, record: LayerRecord) -> tuple[Block, ...]:
    """δ_t = g′(s_t) ∂L/∂h_t, and ∂L/∂h_t = Σ_i U_i1 δ_{t+1,i} when nothing else reads h_t."""
    p, tex, L = _parts(record), ctx.tex, ctx.model.graph.loss
    U, s, h = p["U"], p["s"], p["h"]
    steps, units = s.sample_shape
    entry, options, g = _g(record)
    node, state = s.at(0, 0, 0), h.at(0, 0, 0)
    derivative = sp.diff(entry.form(node, **options), node)
    rows = [symbols_line(rf"{frac(ctx, L, node)} &= {g}'({tex.symbol(node)})\, "
                         f"{frac(ctx, L, state)}", partial(ctx, node),
                         derivative * partial(ctx, state))]
    blocks: list = [plain("Each step's δ comes from the state it made, through the activation's "
                          "derivative:"), Display(tuple(rows), aligned=True)]
    if steps > 1 and record.spec.get("return", "last") == "last":
        back = [s.at(0, 1, i) for i in range(units)]
        blocks += [plain("A state before the last is read only by the next step, through ")
                   + inline(U.latex) + plain(", so its gradient is the next step's δ carried "
                                             "back:"),
                   Display((symbols_line(
                       rf"{frac(ctx, L, state)} &= " + " + ".join(
                           rf"{tex.symbol(U.at(i, 0))} {frac(ctx, L, d)}"
                           for i, d in enumerate(back)),
                       partial(ctx, state),
                       sp.Add(*(U.at(i, 0) * partial(ctx, d) for i, d in enumerate(back)))),),
                       aligned=True)]
    return tuple(blocks)


def _vanishing(ctx: TensorContext, record: LayerRecord) -> tuple[Block, ...]:
    """The size of δ_t at every step of sample 1, from the example's numbers."""
    s = _parts(record)["s"]
    steps, units = s.sample_shape
    sizes = [math.sqrt(sum(ctx.grad(s.at(0, t, j)) ** 2 for j in range(units)))
             for t in range(steps)]
    rows = tuple((plain(f"{t + 1}"), inline(ctx.tex.number(v))) for t, v in enumerate(sizes))
    last, first = sizes[-1], sizes[0]
    said = plain(f"Carried back from step {steps} to step 1, δ's size went from ") + inline(
        ctx.tex.number(last)) + plain(" to ") + inline(ctx.tex.number(first))
    if first and last:
        ratio = first / last
        said += plain(f", a factor of {ratio:.3g}: " + (
            "it shrinks, because each step multiplies it by U and by g′ ≤ 1 — over long "
            "sequences the early steps barely learn (vanishing gradients)."
            if ratio < 1 else "it grows: over long sequences such products explode."))
    else:
        said += plain(".")
    return (said, Table((plain("step t"), plain("size of δ at step t (sample 1)")), rows))


def _backward(ctx: TensorContext, record: LayerRecord) -> tuple[Section, ...]:
    return (Section(plain(f"Layer {record.number} (rnn): backpropagation through time"),
                    _tied(ctx, record) + _through_time(ctx, record) + _vanishing(ctx, record)),)


LESSON = Lesson(_forward, _backward)
