"""Notation presets: how each kind of symbol prints, as a small table per preset.

The printer reads a ``Notation``; templates never choose symbols. A preset is
data, so a course's own notation is one more entry.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Notation", "NOTATIONS", "DEFAULT_NOTATION", "Shape", "symbol_latex", "input_name_latex"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Notation:
    """Letters and index conventions of one notation.

    ``weight_index`` says which unit comes first in a weight's subscript:
    ``"jk"`` puts the receiving unit j first (Nielsen: w_jk from unit k to unit j),
    ``"kj"`` the sending unit first (w_ij from input i to unit j).
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


NOTATIONS: dict[str, Notation] = {
    n.name: n
    for n in (
        Notation(
            name="nielsen",
            description="w^(l)_jk from unit k of layer l-1 to unit j of layer l; z^(l), a^(l), "
                        "delta^(l); the output a^(L) written y-hat (Nielsen, 3Blue1Brown)",
        ),
    )
}

DEFAULT_NOTATION = "nielsen"


def subscript(*indices: str) -> str:
    """Join indices as a subscript body: ``11`` when all are single characters, else ``1,10``."""
    return "".join(indices) if all(len(i) == 1 for i in indices) else ",".join(indices)


def layered(letter: str, layer: str, *indices: str) -> str:
    """``w^{(2)}_{11}``: the layer as a parenthesised superscript, indices below."""
    sub = f"_{{{subscript(*indices)}}}" if indices else ""
    return f"{letter}^{{({layer})}}{sub}"


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


@dataclass(frozen=True, slots=True, kw_only=True)
class Shape:
    """What a symbol's print depends on besides its role: layer count and names."""

    layers: int
    outputs: int
    inputs: tuple[str, ...]


def symbol_latex(notation: Notation, shape: Shape, kind: str, layer: int,
                 index: tuple[int, ...]) -> str:
    """LaTeX of one network symbol (0-based ``index``, printed 1-based)."""
    one = [str(i + 1) for i in index]
    if kind == "x":
        return input_name_latex(shape.inputs[index[0]])
    if kind == "y":
        return notation.target if shape.outputs == 1 else f"{notation.target}_{{{one[0]}}}"
    if kind == "a" and layer == shape.layers and not notation.output_is_activation:
        return notation.output if shape.outputs == 1 else f"{notation.output}_{{{one[0]}}}"
    if kind == "W":
        order = one if notation.weight_index == "jk" else one[::-1]
        return layered(notation.weight, str(layer), *order)
    letters = {"b": notation.bias, "z": notation.pre_activation, "a": notation.activation,
               "delta": notation.delta}
    return layered(letters[kind], str(layer), *one)
