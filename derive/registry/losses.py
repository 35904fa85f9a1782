"""The losses a spec may name, one entry each, and the loss + output pairs whose δ^{(L)}
simplifies (a shortcut the derivation takes and the page explains)."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import sympy as sp

from .table import Entry, Option, Registry

__all__ = ["Loss", "LOSSES", "Shortcut", "SHORTCUTS"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Loss(Entry):
    """The per-output-unit loss term ℓ(ŷ, y) and ∂ℓ/∂ŷ; the loss sums it over output units.

    ``torch`` takes (torch module, yhat, y, **options) and gives the per-unit loss.
    """

    target_range: tuple[float, float] = (-1.0, 1.0)
    requires_output: tuple[str, ...] = ()
    targets_sum_to_one: bool = False

    def sample_targets(self, rng: random.Random, count: int) -> tuple[float, ...]:
        """Random targets this loss accepts (a distribution when they must sum to 1)."""
        low, high = self.target_range
        values = [rng.uniform(low, high) for _ in range(count)]
        if self.targets_sum_to_one:
            total = sum(values) or 1.0
            values = [v / total for v in values]
        return tuple(values)


def _half(expr: sp.Expr) -> sp.Expr:
    return sp.Mul(sp.Rational(1, 2), expr, evaluate=False)


LOSSES: Registry[Loss] = Registry("loss", (
    Loss(name="squared_error", formula="sum_j (y_j - yhat_j)^2",
         form=lambda yhat, y: (y - yhat) ** 2,
         derivative=lambda yhat, y: sp.Mul(-2, y - yhat, evaluate=False),
         torch=lambda t, yhat, y: (y - yhat) ** 2,
         aliases=("mse", "l2", "sse", "mean_squared_error", "sum_squared_error")),
    Loss(name="half_squared_error", formula="1/2 sum_j (yhat_j - y_j)^2",
         form=lambda yhat, y: _half((yhat - y) ** 2),
         derivative=lambda yhat, y: yhat - y, torch=lambda t, yhat, y: 0.5 * (yhat - y) ** 2),
    Loss(name="binary_cross_entropy",
         formula="-sum_j [y_j log(yhat_j) + (1 - y_j) log(1 - yhat_j)]   (targets in [0, 1])",
         form=lambda yhat, y: -(y * sp.log(yhat) + (1 - y) * sp.log(1 - yhat)),
         derivative=lambda yhat, y: -y / yhat + (1 - y) / (1 - yhat),
         target_range=(0.0, 1.0), requires_output=("sigmoid", "softmax"),
         torch=lambda t, yhat, y: -(y * t.log(yhat) + (1 - y) * t.log(1 - yhat)),
         aliases=("bce", "log_loss", "logistic")),
    Loss(name="cross_entropy", formula="-sum_j y_j log(yhat_j)   (softmax output, targets sum to 1)",
         form=lambda yhat, y: -y * sp.log(yhat),
         derivative=lambda yhat, y: -y / yhat,
         target_range=(0.0, 1.0), requires_output=("softmax",), targets_sum_to_one=True,
         torch=lambda t, yhat, y: -y * t.log(yhat),
         aliases=("ce", "crossentropy", "categorical_cross_entropy", "nll")),
    Loss(name="absolute_error", formula="sum_j |y_j - yhat_j|",
         form=lambda yhat, y: sp.Abs(y - yhat),
         derivative=lambda yhat, y: sp.sign(yhat - y), torch=lambda t, yhat, y: (y - yhat).abs(),
         note=("The absolute value is not differentiable at 0; like PyTorch we take ",
               r"\operatorname{sgn}(0) = 0", "."),
         aliases=("mae", "l1", "mean_absolute_error")),
    Loss(name="huber", formula="1/2 (yhat - y)^2 if |yhat - y| <= delta else delta (|yhat - y| - delta/2)",
         form=lambda yhat, y, delta: sp.Piecewise(
             (_half((yhat - y) ** 2), sp.LessThan(sp.Abs(yhat - y), sp.Float(delta))),
             (sp.Float(delta) * (sp.Abs(yhat - y) - sp.Float(delta) / 2), True)),
         derivative=lambda yhat, y, delta: sp.Piecewise(
             (yhat - y, sp.LessThan(sp.Abs(yhat - y), sp.Float(delta))),
             (sp.Float(delta) * sp.sign(yhat - y), True)),
         options=(Option("delta", 1.0, "a number > 0", lambda v: v > 0),),
         torch=lambda t, yhat, y, delta: t.nn.functional.huber_loss(
             yhat, y, reduction="none", delta=delta),
         aliases=("smooth_l1", "huber_loss")),
))


@dataclass(frozen=True, slots=True, kw_only=True)
class Shortcut:
    """A loss + output activation pair whose δ^{(L)} simplifies (softmax + cross-entropy: ŷ − y)."""

    loss: str
    activation: str
    delta: Callable[[sp.Expr, sp.Expr], sp.Expr]
    reason: tuple[str, ...]


SHORTCUTS: Mapping[tuple[str, str], Shortcut] = MappingProxyType({
    (s.loss, s.activation): s for s in (
        Shortcut(loss="cross_entropy", activation="softmax", delta=lambda a, y: a - y,
                 reason=("because the targets of each sample sum to 1",)),
        Shortcut(loss="binary_cross_entropy", activation="sigmoid", delta=lambda a, y: a - y,
                 reason=("because ", r"\sigma'(z) = \sigma(z)\left(1 - \sigma(z)\right)",
                         " cancels the denominators")),
    )
})
