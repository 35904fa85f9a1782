"""The batch in matrix form: samples as rows, each layer's backward step as three products,
every product checked entry by entry against ∂𝓛/∂(…) of the batch loss (``samples``)."""

from __future__ import annotations

import sympy as sp

from ..calculus import for_sample
from .context import Context
from .lines import CORNER, display, line
from .model import Line, Section, Table, Text, math, plain
from .quantities import BATCH_LOSS, PARTIAL

__all__ = ["batch_section"]

BATCH_SHOWN = 3     # samples in the batch equations (as the matrix proofs): the form is the same


def _Delta(c: Context, layer, n: int) -> tuple:
    """Δ^{(l)}: row n, column j is ∂𝓛/∂z^{(l)}_j of sample n."""
    return tuple(tuple(PARTIAL(BATCH_LOSS, for_sample(z, k)) for z in layer.z[:c.corner])
                 for k in range(n))


def _layer_lines(c: Context, layer, n: int) -> list[Line]:
    net, row = c.network, c.notation.convention == "row"
    l, last = layer.number, len(net.layers)
    D = c.matrix(r"\Delta", l)
    Z = c.matrix("Z", l)
    g = "" if layer.activation.name == "linear" else \
        rf" \odot {layer.activation.latex or 'g'}'\left({Z}\right)"
    out = []
    if l == last:
        Y = c.notation.matrix_output
        if layer.activation.vector:
            values = tuple(tuple(sp.Add(*(PARTIAL(BATCH_LOSS, for_sample(layer.a[i], k))
                                          * for_sample(layer.jacobian(i, j), k)
                                          for i in range(layer.units)))
                                 for j in c.upto(layer.units)) for k in range(n))
            shown = (rf"\text{{row }} n\text{{: }}\left(\frac{{\partial {Y}_n}}{{\partial {Z}_n}}"
                     rf"\right)^{{\top}} \frac{{\partial {c.batch_loss}}}{{\partial {Y}_n}}")
        else:
            values = tuple(tuple(PARTIAL(BATCH_LOSS, for_sample(layer.a[j], k))
                                 * for_sample(layer.derivative(j), k) for j in c.upto(layer.units))
                           for k in range(n))
            shown = rf"\frac{{\partial {c.batch_loss}}}{{\partial {Y}}}{g}"
    else:
        nxt = net.layers[l]
        W = c.matrix(c.notation.matrix_weight, l + 1)
        Dn = c.matrix(r"\Delta", l + 1)
        back = rf"{Dn} \left({W}\right)^{{\top}}" if row else rf"{Dn} {W}"
        extra = net.consumers(l)        # residuals that add this layer's output
        values = tuple(tuple(sp.Add(*(PARTIAL(BATCH_LOSS, for_sample(nxt.z[i], k)) * nxt.W[i][j]
                                      for i in range(nxt.units)),
                                    *(PARTIAL(BATCH_LOSS, for_sample(m.a[j], k)) for m in extra))
                             * for_sample(layer.derivative(j), k) for j in c.upto(layer.units))
                       for k in range(n))
        back += "".join(rf" + \frac{{\partial {c.batch_loss}}}"
                        rf"{{\partial {c.matrix(c.notation.matrix_activation, m.number)}}}"
                        for m in extra)
        shown = rf"\left({back}\right){g}"
    out.append(line([(D, _Delta(c, layer, n)), (shown, values)], samples=n))
    A = c.notation.matrix_input if l == 1 else c.matrix(c.notation.matrix_activation, l - 1)
    Wl = c.matrix(c.notation.matrix_weight, l)
    grid = [[(j, k) for j in c.upto(layer.units)] for k in c.upto(layer.fan_in)] if row else \
        [[(j, k) for k in c.upto(layer.fan_in)] for j in c.upto(layer.units)]
    lhs = tuple(tuple(PARTIAL(BATCH_LOSS, layer.W[j][k]) for j, k in r) for r in grid)
    rhs = tuple(tuple(sp.Add(*(PARTIAL(BATCH_LOSS, for_sample(layer.z[j], s))
                               * for_sample(layer.inputs[k], s) for s in range(n)))
                      for j, k in r) for r in grid)
    product = rf"\left({A}\right)^{{\top}} {D}" if row else rf"\left({D}\right)^{{\top}} {A}"
    out.append(line([(rf"\frac{{\partial {c.batch_loss}}}{{\partial {Wl}}}", lhs),
                     (product, rhs)], samples=n))
    if layer.shared:
        total = sp.Add(*(PARTIAL(BATCH_LOSS, for_sample(z, s)) for z in layer.z for s in range(n)))
        out.append(line([(rf"\frac{{\partial {c.batch_loss}}}{{\partial {c.tex(layer.b[0])}}}",
                          PARTIAL(BATCH_LOSS, layer.b[0])),
                         (rf"\mathbf{{1}}_{{{layer.units}}}^{{\top}} \left({D}\right)^{{\top}} "
                          rf"\mathbf{{1}}_{{{n}}}", total)], samples=n))
    elif layer.b:
        bl = c.matrix("b", l)
        out.append(line([(rf"\frac{{\partial {c.batch_loss}}}{{\partial {bl}}}",
                          tuple((PARTIAL(BATCH_LOSS, b),) for b in layer.b[:c.corner])),
                         (rf"\left({D}\right)^{{\top}} \mathbf{{1}}_{{{n}}}",
                          tuple((sp.Add(*(PARTIAL(BATCH_LOSS, for_sample(z, s))
                                          for s in range(n))),) for z in layer.z[:c.corner]))],
                        samples=n))
    return out


def _expansion(c: Context, n: int) -> Line:
    """One weight's batch gradient written out: the transpose sums over the samples."""
    layer = c.network.layers[0]
    w, z, x = layer.W[0][0], layer.z[0], layer.inputs[0]
    D = c.matrix(r"\Delta", 1)
    A = c.notation.matrix_input
    terms = " + ".join(rf"{{{D}}}_{{{s + 1}1}} {{{A}}}_{{{s + 1}1}}" for s in range(n))
    value = sp.Add(*(PARTIAL(BATCH_LOSS, for_sample(z, s)) * for_sample(x, s) for s in range(n)))
    return line([(rf"\frac{{\partial {c.batch_loss}}}{{\partial {c.tex(w)}}}",
                  PARTIAL(BATCH_LOSS, w)), (terms, value)], samples=n)


def batch_section(c: Context) -> Section:
    n = min(max(c.samples, 2), BATCH_SHOWN if c.corner == CORNER else 2)
    net = c.network
    lines = [ln for layer in reversed(net.layers) for ln in _layer_lines(c, layer, n)]
    shapes = []
    fans = [len(net.x)] + [layer.units for layer in net.layers]
    for i, layer in enumerate(net.layers):
        w = f"{fans[i]} × {layer.units}" if c.notation.convention == "row" else \
            f"{layer.units} × {fans[i]}"
        shapes.append((plain(str(layer.number)), plain(w), plain(f"{n} × {layer.units}"),
                       plain(f"{n} × {fans[i]}")))
    mean = net.spec.reduction == "mean"
    D = c.matrix(r"\Delta", "l")
    blocks = [
        Text() + (f"Stack {n} samples as the rows of a matrix (row n is sample n; any batch "
                  "size works alike). Row n of " if c.samples != n else
                  f"Stack the {n} samples as the rows of a matrix (row n is sample n). Row n of ")
        + math(D) + " holds " + math(rf"\partial {c.batch_loss} / \partial z") +
        " for sample n" + (f", which is sample n's δ divided by {n} (the mean)" if mean else
                           ", sample n's δ") + ". Each layer's backward step is three products:",
        display(lines),
        Table(tuple(plain(h) for h in ("layer", "W", "Δ", "input to the layer")),
              tuple(shapes)),
        Text() + "The transpose is where the batch sum happens: for the first weight,",
        display([_expansion(c, n)]),
    ]
    return Section(plain(f"The batch in matrix form (N = {n})"), tuple(blocks))
