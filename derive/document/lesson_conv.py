"""The convolution's lesson (conv1d, conv2d): a small graph whose nodes share one kernel, so
each kernel entry's gradient is a sum over the outputs it touches; that sum is the
correlation of the input with δ, the bias's is Σ δ, and what flows back to the input is the
"full" convolution of δ with the flipped kernel. Shapes at every step; every formula is
checked on whole slices (a matrix side) at random points, every number at the example.
"""

from __future__ import annotations

import sympy as sp

from ..registry import ACTIVATIONS
from ..tensor import LayerRecord
from ..tensor.conv import Geometry
from .conv_formulas import Letters, backward_latex, forward_latex
from .conv_parts import SHOWN, Conv, conv_of, fits, index_rows, matrix_line
from .lessons import Lesson, frac, numbers_line, partial, sum_latex, symbols_line
from .model import Block, Display, Equation, Figure, Line, Section, Table, math, plain
from .tensor_page import TensorContext

__all__ = ["LESSON"]


def _forward(ctx: TensorContext, record: LayerRecord) -> tuple[Block, ...]:
    cv, tex = conv_of(ctx.model.spec, record), ctx.tex
    letters = Letters.of(cv.rank, ctx.model.graph.samples)
    general = forward_latex(cv, letters, bias=cv.b is not None)
    grid = index_rows(cv.g.out)[:SHOWN]
    sides = (tuple(tuple(cv.z.at(0, 0, *i) for i in row[:SHOWN]) for row in grid),
             tuple(tuple(sp.Add(*(W * a for W, a in cv.reads(0, 0, i)),
                                *([cv.b.at(0)] if cv.b is not None else []))
                         for i in row[:SHOWN]) for row in grid))
    blocks: list[Block] = [
        plain(f"Layer {record.number} ({record.spec.type}) slides {cv.g.out_channels} "
              f"kernel{'s' * (cv.g.out_channels != 1)} of shape ")
        + math(tex.shape((cv.g.channels,) + cv.g.kernel)) + plain(" over its input ")
        + math(tex.shape(cv.a_in.sample_shape))
        + plain(_padding_text(cv.g) + ". Each output adds the products of one window of "
                "the input with one kernel, and the kernel's bias (PyTorch's Conv, a "
                "cross-correlation):"),
        Display((Line(general.latex, Equation(sides)),))]
    first, second = cv.z.at(0, 0, *([0] * cv.rank)), _neighbour(cv)
    pairs = cv.reads(0, 0, (0,) * cv.rank)
    bias = [ctx.value(cv.b.at(0))] if cv.b is not None else []
    printed = sp.Add(*(sp.Float(ctx.value(W)) * sp.Float(ctx.value(a)) for W, a in pairs),
                     *map(sp.Float, bias))
    rows = [_output_line(ctx, cv, first),
            Line("&= " + sum_latex(ctx, [(ctx.value(W), ctx.value(a)) for W, a in pairs], 3)
                 + "".join(f" + {tex.number(v)}" if v >= 0 else f" - {tex.number(-v)}"
                           for v in bias),
                 Equation((printed, first), at="example", digits=tex.digits)),
            numbers_line(ctx, f"&= {tex.number(ctx.value(first))}", first, ctx.value(first))]
    if second is not None:
        rows.append(_output_line(ctx, cv, second))
    w = cv.W.at(*([0] * len(cv.W.shape)))
    readers = len(cv.weight_pairs(0, 0, (0,) * cv.rank))
    blocks += [plain("As a graph, the layer is many small sums that read the same few "
                     "weights: ") + math(tex.symbol(w))
               + plain(f" is an edge into {readers} of its nodes (every position of its "
                       "output channel, in every sample), here the first two:"),
               Display(tuple(rows), aligned=True), _shapes(ctx, cv)]
    if record.spec.activation.name != "linear":
        entry = record.spec.activation.of(ACTIVATIONS)
        g = entry.latex or rf"\operatorname{{{entry.name}}}"
        blocks.append(plain("Then the activation, value by value: ")
                      + math(rf"{tex.name(record.output)} = {g}({tex.name(cv.z)})")
                      + plain("."))
    return tuple(blocks)


def _padding_text(g: Geometry) -> str:
    said = []
    if any(g.stride[k] != 1 for k in range(len(g.stride))):
        said.append(f"in steps of {' × '.join(map(str, g.stride))}")
    if any(g.padding):
        said.append(f"padded with {' × '.join(map(str, g.padding))} "
                    f"zero{'s' * (g.padding != (1,) * len(g.padding))} on each side")
    return (", " + " and ".join(said)) if said else ""


def _neighbour(cv: Conv) -> sp.Symbol | None:
    """The output next to the first along the last axis, if any."""
    if cv.g.out[-1] < 2:
        return None
    return cv.z.at(0, 0, *([0] * (cv.rank - 1)), 1)


def _output_line(ctx: TensorContext, cv: Conv, node: sp.Symbol) -> Line:
    n, o, *i = cv.z.index_of(node)
    pairs = cv.reads(n, o, tuple(i))
    shown = " + ".join(f"{ctx.tex.symbol(W)} {ctx.tex.symbol(a)}" for W, a in pairs[:4])
    shown += (r" + \cdots" if len(pairs) > 4 else "") + \
        (f" + {ctx.tex.symbol(cv.b.at(o))}" if cv.b is not None else "")
    expr = sp.Add(*(W * a for W, a in pairs), *([cv.b.at(o)] if cv.b is not None else []))
    return symbols_line(f"{ctx.tex.symbol(node)} &= {shown}", node, expr)


def _shapes(ctx: TensorContext, cv: Conv) -> Table:
    """Every quantity's shape for one sample, and where it comes from."""
    tex, g, l = ctx.tex, cv.g, cv.record.number
    size = ", ".join(rf"\lfloor ({n} + 2 \cdot {pad} - {k}) / {s} \rfloor + 1 = {m}"
                     for n, pad, k, s, m in zip(g.size, g.padding, g.kernel, g.stride, g.out))
    rows = [(math(tex.name(cv.a_in)), math(tex.shape(cv.a_in.sample_shape)), plain("the input")),
            (math(tex.name(cv.W)), math(tex.shape(cv.W.shape)),
             plain("out channels × in channels × kernel"))]
    if cv.b is not None:
        rows.append((math(tex.name(cv.b)), math(tex.shape(cv.b.shape)),
                     plain("one per out channel")))
    rows += [(math(tex.name(cv.z)), math(tex.shape(cv.z.sample_shape)), math(size)),
             (math(rf"\delta^{{({l})}} = \partial \mathcal{{L}} / \partial z^{{({l})}}"),
              math(tex.shape(cv.z.sample_shape)), plain("as z")),
             (math(rf"\partial \mathcal{{L}} / \partial {tex.name(cv.W)}"),
              math(tex.shape(cv.W.shape)), plain("as the kernel: a sum over samples and "
                                                 "positions")),
             (math(rf"\partial \mathcal{{L}} / \partial {tex.name(cv.a_in)}"),
              math(tex.shape(cv.a_in.sample_shape)), plain("as the input"))]
    return Table((plain("quantity"), plain("shape (one sample)"), plain("why")), tuple(rows))


def _delta_blocks(ctx: TensorContext, cv: Conv, letters: Letters) -> list[Block]:
    tex, l, loss = ctx.tex, cv.record.number, ctx.model.graph.loss
    blocks: list[Block] = [plain("Write ") + math(
        rf"\delta^{{({l})}}_{{{letters.out}}} = \partial \mathcal{{L}} / \partial "
        rf"z^{{({l})}}_{{{letters.out}}}") + plain(" for what arrives at each output.")]
    record, first = cv.record, cv.z.symbols[0]
    entry = record.spec.activation.of(ACTIVATIONS)
    if record.output is not cv.z and not entry.vector:
        a = record.output.symbols[0]
        g = entry.derivative(first, **dict(record.spec.activation.options))
        name = entry.latex or rf"\operatorname{{{entry.name}}}"
        blocks += [plain("Through the activation, value by value:"), Display((symbols_line(
            rf"{frac(ctx, loss, first)} = {frac(ctx, loss, a)}\, {name}'({tex.symbol(first)})",
            partial(ctx, first), partial(ctx, a) * g),))]
    grid = index_rows(cv.g.out)
    if fits(cv.g.out):
        blocks += [plain("At the example, channel 1 of sample 1:"), Display((matrix_line(
            ctx, rf"\delta^{{({l})}}_{{{'1,' if ctx.model.graph.samples > 1 else ''}1}}", grid,
            lambda i: partial(ctx, cv.z.at(0, 0, *i)),
            lambda i: ctx.grad(cv.z.at(0, 0, *i))),))]
    return blocks


def _kernel_blocks(ctx: TensorContext, cv: Conv, letters: Letters) -> list[Block]:
    tex, loss = ctx.tex, ctx.model.graph.loss
    latex = backward_latex(cv, letters)
    kgrid = index_rows(cv.g.kernel)
    sides = (tuple(tuple(partial(ctx, cv.W.at(0, 0, *p)) for p in row) for row in kgrid),
             tuple(tuple(sp.Add(*(partial(ctx, z) * a for z, a in cv.weight_pairs(0, 0, p)))
                         for p in row) for row in kgrid))
    w = cv.W.at(*([0] * len(cv.W.shape)))
    pairs = cv.weight_pairs(0, 0, (0,) * cv.rank)
    blocks: list[Block] = [
        plain("A kernel entry is read by every output of its channel, so its gradient sums "
              "δ times the input it multiplied, over every position and sample. Written as "
              "one formula, that is the correlation of the input with δ: δ slides over the "
              "input as if it were the kernel" + (" (its entries spread out by the stride)" if any(
                  s != 1 for s in cv.g.stride) else "") + ":"),
        Display((Line(latex.kernel, Equation(sides)),)),
        plain("One entry with the example's numbers (δ times the input, over the shaded "
              "pairs of the picture):"),
        Display(_entry_rows(ctx, cv, w, pairs), aligned=True)]
    if fits(cv.g.kernel):
        blocks.append(Display((matrix_line(
            ctx, rf"\frac{{\partial \mathcal{{L}}}}{{\partial {tex.name(cv.W)}_{{1,1}}}}",
            kgrid, lambda p: partial(ctx, cv.W.at(0, 0, *p)),
            lambda p: ctx.grad(cv.W.at(0, 0, *p))),)))
    if cv.b is not None:
        outs = [cv.z.at(n, 0, *i) for n in range(cv.z.shape[0]) for i in cv.positions()]
        blocks += [plain("The bias adds to every output of its channel with local derivative "
                         "1, so its gradient is the sum of that channel's δ:"),
                   Display((Line(latex.bias, Equation((partial(ctx, cv.b.at(0)), sp.Add(*(
                       partial(ctx, z) for z in outs))))),)),
                   Display((numbers_line(ctx, f"{frac(ctx, loss, cv.b.at(0))} = "
                                              f"{tex.number(ctx.grad(cv.b.at(0)))}",
                                         partial(ctx, cv.b.at(0)), ctx.grad(cv.b.at(0))),))]
    return blocks


def _entry_rows(ctx: TensorContext, cv: Conv, w: sp.Symbol,
                pairs: list[tuple[sp.Symbol, sp.Symbol]]) -> tuple[Line, ...]:
    """∂L/∂w = Σ δ a in symbols, then with the numbers, then its value."""
    tex, loss = ctx.tex, ctx.model.graph.loss
    symbolic = " + ".join(rf"\delta{tex.symbol(z)[1:]}\, {tex.symbol(a)}"
                          for z, a in pairs[:2]) + (r" + \cdots" if len(pairs) > 2 else "")
    numbers = sp.Add(*(sp.Float(ctx.grad(z)) * sp.Float(ctx.value(a)) for z, a in pairs))
    return (symbols_line(rf"{frac(ctx, loss, w)} &= {symbolic}", partial(ctx, w),
                         sp.Add(*(partial(ctx, z) * a for z, a in pairs))),
            Line("&= " + sum_latex(ctx, [(ctx.grad(z), ctx.value(a)) for z, a in pairs], 3),
                 Equation((numbers, partial(ctx, w)), at="example", digits=tex.digits)),
            numbers_line(ctx, f"&= {tex.number(ctx.grad(w))}", partial(ctx, w), ctx.grad(w)))


def _pad_text(g: Geometry) -> str:
    """k − 1 − padding zeros on each side of δ (a negative count drops that many)."""
    counts = sorted({k - 1 - p for k, p in zip(g.kernel, g.padding)})
    if len(counts) > 1:
        return ("k − 1 − padding zeros on each side, per axis "
                f"({' × '.join(str(k - 1 - p) for k, p in zip(g.kernel, g.padding))}")
    n = counts[0]
    if n >= 0:
        return f"{n} zero{'s' * (n != 1)} on each side (k − 1 − padding"
    return f"its outer {-n} entr{'ies' if n != -1 else 'y'} dropped on each side (k − 1 − padding < 0"


def _input_blocks(ctx: TensorContext, cv: Conv, letters: Letters) -> list[Block]:
    latex = backward_latex(cv, letters)
    grid = index_rows(cv.g.size)[:SHOWN]
    sides = (tuple(tuple(partial(ctx, cv.a_in.at(0, 0, *u)) for u in row[:SHOWN])
                   for row in grid),
             tuple(tuple(sp.Add(*(W * partial(ctx, z) for W, z in cv.input_terms(0, 0, u)))
                         for u in row[:SHOWN]) for row in grid))
    said = plain("An input value is read by every kernel entry whose window covers it, so its "
                 "gradient sums the kernel times δ over those outputs. ")
    if all(s == 1 for s in cv.g.stride):
        said += (plain("With stride 1 that is a “full” convolution: pad δ with "
                       + _pad_text(cv.g) + "; call it ") + math(r"\tilde{\delta}")
                 + plain(") and slide the kernel over it, "
                         + ("turned by 180° (its rows and columns reversed):" if cv.rank == 2
                            else "reversed:")))
    else:
        said += plain("With a stride, δ is spread out first (s − 1 zeros between its entries): "
                      "only the whole indices below are outputs, the rest add nothing:")
    blocks: list[Block] = [said, Display((Line(latex.input, Equation(sides)),))]
    if all(s == 1 for s in cv.g.stride) and fits(cv.g.kernel):
        kgrid = index_rows(cv.g.kernel)
        flip = lambda p: cv.W.at(0, 0, *(k - 1 - q for k, q in zip(cv.g.kernel, p)))  # noqa: E731
        turn = ("turned by 180°", "rot180") if cv.rank == 2 else ("reversed", "flip")
        blocks += [plain(f"The kernel of channel 1 {turn[0]}:"), Display((matrix_line(
            ctx, rf"\operatorname{{{turn[1]}}}({ctx.tex.name(cv.W)}_{{1,1}})", kgrid, flip,
            lambda p: ctx.value(flip(p))),))]
    if fits(cv.g.size):
        blocks += [plain("At the example, channel 1 of sample 1:"), Display((matrix_line(
            ctx, rf"\frac{{\partial \mathcal{{L}}}}{{\partial {ctx.tex.name(cv.a_in)}_{{1}}}}",
            index_rows(cv.g.size), lambda u: partial(ctx, cv.a_in.at(0, 0, *u)),
            lambda u: ctx.grad(cv.a_in.at(0, 0, *u))),))]
    if cv.record.number == 1:
        blocks.append(plain("This layer reads the inputs, so the gradient stops here; "
                            "inside a deeper network it is what the layer below receives."))
    return blocks


def _figure(ctx: TensorContext, cv: Conv) -> list[Block]:
    """The picture; its caption is plain text (a Markdown image's alt text holds no math)."""
    return [Figure(ctx.figure(f"conv{cv.record.number}-weight"),
                   plain("Which outputs one weight touches: the kernel's first entry "
                         "multiplies each shaded input (left) into one shaded output (right); "
                         "its gradient is the sum of δ × input over those pairs, numbers of "
                         "sample 1 shown."))]


def _backward(ctx: TensorContext, record: LayerRecord) -> tuple[Section, ...]:
    cv = conv_of(ctx.model.spec, record)
    letters = Letters.of(cv.rank, ctx.model.graph.samples)
    title = f"Layer {record.number} ({record.spec.type}): gradients"
    return (Section(plain(title), tuple(
        _delta_blocks(ctx, cv, letters) + _figure(ctx, cv) + _kernel_blocks(ctx, cv, letters)
        + _input_blocks(ctx, cv, letters))),)


LESSON = Lesson(_forward, _backward)
