"""A ``graph:`` spec's page as a ``Document`` (derive/document/model.py), so that the Markdown
and the LaTeX print the same blocks (derive/formats/page_printers.py).

Sections: the circuit (its picture, and every wire with the value flowing forward and the
gradient flowing back: the picture's numbers as a table, which is what the LaTeX shows), the
forward pass, each wire's local derivative, and the backward pass node by node, upstream ×
local, with the pattern that happens at a node in one sentence right after its row.
"""

from __future__ import annotations

import sympy as sp

from ..circuit import CircuitDerivation, Edge, Quantity
from ..document.model import (Callout, Display, Document, Equation, Figure, Line, Section,
                              Table, math, plain)
from ..document.circuit_audit import local
from ..document.quantities import PARTIAL
from .circuit_lessons import lessons
from .circuit_tex import CircuitTex

__all__ = ["circuit_document"]

CAPTION = "The circuit: forward values in green above each wire, gradients in red below"


def _circuit(tex: CircuitTex, result: CircuitDerivation, picture: str) -> Section:
    out = result.output
    rows = [(math(rf"{tex.name(e.parent)} \to {tex.name(e.child)}"),
             math(tex.number(result.quantity(e.parent).value)), math(tex.number(e.contribution)))
            for e in result.edges]
    rows.append((math(rf"{tex.name(out.name)} \to \text{{output}}"), math(tex.number(out.value)),
                 math("1")))
    return Section(plain("The circuit"), (
        Figure(picture, plain(CAPTION)),
        plain("Every wire with the value flowing forward along it and the gradient flowing back "
              "along it (upstream × local: the wire's share of the gradient of its source)."),
        Table((plain("wire"), plain("forward value"), plain("gradient flowing back")),
              tuple(rows))))


def _symbol(name: str) -> sp.Symbol:
    return sp.Symbol(name, real=True)


def _at_example(*sides: object) -> Equation:
    """A row with the circuit's numbers: every side equal at its inputs (6 digits shown)."""
    return Equation(tuple(sides), at="example")


def _forward(tex: CircuitTex, result: CircuitDerivation) -> Section:
    rows = []
    for q in result.quantities:
        node = result.circuit.node(q.name)
        formula = "" if node.formula is None else f"{tex.expr(node.formula.expr)} = "
        sides = (_symbol(q.name),) + (() if node.formula is None else (node.formula.expr,))
        rows.append(Line(f"{tex.name(q.name)} &= {formula}{tex.number(q.value)}",
                         _at_example(*sides, sp.Float(float(q.value)))))
    return Section(plain("Forward pass"), (
        plain("From the inputs to the output, each node's value from its formula."),
        Display(tuple(rows), aligned=True)))


def _locals(tex: CircuitTex, result: CircuitDerivation) -> Section:
    rows = tuple(Line(rf"{tex.partial(e.child, e.parent)} &= {tex.expr(e.local)}"
                      + ("" if e.local.is_Number else f" = {tex.number(e.local_value)}"),
                      _at_example(local(e.child, e.parent), e.local,
                                  sp.Float(float(e.local_value))))
                 for e in result.edges)
    return Section(plain("Local derivatives"), (
        plain("Each wire's local derivative: the consumer's formula differentiated with respect "
              "to its input, at the forward values."), Display(rows, aligned=True)))


def _product(tex: CircuitTex, out: str, edges: tuple[Edge, ...], numbers: bool) -> str:
    if numbers:
        return " + ".join(f"{tex.number(e.upstream, True)} \\cdot "
                          f"{tex.number(e.local_value, True)}" for e in edges)
    return " + ".join(f"{tex.partial(out, e.child)} {tex.partial(e.child, e.parent)}"
                      for e in edges)


def _row(tex: CircuitTex, result: CircuitDerivation, q: Quantity) -> Line | None:
    out = result.output.name
    if q.name == out:
        return Line(rf"{tex.partial(out, out)} &= 1", _at_example(PARTIAL(_symbol(out),
                                                                          _symbol(out)),
                                                                  sp.Integer(1)))
    edges = result.edges_out_of(q.name)
    if not edges:
        return None     # a quantity the output does not use: no gradient flows to it
    f, node = _symbol(out), _symbol(q.name)
    chain = sp.Add(*(PARTIAL(f, _symbol(e.child)) * local(e.child, q.name) for e in edges))
    numbers = sp.Add(*(sp.Float(float(e.upstream)) * sp.Float(float(e.local_value))
                       for e in edges))
    return Line(rf"{tex.partial(out, q.name)} &= {_product(tex, out, edges, False)} = "
                rf"{_product(tex, out, edges, True)} = {tex.number(q.grad)}",
                _at_example(PARTIAL(f, node), chain, numbers, sp.Float(float(q.grad))))


def _backward(tex: CircuitTex, result: CircuitDerivation) -> Section:
    out = result.output.name
    blocks: list = [plain("From the output back, each node's gradient is the sum over the wires "
                          "out of it of upstream × local, starting from ")
                    + math(f"{tex.partial(out, out)} = 1") + plain(".")]
    rows: list[Line] = []
    for q in reversed(result.quantities):
        row = _row(tex, result, q)
        said = lessons(tex, result, q) if row is not None else ()
        rows += [row] if row is not None else []
        if said:                # the rows so far, then what happens at this node
            blocks += [Display(tuple(rows), aligned=True), *said]
            rows = []
    blocks += [Display(tuple(rows), aligned=True)] if rows else []
    return Section(plain("Backward pass: upstream × local"), tuple(blocks))


def circuit_document(result: CircuitDerivation, title: str, picture: str,
                     about: str = "") -> Document:
    """The page; ``picture`` is the SVG's path relative to the Markdown page, ``about`` the
    spec's sentence on what the circuit teaches, which opens it as on every page."""
    tex = CircuitTex(result)
    out = result.output
    banner = Callout("note", plain("A scalar computational graph"), (
        plain("The output is ") + math(tex.valued(out.name)) + plain(
            ". Below: every node's value, every wire's local derivative, and the gradient of ")
        + math(tex.name(out.name)) + plain(" with respect to every node, with the pattern each "
                                           "gate and each fan-out shows."),))
    return Document(title=title, about=about, banner=banner, sections=(
        _circuit(tex, result, picture), _forward(tex, result), _locals(tex, result),
        _backward(tex, result)))
