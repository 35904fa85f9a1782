"""``Spec`` -> ``Network``: SymPy symbols and the forward graph, layer by layer.

Every input, weight, bias, target, pre-activation z and activation a is a SymPy
symbol that carries its role (``symbols``); each layer keeps the local equations
z = W a_prev + b and a = g(z) in those symbols. Nothing is expanded: later stages
work on the graph.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .expressions import ChainProduct, ChainSum
from .symbols import (LOSS, Role, activation_symbol, bias_symbol, delta_symbol, input_symbol,
                      pre_activation_symbol, role_of, target_symbol, weight_symbol)
from ..registry import ACTIVATIONS, LOSSES, Activation, Loss
from ..spec import LayerSpec, Spec

# The symbols live in .symbols; they are named here too for callers that import them from here.
__all__ = ["LOSS", "Layer", "Network", "Role", "activation_symbol", "bias_symbol", "build_network",
           "delta_symbol", "input_symbol", "pre_activation_symbol", "role_of", "target_symbol",
           "weight_symbol"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Layer:
    r"""Layer l: z_j = Σ_k W_jk a^{(l-1)}_k + b_j and a_j = g(z_j)."""

    number: int
    activation: Activation
    options: tuple[tuple[str, float], ...]
    W: tuple[tuple[sp.Symbol, ...], ...]
    b: tuple[sp.Symbol, ...]
    inputs: tuple[sp.Symbol, ...]
    z: tuple[sp.Symbol, ...]
    a: tuple[sp.Symbol, ...]
    z_terms: tuple[tuple[tuple[sp.Symbol, sp.Symbol], ...], ...]
    z_expr: tuple[sp.Expr, ...]
    a_expr: tuple[sp.Expr, ...]
    z_display: tuple[object, ...]
    shared: bool = False                # b holds ONE bias every unit adds (``bias: shared``)
    source: int | None = None           # residual: the layer whose output a adds (0: inputs)
    skip: tuple[sp.Symbol, ...] = ()    # that output's symbols, a_j = g(z_j) + skip_j

    @property
    def units(self) -> int:
        return len(self.z)

    def unit_bias(self, j: int) -> tuple[sp.Symbol, ...]:
        """The bias unit j adds (a tuple of 0 or 1): its own, or the layer's shared one."""
        return self.b[:1] if self.shared else self.b[j:j + 1]

    @property
    def unit_biases(self) -> tuple[sp.Symbol, ...]:
        """Each unit's bias in unit order (the shared one repeated); empty without a bias."""
        return tuple(b for j in range(self.units) for b in self.unit_bias(j))

    @property
    def fan_in(self) -> int:
        return len(self.inputs)

    def z_sum(self, j: int) -> object:
        """z_j as printed: w_j1 a_1 + … + w_jn a_n + b_j, in that order."""
        return self.z_display[j]

    def derivative(self, j: int) -> sp.Expr:
        """g'(z_j) in textbook form (elementwise activations)."""
        return self.activation.derivative(self.z[j], **dict(self.options))

    def fanout(self, j: int) -> tuple[int, ...]:
        """The units i whose a_i depends on z_j: only j, or all for softmax."""
        return tuple(range(self.units)) if self.activation.vector else (j,)

    def jacobian(self, i: int, j: int) -> sp.Expr:
        """∂a_i/∂z_j in textbook form: g'(z_j) on the diagonal, a_i(δ_ij − a_j) for softmax."""
        if self.activation.vector:
            assert self.activation.jacobian is not None
            outputs = tuple(a - s for a, s in zip(self.a, self.skip)) if self.skip else self.a
            return self.activation.jacobian(outputs, i, j)
        return self.derivative(j) if i == j else sp.S.Zero


@dataclass(frozen=True, slots=True, kw_only=True)
class Network:
    """The forward graph; ``loss_terms[j]`` is ℓ(ŷ_j, y_j) in output symbols."""

    spec: Spec
    x: tuple[sp.Symbol, ...]
    y: tuple[sp.Symbol, ...]
    layers: tuple[Layer, ...]
    loss: Loss
    loss_options: tuple[tuple[str, float], ...]
    loss_terms: tuple[sp.Expr, ...]
    parameters: tuple[sp.Symbol, ...]

    @property
    def output(self) -> Layer:
        return self.layers[-1]

    def consumers(self, number: int) -> tuple[Layer, ...]:
        """The layers whose a adds layer ``number``'s output (0: the inputs): its residual
        "+1" paths."""
        return tuple(layer for layer in self.layers if layer.source == number)

    @property
    def loss_expr(self) -> sp.Expr:
        return sp.Add(*self.loss_terms)

    def decays(self, parameter: sp.Symbol) -> bool:
        """Whether ``regularization: {l2: λ}`` penalizes ``parameter``: a trainable weight."""
        role = role_of(parameter)
        return bool(self.spec.l2) and role is not None and role.kind == "W" \
            and "W" in self.spec.layers[role.layer - 1].trainable

    @property
    def decayed(self) -> tuple[sp.Symbol, ...]:
        """The weights ``regularization: {l2: λ}`` penalizes: every trainable one (no bias)."""
        return tuple(p for p in self.parameters if self.decays(p)) if self.spec.l2 else ()

    @property
    def penalty(self) -> sp.Expr:
        """(λ/2) Σ w² over ``decayed``: added to the reduced loss (0 without regularization)."""
        return sp.Rational(repr(self.spec.l2)) / 2 * sp.Add(*(w ** 2 for w in self.decayed))

    def loss_derivative(self, j: int) -> sp.Expr:
        """∂L/∂ŷ_j in textbook form."""
        return self.loss.derivative(self.output.a[j], self.y[j], **dict(self.loss_options))


def _build_layer(number: int, spec: LayerSpec, inputs: tuple[sp.Symbol, ...],
                 activation: Activation, source: int | None,
                 skip: tuple[sp.Symbol, ...]) -> Layer:
    units, options = spec.units, spec.activation.options
    W = tuple(tuple(weight_symbol(number, j, k) for k in range(len(inputs)))
              for j in range(units))
    b = tuple(bias_symbol(number, j) for j in range(spec.biases))
    own = (lambda j: b[:1]) if spec.shared else (lambda j: b[j:j + 1])    # noqa: E731
    z = tuple(pre_activation_symbol(number, j) for j in range(units))
    a = tuple(activation_symbol(number, j) for j in range(units))
    terms = tuple(tuple(zip(W[j], inputs)) for j in range(units))
    z_expr = tuple(sp.Add(*(w * x for w, x in terms[j]), *own(j)) for j in range(units))
    a_expr = tuple(activation.value(z, j, **dict(options)) for j in range(units))
    if skip:
        a_expr = tuple(g + s for g, s in zip(a_expr, skip))
    return Layer(number=number, activation=activation, options=options, W=W, b=b,
                 inputs=inputs, z=z, a=a, z_terms=terms, z_expr=z_expr, a_expr=a_expr,
                 z_display=tuple(_z_display(terms[j], own(j)) for j in range(units)),
                 shared=spec.shared, source=source, skip=skip)


def _z_display(terms: tuple[tuple[sp.Symbol, sp.Symbol], ...], bias: tuple) -> object:
    """w_j1 a_1 + … + w_jn a_n + b_j in that order (SymPy's Add would sort it)."""
    parts: list[object] = [ChainProduct(pair) for pair in terms] + list(bias)
    return ChainSum(tuple(parts)) if len(parts) > 1 else parts[0]


def build_network(spec: Spec) -> Network:
    """Make the symbols and local forward equations of every layer."""
    x = tuple(input_symbol(k) for k in range(len(spec.inputs)))
    layers: list[Layer] = []
    inputs = x
    for number, layer_spec in enumerate(spec.layers, start=1):
        activation = layer_spec.activation.of(ACTIVATIONS)
        source = spec.residual(number)
        skip = () if source is None else (x if source == 0 else layers[source - 1].a)
        layer = _build_layer(number, layer_spec, inputs, activation, source, skip)
        layers.append(layer)
        inputs = layer.a
    loss = spec.loss.of(LOSSES)
    y = tuple(target_symbol(j) for j in range(layers[-1].units))
    terms = tuple(loss.form(a, t, **dict(spec.loss.options)) for a, t in zip(layers[-1].a, y))
    parameters = tuple(
        p for layer in layers for p in (*(w for row in layer.W for w in row), *layer.b))
    return Network(spec=spec, x=x, y=y, layers=tuple(layers), loss=loss,
                   loss_options=spec.loss.options, loss_terms=terms, parameters=parameters)
