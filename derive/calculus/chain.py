r"""``Network`` + θ -> ``Gradient``: the chain rule for one parameter, one local factor at a time.

Each path from θ to L is a chain of local factors (∂L/∂ŷ, ∂a/∂z, ∂z/∂a_prev,
∂z/∂θ), each differentiated on its own:

    ∂L/∂w^{(l)}_{jk} = δ^{(l)}_j a^{(l-1)}_k,   ∂L/∂b^{(l)}_j = δ^{(l)}_j
    ∂L/∂b^{(l)} = Σ_j δ^{(l)}_j   (a shared bias: every unit adds it)

A residual (a^{(m)} = g(z^{(m)}) + a^{(s)}) gives every a^{(s)}_i one more way to L, through
a^{(m)}_i with the local factor 1.

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
           "parameter_factor", "path_count", "paths_to_loss", "residual_factor", "weight_factor"]

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
    decay: sp.Expr = sp.S.Zero      # λ w: weight decay's term in the reduced loss's gradient
    units_last: tuple[Factor, ...] = ()     # a shared bias: ∂z_j/∂b for every unit j it feeds

    def last_of(self, path: tuple[Factor, ...]) -> Factor:
        """The factor ∂z_j/∂θ that ends ``path``: ``last``, or for a shared bias that of the
        unit j the path leaves from."""
        if not self.units_last:
            return self.last
        z = path[-1].partial.denominator
        return next(f for f in self.units_last if f.partial.numerator == z)

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


def residual_factor(consumer: Layer, i: int) -> Factor:
    """∂a^{(m)}_i/∂a^{(s)}_i = ∂/∂a^{(s)}_i (g(z^{(m)})_i + a^{(s)}_i) = 1: the residual's "+1"."""
    return Factor(Partial(consumer.a[i], consumer.skip[i]), consumer.a_expr[i], sp.S.One)


def _fan(layer: Layer) -> int:
    return layer.units if layer.activation.vector else 1


def path_count(network: Network, layer_number: int) -> int:
    """Paths from z^{(l)}_j to L: the fan through each later layer (and through softmax), and
    through every residual that adds a layer's output to a later one."""
    from_a: dict[int, int] = {}        # paths from one a^{(m)}_i to L, last layer first
    last = len(network.layers)
    for layer in reversed(network.layers[layer_number - 1:]):
        m = layer.number
        onward = 1 if m == last else network.layers[m].units * _fan(network.layers[m]) \
            * from_a[m + 1]
        from_a[m] = onward + sum(from_a[c.number] for c in network.consumers(m))
    return _fan(network.layers[layer_number - 1]) * from_a[layer_number]


def paths_to_loss(network: Network, layer_number: int, j: int) -> list[tuple[Factor, ...]]:
    """Every chain from z^{(l)}_j to L, factors in chain order (∂L/∂ŷ first)."""
    layer = network.layers[layer_number - 1]
    return [path + (activation_factor(layer, i, j),)
            for i in layer.fanout(j) for path in _paths_from_output(network, layer_number, i)]


def _paths_from_output(network: Network, layer_number: int, i: int) -> list[tuple[Factor, ...]]:
    """Every chain from a^{(l)}_i to L: the loss (output layer), each unit of the next layer,
    and each layer that adds this output (the residual's factor 1)."""
    if layer_number == len(network.layers):
        out = [(loss_factor(network, i),)]
    else:
        following = network.layers[layer_number]
        out = [path + (weight_factor(following, m, i),)
               for m in range(following.units)
               for path in paths_to_loss(network, layer_number + 1, m)]
    for consumer in network.consumers(layer_number):
        out += [path + (residual_factor(consumer, i),)
                for path in _paths_from_output(network, consumer.number, i)]
    return out


def gradient(network: Network, parameter: sp.Symbol, prover: Prover, *,
             paths: bool = True) -> Gradient:
    """∂L/∂θ as factor chains, δ form and (when small, and ``paths``) the sum over paths.

    Large networks write paths out only for the gradients their pages show in full.
    """
    role = role_of(parameter)
    assert role is not None
    layer = network.layers[role.layer - 1]
    # a shared bias feeds every unit: ∂L/∂b = Σ_j δ_j, a sum over the units' paths
    units = range(layer.units) if role.kind == "b" and layer.shared else (role.index[0],)
    lasts = tuple(parameter_factor(layer, Role("b", role.layer, (j,)), parameter)
                  for j in units) if len(units) > 1 else ()
    last = parameter_factor(layer, role, parameter)
    delta_form = chain_sum([chain_product([delta_symbol(role.layer, j), last.value])
                            for j in units])
    decay = _decay(network, parameter)
    if not paths or path_count(network, role.layer) * len(units) > MAX_PATHS:
        return Gradient(parameter=parameter, role=role, paths=(), last=last,
                        delta_form=delta_form, result=None, proved=None, decay=decay,
                        units_last=lasts)
    by_unit = [tuple(paths_to_loss(network, role.layer, j)) for j in units]
    chains = tuple(path for unit in by_unit for path in unit)
    result = chain_sum([chain_product([f.value for f in path] + [last.value]) for path in chains])
    proved = all([prover.unit(role.layer, j, unit) for j, unit in zip(units, by_unit)])
    return Gradient(parameter=parameter, role=role, paths=chains, last=last,
                    delta_form=delta_form, result=result, proved=proved, decay=decay,
                    units_last=lasts)


def _decay(network: Network, parameter: sp.Symbol) -> sp.Expr:
    """λ w for a trainable weight under ``regularization: {l2: λ}``, else 0."""
    if not network.decays(parameter):
        return sp.S.Zero
    return sp.Rational(repr(network.spec.l2)) * parameter
