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

__all__ = ["decay_gradients", "penalty"]


def _weights(network: Network) -> frozenset[int]:
    decayed = set(network.decayed)
    return frozenset(i for i, p in enumerate(network.parameters) if p in decayed)


def penalty(network: Network, params: Sequence[object], precision: Precision,
            moved: tuple[int, object] | None = None) -> object:
    """(λ/2) Σ w² at ``params`` (parameter ``moved[0]`` moved by ``moved[1]``); 0 without l2."""
    if not network.spec.l2:
        return 0
    values = list(params)
    if moved is not None:
        values[moved[0]] = values[moved[0]] + moved[1]
    squares = precision.total([values[i] * values[i] for i in sorted(_weights(network))])
    return precision.decimal(network.spec.l2) / 2 * squares


def decay_gradients(network: Network, params: Sequence[object],
                    precision: Precision) -> tuple[object, ...]:
    """λ w for each decayed weight, 0 for every other parameter (all 0 without l2)."""
    if not network.spec.l2:
        return (0,) * len(params)
    rate, weights = precision.decimal(network.spec.l2), _weights(network)
    return tuple(rate * v if i in weights else 0 for i, v in enumerate(params))
