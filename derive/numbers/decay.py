"""Weight decay in numbers: ``regularization: {l2: λ}`` adds (λ/2) Σ w² over the trainable
weights to the reduced loss, so each such weight's gradient gains λ w.

The penalty is outside the per-sample loss (it does not depend on a sample), so it is added
where the samples' losses and gradients are reduced: the worked example, the check's
symbolic values and finite differences, and the oracles.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..calculus import Network
from .precision import Precision

__all__ = ["decay_gradients", "penalty", "penalty_change"]


def _weights(network: Network) -> frozenset[int]:
    return frozenset(i for i, p in enumerate(network.parameters) if network.decays(p))


def penalty(network: Network, params: Sequence[object], precision: Precision) -> object:
    """(λ/2) Σ w² at ``params``; 0 without l2."""
    if not network.spec.l2:
        return 0
    squares = precision.total([params[i] * params[i] for i in sorted(_weights(network))])
    return precision.decimal(network.spec.l2) / 2 * squares


def penalty_change(network: Network, params: Sequence[object], precision: Precision,
                   index: int, delta: object) -> object:
    """How the penalty changes when parameter ``index`` moves by ``delta``:
    (λ/2) ((w + δ)² − w²) = (λ/2) δ (2w + δ) for a decayed weight, else 0. O(1): the finite
    differences ask once per parameter and step."""
    if not network.decays(network.parameters[index]):
        return 0
    return precision.decimal(network.spec.l2) / 2 * delta * (2 * params[index] + delta)


def decay_gradients(network: Network, params: Sequence[object],
                    precision: Precision) -> tuple[object, ...]:
    """λ w for each decayed weight, 0 for every other parameter (all 0 without l2)."""
    if not network.spec.l2:
        return (0,) * len(params)
    rate, weights = precision.decimal(network.spec.l2), _weights(network)
    return tuple(rate * v if i in weights else 0 for i, v in enumerate(params))
