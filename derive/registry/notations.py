"""Notation presets: how each kind of symbol prints, as a small table per preset.

The printer reads a ``Notation``; templates never choose symbols. A preset is
data (letters, where the layer goes, which unit comes first in a weight's
subscript, column or row convention for matrices), so a course's own notation
is one more entry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["Notation", "NOTATIONS", "DEFAULT_NOTATION", "Shape", "symbol_latex",
           "input_name_latex", "layered", "general_symbol", "matrix_symbol", "MATRIX_FORMS"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Notation:
    """Letters and index conventions of one notation.

    ``weight_index``: ``"jk"`` puts the receiving unit first (Nielsen: w_jk from
    unit k to unit j), ``"kj"`` the sending unit first (w_ij from input i to unit j).
    ``layer_style``: ``paren`` w^{(2)}_{11}; ``prime`` w'_{11}, w^{2}_{11} with the
    layer folded into the index of b, z, a, δ (b'_{11}, O_{11}); ``subscript`` w_{2,11}.
    ``convention``: ``column`` (z = W a + b, W is units × fan_in) or ``row``
    (Ŷ = X W + b over a batch, W is fan_in × units).
    """

    name: str
    description: str
    weight: str = "w"
    bias: str = "b"
    pre_activation: str = "z"
    activation: str = "a"
    delta: str = r"\delta"
    loss: str = "L"
    output: str = r"\hat{y}"
    target: str = "y"
    input: str = "x"
    weight_index: str = "jk"
    output_is_activation: bool = False
    layer_style: str = "paren"
    input_style: str = "name"
    convention: str = "column"
    matrix_weight: str = "W"
    matrix_activation: str = "A"
    matrix_output: str = r"\hat{Y}"
    matrix_input: str = "X"


NOTATIONS: Mapping[str, Notation] = MappingProxyType({
    n.name: n
    for n in (
        Notation(name="standard",
                 description="w^(l)_jk from unit k to unit j; z^(l), a^(l), delta^(l); the output "
                             "written y-hat; loss L (the default)"),
        Notation(name="nielsen", loss="C", output_is_activation=True,
                 description="Nielsen and 3Blue1Brown: w^(l)_jk from unit k to unit j, z^(l), "
                             "a^(l) up to the output a^(L), delta^(l), cost C"),
        Notation(name="layer-prime", weight_index="kj", layer_style="prime", activation="O",
                 output=r"\hat{Y}", target="Y", input_style="indexed",
                 description="w'_ij from input i to unit j in the first layer, w^2_ij in the "
                             "second; hidden outputs O_1j; Y-hat; inputs x_i1, x_i2"),
        Notation(name="vector", layer_style="subscript",
                 description="layers as subscripts, column vectors: W_1, z_1 = W_1 x + b_1, "
                             "a_1 = g(z_1), delta_2 = dL/dy-hat * F'(z_2)"),
        Notation(name="batch", weight="W", weight_index="kj", activation="h", convention="row",
                 matrix_weight="W", matrix_activation="H",
                 description="row batches: Y-hat = X W + b, H = sigma(X W^(1) + b^(1)), "
                             "W^(l)_kj from k to j, dL/dW = X^T dL/dY-hat"),
    )
})

DEFAULT_NOTATION = "standard"


@dataclass(frozen=True, slots=True, kw_only=True)
class Shape:
    """What a symbol's print depends on besides its role: layer count, names, widths."""

    layers: int
    outputs: int
    inputs: tuple[str, ...]
    units: tuple[int, ...] = ()   # widths of layer 0 (inputs) .. L, when known


def subscript(*indices: str) -> str:
    """Join indices as a subscript body: ``11`` when all are single characters, else ``1,10``."""
    return "".join(indices) if all(len(i) == 1 for i in indices) else ",".join(indices)


def layered(letter: str, layer: str, *indices: str) -> str:
    """``w^{(2)}_{11}``: the layer as a parenthesised superscript, indices below."""
    sub = f"_{{{subscript(*indices)}}}" if indices else ""
    return f"{letter}^{{({layer})}}{sub}"


def _prime(letter: str, layer: str, *indices: str) -> str:
    """Seed 000: w'_{11} in layer 1, w^{2}_{11} beyond."""
    mark = "'" if layer == "1" else f"^{{{layer}}}"
    return f"{letter}{mark}_{{{subscript(*indices)}}}"


def _folded(letter: str, layer: str, *indices: str) -> str:
    """Seed 000's b'_{11}, O_{12}: the layer joins the unit index (prime on layer 1's biases)."""
    return f"{letter}_{{{subscript(layer, *indices)}}}"


def _subscripted(letter: str, layer: str, *indices: str) -> str:
    """Seed 001: W_1, z_{1,2}; the layer first in the subscript."""
    return f"{letter}_{{{layer}}}" if not indices else f"{letter}_{{{layer},{''.join(indices)}}}"


_LAYER_STYLES: Mapping[str, Callable[..., str]] = MappingProxyType({
    "paren": layered, "prime": _prime, "subscript": _subscripted})


def input_name_latex(name: str) -> str:
    """How an input name prints: ``x``, ``x_{1}`` for ``x1``, ``\\mathrm{iq}`` otherwise.

    Names are validated identifiers ([A-Za-z][A-Za-z0-9_]*), so only ``_`` needs escaping.
    """
    if len(name) == 1:
        return name
    head, tail = name[0], name[1:]
    if tail.isdigit():
        return f"{head}_{{{tail}}}"
    return r"\mathrm{" + name.replace("_", r"\_") + "}"


def _indices(notation: Notation, shape: Shape, kind: str, layer: int,
             index: tuple[int, ...]) -> list[str]:
    """1-based indices in the notation's order; dropped for 1 × 1 layers in subscript style."""
    one = [str(i + 1) for i in index]
    if kind == "W" and notation.weight_index == "kj":
        one = one[::-1]
    if notation.layer_style == "subscript" and shape.units:
        width = shape.units[layer] * (shape.units[layer - 1] if kind == "W" else 1)
        if width == 1:
            return []
    return one


def symbol_latex(notation: Notation, shape: Shape, kind: str, layer: int,
                 index: tuple[int, ...]) -> str:
    """LaTeX of one network symbol (0-based ``index``, printed 1-based)."""
    one = [str(i + 1) for i in index]
    if kind == "x":
        if notation.input_style == "indexed":
            return f"{notation.input}_{{i{one[0]}}}"
        return input_name_latex(shape.inputs[index[0]])
    if kind == "y":
        return notation.target if shape.outputs == 1 else f"{notation.target}_{{{one[0]}}}"
    if kind == "a" and layer == shape.layers and not notation.output_is_activation:
        return notation.output if shape.outputs == 1 else f"{notation.output}_{{{one[0]}}}"
    letters = {"W": notation.weight, "b": notation.bias, "z": notation.pre_activation,
               "a": notation.activation, "delta": notation.delta}
    indices = _indices(notation, shape, kind, layer, index)
    if notation.layer_style == "prime" and kind != "W":
        letter = letters[kind] + ("'" if kind == "b" and layer == 1 else "")
        return _folded(letter, str(layer), *indices)
    return _LAYER_STYLES[notation.layer_style](letters[kind], str(layer), *indices)


def general_symbol(notation: Notation, kind: str, layer: str, *indices: str) -> str:
    """A symbol with letter indices (``w^{(l)}_{jk}``) for the general rules on a page."""
    letters = {"W": notation.weight, "b": notation.bias, "z": notation.pre_activation,
               "a": notation.activation, "delta": notation.delta}
    if kind == "W" and notation.weight_index == "kj":
        indices = indices[::-1]
    if notation.layer_style == "subscript":
        return _subscripted(letters[kind], layer, *indices)
    return layered(letters[kind], layer, *indices)


def matrix_symbol(notation: Notation, letter: str, layer: str) -> str:
    """A whole layer's matrix or vector: ``W^{(l)}`` or ``W_{l}``."""
    if notation.layer_style == "subscript":
        return f"{letter}_{{{layer}}}"
    return f"{letter}^{{({layer})}}"


_Letters = dict[str, str]   # a layer's matrices by role: W, b, d, a, z, D, A, Z


def _letters(n: Notation, layer: str) -> _Letters:
    """The matrices of one layer in this notation (layer given as l, l+1, l-1 or L)."""
    return {"W": matrix_symbol(n, n.matrix_weight, layer), "b": matrix_symbol(n, "b", layer),
            "d": matrix_symbol(n, r"\delta", layer), "a": matrix_symbol(n, "a", layer),
            "z": matrix_symbol(n, "z", layer), "D": matrix_symbol(n, r"\Delta", layer),
            "A": matrix_symbol(n, n.matrix_activation, layer), "Z": matrix_symbol(n, "Z", layer)}


def _around(n: Notation) -> tuple[_Letters, _Letters, _Letters, _Letters]:
    """The matrices of layers l, l+1, l-1 and L."""
    return _letters(n, "l"), _letters(n, "l+1"), _letters(n, "l-1"), _letters(n, "L")


def _by(n: Notation, of: str) -> str:
    """∂L/∂of as a fraction."""
    return rf"\frac{{\partial {n.loss}}}{{\partial {of}}}"


def _delta(lhs: str, left: str, z: str) -> str:
    """``lhs &= left ⊙ g'(z)``: the output δ and the recursion share this shape."""
    return rf"{lhs} &= {left} \odot g'\left({z}\right)"


def _gradients(n: Notation, c: _Letters, weight: str, bias: str) -> str:
    """``∂L/∂W &= weight, ∂L/∂b = bias`` for layer l."""
    return rf"{_by(n, c['W'])} &= {weight}, \qquad {_by(n, c['b'])} = {bias}"


def _column_forms(n: Notation) -> dict[str, object]:
    """z = W a + b per sample; rows of Δ and A are samples in the batch form."""
    c, p, m, last = _around(n)
    return {
        "first_title": "For one sample, with column vectors, the recursion and the gradients are",
        "first": [_delta(last["d"], rf"\nabla_{{{last['a']}}} {n.loss}", last["z"]),
                  _delta(c["d"], rf"\left(\left({p['W']}\right)^{{\top}} {p['d']}\right)", c["z"]),
                  _gradients(n, c, rf"{c['d']} \left({m['a']}\right)^{{\top}}", c["d"])],
        "batch": [_delta(last["D"], _by(n, last["A"]), last["Z"]),
                  _delta(c["D"], rf"\left({p['D']} {p['W']}\right)", c["Z"]),
                  _gradients(n, c, rf"\left({c['D']}\right)^{{\top}} {m['A']}",
                             rf"\left({c['D']}\right)^{{\top}} \mathbf{{1}}_N")],
        "transpose": (r"The transpose is where the sum over the batch happens: entry (j, k) of "
                      r"the product adds the per-sample products of a delta and an activation "
                      r"over the samples."),
    }


def _row_forms(n: Notation) -> dict[str, object]:
    """Ŷ = X W + b over a batch (W is fan_in × units): seed 003's convention."""
    c, p, m, last = _around(n)
    inputs = matrix_symbol(n, n.matrix_activation, "0")
    return {
        "first_title": "Stack the samples as the rows of a matrix; each layer is one product",
        "first": [rf"{c['Z']} &= {m['A']} {c['W']} + {c['b']}, \qquad {c['A']} = g\left({c['Z']}\right)",
                  rf"{n.matrix_output} &= {last['A']}, \qquad {n.matrix_input} = {inputs}"],
        "batch": [_delta(last["D"], _by(n, n.matrix_output), last["Z"]),
                  _delta(c["D"], rf"\left({p['D']} \left({p['W']}\right)^{{\top}}\right)", c["Z"]),
                  _gradients(n, c, rf"\left({m['A']}\right)^{{\top}} {c['D']}",
                             rf"\sum_{{n=1}}^{{N}} {c['D']}_{{n}}")],
        "transpose": (r"The gradient keeps the shape of W, and the transpose of the activations "
                      r"is where the sum over the batch happens; the bias gradient sums the rows."),
    }


MATRIX_FORMS: Mapping[str, Callable[[Notation], dict]] = MappingProxyType(
    {"column": _column_forms, "row": _row_forms})
