"""The page's opening: the network (table, picture) and the forward pass with its loss."""

from __future__ import annotations

import sympy as sp

from ..calculus import LOSS
from .context import Context
from .lines import display, line, sides
from .model import Figure, Line, Section, Table, Text, math, plain
from .quantities import BATCH_LOSS, sample_loss

__all__ = ["forward_section", "network_section", "words"]

LARGE_LAYER = 6     # wider layers print their first unit and a row of dots


def words(name: str) -> str:
    """A registry name as prose: ``half_squared_error`` -> "half squared error"."""
    return name.replace("_", " ")


def count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def network_section(c: Context, picture: str | None) -> Section:
    network = c.network
    fans = [len(network.x)] + [layer.units for layer in network.layers]
    rows = []
    for i, layer in enumerate(network.layers):
        role = "output" if layer is network.output else "hidden"
        rows.append((plain(str(layer.number)), plain(str(layer.units)),
                     plain(words(layer.activation.name)), plain(role),
                     plain(str(layer.units * fans[i] + len(set(layer.b))))))
    table = Table(tuple(plain(h) for h in ("layer", "units", "activation", "role",
                                          "parameters")), tuple(rows))
    inputs = Text()
    for k, (x, name) in enumerate(zip(network.x, network.spec.inputs)):
        inputs += (", " if k else "") + math(c.tex(x))
        inputs += f" ({name})" if c.tex(x) != name else ""
    about = ("Inputs: " + inputs + f". Loss: {words(network.loss.name)}, "
             f"{'the mean' if network.spec.reduction == 'mean' else 'the sum'} over a batch. "
             f"Parameters: {len(network.parameters)}.")
    blocks: list = [table, about]
    if picture:
        which = " (the values of sample 1, before any update)" if c.samples > 1 else \
            " (the example's values, before any update)" if c.worked else ""
        blocks.append(Figure(picture, plain("The network: every unit with its symbol, every "
                                            f"edge with its weight{which}")))
    return Section(plain("The network"), tuple(blocks))


def _layer_rows(c: Context) -> list:
    rows = []
    for layer in c.network.layers:
        units = range(layer.units) if layer.units <= LARGE_LAYER else range(1)
        for j in units:
            rows.append(line(sides(c.printer, layer.z[j], layer.z_sum(j))))
        for j in units:
            rows.append(line(sides(c.printer, layer.a[j], layer.a_expr[j])))
        if layer.units > LARGE_LAYER:
            rows.append(Line(rf"&\;\vdots \quad \text{{(units 2 to {layer.units} alike)}}"))
    return rows


def forward_section(c: Context) -> Section:
    network = c.network
    blocks: list = [plain("Each layer computes a weighted sum of its inputs, then applies its "
                          "activation:"), display(_layer_rows(c))]
    blocks += [plain("The loss of one sample:"),
               display([line(sides(c.printer, LOSS, network.loss_expr))])]
    n = c.samples
    if n > 1:
        mean = network.spec.reduction == "mean"
        terms = " + ".join(f"{c.loss}_{{{k + 1}}}" for k in range(n))
        total = sp.Add(*(sample_loss(k) for k in range(n)))
        rhs = (rf"\frac{{1}}{{{n}}}\left({terms}\right)", total / n) if mean else (terms, total)
        blocks += [Text() + f"The example has {n} samples; " + math(f"{c.loss}_n") +
                   " is sample n's loss, and the loss of the batch is their "
                   + ("mean" if mean else "sum") + ":",
                   display([line([(c.batch_loss, BATCH_LOSS), rhs],
                                 samples=n)])]
    return Section(plain("Forward pass"), tuple(blocks))
