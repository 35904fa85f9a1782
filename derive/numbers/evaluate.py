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
import operator

import mpmath
import sympy as sp

from ..errors import NumericError
from ..numerals import show_number
from ..calculus import ChainProduct, ChainSum, as_expr
from ..calculus import Network

__all__ = ["DIGITS", "evaluate", "Forward", "forward", "sample_env", "parameter_env", "decimal",
           "NonFinite", "FLOAT_MAX", "in_float_range", "show_number"]

DIGITS = 50
mpmath.mp.dps = DIGITS

Env = Mapping[sp.Symbol, mpmath.mpf]
FLOAT_MAX = mpmath.mpf(1.7976931348623157e308)


class NonFinite(NumericError):
    """A value a float cannot hold: overflow, log of 0, division by 0 (names the operation).

    Raised inside the evaluator, so that exp of an astronomically large number is refused
    at once instead of running for hours; ``worked`` re-raises it with the spec's line.
    """

    def __init__(self, what: str) -> None:
        super().__init__("example", "numbers a float can hold", got_text=what, stage="numeric",
                         hint="use smaller inputs, weights or learning rate")


def in_float_range(value: object) -> bool:
    """A real mpf (or float) that converts to a finite float.

    Called on every number made, so the common cases skip mpmath's comparisons: an mpf is
    (-1)^sign · man · 2^exp with man < 2^bc, so exp + bc <= 1023 means |value| < 2^1023,
    below FLOAT_MAX; zero is the only special with man = exp = 0. Others take the exact test.
    """
    if type(value) is mpmath.mpf:
        _, man, exp, bc = value._mpf_
        if (man and exp + bc <= 1023) or not (man or exp):
            return True
    elif type(value) is float:
        return math.isfinite(value)
    return exact_in_float_range(value)


def exact_in_float_range(value: object) -> bool:
    """``in_float_range`` by definition (its fast paths are tested against this)."""
    return isinstance(value, (mpmath.mpf, float, int)) and mpmath.isfinite(value) \
        and abs(value) <= FLOAT_MAX


def _pow(base: mpmath.mpf, exponent: mpmath.mpf) -> mpmath.mpf:
    if base == 0 and exponent < 0:
        raise NonFinite(f"division by 0 in 0^({show_number(exponent)})")
    if not (in_float_range(base) and in_float_range(exponent)):
        raise NonFinite(f"{show_number(base)}^({show_number(exponent)})")
    value = base ** exponent
    if not isinstance(value, (mpmath.mpf, float, int)) or not mpmath.isfinite(value):
        raise NonFinite(f"{show_number(base)}^({show_number(exponent)}) = {show_number(value)}")
    return value


def _call(name: str, func: Callable[..., mpmath.mpf], values: list) -> mpmath.mpf:
    """``func(*values)``, refusing arguments outside float range and non-real results."""
    def shown() -> str:
        return f"{name}({', '.join(show_number(v) for v in values)})"
    if not all(in_float_range(v) for v in values):
        raise NonFinite(shown())
    try:
        value = func(*values)
    except (ZeroDivisionError, OverflowError, ValueError) as exc:
        raise NonFinite(f"{shown()}: {exc or type(exc).__name__}") from None
    if not in_float_range(value):
        raise NonFinite(f"{shown()} = {show_number(value)}")
    return value


def _float_call(name: str, func: Callable[..., float], values: list) -> float:
    try:
        value = func(*values)
    except (ZeroDivisionError, OverflowError, ValueError) as exc:
        shown = ", ".join(repr(v) for v in values)
        raise NonFinite(f"{name}({shown}) in float64: {exc}") from None
    if not isinstance(value, (float, int)) or not math.isfinite(value):
        shown = ", ".join(repr(v) for v in values)
        raise NonFinite(f"{name}({shown}) = {value!r} in float64")
    return value


def _fsum(*values: float) -> float:
    return math.fsum(values)


def _float_pow(base: float, exponent: float) -> float:
    return _float_call("pow", operator.pow, [base, exponent])


def _piecewise(expr: sp.Piecewise, env: Env, memo: dict) -> mpmath.mpf:
    for value, condition in expr.args:
        if condition is sp.true or _condition(condition, env, memo):
            return evaluate(value, env, memo)
    raise ValueError(f"no branch of {expr} holds")


def _condition(condition: sp.Basic, env: Env, memo: dict) -> bool:
    return _RELATIONS[type(condition)](evaluate(condition.args[0], env, memo),
                                       evaluate(condition.args[1], env, memo))


def _sign(x: mpmath.mpf) -> mpmath.mpf:
    return mpmath.mpf(0) if x == 0 else mpmath.sign(x)


_FUNCTIONS: dict[type, Callable[..., mpmath.mpf]] = {
    sp.exp: mpmath.exp, sp.log: mpmath.log, sp.tanh: mpmath.tanh, sp.Abs: abs,
    sp.sign: _sign, sp.sqrt: mpmath.sqrt,
}


def evaluate(expr: object, env: Env, memo: dict | None = None) -> mpmath.mpf:
    """The value of ``expr`` with its symbols taken from ``env`` (mpmath, DIGITS digits).

    Pass one ``memo`` dict to several calls on the same ``env`` (values only added, never
    changed) and a subexpression they share is computed once.
    """
    return compile_structure(expr)(env, {} if memo is None else memo)


Compiled = Callable[[Env, dict], object]


def _memoized(compute: Compiled) -> Compiled:
    """``compute`` remembered in the caller's memo: gradients share many factors (σ′(z), −y/a).

    A value is stored only once computed, so an error is raised where it was before.
    """
    def node(env: Env, memo: dict) -> object:
        value = memo.get(node)
        if value is None:
            value = memo[node] = compute(env, memo)
        return value
    return node


@functools.lru_cache(maxsize=200_000)
def compile_structure(obj: object, engine: str = "mpmath") -> Compiled:
    """Compile our chain products and sums directly (building SymPy's Mul would sort them)."""
    if isinstance(obj, ChainProduct):
        factors = [compile_structure(f, engine) for f in obj.factors]
        return _memoized(_product(factors) if engine == "mpmath" else
                         lambda env, memo: math.prod(f(env, memo) for f in factors))
    if isinstance(obj, ChainSum):
        terms = [compile_structure(t, engine) for t in obj.terms]
        total = mpmath.fsum if engine == "mpmath" else sum
        return _memoized(lambda env, memo: total(t(env, memo) for t in terms))
    expr = as_expr(obj)
    if engine == "mpmath":
        return compile_expr(expr)
    if isinstance(expr, sp.Symbol):
        return lambda env, memo: env[expr]
    compute = compile_float(expr)
    return _memoized(lambda env, memo: compute(env))


def evaluate_float(expr: object, env: Env, memo: dict | None = None) -> float:
    """``evaluate`` in float64: the engine for large networks."""
    return compile_structure(expr, "float")(env, {} if memo is None else memo)


def _number(e: sp.Number) -> mpmath.mpf:
    return mpmath.mpf(e.p) / e.q if isinstance(e, sp.Rational) else mpmath.mpf(str(e))


def _product(factors: list) -> Compiled:
    """Left to right; starting from the first factor (1 · x is x: one multiplication less)."""
    first, rest = factors[0], factors[1:]

    def product(env: Env, memo: dict) -> mpmath.mpf:
        out = first(env, memo)
        for f in rest:
            out *= f(env, memo)
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
        return lambda env: _float_call("sum", _fsum, [f(env) for f in args])
    if isinstance(e, sp.Mul):
        return lambda env: math.prod(f(env) for f in args)
    if isinstance(e, sp.Pow):
        base, exponent = args
        return lambda env: _float_pow(base(env), exponent(env))
    if isinstance(e, sp.Rel):
        test = _RELATIONS[type(e)]
        return lambda env: test(args[0](env), args[1](env))
    func = getattr(type(e), "float_value", None) or _FLOAT_FUNCTIONS.get(type(e))
    if func is None:
        raise TypeError(f"cannot evaluate {type(e).__name__} in floats")
    name = type(e).__name__
    if len(args) == 1:      # σ(z), tanh(z): the finite differences' inner loop
        (arg,) = args
        return lambda env: _float_call(name, func, [arg(env)])
    return lambda env: _float_call(name, func, [f(env) for f in args])


_RELATIONS: dict[type, Callable[[float, float], bool]] = {
    sp.StrictGreaterThan: lambda a, b: a > b, sp.GreaterThan: lambda a, b: a >= b,
    sp.StrictLessThan: lambda a, b: a < b, sp.LessThan: lambda a, b: a <= b,
}


@functools.lru_cache(maxsize=200_000)
def compile_expr(e: sp.Basic) -> Compiled:
    """Turn an expression into nested closures ``f(env, memo)`` once; evaluating them skips
    all dispatch."""
    if isinstance(e, sp.Symbol):
        return lambda env, memo: env[e]
    if isinstance(e, sp.Number):
        value = _number(e)
        return lambda env, memo: value
    return _memoized(_compile_compound(e))


def _compile_compound(e: sp.Basic) -> Compiled:
    if isinstance(e, sp.Piecewise):     # before its args: conditions are not numbers
        return lambda env, memo: _piecewise(e, env, memo)
    args = [compile_expr(a) for a in e.args]
    if isinstance(e, sp.Add):
        return lambda env, memo: mpmath.fsum(f(env, memo) for f in args)
    if isinstance(e, sp.Mul):
        return _product(args)
    if isinstance(e, sp.Pow):
        base, exponent = args
        return lambda env, memo: _pow(base(env, memo), exponent(env, memo))
    func = getattr(type(e), "numeric", None) or _FUNCTIONS.get(type(e))
    if func is None:
        raise TypeError(f"cannot evaluate {type(e).__name__}")
    name = type(e).__name__
    return lambda env, memo: _call(name, func, [f(env, memo) for f in args])


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
    memo: dict = {}       # env only grows: softmax's a_j share their exp(z_k)
    for layer in network.layers:
        for j in range(layer.units):
            env[layer.z[j]] = _in_range(layer.z[j], evaluate(layer.z_expr[j], env, memo))
        for j in range(layer.units):
            env[layer.a[j]] = _in_range(layer.a[j], evaluate(layer.a_expr[j], env, memo))
    return Forward(env, _in_range("L", evaluate(network.loss_expr, env, memo)))


def _in_range(symbol: object, value: mpmath.mpf) -> mpmath.mpf:
    if not in_float_range(value):
        kind, _, rest = str(symbol).partition(":")
        layer, _, unit = rest.partition(":")
        name = f"{kind}_{layer}[{unit}]" if rest else "the loss"
        raise NonFinite(f"{name} = {show_number(value)}")
    return value
