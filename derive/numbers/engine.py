"""SymPy expressions (and our chain products and sums) -> numbers, in one ``Precision``.

``Engine`` compiles an expression once into nested closures ``f(env, memo)`` that
dispatch on its class (like a printer), so custom functions (σ, ReLU′) use their own
numeric form and nothing is lambdified or ``subs``-looped. The compiled closures live on
the engine, made per run and passed along: gradients share most factors, compiled once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

import sympy as sp

from ..calculus import ChainProduct, ChainSum, as_expr
from .precision import FLOAT64, MPMATH, Precision, precise

__all__ = ["Compiled", "Engine", "Engines", "compile_float", "evaluate"]

Env = Mapping[sp.Symbol, object]
Compiled = Callable[[Env, dict], object]

_RELATIONS: Mapping[type, Callable[[object, object], bool]] = MappingProxyType({
    sp.StrictGreaterThan: lambda a, b: a > b, sp.GreaterThan: lambda a, b: a >= b,
    sp.StrictLessThan: lambda a, b: a < b, sp.LessThan: lambda a, b: a <= b,
})


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


class Engine:
    """One run's evaluator in one precision (50-digit mpmath unless told otherwise).

    Pass one ``memo`` dict to several evaluations on the same ``env`` (values only added,
    never changed) and a subexpression they share is computed once: in mpmath every
    compound subexpression, in float64 (where looking a value up costs as much as computing
    it) the factors and terms of our chains.
    """

    def __init__(self, precision: Precision = MPMATH) -> None:
        self.precision = precision
        self._compiled: dict[object, Compiled] = {}
        self._parts: dict[object, Compiled] = {}

    @precise
    def evaluate(self, obj: object, env: Env, memo: dict | None = None) -> object:
        """The value of ``obj`` with its symbols taken from ``env``."""
        return self.compile(obj)(env, {} if memo is None else memo)

    def compile(self, obj: object) -> Compiled:
        """``obj`` as closures ``f(env, memo)``, made once per engine."""
        compiled = self._compiled.get(obj)
        if compiled is None:
            compiled = self._compiled[obj] = self._compile(obj)
        return compiled

    def _compile(self, obj: object) -> Compiled:
        # our chain products and sums directly (building SymPy's Mul would sort them)
        if isinstance(obj, ChainProduct):
            factors, product = [self._part(f) for f in obj.factors], self.precision.product
            return _memoized(lambda env, memo: product([f(env, memo) for f in factors]))
        if isinstance(obj, ChainSum):
            terms, total = [self._part(t) for t in obj.terms], self.precision.total
            return _memoized(lambda env, memo: total([t(env, memo) for t in terms]))
        e = as_expr(obj)
        if e is not obj:
            return self.compile(e)
        if isinstance(e, sp.Symbol):
            return lambda env, memo: env[e]
        if isinstance(e, sp.Number):
            value = self.precision.number(e)
            return lambda env, memo: value
        compound = self._compound(e)
        return _memoized(compound) if self.precision.remembers else compound

    def _part(self, obj: object) -> Compiled:
        """A factor or term of a chain, remembered in the memo in either precision: the
        gradients share them (σ′(z), −y/a)."""
        if self.precision.remembers or isinstance(
                obj, (ChainProduct, ChainSum, sp.Symbol, sp.Number)):
            return self.compile(obj)
        part = self._parts.get(obj)
        if part is None:
            part = self._parts[obj] = _memoized(self.compile(obj))
        return part

    def _compound(self, e: sp.Basic) -> Compiled:
        p = self.precision
        if isinstance(e, sp.Piecewise):     # before its args: conditions are not numbers
            return self._piecewise(e)
        args = [self.compile(a) for a in e.args]
        if isinstance(e, sp.Add):
            add = p.add
            return lambda env, memo: add([f(env, memo) for f in args])
        if isinstance(e, sp.Mul):
            product = p.product
            return lambda env, memo: product([f(env, memo) for f in args])
        if isinstance(e, sp.Pow):
            (base, exponent), power = args, p.pow
            return lambda env, memo: power(base(env, memo), exponent(env, memo))
        if isinstance(e, sp.Rel):
            (left, right), test = args, _RELATIONS[type(e)]
            return lambda env, memo: test(left(env, memo), right(env, memo))
        func = p.function(type(e))
        if func is None:
            raise TypeError(f"cannot evaluate {type(e).__name__}")
        name, call = type(e).__name__, p.call
        if len(args) == 1:      # σ(z), tanh(z): the finite differences' inner loop
            (arg,) = args
            return lambda env, memo: call(name, func, [arg(env, memo)])
        return lambda env, memo: call(name, func, [f(env, memo) for f in args])

    def _piecewise(self, e: sp.Piecewise) -> Compiled:
        """The first branch whose condition holds (conditions evaluated in order, lazily)."""
        branches = [(self.compile(value), None if condition is sp.true else self.compile(condition))
                    for value, condition in e.args]

        def piecewise(env: Env, memo: dict) -> object:
            for value, condition in branches:
                if condition is None or condition(env, memo):
                    return value(env, memo)
            raise ValueError(f"no branch of {e} holds")
        return piecewise


class Engines:
    """One run's engines, one per precision, each made when first asked for.

    The stages of one run (worked example, check, claims) take the same ``Engines``, so an
    expression they all evaluate in one precision is compiled once.
    """

    def __init__(self) -> None:
        self._engines: dict[Precision, Engine] = {}

    def __getitem__(self, precision: Precision) -> Engine:
        engine = self._engines.get(precision)
        if engine is None:
            engine = self._engines[precision] = Engine(precision)
        return engine


def evaluate(expr: object, env: Env, memo: dict | None = None, *,
             engine: Engine | None = None) -> object:
    """The value of ``expr`` at ``env``: in ``engine``, or in a fresh 50-digit one."""
    return (engine or Engine()).evaluate(expr, env, memo)


def compile_float(expr: object) -> Callable[[Env], float]:
    """``expr`` as a float64 function of an env (one expression; a run uses an ``Engine``)."""
    compiled = Engine(FLOAT64).compile(expr)
    return lambda env: compiled(env, {})
