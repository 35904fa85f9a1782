"""The tables of what a spec may name: activations, losses, init schemes.

One entry = one concept, its forward form next to its derivative (micrograd's
habit, tinygrad's table of rules). Adding an activation means adding an entry
here and its registry test; nothing else should need editing.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import sympy as sp

from .functions import elu, leaky_relu, relu, relu_prime, sigmoid, softplus

__all__ = ["Option", "Activation", "Loss", "InitScheme", "Registry", "ACTIVATIONS", "LOSSES",
           "INIT_SCHEMES", "Shortcut", "SHORTCUTS"]


@dataclass(frozen=True, slots=True)
class Option:
    """A numeric option of an entry (leaky_relu's slope, huber's delta)."""

    name: str
    default: float
    expected: str = "a number"
    valid: Callable[[float], bool] = lambda value: True


@dataclass(frozen=True, slots=True, kw_only=True)
class Activation:
    """g and g' for one activation; ``derivative`` is in textbook form (σ(z)(1 − σ(z))).

    ``note`` alternates plain text and LaTeX (odd items are math), so each output
    format can typeset it its own way.
    """

    name: str
    latex: str
    formula: str
    form: Callable[..., sp.Expr]
    derivative: Callable[..., sp.Expr]
    note: tuple[str, ...] = ()
    options: tuple[Option, ...] = ()
    vector: bool = False
    jacobian: Callable[..., sp.Expr] | None = None
    torch: Callable[..., Any] | None = None   # (torch module, z tensor, **options) -> a tensor

    def value(self, z: tuple[sp.Expr, ...], j: int, **options: float) -> sp.Expr:
        """a_j as a function of the layer's z (all of them for a vector activation)."""
        return self.form(z, j) if self.vector else self.form(z[j], **options)


@dataclass(frozen=True, slots=True, kw_only=True)
class Loss:
    """The per-output-unit loss term ℓ(ŷ, y) and ∂ℓ/∂ŷ; the loss sums it over output units."""

    name: str
    formula: str
    form: Callable[..., sp.Expr]
    derivative: Callable[..., sp.Expr]
    note: tuple[str, ...] = ()
    options: tuple[Option, ...] = ()
    target_range: tuple[float, float] = (-1.0, 1.0)
    requires_output: tuple[str, ...] = ()
    targets_sum_to_one: bool = False
    torch: Callable[..., Any] | None = None   # (torch module, yhat, y, **options) -> per-unit loss

    def sample_targets(self, rng: random.Random, count: int) -> tuple[float, ...]:
        """Random targets this loss accepts (a distribution when they must sum to 1)."""
        low, high = self.target_range
        values = [rng.uniform(low, high) for _ in range(count)]
        if self.targets_sum_to_one:
            total = sum(values) or 1.0
            values = [v / total for v in values]
        return tuple(values)


@dataclass(frozen=True, slots=True, kw_only=True)
class InitScheme:
    """Reproducible random initial values: ``draw(rng, fan_in, fan_out)`` gives one number."""

    name: str
    formula: str
    draw: Callable[[random.Random, int, int], float]
    options: tuple[Option, ...] = ()


T = TypeVar("T", Activation, Loss, InitScheme)


class Registry(Generic[T]):
    """Named entries in a fixed order; a duplicate name is a programming error."""

    def __init__(self, kind: str, entries: tuple[T, ...]) -> None:
        self.kind = kind
        self._entries: dict[str, T] = {}
        for entry in entries:
            if entry.name in self._entries:
                raise ValueError(f"duplicate {kind} {entry.name!r}")
            self._entries[entry.name] = entry

    def __getitem__(self, name: str) -> T:
        return self._entries[name]

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[T]:
        return iter(self._entries.values())

    def names(self) -> tuple[str, ...]:
        return tuple(sorted(self._entries))


def _half(expr: sp.Expr) -> sp.Expr:
    return sp.Mul(sp.Rational(1, 2), expr, evaluate=False)


ACTIVATIONS: Registry[Activation] = Registry("activation", (
    Activation(name="linear", latex="", formula="g(z) = z",
               form=lambda z: z, derivative=lambda z: sp.S.One, torch=lambda t, z: z),
    Activation(name="sigmoid", latex=r"\sigma", formula="g(z) = 1 / (1 + exp(-z))",
               form=sigmoid, derivative=lambda z: sp.Mul(sigmoid(z), 1 - sigmoid(z), evaluate=False),
               torch=lambda t, z: t.sigmoid(z)),
    Activation(name="tanh", latex=r"\tanh", formula="g(z) = tanh(z)",
               form=sp.tanh, derivative=lambda z: 1 - sp.tanh(z) ** 2,
               torch=lambda t, z: t.tanh(z)),
    Activation(name="relu", latex=r"\operatorname{ReLU}", formula="g(z) = max(0, z)",
               form=relu, derivative=relu_prime, torch=lambda t, z: t.relu(z),
               note=("ReLU is not differentiable at 0; like PyTorch we take ",
                     r"\operatorname{ReLU}'(0) = 0", " (SymPy's Heaviside(0) would be 1/2).")),
    Activation(name="leaky_relu", latex=r"\operatorname{LeakyReLU}",
               formula="g(z) = z if z > 0 else slope * z",
               form=lambda z, slope: leaky_relu(z, sp.Float(slope)),
               derivative=lambda z, slope: leaky_relu(z, sp.Float(slope)).diff(z),
               options=(Option("slope", 0.01, "a number >= 0", lambda v: v >= 0),),
               torch=lambda t, z, slope: t.nn.functional.leaky_relu(z, slope),
               note=("LeakyReLU is not differentiable at 0; like PyTorch we take the slope there: ",
                     r"\operatorname{LeakyReLU}'(0) = \text{slope}", ".")),
    Activation(name="softplus", latex=r"\operatorname{softplus}",
               formula="g(z) = log(1 + exp(z))",
               form=softplus, derivative=lambda z: sigmoid(z),
               torch=lambda t, z: t.nn.functional.softplus(z)),
    Activation(name="elu", latex=r"\operatorname{ELU}",
               formula="g(z) = z if z > 0 else alpha * (exp(z) - 1)",
               form=lambda z, alpha: elu(z, sp.Float(alpha)),
               derivative=lambda z, alpha: elu(z, sp.Float(alpha)).diff(z),
               options=(Option("alpha", 1.0, "a number > 0", lambda v: v > 0),),
               torch=lambda t, z, alpha: t.nn.functional.elu(z, alpha),
               note=("ELU is differentiable at 0 only for ", r"\alpha = 1",
                     "; like PyTorch we take ", r"\operatorname{ELU}'(0) = \alpha", ".")),
    Activation(name="softmax", latex=r"\operatorname{softmax}",
               formula="a_j = exp(z_j) / sum_i exp(z_i)   (output layer only)",
               form=lambda z, j: sp.exp(z[j]) / sp.Add(*(sp.exp(zi) for zi in z)),
               derivative=lambda z: sp.S.One, vector=True,
               jacobian=lambda a, i, j: a[i] * (1 - a[j]) if i == j else -a[i] * a[j],
               torch=lambda t, z: t.softmax(z, dim=-1),
               note=("softmax couples the units of its layer: ",
                     r"\frac{\partial a_i}{\partial z_j} = a_i \left(\delta_{ij} - a_j\right)",
                     " (the Jacobian is not diagonal).")),
))


LOSSES: Registry[Loss] = Registry("loss", (
    Loss(name="squared_error", formula="sum_j (y_j - yhat_j)^2",
         form=lambda yhat, y: (y - yhat) ** 2,
         derivative=lambda yhat, y: sp.Mul(-2, y - yhat, evaluate=False),
         torch=lambda t, yhat, y: (y - yhat) ** 2),
    Loss(name="half_squared_error", formula="1/2 sum_j (yhat_j - y_j)^2",
         form=lambda yhat, y: _half((yhat - y) ** 2),
         derivative=lambda yhat, y: yhat - y, torch=lambda t, yhat, y: 0.5 * (yhat - y) ** 2),
    Loss(name="binary_cross_entropy",
         formula="-sum_j [y_j log(yhat_j) + (1 - y_j) log(1 - yhat_j)]   (targets in [0, 1])",
         form=lambda yhat, y: -(y * sp.log(yhat) + (1 - y) * sp.log(1 - yhat)),
         derivative=lambda yhat, y: -y / yhat + (1 - y) / (1 - yhat),
         target_range=(0.0, 1.0), requires_output=("sigmoid", "softmax"),
         torch=lambda t, yhat, y: -(y * t.log(yhat) + (1 - y) * t.log(1 - yhat))),
    Loss(name="cross_entropy", formula="-sum_j y_j log(yhat_j)   (softmax output, targets sum to 1)",
         form=lambda yhat, y: -y * sp.log(yhat),
         derivative=lambda yhat, y: -y / yhat,
         target_range=(0.0, 1.0), requires_output=("softmax",), targets_sum_to_one=True,
         torch=lambda t, yhat, y: -y * t.log(yhat)),
    Loss(name="absolute_error", formula="sum_j |y_j - yhat_j|",
         form=lambda yhat, y: sp.Abs(y - yhat),
         derivative=lambda yhat, y: sp.sign(yhat - y), torch=lambda t, yhat, y: (y - yhat).abs(),
         note=("The absolute value is not differentiable at 0; like PyTorch we take ",
               r"\operatorname{sgn}(0) = 0", ".")),
    Loss(name="huber", formula="1/2 (yhat - y)^2 if |yhat - y| <= delta else delta (|yhat - y| - delta/2)",
         form=lambda yhat, y, delta: sp.Piecewise(
             (_half((yhat - y) ** 2), sp.LessThan(sp.Abs(yhat - y), sp.Float(delta))),
             (sp.Float(delta) * (sp.Abs(yhat - y) - sp.Float(delta) / 2), True)),
         derivative=lambda yhat, y, delta: sp.Piecewise(
             (yhat - y, sp.LessThan(sp.Abs(yhat - y), sp.Float(delta))),
             (sp.Float(delta) * sp.sign(yhat - y), True)),
         options=(Option("delta", 1.0, "a number > 0", lambda v: v > 0),),
         torch=lambda t, yhat, y, delta: t.nn.functional.huber_loss(
             yhat, y, reduction="none", delta=delta)),
))


@dataclass(frozen=True, slots=True, kw_only=True)
class Shortcut:
    """A loss + output activation pair whose δ^{(L)} simplifies (softmax + cross-entropy: ŷ − y)."""

    loss: str
    activation: str
    delta: Callable[[sp.Expr, sp.Expr], sp.Expr]
    reason: tuple[str, ...]


SHORTCUTS: dict[tuple[str, str], Shortcut] = {
    (s.loss, s.activation): s for s in (
        Shortcut(loss="cross_entropy", activation="softmax", delta=lambda a, y: a - y,
                 reason=("because the targets of each sample sum to 1",)),
        Shortcut(loss="binary_cross_entropy", activation="sigmoid", delta=lambda a, y: a - y,
                 reason=("because ", r"\sigma'(z) = \sigma(z)\left(1 - \sigma(z)\right)",
                         " cancels the denominators")),
    )
}


def _uniform(rng: random.Random, fan_in: int, fan_out: int) -> float:
    return rng.uniform(-1.0, 1.0)


def _xavier_uniform(rng: random.Random, fan_in: int, fan_out: int) -> float:
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit)


INIT_SCHEMES: Registry[InitScheme] = Registry("init scheme", (
    InitScheme(name="uniform", formula="U(-1, 1)", draw=_uniform),
    InitScheme(name="xavier_uniform", formula="U(-r, r), r = sqrt(6 / (fan_in + fan_out))",
               draw=_xavier_uniform),
))
