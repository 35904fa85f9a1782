"""A student's question sheet as data: what the exercise's network computes and how it
trains, everything needed to work its numbers by hand, and nothing derived (no gradient,
no δ). Its equations are the page's own forward pass and each activation's definition,
audited as a page's are (``FalseEquation`` if one is false).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..calculus import Derivation, Printer
from ..numbers import WorkedExample
from ..registry import ActivationFunction, general_symbol
from ..verify import CheckReport
from .audit import audit
from .backprop import activation_notes
from .context import Context
from .example import optimizer_words
from .forward import count, forward_section, words
from .lines import display, line, sides
from .model import Block, Callout, Document, Section, Text, math, note_text, plain
from .quantities import elementary

__all__ = ["Task", "task"]


@dataclass(frozen=True, slots=True)
class Task:
    """The sheet's sections (the network, its training) and the symbol of what is asked:
    ``objective`` is the loss the answers' "loss" and gradients are of (L, the batch's 𝓛,
    sample 1's L₁, or J with weight decay)."""

    sections: tuple[Section, ...]
    objective: str
    weight: str          # the general weight symbol, w^{(l)}_{jk} in the spec's notation


def task(derivation: Derivation, worked: WorkedExample, report: CheckReport,
         printer: Printer) -> Task:
    """The exercise's task; ``printer``: the variant's page printer (its notation)."""
    c = Context(derivation, worked, report, printer)
    weight = general_symbol(c.notation, "W", "l", "j", "k")
    sections = (_network(c, weight), Section(plain("Training"), tuple(_training(c))))
    audit(Document(title="", about="", banner=Callout("note", plain(""), ()), sections=sections),
          c.network, worked, seed=report.seed, graphs=c.graphs)
    return Task(sections, objective(c), weight)


def objective(c: Context, *, decay: bool = True) -> str:
    """The LaTeX of the loss that the first update descends (the JSON's ``loss.value``);
    ``decay=False``: the loss that weight decay's J adds its penalty to."""
    if decay and c.network.spec.l2:
        return "J"
    if c.samples == 1:
        return c.loss
    return c.batch_loss if c.worked.mode == "batch" else rf"{c.loss}_{{1}}"


def _network(c: Context, weight: str) -> Section:
    network = c.network
    units = ", ".join(f"{layer.units} {words(layer.activation.name)}"
                      for layer in network.layers)
    forward = forward_section(c).blocks      # the layers' equations, then the loss's
    blocks: list[Block] = [
        Text() + f"A network with {count(len(network.x), 'input')} and "
        f"{count(len(network.layers), 'layer')} ({units}; the last is the output). "
        + math(weight) + " is the weight from unit k of the layer before to unit j of layer l.",
        *forward[:2], *_definitions(c),
        *forward[2:4 if c.worked.mode == "sgd" else None]]   # sgd: no step sees the batch's
    if network.loss.note:
        blocks.append(note_text(network.loss.note))
    return Section(plain("The network"), tuple(blocks))


def _definitions(c: Context) -> list[Block]:
    """Each activation function the forward pass names, in elementary functions (unit 1 of
    its first layer), and the convention at a kink that the gradients follow."""
    lines, seen = [], set()
    for layer in c.network.layers:
        for f in sorted(layer.a_expr[0].atoms(ActivationFunction), key=str):
            if (f.func, f.args[1:]) not in seen:
                seen.add((f.func, f.args[1:]))
                lines.append(line(sides(c.printer, f, elementary(f))))
    notes = activation_notes(c.network)
    return [plain("where (every unit alike):"), display(lines), *notes] if lines else notes


def _training(c: Context) -> list[Text]:
    """The optimizer, the rate, the steps, what each step's gradient is of, weight decay and
    the tensors that do not train: the answers "after one step" and "after all steps"."""
    worked, example = c.worked, c.network.spec.example
    steps = len(worked.steps)
    out = [Text() + f"{count(steps, 'step')} of " + optimizer_words(example.optimizer)
           + ", at the learning rate " + math(r"\eta") + " among your numbers."]
    if c.samples > 1:
        out.append(Text() + "Each step uses the gradient of the batch loss " + math(c.batch_loss)
                   + f" over all {c.samples} samples." if worked.mode == "batch" else
                   Text() + f"Each step uses one sample's loss alone, in turn: step t uses "
                   f"sample t (after sample {c.samples}, sample 1 again).")
    base = objective(c, decay=False)
    if c.network.spec.l2:
        out.append(Text() + "Weight decay adds " + math(r"\frac{\lambda}{2} \sum w^2")
                   + " over the trained weights (" + math(rf"\lambda = {c.network.spec.l2:g}")
                   + ", biases excluded) to each step's loss: the loss and gradients asked are "
                   "those of the first step, " + math(rf"J = {base} + \frac{{\lambda}}{{2}} "
                                                      r"\sum w^2") + ".")
    elif base != c.loss:
        out.append(Text() + "The loss and gradients asked are those of the first step, "
                   + math(base) + ".")
    frozen = [c.matrix(c.notation.matrix_weight, str(layer.number)) if kind == "W" else
              c.matrix("b", str(layer.number))
              for layer, spec in zip(c.network.layers, c.network.spec.layers)
              for kind in ("W", "b") if kind not in spec.trainable
              and (kind == "W" or spec.bias)]
    if frozen:
        out.append(Text() + "Frozen (never updated): " + math(", ".join(frozen)) + ".")
    return out
