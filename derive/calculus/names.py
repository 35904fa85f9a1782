"""Network symbols -> LaTeX in a notation preset: shared by the page and the claim parser."""

from __future__ import annotations

import sympy as sp

from .network import Network
from .symbols import LOSS, delta_symbol, role_of
from ..registry import NOTATIONS, Notation, Shape, matrix_symbol, symbol_latex

__all__ = ["network_symbols", "symbol_names"]


def network_symbols(network: Network) -> list[sp.Symbol]:
    """Every symbol a formula about this network may use, in a fixed order."""
    symbols = [*network.x, *network.y, *network.parameters]
    for layer in network.layers:
        symbols += [*layer.z, *layer.a,
                    *(delta_symbol(layer.number, j) for j in range(layer.units))]
    return symbols


def symbol_names(network: Network, notation: Notation | None = None) -> dict[sp.Symbol, str]:
    """LaTeX for every symbol of the network, from the notation preset (the spec's by default)."""
    notation = notation or NOTATIONS[network.spec.notation]
    shape = Shape(layers=len(network.layers), outputs=len(network.y), inputs=network.spec.inputs,
                  units=(len(network.x), *(layer.units for layer in network.layers)))
    names = {LOSS: notation.loss}
    for symbol in network_symbols(network):
        role = role_of(symbol)
        assert role is not None
        names[symbol] = symbol_latex(notation, shape, role.kind, role.layer, role.index)
    for layer in network.layers:        # a shared bias is the layer's one b: b^{(l)}, no index
        if layer.shared:
            names[layer.b[0]] = matrix_symbol(notation, notation.bias, str(layer.number))
    return names
