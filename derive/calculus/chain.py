r"""``Network`` + θ -> ``Gradient``: the chain rule for one parameter, one local factor at a time.

Each path from θ to L is a chain of local factors (∂L/∂ŷ, ∂a/∂z, ∂z/∂a_prev,
∂z/∂θ), each differentiated on its own:

    ∂L/∂w^{(l)}_{jk} = δ^{(l)}_j a^{(l-1)}_k,   ∂L/∂b^{(l)}_j = δ^{(l)}_j

Small networks also get every path written out (seed 000's style); the sum over
paths is proved equal to the δ form once per unit (``Prover.unit``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import sympy as sp

from .expressions import Factor, Partial, chain_product, chain_sum
from .network import Layer, Network
from .symbols import LOSS, Role, delta_symbol, role_of

if TYPE_CHECKING:
    from .proofs import Prover

__all__ = ["MAX_PATHS", "Gradient", "activation_factor", "gradient", "loss_factor",
           "parameter_factor", "path_count", "paths_to_loss", "weight_factor"]

MAX_PATHS = 16          # write every path out up to this many per parameter


@dataclass(frozen=True, slots=True, kw_only=True)
class Gradient:
    """∂L/∂θ for one scalar parameter of one sample's loss."""

    parameter: sp.Symbol
    role: Role
    paths: tuple[tuple[Factor, ...], ...]
    last: Factor
    delta_form: object
    result: object | None
    proved: bool | None

    @property
    def value(self) -> object:
        """The simplified result printed on the page and in JSON."""
        return self.result if self.result is not None else self.delta_form


# --------------------------------------------------------------------------- factors


def loss_factor(network: Network, j: int) -> Factor:
    """∂L/∂ŷ_j = ∂/∂ŷ_j ℓ = ℓ'(ŷ_j, y_j)."""
    return Factor(Partial(LOSS, network.output.a[j]), network.loss_expr,
                  network.loss_derivative(j))


def activation_factor(layer: Layer, i: int, j: int) -> Factor:
    """∂a_i/∂z_j = ∂/∂z_j g(z)_i: g'(z_j) on the diagonal, a_i(δ_ij − a_j) for softmax."""
    return Factor(Partial(layer.a[i], layer.z[j]), layer.a_expr[i], layer.jacobian(i, j))


def weight_factor(layer: Layer, i: int, j: int) -> Factor:
    """∂z_i/∂a^{prev}_j = ∂/∂a_j (Σ_k w_ik a_k + b_i) = w_ij."""
    return Factor(Partial(layer.z[i], layer.inputs[j]), layer.z_sum(i), layer.W[i][j])


def parameter_factor(layer: Layer, role: Role, parameter: sp.Symbol) -> Factor:
    """∂z_j/∂w_jk = a^{prev}_k and ∂z_j/∂b_j = 1."""
    j = role.index[0]
    value = layer.inputs[role.index[1]] if role.kind == "W" else sp.S.One
    return Factor(Partial(layer.z[j], parameter), layer.z_sum(j), value)


# --------------------------------------------------------------------------- paths


def path_count(network: Network, layer_number: int) -> int:
    """Paths from z^{(l)}_j to L: the fan through each later layer (and through softmax)."""
    fan = lambda layer: layer.units if layer.activation.vector else 1  # noqa: E731
    count = fan(network.layers[layer_number - 1])
    for layer in network.layers[layer_number:]:
        count *= layer.units * fan(layer)
    return count


def paths_to_loss(network: Network, layer_number: int, j: int) -> list[tuple[Factor, ...]]:
    """Every chain from z^{(l)}_j to L, factors in chain order (∂L/∂ŷ first)."""
    layer = network.layers[layer_number - 1]
    out: list[tuple[Factor, ...]] = []
    for i in layer.fanout(j):
        here = activation_factor(layer, i, j)
        if layer_number == len(network.layers):
            out.append((loss_factor(network, i), here))
            continue
        following = network.layers[layer_number]
        out += [path + (weight_factor(following, m, i), here)
                for m in range(following.units)
                for path in paths_to_loss(network, layer_number + 1, m)]
    return out


def gradient(network: Network, parameter: sp.Symbol, prover: Prover, *,
             paths: bool = True) -> Gradient:
    """∂L/∂θ as factor chains, δ form and (when small, and ``paths``) the sum over paths.

    Large networks write paths out only for the gradients their pages show in full.
    """
    role = role_of(parameter)
    assert role is not None
    layer = network.layers[role.layer - 1]
    j = role.index[0]
    delta = delta_symbol(role.layer, j)
    last = parameter_factor(layer, role, parameter)
    delta_form = chain_product([delta, last.value])
    if not paths or path_count(network, role.layer) > MAX_PATHS:
        return Gradient(parameter=parameter, role=role, paths=(), last=last,
                        delta_form=delta_form, result=None, proved=None)
    chains = tuple(paths_to_loss(network, role.layer, j))
    result = chain_sum([chain_product([f.value for f in path] + [last.value]) for path in chains])
    proved = prover.unit(role.layer, j, chains)
    return Gradient(parameter=parameter, role=role, paths=chains, last=last,
                    delta_form=delta_form, result=result, proved=proved)
