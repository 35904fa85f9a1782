"""Batch norm's lesson: the batch statistics forward, then the gradient back to one input
along its three paths (through x̂ directly, through μ, through σ²), the path sum, and the
compact formula ∂𝓛/∂x_i = γ/(N√(σ²+ε)) (N g_i − Σ g − x̂_i Σ g x̂), shown equal to the sum.

Shown on the first feature (channel) and the first sample; every line is audited: the path
sum and the compact formula at random points, each ∂ by finite differences through the graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import sqrt as math_sqrt
from types import MappingProxyType

import sympy as sp

from ..registry import ACTIVATIONS
from ..tensor import LayerRecord, Tensor
from ..tensor.batchnorm import EPS
from .lessons import Lesson, frac, numbers_line, partial, symbols_line
from .model import Block, Display, Figure, Section, Text, math, plain
from .tensor_page import TensorContext

__all__ = ["LESSON"]


@dataclass(frozen=True, slots=True)
class _Feature:
    """The first feature's nodes: each of its m values in the batch (k = 1..m), in order."""

    x: tuple[sp.Symbol, ...]
    xhat: tuple[sp.Symbol, ...]
    y: tuple[sp.Symbol, ...]
    mu: sp.Symbol
    var: sp.Symbol
    gamma: sp.Symbol
    beta: sp.Symbol
    eps: float
    m: str              # "N" for a [features] sample, "m" (= N L) for [channels, length]
    output: Tensor

    @property
    def word(self) -> str:
        """What one statistic is of: a feature, or a channel (over the batch and the length)."""
        return "feature" if self.m == "N" else "channel"

    @property
    def size(self) -> int:
        return len(self.x)

    @property
    def root(self) -> sp.Expr:
        return sp.sqrt(self.var + sp.Float(self.eps))


def _feature(record: LayerRecord) -> _Feature:
    made = {t.name.rstrip("0123456789"): t for t in record.made}
    xhat = made["xhat"]
    cols = [i for i in map(xhat.index_of, xhat.symbols) if i[1] == 0]
    return _Feature(tuple(record.input.at(*i) for i in cols), tuple(xhat.at(*i) for i in cols),
                    tuple(made["y"].at(*i) for i in cols), made["mu"].symbols[0],
                    made["var"].symbols[0], made["gamma"].symbols[0], made["beta"].symbols[0],
                    float(record.spec.get("eps", EPS)),  # type: ignore[arg-type]
                    "N" if len(xhat.sample_shape) == 1 else "m", record.output)


def _paren(ctx: TensorContext):  # type: ignore[no-untyped-def]
    """A number in parentheses, braced so that a line break never splits "(" from its sign."""
    return lambda v: f"({{{ctx.tex.number(v)}}})"


def _listed(texts: list[str], shown: int = 4) -> str:
    """a + b + c + d, or a + b + ⋯ + z past ``shown`` terms."""
    if len(texts) > shown:
        texts = texts[:shown - 1] + [r"\cdots", texts[-1]]
    return " + ".join(texts)


def _forward(ctx: TensorContext, record: LayerRecord) -> tuple[Block, ...]:
    p = _paren(ctx)
    f, tex = _feature(record), ctx.tex
    s, n = tex.symbol, tex.number
    x0, xh0, y0 = f.x[0], f.xhat[0], f.y[0]
    inv = sp.Rational(1, f.size)
    rows = [symbols_line(rf"{s(f.mu)} &= \tfrac{{1}}{{{f.size}}}\bigl("
                         + _listed([s(v) for v in f.x]) + r"\bigr)",
                         f.mu, inv * sp.Add(*f.x)),
            numbers_line(ctx, f"&= {n(ctx.value(f.mu))}", f.mu, ctx.value(f.mu)),
            symbols_line(rf"{s(f.var)} &= \tfrac{{1}}{{{f.size}}}\bigl("
                         + _listed([rf"({s(v)} - {s(f.mu)})^2" for v in f.x], 3) + r"\bigr)",
                         f.var, inv * sp.Add(*((v - f.mu) ** 2 for v in f.x))),
            numbers_line(ctx, f"&= {n(ctx.value(f.var))}", f.var, ctx.value(f.var)),
            symbols_line(rf"{s(xh0)} &= \frac{{{s(x0)} - {s(f.mu)}}}"
                         rf"{{\sqrt{{{s(f.var)} + \epsilon}}}}", xh0, (x0 - f.mu) / f.root),
            numbers_line(ctx, rf"&= \frac{{{n(ctx.value(x0))} - {p(ctx.value(f.mu))}}}"
                              rf"{{\sqrt{{{n(ctx.value(f.var))} + {n(f.eps)}}}}} = "
                              f"{n(ctx.value(xh0))}", xh0, ctx.value(xh0)),
            symbols_line(rf"{s(y0)} &= {s(f.gamma)} {s(xh0)} + {s(f.beta)}", y0,
                         f.gamma * xh0 + f.beta),
            numbers_line(ctx, rf"&= {p(ctx.value(f.gamma))}{p(ctx.value(xh0))} + "
                              f"{p(ctx.value(f.beta))} = {n(ctx.value(y0))}", y0,
                         ctx.value(y0))]
    if f.output.symbols[0] != y0:
        entry = record.spec.activation.of(ACTIVATIONS)
        g, a0 = entry.latex or rf"\operatorname{{{entry.name}}}", f.output.symbols[0]
        rows.append(numbers_line(ctx, rf"{s(a0)} &= {g}({s(y0)}) = {n(ctx.value(a0))}", a0,
                                 ctx.value(a0)))
    values = f"the batch's {f.size} values" + (" (every sample, every position)"
                                                if f.m == "m" else "")
    return (plain(f"Layer {record.number} (batchnorm) normalizes each {f.word} with the mean "
                  "and the variance of the whole batch, then scales it by a learned ")
            + math(s(f.gamma).split("_")[0]) + plain(" and shifts it by a learned ")
            + math(s(f.beta).split("_")[0]) + plain(f". The first {f.word}, over {values}, "
                                                     "with ") + math(rf"\epsilon = {n(f.eps)}")
            + plain(" (PyTorch's BatchNorm1d; the variance divides by ")
            + math(str(f.size)) + plain(", not ") + math(str(f.size - 1)) + plain("):"),
            Display(tuple(rows), aligned=True))


def _legend(ctx: TensorContext, f: _Feature) -> Text:
    s = ctx.tex.symbol
    L = ctx.model.graph.loss
    where = "one per sample" if f.m == "N" else "every sample at every position"
    return (plain("Below, ") + math("k") + plain(f" runs over the first {f.word}'s ")
            + math(f"{f.m} = {f.size}") + plain(f" values ({where}): ")
            + math("x_k") + plain(" is the layer's input (") + math(rf"x_1 = {s(f.x[0])}")
            + plain("), ") + math(r"\hat{x}_k") + plain(" its normalized value, ")
            + math("g_k") + plain(" the gradient arriving from above (")
            + math(rf"g_1 = {frac(ctx, L, f.y[0])}") + plain("), and ")
            + math(r"\mu, \sigma^2, \gamma, \beta") + plain(f" are the {f.word}'s ")
            + math(rf"{s(f.mu)}, {s(f.var)}, {s(f.gamma)}, {s(f.beta)}") + plain("."))


def _dL(latex: str) -> str:
    return rf"\frac{{\partial \mathcal{{L}}}}{{\partial {latex}}}"


_NAMES = MappingProxyType({
    "gamma": r"\gamma", "beta": r"\beta", "var": r"\sigma^2", "mu": r"\mu", "xhat1": r"\hat{x}_1",
    "xhatk": r"\hat{x}_k", "x1": "x_1", "xi": "x_i", "xk": "x_k"})


def _d(name: str) -> str:
    """∂𝓛/∂(the backward lines' short name)."""
    return _dL(_NAMES[name])


def _parameters(ctx: TensorContext, f: _Feature) -> Display:
    p = _paren(ctx)
    n = ctx.tex.number
    dgamma = sp.Add(*(partial(ctx, y) * xh for y, xh in zip(f.y, f.xhat)))
    dbeta = sp.Add(*(partial(ctx, y) for y in f.y))
    return Display((
        symbols_line(rf"{_d('gamma')} &= \sum_k g_k\, \hat{{x}}_k", partial(ctx, f.gamma),
                     dgamma),
        numbers_line(ctx, "&= " + _listed([rf"{p(ctx.grad(y))}{p(ctx.value(xh))}"
                                           for y, xh in zip(f.y, f.xhat)], 3)
                     + f" = {n(ctx.grad(f.gamma))}", dgamma, ctx.grad(f.gamma)),
        symbols_line(rf"{_d('beta')} &= \sum_k g_k", partial(ctx, f.beta), dbeta),
        numbers_line(ctx, "&= " + _listed([f"{p(ctx.grad(y))}" for y in f.y])
                     + f" = {n(ctx.grad(f.beta))}", dbeta, ctx.grad(f.beta))), aligned=True)


def _statistics(ctx: TensorContext, f: _Feature) -> tuple[Block, ...]:
    n, m, root = ctx.tex.number, f.m, f.root
    dxhat = [partial(ctx, xh) for xh in f.xhat]
    dvar = sp.Rational(-1, 2) * (f.var + sp.Float(f.eps)) ** sp.Rational(-3, 2) * sp.Add(*(
        d * (x - f.mu) for d, x in zip(dxhat, f.x)))
    through_var = partial(ctx, f.var) * sp.Rational(-2, f.size) * sp.Add(*(x - f.mu
                                                                           for x in f.x))
    dmu = -sp.Add(*dxhat) / root
    return (
        plain("Each ") + math(r"\hat{x}_k") + plain(" passes its gradient times ")
        + math(r"\gamma") + plain(":"),
        Display((symbols_line(rf"{_d('xhat1')} = \gamma\, g_1",
                              dxhat[0], f.gamma * partial(ctx, f.y[0])),)),
        plain("The variance is read by every ") + math(r"\hat{x}_k")
        + plain(", and the mean by every ") + math(r"\hat{x}_k") + plain(" and by ")
        + math(r"\sigma^2") + plain("; since ") + math(r"\sum_k (x_k - \mu) = 0")
        + plain(", the path from the mean through the variance adds nothing:"),
        Display((
            symbols_line(rf"{_d('var')} &= -\tfrac{{1}}{{2}}(\sigma^2 + \epsilon)^{{-3/2}}"
                         rf" \sum_k {_d('xhatk')} (x_k - \mu)", partial(ctx, f.var), dvar),
            numbers_line(ctx, f"&= {n(ctx.grad(f.var))}", partial(ctx, f.var),
                         ctx.grad(f.var)),
            symbols_line(rf"{_d('mu')} &= -\frac{{1}}{{\sqrt{{\sigma^2 + \epsilon}}}} \sum_k "
                         rf"{_d('xhatk')} + {_d('var')} \cdot \frac{{-2}}{{{m}}}"
                         rf" \sum_k (x_k - \mu)", partial(ctx, f.mu), dmu + through_var),
            symbols_line(rf"&= -\frac{{1}}{{\sqrt{{\sigma^2 + \epsilon}}}} \sum_k "
                         rf"{_d('xhatk')}", partial(ctx, f.mu), dmu),
            numbers_line(ctx, f"&= {n(ctx.grad(f.mu))}", partial(ctx, f.mu), ctx.grad(f.mu))),
            aligned=True))


def _paths(ctx: TensorContext, f: _Feature, i: int) -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """x_i's three paths: through x̂_i, through σ², through μ (each a product of partials)."""
    return (partial(ctx, f.xhat[i]) / f.root,
            partial(ctx, f.var) * 2 * (f.x[i] - f.mu) / f.size,
            partial(ctx, f.mu) / f.size)


def _compact(ctx: TensorContext, f: _Feature, i: int) -> sp.Expr:
    """γ/(m√(σ²+ε)) (m g_i − Σ g_k − x̂_i Σ g_k x̂_k)."""
    g = [partial(ctx, y) for y in f.y]
    return f.gamma / (f.size * f.root) * (f.size * g[i] - sp.Add(*g) - f.xhat[i] * sp.Add(*(
        gk * xk for gk, xk in zip(g, f.xhat))))


def _path_sum(ctx: TensorContext, f: _Feature) -> tuple[Block, ...]:
    p = _paren(ctx)
    n, m = ctx.tex.number, f.m
    terms = _paths(ctx, f, 0)
    factors = [(ctx.grad(f.xhat[0]), 1 / math_sqrt(ctx.value(f.var) + f.eps)),
               (ctx.grad(f.var), 2 * (ctx.value(f.x[0]) - ctx.value(f.mu)) / f.size),
               (ctx.grad(f.mu), 1 / f.size)]
    latex = (rf"{_d('x1')} &= \underbrace{{{_d('xhat1')} \frac{{1}}{{\sqrt{{\sigma^2 "
             rf"+ \epsilon}}}}}}_{{\text{{through }} \hat{{x}}_1}} + \underbrace{{{_d('var')}"
             rf" \frac{{2 (x_1 - \mu)}}{{{m}}}}}_{{\text{{through }} \sigma^2}} + \underbrace{{"
             rf"{_d('mu')} \frac{{1}}{{{m}}}}}_{{\text{{through }} \mu}}")
    return (plain("The input ") + math("x_1") + plain(", like every input, is read by three "
                                                        "nodes: its own ")
            + math(r"\hat{x}_1") + plain(", the variance ") + math(r"\sigma^2")
            + plain(" and the mean ") + math(r"\mu")
            + plain(". Its gradient is the sum over the three paths, each the gradient at the "
                    "node times the node's local derivative:"),
            Display((symbols_line(latex, partial(ctx, f.x[0]), sp.Add(*terms)),
                     numbers_line(ctx, "&= " + " + ".join(f"{p(a)}{p(b)}"
                                                          for a, b in factors)
                                  + f" = {n(ctx.grad(f.x[0]))}", sp.Add(*terms),
                                  ctx.grad(f.x[0]))), aligned=True))


def _formula(ctx: TensorContext, f: _Feature) -> tuple[Block, ...]:
    p = _paren(ctx)
    n, m, size = ctx.tex.number, f.m, f.size
    g, xh = [partial(ctx, y) for y in f.y], list(f.xhat)
    total, moment = sp.Add(*g), sp.Add(*(a * b for a, b in zip(g, xh)))
    scale = f.gamma / (size * f.root)
    at = [ctx.grad(y) for y in f.y]
    values = (sum(at), sum(gk * ctx.value(x) for gk, x in zip(at, xh)),
              ctx.value(f.gamma) / (size * math_sqrt(ctx.value(f.var) + f.eps)))
    factor = rf"\frac{{\gamma}}{{{m} \sqrt{{\sigma^2 + \epsilon}}}}"
    rows = [numbers_line(ctx, rf"\sum_k g_k &= {n(values[0])}", total, values[0]),
            numbers_line(ctx, rf"\sum_k g_k \hat{{x}}_k &= {n(values[1])}", moment, values[1]),
            numbers_line(ctx, rf"{factor} &= {n(values[2])}", scale, values[2])]
    for i in range(min(size, 4)):
        rows.append(numbers_line(
            ctx, rf"{_dL('x_' + str(i + 1))} &= {n(values[2])} \bigl({size} {p(at[i])} - "
                 rf"{p(values[0])} - {p(ctx.value(xh[i]))}{p(values[1])}\bigr) = "
                 f"{n(ctx.grad(f.x[i]))}", _compact(ctx, f, i), ctx.grad(f.x[i])))
    grads = [partial(ctx, x) for x in f.x]
    return (plain("Putting ") + math(r"\partial \mathcal{L}/\partial \hat{x}_k = \gamma g_k")
            + plain(", the two statistics' gradients and ")
            + math(r"x_k - \mu = \hat{x}_k \sqrt{\sigma^2 + \epsilon}")
            + plain(" into the path sum collects it into one formula for every input (checked "
                    "equal to the path sum):"),
            Display((symbols_line(rf"{_d('xi')} = {factor} \Bigl({m} g_i - \sum_k g_k - "
                                  r"\hat{x}_i \sum_k g_k \hat{x}_k\Bigr)",
                                  sp.Add(*_paths(ctx, f, 0)), _compact(ctx, f, 0),
                                  partial(ctx, f.x[0])),)),
            plain(f"Two sums over the batch and one factor serve every input of the {f.word}; "
                  "with the example's numbers:"),
            Display(tuple(rows), aligned=True),
            plain(f"The gradients into one {f.word} sum to zero: moving every ") + math("x_k")
            + plain(" by the same amount moves ") + math(r"\mu")
            + plain(" by it too and changes no ") + math(r"\hat{x}_k") + plain(":"),
            Display((symbols_line(rf"\sum_k {_d('xk')} &= 0", sp.Add(*grads), sp.Integer(0)),
                     numbers_line(ctx, _listed([f"{p(ctx.grad(x))}" for x in f.x]) + " &= 0",
                                  sp.Add(*grads), 0.0)), aligned=True))


def _backward(ctx: TensorContext, record: LayerRecord) -> tuple[Section, ...]:
    f = _feature(record)
    title = f"Layer {record.number} (batchnorm)"
    intro: list[Block] = [_legend(ctx, f)]
    return (Section(plain(f"{title}: γ and β"), (
                *intro, plain("γ scales each ") + math(r"\hat{x}_k")
                + plain(" and β shifts it, so their gradients sum over the batch:"),
                _parameters(ctx, f))),
            Section(plain(f"{title}: three paths to each input"), (
                Figure(ctx.figure(f"batchnorm-{record.number}-paths"), plain(
                    f"The first {f.word}'s graph: each input feeds its own normalized value, the "
                    "batch mean and the batch variance, and the mean and the variance feed "
                    "every normalized value. The three paths from x₁ are drawn thick, each "
                    "labelled with the gradient it carries back.")),
                *_statistics(ctx, f), *_path_sum(ctx, f))),
            Section(plain(f"{title}: the compact formula"), _formula(ctx, f)))


LESSON = Lesson(_forward, _backward)
