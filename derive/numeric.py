"""Numbers from SymPy expressions: a small mpmath evaluator and the forward pass.

``evaluate`` walks an expression and dispatches on its class (like a printer),
so custom functions (σ, ReLU′) use their own ``numeric`` and nothing is
lambdified or ``subs``-looped. Precision is fixed (``DIGITS``) for determinism.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import mpmath
import sympy as sp

from .expressions import as_expr
from .network import Network

__all__ = ["DIGITS", "evaluate", "Forward", "forward", "sample_env", "parameter_env", "decimal"]

DIGITS = 50
mpmath.mp.dps = DIGITS

Env = Mapping[sp.Symbol, mpmath.mpf]


def _pow(base: mpmath.mpf, exponent: mpmath.mpf) -> mpmath.mpf:
    return base ** exponent


def _piecewise(expr: sp.Piecewise, env: Env) -> mpmath.mpf:
    for value, condition in expr.args:
        if condition is sp.true or _condition(condition, env):
            return evaluate(value, env)
    raise ValueError(f"no branch of {expr} holds")


def _condition(condition: sp.Basic, env: Env) -> bool:
    tests: dict[type, Callable[[mpmath.mpf, mpmath.mpf], bool]] = {
        sp.StrictGreaterThan: lambda a, b: a > b, sp.GreaterThan: lambda a, b: a >= b,
        sp.StrictLessThan: lambda a, b: a < b, sp.LessThan: lambda a, b: a <= b,
    }
    return tests[type(condition)](evaluate(condition.args[0], env),
                                  evaluate(condition.args[1], env))


def _sign(x: mpmath.mpf) -> mpmath.mpf:
    return mpmath.mpf(0) if x == 0 else mpmath.sign(x)


_FUNCTIONS: dict[type, Callable[..., mpmath.mpf]] = {
    sp.exp: mpmath.exp, sp.log: mpmath.log, sp.tanh: mpmath.tanh, sp.Abs: abs,
    sp.sign: _sign, sp.sqrt: mpmath.sqrt,
}


def evaluate(expr: object, env: Env) -> mpmath.mpf:
    """The value of ``expr`` with its symbols taken from ``env`` (mpmath, DIGITS digits)."""
    e = as_expr(expr)
    if isinstance(e, sp.Symbol):
        return env[e]
    if isinstance(e, sp.Number):
        return mpmath.mpf(e.p) / e.q if isinstance(e, sp.Rational) else mpmath.mpf(str(e))
    if isinstance(e, sp.Add):
        return mpmath.fsum(evaluate(arg, env) for arg in e.args)
    if isinstance(e, sp.Mul):
        out = mpmath.mpf(1)
        for arg in e.args:
            out *= evaluate(arg, env)
        return out
    if isinstance(e, sp.Pow):
        return _pow(evaluate(e.base, env), evaluate(e.exp, env))
    if isinstance(e, sp.Piecewise):
        return _piecewise(e, env)
    numeric = getattr(type(e), "numeric", None)
    func = numeric or _FUNCTIONS.get(type(e))
    if func is None:
        raise TypeError(f"cannot evaluate {type(e).__name__}")
    return func(*(evaluate(arg, env) for arg in e.args))


def decimal(value: float) -> mpmath.mpf:
    """The decimal the user wrote (0.1, not the binary float nearest to it)."""
    return mpmath.mpf(repr(float(value)))


def parameter_env(network: Network, values: tuple[mpmath.mpf, ...]) -> dict[sp.Symbol, mpmath.mpf]:
    return dict(zip(network.parameters, values))


def sample_env(network: Network, x: tuple[float, ...], y: tuple[float, ...]) -> dict:
    env = {s: decimal(v) for s, v in zip(network.x, x)}
    env.update({s: decimal(v) for s, v in zip(network.y, y)})
    return env


@dataclass(frozen=True, slots=True)
class Forward:
    """One sample's forward pass: every z and a (as one env) and its loss."""

    env: dict
    loss: mpmath.mpf


def forward(network: Network, params: dict, x: tuple[float, ...], y: tuple[float, ...]) -> Forward:
    """z^{(l)} = W a^{(l-1)} + b, a^{(l)} = g(z^{(l)}), then the per-sample loss."""
    env = sample_env(network, x, y)
    env.update(params)
    for layer in network.layers:
        for j in range(layer.units):
            env[layer.z[j]] = evaluate(layer.z_expr[j], env)
        for j in range(layer.units):
            env[layer.a[j]] = evaluate(layer.a_expr[j], env)
    return Forward(env, evaluate(network.loss_expr, env))
