"""Activations and losses a spec gives by formula: one registry entry each, made at load time.

``{name: swish, formula: "z*sigmoid(z)"}`` becomes an ``Activation`` built like the
built-in ones (``Activation.of`` a SymPy function class, here made from the formula): pages
print ``swish(z)``, its derivative is SymPy's, and the numbers and the PyTorch oracle
evaluate the formula's own tree (``evaluate``), never text. A loss formula in ``yhat`` and
``y`` becomes a ``Loss`` whose terms are the formula itself. Declared parameters
(``alpha: 0.5``) are the entry's options, passed as extra arguments like ELU's α.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import mpmath
import sympy as sp

from .activations import ACTIVATIONS, Activation
from .functions import ActivationFunction, sigmoid, softplus
from .grammar import FORMULA_FUNCTIONS, Formula
from .losses import LOSSES, Loss
from .table import Option

__all__ = ["VARIABLES", "Custom", "evaluate", "formula_activation", "formula_loss",
           "reserved_names"]

# The variables each kind of formula is written in.
VARIABLES: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "activation": ("z",), "loss": ("yhat", "y")})


@dataclass(frozen=True, slots=True)
class Custom:
    """What a page prints of a custom function: the formula and its derivative, derived here.

    ``expr`` and ``derivative`` (g'(z), or ∂ℓ/∂ŷ) are in the formula's own real symbols
    (``variables`` then ``parameters``, in that order).
    """

    text: str
    expr: sp.Expr
    derivative: sp.Expr
    variables: tuple[sp.Symbol, ...]
    parameters: tuple[sp.Symbol, ...]


def reserved_names(kind: str) -> tuple[str, ...]:
    """Names a custom entry may not take: the built-ins of its kind and the grammar's functions."""
    builtins = ACTIVATIONS if kind == "activation" else LOSSES
    return (*builtins.names(), *FORMULA_FUNCTIONS)


# --------------------------------------------------------------------------- evaluation


@dataclass(frozen=True, slots=True)
class _Table:
    """One number library: how a SymPy number and each function become its values."""

    number: Callable[[sp.Number], Any]
    functions: Mapping[type, Callable[..., Any]]
    power: Callable[[Any, Any], Any] = operator.pow


def _power(base: Any, exponent: Any) -> Any:
    """base ** exponent, naming a division by 0 (mpmath's and Python's messages are empty)."""
    if base == 0 and exponent < 0:
        raise ZeroDivisionError(f"division by 0 in 0^({exponent})")
    return base ** exponent


def _mp_number(e: sp.Number) -> mpmath.mpf:
    return mpmath.mpf(e.p) / e.q if isinstance(e, sp.Rational) else mpmath.mpf(str(e))


def _library(lib: Any, sign: Callable, sig: Callable, soft: Callable) -> Mapping[type, Callable]:
    return MappingProxyType({
        sp.exp: lib.exp, sp.log: lib.log, sp.tanh: lib.tanh, sp.sin: lib.sin, sp.cos: lib.cos,
        sp.sinh: lib.sinh, sp.cosh: lib.cosh, sp.Abs: abs, sp.sign: sign, sigmoid: sig,
        softplus: soft})


_MPMATH = _Table(_mp_number, _library(
    mpmath, lambda v: mpmath.mpf(0) if v == 0 else mpmath.sign(v), sigmoid.numeric,
    softplus.numeric), _power)
_FLOAT = _Table(float, _library(
    math, lambda v: 0.0 if v == 0 else math.copysign(1.0, v), sigmoid.float_value,
    softplus.float_value), _power)


def _torch_table(t: Any) -> _Table:
    """torch's own functions (softplus as torch.nn.functional's, as the built-in entry's)."""
    functions = {sp.exp: t.exp, sp.log: t.log, sp.tanh: t.tanh, sp.sin: t.sin, sp.cos: t.cos,
                 sp.sinh: t.sinh, sp.cosh: t.cosh, sp.Abs: t.abs, sp.sign: t.sign,
                 sigmoid: t.sigmoid, softplus: t.nn.functional.softplus}
    return _Table(float, functions)


def evaluate(expr: sp.Basic, values: Mapping[sp.Symbol, Any], table: _Table) -> Any:
    """The value of a formula's tree (sums, products, powers, the grammar's functions)."""
    if isinstance(expr, sp.Symbol):
        return values[expr]
    if isinstance(expr, sp.Number):
        return table.number(expr)
    args = [evaluate(a, values, table) for a in expr.args]
    if isinstance(expr, sp.Add):
        total = args[0]
        for a in args[1:]:
            total = total + a
        return total
    if isinstance(expr, sp.Mul):
        product = args[0]
        for a in args[1:]:
            product = product * a
        return product
    if isinstance(expr, sp.Pow):
        return table.power(args[0], args[1])
    return table.functions[type(expr)](*args)


# --------------------------------------------------------------------------- entries


def _symbols(kind: str, parameters: tuple[tuple[str, float], ...]) -> tuple[tuple, tuple]:
    return (tuple(sp.Symbol(v, real=True) for v in VARIABLES[kind]),
            tuple(sp.Symbol(name, real=True) for name, _ in parameters))


def _options(parameters: tuple[tuple[str, float], ...]) -> tuple[Option, ...]:
    return tuple(Option(name, value) for name, value in parameters)


def _latex_name(name: str) -> str:
    return r"\operatorname{" + name.replace("_", r"\_") + "}"


def _function_class(name: str, custom: Custom) -> type[ActivationFunction]:
    """``name(z, *parameters)``: a SymPy function kept by name whose derivative is SymPy's."""
    symbols = (*custom.variables, *custom.parameters)

    def fdiff(self: sp.Function, argindex: int = 1) -> sp.Expr:
        if argindex != 1:
            raise sp.ArgumentIndexError(self, argindex)
        return custom.derivative.xreplace(dict(zip(symbols, self.args)))

    def at(table: _Table) -> Callable[..., Any]:
        return lambda *args: evaluate(custom.expr, dict(zip(symbols, args)), table)

    return type(name, (ActivationFunction,), {
        "nargs": len(symbols), "latex_name": _latex_name(name), "fdiff": fdiff,
        "numeric": staticmethod(at(_MPMATH)), "float_value": staticmethod(at(_FLOAT)),
        "custom": custom, "__module__": __name__,
        "elementary": lambda self: custom.expr.xreplace(dict(zip(symbols, self.args))),
        "__doc__": f"{name}(z) = {custom.text}, a spec's own activation."})


def _custom(kind: str, formula: Formula, parameters: tuple[tuple[str, float], ...]) -> Custom:
    variables, params = _symbols(kind, parameters)
    return Custom(formula.text, formula.expr, sp.diff(formula.expr, variables[0]), variables,
                  params)


def formula_activation(name: str, formula: Formula,
                       parameters: tuple[tuple[str, float], ...] = ()) -> Activation:
    """The activation entry of ``g(z) = formula`` (a parsed ``Formula`` in z and parameters)."""
    custom = _custom("activation", formula, parameters)
    function = _function_class(name, custom)
    symbols = (*custom.variables, *custom.parameters)

    def torch(t: Any, z: Any, **values: float) -> Any:
        given = dict(zip(symbols, (z, *(values[p.name] for p in custom.parameters))))
        return t.zeros_like(z) + evaluate(custom.expr, given, _torch_table(t))

    return Activation.of(function, formula=f"g(z) = {custom.text}", torch=torch,
                         options=_options(parameters))


def formula_loss(name: str, formula: Formula,
                 parameters: tuple[tuple[str, float], ...] = ()) -> Loss:
    """The loss entry of ``ℓ(yhat, y) = formula``, summed over the output units."""
    custom = _custom("loss", formula, parameters)
    yhat, y = custom.variables

    def given(a: Any, t: Any, values: Mapping[str, Any]) -> dict:
        return {yhat: a, y: t, **{p: values[p.name] for p in custom.parameters}}

    def floats(values: Mapping[str, float]) -> dict[str, sp.Float]:
        return {k: sp.Float(v) for k, v in values.items()}

    return Loss(name=name, formula=f"l(yhat, y) = {custom.text}",
                form=lambda a, t, **v: custom.expr.xreplace(given(a, t, floats(v))),
                derivative=lambda a, t, **v: custom.derivative.xreplace(given(a, t, floats(v))),
                options=_options(parameters), custom=custom,
                torch=lambda tm, a, t, **v: tm.zeros_like(a) + evaluate(
                    custom.expr, given(a, t, v), _torch_table(tm)))
