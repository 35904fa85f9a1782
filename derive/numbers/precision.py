"""How numbers are made, combined and bounded: ``MPMATH`` (50 digits) or ``FLOAT64``.

The evaluator (engine.py) and the forward pass (forward_pass.py) are written once and
take a ``Precision``: everything that differs between the two lives here, the number
constructor, the function table, sums, products, powers and the range checks. 50-digit
mpmath is the default (its own error is far below the checks' tolerance); float64 is the
engine for large networks.

mpmath computes at ``DIGITS`` digits only inside ``precise`` (``mpmath.workdps``, a local
context): importing the package changes no global.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import math
import operator
from collections.abc import Callable, Iterator, Mapping
from fractions import Fraction
from types import MappingProxyType
from typing import Any, ParamSpec, TypeVar

import mpmath
import sympy as sp
from mpmath.libmp import dps_to_prec

from ..calculus import role_of
from ..errors import NumericError
from ..numerals import show_number

__all__ = ["DIGITS", "FLOAT64", "FLOAT_MAX", "MPMATH", "SHARED_FLOAT64", "NonFinite", "Precision",
           "decimal",
           "exact_in_float_range", "exact_sum", "in_float_range", "more_digits", "precise"]

DIGITS = 50
_BITS = dps_to_prec(DIGITS)
FLOAT_MAX = mpmath.mpf(1.7976931348623157e308)     # a float: exact at any precision

_P = ParamSpec("_P")
_R = TypeVar("_R")


def precise(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """``func`` run with mpmath at DIGITS digits (and the caller's precision restored after),
    whatever precision the caller's mpmath has; inside ``more_digits``, at those.

    Every public function that computes with mpf values wears it; nested calls skip the
    context switch.
    """
    @functools.wraps(func)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        bits = _WORKING_BITS.get()
        if mpmath.mp.prec == bits:
            return func(*args, **kwargs)
        with mpmath.workprec(bits):
            return func(*args, **kwargs)
    return run


_WORKING_BITS: contextvars.ContextVar[int] = contextvars.ContextVar("working_bits", default=_BITS)


@contextlib.contextmanager
def more_digits(digits: int) -> Iterator[None]:
    """Every ``precise`` function inside computes at ``digits`` digits: the check's difference
    of a loss too large for 50 (its rounding would swamp the slope)."""
    token = _WORKING_BITS.set(dps_to_prec(digits))
    try:
        with mpmath.workdps(digits):
            yield
    finally:
        _WORKING_BITS.reset(token)


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


@precise
def decimal(value: float) -> mpmath.mpf:
    """The decimal the user wrote (0.1, not the binary float nearest to it), in DIGITS digits."""
    return mpmath.mpf(repr(float(value)))


_NOISE = mpmath.mpf(2) ** -(_BITS - 16)    # relative rounding of a 50-digit sum, generously
_EXACT_DIGITS = 45                         # a decimal the user wrote (≤ 17 digits) round-trips


def _decimal_fraction(value: mpmath.mpf) -> Fraction:
    """The shortest decimal of ``value`` at 45 digits, exactly: 0.1's 50-digit mpf is 1/10."""
    return Fraction(mpmath.nstr(value, _EXACT_DIGITS, strip_zeros=True, min_fixed=-mpmath.inf,
                                max_fixed=mpmath.inf))


@precise
def exact_sum(terms: list, row: list, inputs: list, bias: object = None) -> mpmath.mpf:
    """Σ terms (the products row·inputs, then the bias), with a sum that rounding alone
    separates from 0 decided in exact fractions of the decimals: W = 0.1, x = 3, b = −0.3
    gives z = 0 exactly (so ReLU′(z) = 0, as the page says), not 6.7e-52."""
    total = mpmath.fsum(terms)
    if total == 0 or abs(total) > _NOISE * mpmath.fsum(map(abs, terms)):
        return total
    exact = sum((_decimal_fraction(w) * _decimal_fraction(a) for w, a in zip(row, inputs)),
                _decimal_fraction(bias) if bias is not None else Fraction(0))
    return mpmath.mpf(0) if exact == 0 else total


def _name(symbol: object) -> str:
    """``z_1[0]`` from the symbol's role; anything without one (the loss) -> ``the loss``."""
    role = role_of(symbol)
    return role.label if role is not None else "the loss"


class Precision:
    """What one precision does with numbers; ``MPMATH`` and ``FLOAT64`` are the two.

    ``add`` is SymPy's Add (range-checked in float64); ``total`` a plain sum (a batch, our
    chain sums); ``dot`` a layer's z = W a + b, each sum in the order the network lists it.
    """

    name: str
    own: str                       # our functions' method for this precision (sigmoid.numeric)
    remembers: bool                # every subexpression in the memo (see engine.Engine)
    functions: Mapping[type, Callable[..., Any]]

    def function(self, cls: type) -> Callable[..., Any] | None:
        return getattr(cls, self.own, None) or self.functions.get(cls)

    @precise
    def fraction(self, value: Fraction) -> Any:
        """An exact ratio (a batch scale) as this precision's number."""
        return self.convert(value.numerator) / value.denominator


def _function_table(library: Any, sign: Callable[[Any], Any]) -> Mapping[type, Callable]:
    """SymPy's own functions in ``library`` (mpmath or math: the same names in both)."""
    return MappingProxyType({sp.exp: library.exp, sp.log: library.log, sp.tanh: library.tanh,
                             sp.Abs: abs, sp.sign: sign, sp.sqrt: library.sqrt,
                             sp.sin: library.sin, sp.cos: library.cos, sp.sinh: library.sinh,
                             sp.cosh: library.cosh})


def _mp_sign(x: mpmath.mpf) -> mpmath.mpf:
    return mpmath.mpf(0) if x == 0 else mpmath.sign(x)


def _mp_product(values: list) -> mpmath.mpf:
    """Left to right from the first factor (1 · x is x: one multiplication less)."""
    return functools.reduce(operator.mul, values)


class _Mpmath(Precision):
    """DIGITS-digit mpmath; every argument and result of a function or power is range-checked."""

    name = "50-digit mpmath"
    own = "numeric"
    remembers = True
    functions = _function_table(mpmath, _mp_sign)
    add = total = staticmethod(mpmath.fsum)
    product = staticmethod(_mp_product)

    @staticmethod
    @precise
    def number(e: sp.Number) -> mpmath.mpf:
        return mpmath.mpf(e.p) / e.q if isinstance(e, sp.Rational) else mpmath.mpf(str(e))

    decimal = staticmethod(decimal)

    @staticmethod
    def convert(value: object) -> mpmath.mpf:
        return value if type(value) is mpmath.mpf else mpmath.mpf(value)

    @staticmethod
    def dot(rows: list[list], inputs: list, biases: list) -> list:
        """Each z = Σ w a + b; one within rounding of 0 decided on the decimals (exact_sum)."""
        mul = operator.mul
        if biases:
            return [exact_sum([*map(mul, row, inputs), b], row, inputs, b)
                    for row, b in zip(rows, biases)]
        return [exact_sum(list(map(mul, row, inputs)), row, inputs) for row in rows]

    @staticmethod
    def bounded(symbol: object, value: mpmath.mpf) -> mpmath.mpf:
        if not in_float_range(value):
            raise NonFinite(f"{_name(symbol)} = {show_number(value)}")
        return value

    @staticmethod
    def pow(base: mpmath.mpf, exponent: mpmath.mpf) -> mpmath.mpf:
        if base == 0 and exponent < 0:
            raise NonFinite(f"division by 0 in 0^({show_number(exponent)})")
        if not (in_float_range(base) and in_float_range(exponent)):
            raise NonFinite(f"{show_number(base)}^({show_number(exponent)})")
        value = base ** exponent
        if not isinstance(value, (mpmath.mpf, float, int)) or not mpmath.isfinite(value):
            raise NonFinite(f"{show_number(base)}^({show_number(exponent)}) = "
                            f"{show_number(value)}")
        return value

    @staticmethod
    def call(name: str, func: Callable[..., mpmath.mpf], values: list) -> mpmath.mpf:
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


def _float_sign(x: float) -> float:
    return 0.0 if x == 0 else math.copysign(1.0, x)


def _float_call(name: str, func: Callable[..., float], values: list) -> float:
    """``func(*values)`` in floats, refusing an exception or a non-finite result."""
    try:
        value = func(*values)
    except (ZeroDivisionError, OverflowError, ValueError) as exc:
        shown = ", ".join(repr(v) for v in values)
        raise NonFinite(f"{name}({shown}) in float64: {exc}") from None
    if not isinstance(value, (float, int)) or not math.isfinite(value):
        shown = ", ".join(repr(v) for v in values)
        raise NonFinite(f"{name}({shown}) = {value!r} in float64")
    return value


def _fsum(*terms: float) -> float:
    return math.fsum(terms)


def _float_add(values: list[float]) -> float:
    return _float_call("sum", _fsum, values)


def _float_pow(base: float, exponent: float) -> float:
    return _float_call("pow", operator.pow, [base, exponent])


class _Float64(Precision):
    """Plain floats, as fast as Python goes: only function results are checked (finite)."""

    name = "float64"
    own = "float_value"
    remembers = False
    functions = _function_table(math, _float_sign)
    total = staticmethod(sum)
    product = staticmethod(math.prod)
    convert = decimal = staticmethod(float)
    call = staticmethod(_float_call)
    add = staticmethod(_float_add)
    pow = staticmethod(_float_pow)

    @staticmethod
    def number(e: sp.Number) -> float:
        return float(e)

    @staticmethod
    def dot(rows: list[list], inputs: list, biases: list) -> list:
        mul = operator.mul
        if biases:
            return [sum(map(mul, row, inputs)) + b for row, b in zip(rows, biases)]
        return [sum(map(mul, row, inputs)) for row in rows]

    @staticmethod
    def bounded(symbol: object, value: float) -> float:
        return value


class _SharedFloat64(_Float64):
    """float64 with every compound subexpression kept in a pass's memo: a softmax's
    Σ exp(z_k) is computed once per pass, not once per unit (O(n) per pass, not O(n²));
    the finite differences rerun softmax layers in it."""

    remembers = True


MPMATH: Precision = _Mpmath()
FLOAT64: Precision = _Float64()
SHARED_FLOAT64: Precision = _SharedFloat64()
