"""The audit's arithmetic in two precisions: float64, and mpmath where float64 cannot go.

A point whose float64 forward pass leaves the float range (logits 1 000 apart: e^1000
overflows, e^-2000 underflows to 0 and its log fails) is evaluated again with mpmath's
numbers, which carry the same 53-bit precision and an unbounded exponent. So the example of a
valid spec is audited like any other point, never refused and never clamped to a wrong value.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from types import MappingProxyType

import mpmath
import sympy as sp

__all__ = ["EXACT", "FLOAT", "real", "sum_of"]


def real(value: object) -> object:
    """A real value (a negative number to a fractional power, or the log of one, is outside
    the domain: float64 raises, mpmath returns a complex number)."""
    if isinstance(value, (complex, mpmath.mpc)):
        raise ValueError("a complex value")
    return value


def _positive(function: Callable[[object], object]) -> Callable[[object], object]:
    """mpmath's log and sqrt, with float64's domain errors (mpmath.log(0) is -inf)."""
    def at(x: object) -> object:
        if x <= 0 and (function is mpmath.log or x < 0):
            raise ValueError("math domain error")
        return function(x)
    return at


_SHARED: Mapping[type, Callable[..., object]] = MappingProxyType({
    sp.Abs: abs, sp.sign: lambda x: float((x > 0) - (x < 0)), sp.Max: max, sp.Min: min,
    sp.Heaviside: lambda x, at=0.5: 1.0 if x > 0 else (0.0 if x < 0 else at),
})
FLOAT: Mapping[type, Callable[..., object]] = MappingProxyType({
    sp.exp: math.exp, sp.log: math.log, sp.tanh: math.tanh, sp.sqrt: math.sqrt,
    sp.cosh: math.cosh, sp.sinh: math.sinh, sp.sin: math.sin, sp.cos: math.cos, **_SHARED,
})
EXACT: Mapping[type, Callable[..., object]] = MappingProxyType({
    sp.exp: mpmath.exp, sp.log: _positive(mpmath.log), sp.tanh: mpmath.tanh,
    sp.sqrt: _positive(mpmath.sqrt), sp.cosh: mpmath.cosh, sp.sinh: mpmath.sinh,
    sp.sin: mpmath.sin, sp.cos: mpmath.cos, **_SHARED,
})


def sum_of(exact: bool) -> Callable[[list], object]:
    """The correctly rounded sum of the precision (math.fsum would turn mpf into floats)."""
    return mpmath.fsum if exact else math.fsum
