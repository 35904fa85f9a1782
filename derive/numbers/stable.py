"""Softmax and its cross-entropy by log-sum-exp: logits 1 000 apart give a finite loss.

exp(z) of a logit above ~709 leaves float range although the softmax and the loss do not,
and the plain formula refuses the spec. Softmax is unchanged when every z moves by the same
amount, so the forward pass shifts them by the largest: every exp is then in (0, 1] and the
sum in [1, n]; cross-entropy is read from the logits, −Σ y_j (z_j − m − log Σ exp(z_i − m)),
never from log of an a_j that underflowed. Only a layer whose output is g(z) alone (no
residual adds to it) is computed so; others keep their compiled a_expr. In 50 digits the
plain formula is kept while every |z| ≤ 300 (e^300 and e^-600 fit a float): its numbers,
to the last digit, are the ones the pages were made from.

It also costs O(units) per pass: the compiled a_expr of each unit sums the layer's exps
again in float64 (the engine keeps no memo there), O(units²).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType

import sympy as sp

from ..calculus import Network
from ..calculus.network import Layer
from .precision import MPMATH, Precision

__all__ = ["by_logits", "stable_activation", "stable_loss"]

PLAIN_LIMIT = 300

Activate = Callable[[Precision, Sequence[object]], list]
LossOfLogits = Callable[[Precision, Sequence[object], Sequence[object]], object]


def by_logits(p: Precision, zs: Sequence[object]) -> bool:
    """Whether a pass computes this softmax layer (and its loss) by log-sum-exp: always in
    float64, in 50 digits when some |z| > PLAIN_LIMIT."""
    return p is not MPMATH or any(abs(z) > PLAIN_LIMIT for z in zs)


def _shifted_exps(p: Precision, zs: Sequence[object]) -> tuple[object, list]:
    """The largest z and exp(z_j − it) for each j (all in (0, 1])."""
    top = max(zs)
    exp = p.function(sp.exp)
    return top, [p.call("exp", exp, [z - top]) for z in zs]


def softmax(p: Precision, zs: Sequence[object]) -> list:
    """a_j = exp(z_j − m) / Σ_i exp(z_i − m), m = max z."""
    _, exps = _shifted_exps(p, zs)
    total = p.add(exps)
    return [e / total for e in exps]


def cross_entropy(p: Precision, zs: Sequence[object], ys: Sequence[object]) -> object:
    """−Σ_j y_j log softmax(z)_j = Σ_j y_j (m + log Σ_i exp(z_i − m) − z_j)."""
    top, exps = _shifted_exps(p, zs)
    log_total = top + p.call("log", p.function(sp.log), [p.add(exps)])
    return p.add([y * (log_total - z) for z, y in zip(zs, ys)])


_ACTIVATIONS: Mapping[str, Activate] = MappingProxyType({"softmax": softmax})
_LOSSES: Mapping[tuple[str, str], LossOfLogits] = MappingProxyType(
    {("cross_entropy", "softmax"): cross_entropy})


def stable_activation(layer: Layer) -> Activate | None:
    """The layer's a = g(z) from its z's in one go, when g has a stable form and a is g(z)."""
    return None if layer.skip else _ACTIVATIONS.get(layer.activation.name)


def stable_loss(network: Network) -> LossOfLogits | None:
    """The per-sample loss from the output layer's z's and the targets, when the loss and
    the output's activation have a stable form together (cross-entropy after softmax)."""
    output = network.output
    if output.skip:
        return None
    return _LOSSES.get((network.loss.name, output.activation.name))
