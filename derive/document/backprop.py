"""The four backpropagation equations for this network, the derivatives every chain reuses
(derived once per page), and the δ recursion unit by unit."""

from __future__ import annotations

import sympy as sp

from ..calculus import (LOSS, ChainProduct, ChainSum, Network, Partial, as_expr, delta_symbol,
                        upstream)
from ..registry import general_symbol
from .context import Context
from .forward import LARGE_LAYER, words
from .lines import display, line, sides
from .model import Callout, Line, Section, Text, math, note_text, plain
from .quantities import PARTIAL, elementary, real_derivative

__all__ = ["activation_notes", "derivatives_section", "delta_section", "summary_box"]


def _column(values: list) -> tuple:
    return tuple((v,) for v in values)


def _g_prime(c: Context, layer) -> str:
    """``\\odot \\sigma'(z)``, or "" for a linear layer (g' = 1)."""
    if layer.activation.name == "linear":
        return ""
    name = layer.activation.latex or "g"
    return rf" \odot {name}'\left({c.vector('z', layer.number)}\right)"


def _output_equation(c: Context) -> Line:
    layer, network = c.network.output, c.network
    grad = rf"\nabla_{{{c.vector('a', layer.number)}}} {c.loss}"
    dL = [PARTIAL(LOSS, a) for a in layer.a]
    if layer.activation.vector:
        jac = rf"\frac{{\partial {c.vector('a', layer.number)}}}{{\partial {c.vector('z', layer.number)}}}"
        shown = rf"\left({jac}\right)^{{\top}} {grad}"
        values = [sp.Add(*(dL[i] * layer.jacobian(i, j) for i in range(layer.units)))
                  for j in c.upto(layer.units)]
    else:
        shown = grad + _g_prime(c, layer)
        values = [dL[j] * layer.derivative(j) for j in c.upto(layer.units)]
    parts = [(c.vector("delta", layer.number), _column([delta_symbol(layer.number, j)
                                                         for j in c.upto(layer.units)])),
             (shown, _column(values))]
    short = c.derivation.deltas[-1][0]
    if short.general is not None:
        parts.append((rf"{c.vector('a', layer.number)} - \mathbf{{{c.notation.target}}}",
                      _column([as_expr(eq.value)
                               for eq in c.derivation.deltas[-1][:len(values)]])))
    return line(parts)


def _hidden_equation(c: Context, layer, following) -> Line:
    W = c.matrix(c.notation.matrix_weight, following.number)
    back = (rf"{W} {c.vector('delta', following.number)}" if c.notation.convention == "row"
            else rf"\left({W}\right)^{{\top}} {c.vector('delta', following.number)}")
    for consumer in c.network.consumers(layer.number):     # a residual adds this output there
        back += rf" + \nabla_{{{c.vector('a', consumer.number)}}} {c.loss}"
    values = [as_expr(upstream(c.network, layer.number, j)) * layer.derivative(j)
              for j in c.upto(layer.units)]
    return line([(c.vector("delta", layer.number),
                  _column([delta_symbol(layer.number, j) for j in c.upto(layer.units)])),
                 (rf"\left({back}\right){_g_prime(c, layer)}", _column(values))])


def _parameter_equations(c: Context, layer) -> list[Line]:
    delta = c.vector("delta", layer.number)
    prev = c.vector("a", layer.number - 1)
    W = c.matrix(c.notation.matrix_weight, layer.number)
    row = c.notation.convention == "row"
    if row:
        grid = [[(j, k) for j in c.upto(layer.units)] for k in c.upto(layer.fan_in)]
        product = rf"{prev} \left({delta}\right)^{{\top}}"
    else:
        grid = [[(j, k) for k in c.upto(layer.fan_in)] for j in c.upto(layer.units)]
        product = rf"{delta} \left({prev}\right)^{{\top}}"
    lhs = tuple(tuple(PARTIAL(LOSS, layer.W[j][k]) for j, k in r) for r in grid)
    rhs = tuple(tuple(delta_symbol(layer.number, j) * layer.inputs[k] for j, k in r)
                for r in grid)
    out = [line([(rf"\frac{{\partial {c.loss}}}{{\partial {W}}}", lhs), (product, rhs)])]
    if layer.shared:
        b = c.tex(layer.b[0])
        out.append(line([(rf"\frac{{\partial {c.loss}}}{{\partial {b}}}", PARTIAL(LOSS, layer.b[0])),
                         (rf"\mathbf{{1}}^{{\top}} {delta}",
                          sp.Add(*(delta_symbol(layer.number, j) for j in range(layer.units))))]))
    elif layer.b:
        b = c.vector("b", layer.number)
        out.append(line([(rf"\frac{{\partial {c.loss}}}{{\partial {b}}}",
                          _column([PARTIAL(LOSS, s) for s in layer.b[:c.corner]])),
                         (delta, _column([delta_symbol(layer.number, j)
                                          for j in c.upto(layer.units)]))]))
    return out


def summary_box(c: Context) -> Callout:
    """BP1–BP4 (Nielsen's names) in the page's notation, for this network's layers."""
    network = c.network
    hidden = [_hidden_equation(c, layer, following)
              for layer, following in zip(reversed(network.layers[:-1]),
                                          reversed(network.layers[1:]))]
    params = [eq for layer in reversed(network.layers) for eq in _parameter_equations(c, layer)]
    W = c.matrix(c.notation.matrix_weight, "l")
    w = general_symbol(c.notation, "W", "l", "j", "k")
    order = "row k, column j" if c.notation.convention == "row" else "row j, column k"
    blocks = [
        Text() + "The error at the output (BP1), the error moved back one layer (BP2), and the "
        "gradients of the biases (BP3) and weights (BP4). " + math(r"\odot") +
        " multiplies entry by entry; " + math(W) + " holds " + math(w) + ", the weight from "
        f"unit k of the layer before to unit j of layer l, in {order}.",
        display([_output_equation(c), *hidden, *params])]
    if network.output.activation.vector:
        blocks.append(plain("Softmax couples the output units, so BP1 uses the whole Jacobian "
                            "(transposed) instead of an entry-by-entry derivative."))
    return Callout("note", plain("The four equations of backpropagation, for this network"),
                   tuple(blocks))


def _loss_line(c: Context) -> Line:
    network = c.network
    a = network.output.a[0]
    term = network.loss_terms[0]
    p = c.printer
    middle = (rf"\frac{{\partial}}{{\partial {p.doprint(a)}}}\left({p.doprint(term)}\right)",
              PARTIAL(LOSS, a))
    parts = [*sides(p, Partial(LOSS, a)), middle]
    inner = _inner_factor(term, a)
    if inner is not None:
        parts += sides(p, inner)
    parts += sides(p, network.loss_derivative(0))
    return line(parts)


def _inner_factor(term: sp.Expr, a: sp.Symbol) -> ChainProduct | None:
    """(u)^n with u = y − ŷ: the outer derivative times the inner −1, as a student writes it."""
    powers = [p for p in term.atoms(sp.Pow) if p.base.has(a) and p.exp.is_number and p.exp > 1]
    if len(powers) != 1:
        return None
    power = powers[0]
    inner = sp.diff(power.base, a)
    if inner == 1:
        return None
    coefficient = sp.diff(term, a) / (power.exp * power.base ** (power.exp - 1) * inner)
    outer = sp.Mul(sp.simplify(coefficient) * power.exp, power.base ** (power.exp - 1),
                   evaluate=False)
    return ChainProduct((outer, inner))


def _activation_lines(c: Context) -> list[Line]:
    out, seen = [], set()
    for layer in c.network.layers:
        act = layer.activation
        if act.name in seen or act.name == "linear":
            continue
        seen.add(act.name)
        if act.vector:
            pairs = [(0, 0), (0, 1)] if layer.units > 1 else [(0, 0)]
            out += [line(sides(c.printer, Partial(layer.a[i], layer.z[j]), layer.jacobian(i, j)))
                    for i, j in pairs]
            continue
        a, z, g = layer.a[0], layer.z[0], layer.a_expr[0]
        parts = sides(c.printer, Partial(a, z))
        parts.append((rf"\frac{{\partial}}{{\partial {c.tex(z)}}}\left({c.tex(g)}\right)",
                      PARTIAL(a, z)))
        written = real_derivative(elementary(g), z)
        textbook = layer.derivative(0)
        if not written.has(sp.Heaviside, sp.Piecewise, sp.DiracDelta, sp.Max) \
                and written != textbook and g != elementary(g):
            parts.append((rf"\frac{{\partial}}{{\partial {c.tex(z)}}}\left({c.tex(elementary(g))}\right)",
                          PARTIAL(a, z)))
            parts += sides(c.printer, written)
        parts += sides(c.printer, textbook)
        definition = getattr(type(textbook), "definition", None)
        if definition is not None:
            parts += sides(c.printer, definition(*textbook.args))
        out.append(line(parts))
    return out


def activation_notes(network: Network) -> list[Text]:
    """Each activation's convention at its kink (ReLU'(0) = 0, like PyTorch), once per kind;
    softmax's note is the summary box's sentence."""
    notes = {layer.activation.name: layer.activation.note for layer in network.layers
             if not layer.activation.vector}
    return [note_text(note) for note in notes.values() if note]


def derivatives_section(c: Context) -> Section:
    network = c.network
    out_symbol = c.tex(network.output.a[0])
    blocks: list = [Text() + "Every chain below multiplies the same few local derivatives; "
                    "here they are, each derived once. The loss (only the term of output 1 "
                    "depends on " + math(out_symbol) + "; the other outputs alike):",
                    display([_loss_line(c)])]
    blocks += [note_text(network.loss.note)] if network.loss.note else []
    acts = _activation_lines(c)
    if acts:
        blocks += [plain("The activations (unit 1 shown; every unit of the same kind alike):"),
                   display(acts)]
    blocks += activation_notes(network)
    short = c.derivation.deltas[-1][0]
    if short.general is not None:
        eq = short
        expanded = sp.expand(as_expr(eq.general).xreplace(
            {g: a for g, a in zip(network.output.a_expr, network.output.a)}))
        lines = [line(sides(c.printer, eq.symbol, eq.general, expanded, eq.value))]
        blocks += [Text() + f"With {words(network.loss.name)} after "
                   f"{words(network.output.activation.name)}, the output error simplifies "
                   + "".join(s if i % 2 == 0 else "" for i, s in enumerate(eq.reason)) + ":",
                   display(lines)]
    return Section(plain("The derivatives every chain uses"), tuple(blocks))


def _output_delta_chain(c: Context, j: int) -> object:
    layer = c.network.output
    terms = [ChainProduct((Partial(LOSS, layer.a[i]), Partial(layer.a[i], layer.z[j])))
             for i in layer.fanout(j)]
    return terms[0] if len(terms) == 1 else ChainSum(tuple(terms))


def delta_section(c: Context) -> Section:
    rows = []
    for layer_deltas in reversed(c.derivation.deltas):
        units = layer_deltas if len(layer_deltas) <= LARGE_LAYER else layer_deltas[:1]
        for eq in units:
            objs = [eq.symbol]
            if eq.layer == len(c.network.layers):
                objs.append(_output_delta_chain(c, eq.unit))
                if eq.general is not None and eq.unit == 0:    # the others alike
                    objs.append(eq.general)
            objs.append(eq.value)
            rows.append(line(sides(c.printer, *objs)))
        if len(layer_deltas) > LARGE_LAYER:
            rows.append(Line(r"&\;\vdots"))
    blocks = [Text() + "The error of a unit, " + math(rf"{c.tex(delta_symbol(1, 0))} = "
              rf"\frac{{\partial {c.loss}}}{{\partial {c.tex(c.network.layers[0].z[0])}}}") +
              " and alike, computed from the output back, each from the layer after it:",
              display(rows)]
    if c.network.output.activation.vector:
        blocks.append(plain("Softmax output: every output depends on every z of its layer, so "
                            "each output error sums over all the outputs."))
    return Section(plain("The δ recursion"), tuple(blocks))
