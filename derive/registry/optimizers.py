"""The optimizers a worked example may train with: one entry each, torch.optim's semantics.

Each entry updates one scalar parameter from its gradient and its own state (the names in
``state``: momentum's velocity, Adam's m and v), so frozen parameters simply have none.
``update(θ, g, state, t, rate, **options) -> (θ⁺, state⁺)``; ``state`` is None before the
first step, ``t`` the 1-based step. The numbers are whatever the caller computes in
(50-digit mpmath in the worked example); ``sqrt`` is mpmath's, which takes floats too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import mpmath

from .table import Option, Registry

__all__ = ["OPTIMIZERS", "Optimizer"]

State = tuple[Any, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Optimizer:
    """One update rule; ``formula`` is what ``list`` and a page may print of it."""

    name: str
    formula: str
    update: Callable[..., tuple[Any, State]]
    state: tuple[str, ...] = ()
    options: tuple[Option, ...] = ()
    torch: Callable[..., Any] | None = None     # (torch, parameters, lr, **options) -> optimizer
    latex: str = ""                             # the rule as a page prints it
    title: str = ""                             # the method in words, as prose names it
    symbols: tuple[str, ...] = ()               # each option's letter in ``latex``

    def described(self, values: tuple[tuple[str, float], ...]) -> str:
        """The options as the rule's letters: ``\\mu = 0.9``, LaTeX."""
        letters = dict(zip((o.name for o in self.options), self.symbols))
        return ", ".join(f"{letters[name]} = {value:g}" for name, value in values)


def _sgd(theta: Any, g: Any, state: State | None, t: int, rate: Any) -> tuple[Any, State]:
    return theta - rate * g, ()


def _momentum(theta: Any, g: Any, state: State | None, t: int, rate: Any, *,
              momentum: Any) -> tuple[Any, State]:
    """torch.optim.SGD(momentum=μ), dampening 0, not Nesterov: the first velocity is g."""
    velocity = g if state is None else momentum * state[0] + g
    return theta - rate * velocity, (velocity,)


def _adam(theta: Any, g: Any, state: State | None, t: int, rate: Any, *, beta1: Any,
          beta2: Any, eps: Any) -> tuple[Any, State]:
    """torch.optim.Adam: m and v start at 0; both bias-corrected; eps added to √v̂."""
    m, v = state if state is not None else (0, 0)
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return theta - rate * m_hat / (mpmath.sqrt(v_hat) + eps), (m, v)


def _unit(v: float) -> bool:
    return 0 <= v < 1


OPTIMIZERS: Registry[Optimizer] = Registry("optimizer", (
    Optimizer(name="sgd", formula="theta <- theta - lr * g", update=_sgd,
              torch=lambda t, params, lr: t.optim.SGD(params, lr=lr),
              latex=r"\theta \leftarrow \theta - \eta g", title="plain gradient descent"),
    Optimizer(name="momentum", formula="v <- momentum * v + g (v = g at step 1); "
                                       "theta <- theta - lr * v   (torch.optim.SGD)",
              update=_momentum, state=("velocity",),
              options=(Option("momentum", 0.9, "a number >= 0", lambda v: v >= 0),),
              torch=lambda t, params, lr, momentum: t.optim.SGD(params, lr=lr,
                                                                momentum=momentum),
              latex=r"v \leftarrow \mu v + g \; (v = g \text{ at step 1}), \quad "
                    r"\theta \leftarrow \theta - \eta v",
              title="gradient descent with momentum", symbols=(r"\mu",)),
    Optimizer(name="adam", formula="m <- b1 m + (1 - b1) g; v <- b2 v + (1 - b2) g^2; "
                                   "theta <- theta - lr * (m / (1 - b1^t)) / "
                                   "(sqrt(v / (1 - b2^t)) + eps)   (torch.optim.Adam)",
              update=_adam, state=("m", "v"),
              options=(Option("beta1", 0.9, "a number in [0, 1)", _unit),
                       Option("beta2", 0.999, "a number in [0, 1)", _unit),
                       Option("eps", 1e-8, "a number >= 0", lambda v: v >= 0)),
              torch=lambda t, params, lr, beta1, beta2, eps: t.optim.Adam(
                  params, lr=lr, betas=(beta1, beta2), eps=eps),
              latex=r"m \leftarrow \beta_1 m + (1 - \beta_1) g, \quad v \leftarrow \beta_2 v"
                    r" + (1 - \beta_2) g^2, \quad \theta \leftarrow \theta - \eta \, "
                    r"\frac{m / (1 - \beta_1^t)}{\sqrt{v / (1 - \beta_2^t)} + \epsilon}",
              title="Adam", symbols=(r"\beta_1", r"\beta_2", r"\epsilon")),
))
