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
from typing import Generic, TypeVar

import sympy as sp

from .functions import relu, relu_prime, sigmoid

__all__ = ["Option", "Activation", "Loss", "InitScheme", "Registry", "ACTIVATIONS", "LOSSES",
           "INIT_SCHEMES"]


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
               form=lambda z: z, derivative=lambda z: sp.S.One),
    Activation(name="sigmoid", latex=r"\sigma", formula="g(z) = 1 / (1 + exp(-z))",
               form=sigmoid, derivative=lambda z: sigmoid(z) * (1 - sigmoid(z))),
    Activation(name="tanh", latex=r"\tanh", formula="g(z) = tanh(z)",
               form=sp.tanh, derivative=lambda z: 1 - sp.tanh(z) ** 2),
    Activation(name="relu", latex=r"\operatorname{ReLU}", formula="g(z) = max(0, z)",
               form=relu, derivative=relu_prime,
               note=("ReLU is not differentiable at 0; like PyTorch we take ",
                     r"\operatorname{ReLU}'(0) = 0", " (SymPy's Heaviside(0) would be 1/2).")),
))


LOSSES: Registry[Loss] = Registry("loss", (
    Loss(name="squared_error", formula="sum_j (y_j - yhat_j)^2",
         form=lambda yhat, y: (y - yhat) ** 2,
         derivative=lambda yhat, y: sp.Mul(-2, y - yhat, evaluate=False)),
    Loss(name="half_squared_error", formula="1/2 sum_j (yhat_j - y_j)^2",
         form=lambda yhat, y: _half((yhat - y) ** 2),
         derivative=lambda yhat, y: yhat - y),
))


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
