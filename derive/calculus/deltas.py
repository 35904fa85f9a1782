r"""``Network`` -> the δ recursion, output layer first, with the loss/activation shortcuts.

    δ^{(L)}_j = ∂L/∂ŷ_j · g'(z^{(L)}_j)       (Σ_i ∂L/∂ŷ_i · ∂ŷ_i/∂z_j for softmax)
    δ^{(l)}_j = (Σ_i w^{(l+1)}_{ij} δ^{(l+1)}_i) · g'(z^{(l)}_j)

A layer whose output a later layer m adds (a residual) gets ∂L/∂a^{(m)}_j in that sum too.
Each δ is written in local symbols and the next layer's δ; ``expanded_deltas``
substitutes the later ones where the page writes paths out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

import sympy as sp

from .chain import MAX_PATHS, path_count
from .expressions import ChainProduct, ChainSum, as_expr, chain_product, chain_sum
from .network import Layer, Network
from .symbols import delta_symbol
from ..registry import SHORTCUTS

__all__ = ["DeltaEquation", "Deltas", "delta_recursion", "expanded_deltas", "hidden_deltas",
           "output_deltas", "upstream"]


@dataclass(frozen=True, slots=True, kw_only=True)
class DeltaEquation:
    """δ^{(l)}_j = value, with ``value`` in local symbols and the next layer's δ.

    ``general_of`` builds the chain rule's form when a shortcut gave ``value``, on demand:
    under softmax it sums over the whole layer, so building it for every unit is O(units²).
    """

    layer: int
    unit: int
    symbol: sp.Symbol
    value: object
    general_of: Callable[[], object] | None = field(default=None, compare=False)
    reason: tuple[str, ...] = ()

    @property
    def general(self) -> object | None:
        """The chain rule's form Σ_i ∂L/∂ŷ_i · ∂ŷ_i/∂z_j, when a shortcut simplified it."""
        return None if self.general_of is None else self.general_of()

    @property
    def written(self) -> object:
        """The value before any shortcut: the chain rule's own form of this δ."""
        return self.general if self.general is not None else self.value


Deltas = tuple[tuple[DeltaEquation, ...], ...]     # by layer (layer 1 first), then unit


def output_deltas(network: Network) -> tuple[DeltaEquation, ...]:
    """δ^{(L)}_j = Σ_i ∂L/∂ŷ_i · ∂ŷ_i/∂z_j (one term unless softmax), simplified when a shortcut
    applies."""
    layer = network.output
    # a residual output is not g(z): no loss/activation shortcut holds for it
    shortcut = None if layer.skip else SHORTCUTS.get((network.loss.name, layer.activation.name))
    out = []
    for j in range(layer.units):
        general = cache(lambda j=j: chain_sum([chain_product([network.loss_derivative(i),
                                                              layer.jacobian(i, j)])
                                               for i in layer.fanout(j)]))
        value = shortcut.delta(layer.a[j], network.y[j]) if shortcut else general()
        out.append(DeltaEquation(layer=layer.number, unit=j, symbol=delta_symbol(layer.number, j),
                                 value=value, general_of=general if shortcut else None,
                                 reason=shortcut.reason if shortcut else ()))
    return tuple(out)


def upstream(network: Network, number: int, j: int) -> object:
    """∂L/∂a^{(l)}_j in later δ: Σ_i w^{(l+1)}_{ij} δ^{(l+1)}_i (∂L/∂ŷ_j for the output layer),
    plus ∂L/∂a^{(m)}_j for every layer m that adds this output (the residual's "+1" path)."""
    if number == len(network.layers):
        terms: list[object] = [network.loss_derivative(j)]
    else:
        following = network.layers[number]
        terms = [ChainProduct((following.W[i][j], delta_symbol(following.number, i)))
                 for i in range(following.units)]
    for consumer in network.consumers(number):
        later = upstream(network, consumer.number, j)
        terms += list(later.terms) if isinstance(later, ChainSum) else [later]
    return chain_sum(terms)


def hidden_deltas(network: Network, layer: Layer) -> tuple[DeltaEquation, ...]:
    """δ^{(l)}_j = (Σ_i w^{(l+1)}_{ij} δ^{(l+1)}_i + residual terms) · g'(z^{(l)}_j)."""
    return tuple(DeltaEquation(layer=layer.number, unit=j, symbol=delta_symbol(layer.number, j),
                               value=chain_product([upstream(network, layer.number, j),
                                                    layer.derivative(j)]))
                 for j in range(layer.units))


def delta_recursion(network: Network) -> Deltas:
    """All δ, output layer first computed, returned in layer order."""
    deltas = [output_deltas(network)]
    for layer in reversed(network.layers[:-1]):
        deltas.append(hidden_deltas(network, layer))
    return tuple(reversed(deltas))


def expanded_deltas(network: Network, deltas: Deltas) -> dict[sp.Symbol, sp.Expr]:
    """Each δ with every later δ substituted, for the layers whose paths are written out."""
    full: dict[sp.Symbol, sp.Expr] = {}
    for layer in reversed(deltas):
        if path_count(network, layer[0].layer) > MAX_PATHS:
            break
        for eq in layer:
            full[eq.symbol] = as_expr(eq.written).xreplace(full)
    return full
