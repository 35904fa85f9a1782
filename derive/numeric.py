"""Numbers from SymPy expressions: a small mpmath evaluator and the forward pass.

``evaluate`` walks an expression and dispatches on its class (like a printer),
so custom functions (σ, ReLU′) use their own ``numeric`` and nothing is
lambdified or ``subs``-looped. Precision is fixed (``DIGITS``) for determinism.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import functools
import math

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
    return compile_expr(as_expr(expr))(env)


def _number(e: sp.Number) -> mpmath.mpf:
    return mpmath.mpf(e.p) / e.q if isinstance(e, sp.Rational) else mpmath.mpf(str(e))


def _product(factors: list) -> Callable[[Env], mpmath.mpf]:
    def product(env: Env) -> mpmath.mpf:
        out = mpmath.mpf(1)
        for f in factors:
            out *= f(env)
        return out
    return product


def _float_sign(x: float) -> float:
    return 0.0 if x == 0 else math.copysign(1.0, x)


_FLOAT_FUNCTIONS: dict[type, Callable[..., float]] = {
    sp.exp: math.exp, sp.log: math.log, sp.tanh: math.tanh, sp.Abs: abs, sp.sign: _float_sign,
    sp.sqrt: math.sqrt,
}


@functools.lru_cache(maxsize=200_000)
def compile_float(e: sp.Basic) -> Callable[[dict], float]:
    """Like ``compile_expr`` in plain float64: the fast engine for large networks."""
    if isinstance(e, sp.Symbol):
        return lambda env: env[e]
    if isinstance(e, sp.Number):
        value = float(e)
        return lambda env: value
    if isinstance(e, sp.Piecewise):
        branches = [(compile_float(v), compile_float(c) if c is not sp.true else None)
                    for v, c in e.args]
        return lambda env: next(v(env) for v, c in branches if c is None or c(env))
    args = [compile_float(a) for a in e.args]
    if isinstance(e, sp.Add):
        return lambda env: math.fsum(f(env) for f in args)
    if isinstance(e, sp.Mul):
        return lambda env: math.prod(f(env) for f in args)
    if isinstance(e, sp.Pow):
        base, exponent = args
        return lambda env: base(env) ** exponent(env)
    if isinstance(e, sp.Rel):
        test = _RELATIONS[type(e)]
        return lambda env: test(args[0](env), args[1](env))
    func = getattr(type(e), "float_value", None) or _FLOAT_FUNCTIONS.get(type(e))
    if func is None:
        raise TypeError(f"cannot evaluate {type(e).__name__} in floats")
    return lambda env: func(*(f(env) for f in args))


_RELATIONS: dict[type, Callable[[float, float], bool]] = {
    sp.StrictGreaterThan: lambda a, b: a > b, sp.GreaterThan: lambda a, b: a >= b,
    sp.StrictLessThan: lambda a, b: a < b, sp.LessThan: lambda a, b: a <= b,
}


@functools.lru_cache(maxsize=200_000)
def compile_expr(e: sp.Basic) -> Callable[[Env], mpmath.mpf]:
    """Turn an expression into nested closures once; evaluating them skips all dispatch."""
    if isinstance(e, sp.Symbol):
        return lambda env: env[e]
    if isinstance(e, sp.Number):
        value = _number(e)
        return lambda env: value
    args = [compile_expr(a) for a in e.args]
    if isinstance(e, sp.Add):
        return lambda env: mpmath.fsum(f(env) for f in args)
    if isinstance(e, sp.Mul):
        return _product(args)
    if isinstance(e, sp.Pow):
        base, exponent = args
        return lambda env: _pow(base(env), exponent(env))
    if isinstance(e, sp.Piecewise):
        return lambda env: _piecewise(e, env)
    func = getattr(type(e), "numeric", None) or _FUNCTIONS.get(type(e))
    if func is None:
        raise TypeError(f"cannot evaluate {type(e).__name__}")
    return lambda env: func(*(f(env) for f in args))


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
