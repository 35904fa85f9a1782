"""One derivation per kind of parameter, worked in full; the rest in a table and closed boxes.

An output-layer weight shows the chain factor by factor; a hidden weight shows the sum over
its paths and how that sum factorises into the next layer's δ (the reason backpropagation
is fast); biases take one line. Small networks (up to ``ALL_IN_FULL`` parameters) show every
parameter in full.
"""

from __future__ import annotations

from ..calculus import (LOSS, ChainProduct, ChainSum, Gradient, Partial, as_expr, chain_product,
                        delta_symbol, role_of, upstream)
import re

from .context import Context
from .lines import display, line, numbers_product, number, sides
from .model import Details, Figure, Line, Section, Table, Text, math, plain

__all__ = ["ALL_IN_FULL", "bias_section", "featured", "gradient_section", "table_section"]

ALL_IN_FULL = 4
TABLE_ROWS = 60
CHAINS = 24         # chains written out in the closed box (each is checked through the graph)
PATHS_SHOWN = 2     # a worked section writes out at most this many paths of a sum


def featured(c: Context) -> list[int]:
    """Every parameter of a small network; else one output weight and one first-layer weight."""
    grads = c.derivation.gradients
    if len(grads) <= ALL_IN_FULL:
        return list(range(len(grads)))
    last = len(c.network.layers)
    chosen = [next(i for i, g in enumerate(grads) if g.role.layer == last and g.role.kind == "W")]
    if last > 1:        # the first layer's: the longest chain, where gradients shrink
        chosen.append(next(i for i, g in enumerate(grads)
                           if g.role.layer == 1 and g.role.kind == "W"))
    return chosen


def _chain(g: Gradient) -> object:
    products = [ChainProduct(tuple(f.partial for f in (*path, g.last_of(path))))
                for path in g.paths]
    return products[0] if len(products) == 1 else ChainSum(tuple(products))


def _short_chain(g: Gradient) -> object:
    """∂L/∂z · ∂z/∂θ (for a shared bias, summed over the layer's units)."""
    lasts = g.units_last or (g.last,)
    terms = tuple(ChainProduct((Partial(LOSS, f.partial.numerator), f.partial)) for f in lasts)
    return terms[0] if len(terms) == 1 else ChainSum(terms)


def _factorised(c: Context, g: Gradient) -> object | None:
    """(Σ_i w_ij δ_i) · g'(z_j) · a_k: what every path of a hidden weight has in common."""
    layer = c.network.layers[g.role.layer - 1]
    if layer is c.network.output or g.units_last:
        return None
    j = g.role.index[0]
    return chain_product([upstream(c.network, layer.number, j), layer.derivative(j),
                          g.last.value])


def _skips(g: Gradient) -> bool:
    """A path through a residual's "+1" edge: its ∂a^{(m)}/∂a^{(l)} would read as the total
    derivative (every path), so the chain of ∂-fractions is not written for it."""
    return any(role_of(f.partial.numerator) is not None and role_of(f.partial.numerator).kind
               == "a" and role_of(f.partial.denominator) is not None
               and role_of(f.partial.denominator).kind in ("a", "x")
               for path in g.paths for f in path)


def derivation_lines(c: Context, g: Gradient, *, numbers: bool) -> list[Line]:
    """The chain of ∂-fractions, the values, the δ form and (``numbers``) the example's numbers;
    a section shows a sum of more than ``PATHS_SHOWN`` paths only in its factorised form."""
    p, dL = c.printer, Partial(LOSS, g.parameter)
    factor = _factorised(c, g)
    if not g.paths:
        return [line(sides(p, dL, _short_chain(g), g.delta_form))]
    if _skips(g):
        return [line(sides(p, dL, *([g.result] if g.result is not None else []),
                           g.delta_form))]
    if numbers and len(g.paths) > PATHS_SHOWN:
        return [line(sides(p, dL, _chain(g), *([factor] if factor is not None else []),
                           g.delta_form))]
    rows = [line(sides(p, dL, _chain(g)))]
    values = [g.result] if g.result is not None else []
    rows.append(line(sides(p, dL, *values, *([factor] if factor is not None else []),
                           g.delta_form), continued=True))
    if numbers and c.worked is not None:
        groups = [[c.at_example(f.value) for f in (*path, g.last_of(path))] for path in g.paths]
        total = c.at_example(as_expr(g.result)) if g.result is not None else None
        if total is not None:
            rows.append(line([*sides(p, dL), numbers_product(groups, c.digits), number(total, c.digits)],
                             at="example", digits=c.digits))
    return rows


def _arrows(c: Context, g: Gradient) -> list[Line]:
    shown = g.paths[:4]
    out = [Line("&" + r" \to ".join(c.tex(node) for node in (
        g.parameter, g.last_of(path).partial.numerator,
        *(f.partial.numerator for f in reversed(path))))) for path in shown]
    if len(g.paths) > len(shown):
        out.append(Line(rf"&\;\vdots \quad \text{{({len(g.paths)} paths in all)}}"))
    return out


_SUP = str.maketrans("0123456789()+-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾⁺⁻")
_SUB = str.maketrans("0123456789()+-,", "₀₁₂₃₄₅₆₇₈₉₍₎₊₋,")


def unicode_symbol(latex: str) -> str:
    """``w^{(2)}_{11}`` as ``w⁽²⁾₁₁`` for a heading (a table of contents shows no LaTeX);
    "" when the symbol holds anything else (a heading then names no symbol)."""
    text = re.sub(r"\^\{([0-9()+\-]+)\}", lambda m: m.group(1).translate(_SUP), latex)
    text = re.sub(r"_\{([0-9()+\-,]+)\}", lambda m: m.group(1).translate(_SUB), text)
    text = re.sub(r"\^([0-9])", lambda m: m.group(1).translate(_SUP), text)
    text = re.sub(r"_([0-9])", lambda m: m.group(1).translate(_SUB), text)
    return text if re.fullmatch(r"[A-Za-z'¹²³⁰-⁾₀-₎,]+", text) else ""


def gradient_section(c: Context, index: int, pictures: dict) -> Section:
    g = c.gradient(index)
    layer = c.network.layers[g.role.layer - 1]
    kind = "weight" if g.role.kind == "W" else "bias"
    where = "output-layer" if layer is c.network.output else "hidden-layer"
    article = "An" if where[0] == "o" else "A"
    symbol = unicode_symbol(c.tex(g.parameter))
    title = Text() + f"{article} {where} {kind}, " + math(c.tex(Partial(LOSS, g.parameter)))
    plain_title = f"{article} {where} {kind}" + (f", ∂{c.loss}/∂{symbol}" if symbol else "")
    blocks: list = [Text() + "The derivative " + math(c.tex(Partial(LOSS, g.parameter))) +
                     f" of one {where} {kind}, worked in full."]
    if g.paths:
        count = len(g.paths)
        blocks += [plain(f"The parameter reaches the loss along {count} "
                         f"path{'s' if count > 1 else ''} of the graph:"),
                   display(_arrows(c, g), aligned=True)]
    picture = pictures.get(g.parameter) if len(g.paths) <= PATHS_SHOWN else None
    if picture:
        blocks.append(Figure(picture[0], plain("Its paths through the graph, from the "
                                               "parameter to the loss")))
    blocks.append(Text() + "The chain rule multiplies the local derivatives along each path "
                  "and adds the paths; with the derivatives above:")
    blocks.append(display(derivation_lines(c, g, numbers=True)))
    if _factorised(c, g) is not None and len(g.paths) > 1:
        blocks.append(Text() + "Every path passes through " + math(c.tex(layer.z[g.role.index[0]]))
                      + ", so its local derivatives are a common factor; what remains is the "
                      "next layer's errors weighted by the weights they come through, which is "
                      "this unit's δ. Backpropagation computes each δ once, instead of once "
                      "per path: that is the whole saving.")
    if c.samples > 1 and c.worked is not None:
        blocks.append(plain("The numbers are sample 1's; the batch gradient averages this over "
                            "the samples." if c.network.spec.reduction == "mean" else
                            "The numbers are sample 1's; the batch gradient sums this over the "
                            "samples."))
    return Section(title, tuple(blocks), plain_title=plain_title)


def bias_section(c: Context) -> Section | None:
    rows = []
    for layer in reversed(c.network.layers):
        if not layer.b:
            continue
        b = layer.b[0]
        units = range(layer.units) if layer.shared else range(1)
        chains = [ChainProduct((Partial(LOSS, layer.z[j]), Partial(layer.z[j], b))) for j in units]
        deltas = [delta_symbol(layer.number, j) for j in units]
        rows.append(line(sides(c.printer, Partial(LOSS, b),
                               chains[0] if len(chains) == 1 else ChainSum(tuple(chains)),
                               deltas[0] if len(deltas) == 1 else ChainSum(tuple(deltas)))))
    if not rows:
        return None
    z, b = next((layer.z[0], layer.b[0]) for layer in c.network.layers if layer.b)
    return Section(plain("Biases"), (
        Text() + "A bias is added to its unit's sum, so " + math(
            rf"\partial {c.tex(z)} / \partial {c.tex(b)} = 1") +
        " and the bias's gradient is its unit's δ (a bias shared by a layer sums the δ of "
        "every unit it feeds):", display(rows)))


def _cell(c: Context, values, i: int) -> Text:
    return plain(f"{float(values[i]):.{c.digits}g}") if values is not None else plain("")


def table_section(c: Context, shown: list[int]) -> Section:
    grads, worked = c.derivation.gradients, c.worked
    head = [plain("θ"), math(rf"\partial {c.loss} / \partial \theta")]
    if worked is not None:
        head += [plain("value"), plain("gradient" if c.samples == 1 else "batch gradient"
                                       if worked.mode == "batch" else "gradient, step 1")]
        head += [plain("updated")] if worked.updated else []
    rows = []
    for i, g in enumerate(grads[:TABLE_ROWS]):
        row = [math(c.tex(g.parameter)), math(c.tex(g.delta_form))]
        if worked is not None:
            row += [_cell(c, worked.first.parameters, i), _cell(c, worked.first.gradients, i)]
            row += [_cell(c, worked.updated, i)] if worked.updated else []
        rows.append(tuple(row))
    blocks: list = [Table(tuple(head), tuple(rows))]
    if len(grads) > TABLE_ROWS:
        blocks.append(plain(f"The first {TABLE_ROWS} of {len(grads)} parameters; the JSON "
                            "lists them all."))
    rest = [i for i in range(min(len(grads), TABLE_ROWS)) if i not in shown][:CHAINS]
    if rest:
        rows = [r for i in rest for r in derivation_lines(c, grads[i], numbers=False)]
        blocks.append(Details(plain("Each parameter's chain rule, written out"),
                              (display(rows),), on_paper=False))
    return Section(plain("Every parameter"), tuple(blocks))
