"""A typed-layer spec's page as a ``Document``: the network's shapes, the forward pass, the
backward pass layer by layer (each layer type's lesson, ``lessons``), every parameter's
gradient and update, the loss over the steps, and how it was checked.

Every display equation carries SymPy sides over the graph's nodes (``PARTIAL(A, B)`` for
∂A/∂B) and is audited (``tensor_audit``) before any format prints the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import prod

import sympy as sp

from ..numerals import format_number
from ..tensor import LayerRecord, Model, Tensor, TensorCheck, TensorWorked
from ..registry import OPTIMIZERS
from .audit import AuditReport, equations_sentence, kinks_phrase
from .model import Callout, Details, Document, Section, Table, Text, math, plain

__all__ = ["TensorContext", "TensorTex", "tensor_document"]


class TensorTex:
    """LaTeX of the graph's nodes: the tensor's symbol, 1-based indices (the sample first
    when the batch has more than one)."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.digits = model.spec.example.digits
        self._owner = {s: t for t in reversed(model.graph.tensors) for s in t.symbols}

    def index(self, symbol: sp.Symbol) -> tuple[int, ...]:
        """The node's index in its tensor, 1-based, the sample dropped for one sample."""
        tensor = self._owner[symbol]
        index = tensor.index_of(symbol)
        if tensor.batched and self.model.graph.samples == 1:
            index = index[1:]
        return tuple(i + 1 for i in index)

    def symbol(self, symbol: sp.Symbol) -> str:
        tensor = self._owner[symbol]
        index = self.index(symbol)
        return tensor.latex + (f"_{{{','.join(map(str, index))}}}" if index else "")

    def name(self, tensor: Tensor) -> str:
        return tensor.latex

    def number(self, value: float) -> str:
        text = format_number(value, self.digits)
        if "e" in text:
            mantissa, exponent = text.split("e")
            text = rf"{mantissa} \times 10^{{{int(exponent)}}}"
        return text

    def shape(self, shape: tuple[int, ...]) -> str:
        return r" \times ".join(map(str, shape)) if shape else "1"


@dataclass(frozen=True, slots=True)
class TensorContext:
    """What each section builder and lesson of one page reads."""

    model: Model
    worked: TensorWorked
    check: TensorCheck
    tex: TensorTex
    stem: str               # the page's file stem: its pictures live in ``stem/``

    def figure(self, name: str) -> str:
        """A picture's path relative to the page."""
        return f"{self.stem.rsplit('/', 1)[-1]}/{name}.svg"

    def value(self, symbol: sp.Symbol) -> float:
        return self.worked.values[symbol]

    def grad(self, symbol: sp.Symbol) -> float:
        return self.worked.grads.get(symbol, 0.0)


def _shapes(ctx: TensorContext) -> Section:
    tex, model = ctx.tex, ctx.model
    rows = [(plain("input"), plain("—"), math(tex.shape(model.x.sample_shape)), plain("—"))]
    for record in model.layers:
        params = ", ".join(f"{t.latex} ({tex.shape(t.shape)})" for t in record.parameters)
        rows.append((plain(f"{record.number}"), plain(record.spec.type),
                     math(tex.shape(record.output.sample_shape)),
                     math(params) if params else plain("none")))
    count = sum(len(t.symbols) for t in model.graph.parameters)
    samples = model.graph.samples
    return Section(plain("The network"), (
        plain(f"{count} parameters, a batch of {samples} sample{'s' * (samples != 1)}. "
              "Each layer's output shape is one sample's."),
        Table((plain("layer"), plain("type"), plain("output shape"), plain("parameters")),
              tuple(rows))))


SHOWN_ROWS = 24         # a longer table of parameters is a reference, closed on the screen


def _rule(ctx: TensorContext) -> Text:
    """The update the example applies: gradient descent, or its optimizer's rule."""
    example = ctx.model.spec.example
    eta = math(rf"\eta = {ctx.tex.number(example.learning_rate)}")
    if example.optimizer.name == "sgd":
        return (plain("Each parameter after one step of gradient descent, ")
                + math(r"\theta - \eta\, \partial \mathcal{L}/\partial \theta")
                + plain(" with ") + eta + plain(":"))
    entry = example.optimizer.of(OPTIMIZERS)
    return (plain(f"Each parameter after one step of {entry.title} (")
            + math(entry.described(example.optimizer.options)) + plain(", torch.optim's), ")
            + math(entry.latex) + plain(" with ") + eta + plain(":"))


def _gradients(ctx: TensorContext) -> Section:
    tex = ctx.tex
    rows = []
    for tensor in ctx.model.graph.parameters:
        for s in tensor.symbols:
            rows.append((math(tex.symbol(s)), math(tex.number(ctx.value(s))),
                         math(tex.number(ctx.grad(s))), math(tex.number(ctx.worked.updated[s]))))
    table = Table((plain("θ"), plain("value"), math(r"\partial \mathcal{L}/\partial \theta"),
                   plain("after one step")), tuple(rows))
    if len(rows) > SHOWN_ROWS:
        table = Details(plain(f"All {len(rows)} parameters: value, gradient, after one step"),
                        (table,), open=False, on_paper=False)
    return Section(plain("Every gradient and the first update"), (_rule(ctx), table))


def _training(ctx: TensorContext) -> Section:
    losses = ctx.worked.losses
    rows = tuple((plain(f"{k}"), math(ctx.tex.number(v))) for k, v in enumerate(losses))
    said = plain(f"The loss before each of the {len(losses) - 1} steps and after the last.")
    if len(losses) > 1:
        change = "fell" if losses[-1] < losses[0] else "did not fall"
        said += plain(f" It {change}: ") + math(
            f"{ctx.tex.number(losses[0])} \\to {ctx.tex.number(losses[-1])}") + plain(".")
    return Section(plain("Training"), (said, Table((plain("step"), math(r"\mathcal{L}")),
                                                   rows)))


def _checking(ctx: TensorContext, audited: AuditReport) -> Section:
    check = ctx.check
    return Section(plain("How this was checked"), (
        plain("Every gradient was computed by reverse mode over the graph of the whole batch "
              "(each node's gradient is the sum over the nodes that read it) and compared "
              "with a central finite difference of the loss, ")
        + math(r"\bigl(\mathcal{L}(\theta + h) - \mathcal{L}(\theta - h)\bigr) / 2h")
        + plain(" with ") + math(r"h = 10^{-5} \max(1, |\theta|)")
        + plain(f", at the example and at 2 random points"
                + (f", and with PyTorch's autograd of the same layers written with torch's own "
                   f"functions, in float64 ({check.torch_compared} of the comparisons)"
                   if check.torch_compared else "")
                + f": {check.compared} comparisons, the "
                f"largest relative error {check.max_rel_error:.1e}. "
                + equations_sentence(audited, "at random points, each ∂ by finite differences "
                                     "through the graph, before this page was written")),))


def banner(ctx: TensorContext, audited: AuditReport) -> Callout:
    check = ctx.check
    verdict = "success" if check.passed else "danger"
    return Callout(verdict, plain("Derived and checked by machine"), (
        plain(f"{audited.equations} equations verified{kinks_phrase(audited)}; "
              f"{check.compared} gradients agree with finite differences"
              + (" and PyTorch" if check.torch_compared else "")
              + (f" ({check.skipped} at a kink not compared)" if check.skipped else "")
              + "."),))


def tensor_document(ctx: TensorContext, forward: tuple[Section, ...],
                    backward: tuple[Section, ...], audited: AuditReport) -> Document:
    """The page from its parts (the lessons are built by ``lessons``)."""
    spec = ctx.model.spec
    return Document(title=spec.title, about=spec.about, banner=banner(ctx, audited),
                    sections=(_shapes(ctx), *forward, *backward, _gradients(ctx),
                              _training(ctx), _checking(ctx, audited)))


def sample_count(record: LayerRecord) -> int:
    return prod(record.output.sample_shape)


def loss_text(ctx: TensorContext) -> Text:
    spec = ctx.model.spec
    scale = "the mean over the samples" if spec.reduction == "mean" else "the sum over the samples"
    return plain("The loss ") + math(r"\mathcal{L}") + plain(
        f" is {scale} of each sample's {spec.loss.name.replace('_', ' ')} summed over its "
        f"outputs.")
