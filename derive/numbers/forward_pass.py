"""One sample through the network, in an engine's precision: every z and a, then the loss.

``forward`` is the pass (the worked example, the check's points and the claims all use
it); ``Sweep`` keeps a pass's numbers as lists and reruns it from one changed parameter,
the finite differences' inner loop. Both compute z = W a + b with ``Precision.dot`` and
a = g(z) with the network's own compiled a_expr, so a rerun gives the full pass's numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sympy as sp

from ..calculus import Network, Role
from .engine import Compiled, Engine
from .precision import FLOAT64, MPMATH, Precision, precise
from .stable import by_logits, stable_activation, stable_loss

__all__ = ["Forward", "Sweep", "float_forward", "forward", "parameter_env", "sample_env"]


@dataclass(frozen=True, slots=True)
class Forward:
    """One sample's forward pass: every z and a (as one env) and its loss."""

    env: dict
    loss: object


def parameter_env(network: Network, values: Sequence[object]) -> dict[sp.Symbol, object]:
    return dict(zip(network.parameters, values))


def sample_env(network: Network, x: Sequence[float], y: Sequence[float],
               precision: Precision = MPMATH) -> dict:
    """The sample's inputs and targets as the decimals the user wrote."""
    decimal = precision.decimal
    env = {s: decimal(v) for s, v in zip(network.x, x)}
    env.update({s: decimal(v) for s, v in zip(network.y, y)})
    return env


def _layer(layer, zs: list, activations: Sequence[Compiled], env: dict,  # type: ignore[no-untyped-def]
           memo: dict, precision: Precision, bounded=None) -> list:  # type: ignore[no-untyped-def]
    """Store ``layer``'s z values, then compute its a_j = g(z) in order; return the a's.

    ``bounded(symbol, value)``, when given, checks each value as it is stored. A softmax
    layer is computed from its z's at once (``stable``), not from each unit's a_expr.
    """
    stable = stable_activation(layer)
    if stable is not None and by_logits(precision, zs):
        outputs = stable(precision, zs)
        for symbol, value in (*zip(layer.z, zs), *zip(layer.a, outputs)):
            env[symbol] = value if bounded is None else bounded(symbol, value)
        return outputs
    outputs = []
    if bounded is None:         # the finite differences' inner loop: nothing else
        env.update(zip(layer.z, zs))
        for a, activation in zip(layer.a, activations):
            env[a] = value = activation(env, memo)
            outputs.append(value)
        return outputs
    for z, value in zip(layer.z, zs):
        env[z] = bounded(z, value)
    for a, activation in zip(layer.a, activations):
        env[a] = value = bounded(a, activation(env, memo))
        outputs.append(value)
    return outputs


@precise
def forward(network: Network, params: Mapping[sp.Symbol, object], x: Sequence[float],
            y: Sequence[float], *, engine: Engine | None = None) -> Forward:
    r"""z^{(l)} = W^{(l)} a^{(l-1)} + b^{(l)}, a^{(l)} = g(z^{(l)}), then the per-sample loss.

    In mpmath every value is range-checked as it is made (``NonFinite`` names the first
    a float cannot hold); one memo serves the pass (softmax's a_j share their exp(z_k)).
    """
    engine = engine or Engine()
    p = engine.precision
    env = sample_env(network, x, y, p)
    env.update({s: p.convert(v) for s, v in params.items()})
    get, memo = env.__getitem__, {}
    inputs = list(map(get, network.x))
    for layer in network.layers:
        zs = p.dot([list(map(get, row)) for row in layer.W], inputs,
                   list(map(get, layer.unit_biases)))
        inputs = _layer(layer, zs, tuple(map(engine.compile, layer.a_expr)), env, memo, p,
                        p.bounded)
    return Forward(env, p.bounded("L", _loss(network, engine.compile(network.loss_expr), p,
                                             env, memo)))


def _loss(network: Network, compiled: Compiled, p: Precision, env: dict, memo: dict) -> object:
    """The per-sample loss: from the output's z's when the pair has a stable form
    (cross-entropy after softmax: never log of an a_j that underflowed), else compiled."""
    stable, zs = stable_loss(network), [env[z] for z in network.output.z]
    if stable is None or not by_logits(p, zs):
        return compiled(env, memo)
    return stable(p, zs, [env[y] for y in network.y])


def float_forward(network: Network, params: Sequence[object], x: Sequence[float],
                  y: Sequence[float]) -> dict:
    """``forward``'s env in float64, from parameter values in network order."""
    return forward(network, parameter_env(network, params), x, y, engine=Engine(FLOAT64)).env


@dataclass(frozen=True, slots=True, kw_only=True)
class Sweep:
    """A forward pass's numbers as lists per layer, to rerun it after one parameter moves.

    The finite differences rerun the layers after a changed parameter ~1000 times: lists
    spare them a dict lookup (a SymPy hash) per weight and input, with the same numbers.
    """

    network: Network
    precision: Precision
    values: tuple[list, ...]                    # x, then each layer's a
    weights: tuple[tuple[list, ...], ...]       # per layer, W row by row
    biases: tuple[list, ...]                    # per layer, each unit's (empty without a bias)
    activations: tuple[tuple[Compiled, ...], ...]   # per layer, each a_j compiled
    loss: Compiled
    env: dict                   # x, y, z, a: all that the activations and the loss read

    @classmethod
    def of(cls, network: Network, env: dict, engine: Engine) -> Sweep:
        """The lists of the forward pass whose env is ``env``, in ``engine``'s precision."""
        get = env.__getitem__
        read = (*network.x, *network.y, *(s for layer in network.layers
                                          for s in (*layer.z, *layer.a)))
        return cls(network=network, precision=engine.precision,
                   values=(list(map(get, network.x)),
                           *(list(map(get, layer.a)) for layer in network.layers)),
                   weights=tuple(tuple(list(map(get, row)) for row in layer.W)
                                 for layer in network.layers),
                   biases=tuple(list(map(get, layer.unit_biases)) for layer in network.layers),
                   activations=tuple(tuple(map(engine.compile, layer.a_expr))
                                     for layer in network.layers),
                   loss=engine.compile(network.loss_expr), env={s: env[s] for s in read})

    def moved(self, role: Role, delta: object) -> tuple[list, list, tuple[int, ...]]:
        """The weights and biases (one per unit, or none) of the units ``role``'s parameter
        feeds, that parameter moved by ``delta``, and those units: its own, or every unit of
        the layer for a shared bias."""
        layer, unit = role.layer - 1, role.index[0]
        if role.kind == "b" and self.network.layers[layer].shared:
            units = tuple(range(self.network.layers[layer].units))
            return (list(self.weights[layer]), [b + delta for b in self.biases[layer]], units)
        weights = list(self.weights[layer][unit])
        bias = self.biases[layer][unit:unit + 1]
        if role.kind == "W":
            weights[role.index[1]] += delta
        else:
            bias = [bias[0] + delta]
        return [weights], bias, (unit,)

    @precise
    def loss_after(self, role: Role, delta: object) -> object:
        """The loss with ``role``'s parameter moved by ``delta``: only its units and the later
        layers are recomputed (the rest is read from the lists)."""
        rows, bias, units = self.moved(role, delta)
        network, dot, env, memo = self.network, self.precision.dot, dict(self.env), {}
        first = role.layer
        layer, activations = network.layers[first - 1], self.activations[first - 1]
        for unit, z in zip(units, dot(rows, self.values[first - 1], bias)):
            env[layer.z[unit]] = z
        outputs = list(self.values[first])
        if layer.activation.vector:         # softmax: every unit from all the z's
            outputs = _layer(layer, [env[z] for z in layer.z], activations, env, memo,
                             self.precision)
        else:
            for j in range(layer.units) if layer.activation.vector else units:
                env[layer.a[j]] = outputs[j] = activations[j](env, memo)
        for layer, rows, biases, activations in zip(network.layers[first:], self.weights[first:],
                                                    self.biases[first:],
                                                    self.activations[first:]):
            outputs = _layer(layer, dot(rows, outputs, biases), activations, env, memo,
                             self.precision)
        return _loss(network, self.loss, self.precision, env, memo)
