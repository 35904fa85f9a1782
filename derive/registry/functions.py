"""SymPy functions that keep activations by name, so pages print σ(z), not 1/(1+e^{−z}).

Each class is the one home of an activation's mathematics: its LaTeX name
(``latex_name``, printed by ``_derive_latex``, the printmethod of
``derive.calculus.Printer``), its derivative (``fdiff``, in the textbook form the
pages print), its value in mpmath (``numeric``) and in float64 (``float_value``),
and, for the piecewise derivatives, the definition a page prints as ``cases``.
The registry's ``Activation.of`` builds an entry from a class; a new activation
is one class here and one entry in ``activations``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, ClassVar

import mpmath
import sympy as sp

__all__ = ["ActivationFunction", "sigmoid", "softplus", "relu", "relu_prime", "leaky_relu",
           "leaky_relu_prime", "elu", "elu_prime"]


class ActivationFunction(sp.Function):
    r"""An activation kept by name: ``g(z)`` or ``g(z, option)``, printed ``\name\left(z\right)``.

    Options (LeakyReLU's slope, ELU's α) are extra arguments so that the numbers
    know them, but only z is printed: the page states the option in prose.
    """

    latex_name: ClassVar[str] = ""

    def elementary(self) -> sp.Expr:
        """The function in the elementary functions a reader's ``sympy.parse_expr`` knows."""
        raise NotImplementedError(type(self).__name__)

    def _derive_latex(self, printer: Any, exp: str | None = None) -> str:
        """``\\name\\left(z\\right)``; a power goes on the name (``\\name^{2}``), as for \\sin."""
        power = f"^{{{exp}}}" if exp else ""
        return rf"{self.latex_name}{power}\left({printer._print(self.args[0])}\right)"


class sigmoid(ActivationFunction):  # noqa: N801 - SymPy function classes are lower case
    r"""σ(z) = 1 / (1 + e^{-z}); σ'(z) = σ(z)(1 − σ(z)), kept in that order."""

    nargs = 1
    latex_name = r"\sigma"
    numeric = staticmethod(lambda z: 1 / (1 + mpmath.exp(-z)))

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        z = self.args[0]
        return sp.Mul(sigmoid(z), 1 - sigmoid(z), evaluate=False)

    @staticmethod
    def float_value(z: float) -> float:
        """Never exp of a large positive number: e^z / (1 + e^z) below 0."""
        if z >= 0:
            return 1.0 / (1.0 + math.exp(-z))
        e = math.exp(z)
        return e / (1.0 + e)

    def _eval_rewrite_as_exp(self, z: sp.Expr, **kwargs: object) -> sp.Expr:
        return 1 / (1 + sp.exp(-z))

    def elementary(self) -> sp.Expr:
        return 1 / (1 + sp.exp(-self.args[0]))


class softplus(ActivationFunction):  # noqa: N801
    r"""softplus(z) = log(1 + e^z); softplus'(z) = σ(z)."""

    nargs = 1
    latex_name = r"\operatorname{softplus}"
    numeric = staticmethod(lambda z: mpmath.log1p(mpmath.exp(z)))

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sigmoid(self.args[0])

    def elementary(self) -> sp.Expr:
        return sp.log(1 + sp.exp(self.args[0]))

    @staticmethod
    def float_value(z: float) -> float:
        """log1p(e^{-z}) above 0, so that e^z never overflows."""
        return z + math.log1p(math.exp(-z)) if z > 0 else math.log1p(math.exp(z))


class _Step(ActivationFunction):
    r"""The derivative of a kinked activation: 1 for z > 0, ``below`` otherwise.

    At the kink z = 0 it takes ``below``, as PyTorch does (SymPy's Heaviside(0) would be
    1/2). ``below`` comes in three forms: SymPy (``below``, which pages print in
    ``definition`` as cases), mpmath (``below_numeric``) and float64 (``below_float``).
    """

    below: ClassVar[Callable[..., sp.Expr]]
    below_numeric: ClassVar[Callable[..., mpmath.mpf]]
    below_float: ClassVar[Callable[..., float]]

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sp.S.Zero  # almost everywhere, unless ``below`` depends on z

    @classmethod
    def definition(cls, z: sp.Expr, *options: sp.Expr) -> sp.Piecewise:
        return sp.Piecewise((1, sp.StrictGreaterThan(z, 0)), (cls.below(z, *options), True))

    def elementary(self) -> sp.Expr:
        return self.definition(*self.args)

    @classmethod
    def numeric(cls, z: mpmath.mpf, *options: mpmath.mpf) -> mpmath.mpf:
        return mpmath.mpf(1) if z > 0 else cls.below_numeric(z, *options)

    @classmethod
    def float_value(cls, z: float, *options: float) -> float:
        return 1.0 if z > 0 else cls.below_float(z, *options)


class relu_prime(_Step):  # noqa: N801
    r"""ReLU'(z) = 1 for z > 0, else 0."""

    nargs = 1
    latex_name = r"\operatorname{ReLU}'"
    below = staticmethod(lambda z: 0)
    below_numeric = staticmethod(lambda z: mpmath.mpf(0))
    below_float = staticmethod(lambda z: 0.0)


class relu(ActivationFunction):  # noqa: N801
    r"""ReLU(z) = max(0, z)."""

    nargs = 1
    latex_name = r"\operatorname{ReLU}"
    numeric = staticmethod(lambda z: z if z > 0 else mpmath.mpf(0))
    float_value = staticmethod(lambda z: z if z > 0 else 0.0)

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return relu_prime(self.args[0])

    def _eval_rewrite_as_Max(self, z: sp.Expr, **kwargs: object) -> sp.Expr:
        return sp.Max(0, z)

    def elementary(self) -> sp.Expr:
        return sp.Max(0, self.args[0])


class leaky_relu_prime(_Step):  # noqa: N801
    r"""LeakyReLU'(z) = 1 for z > 0, else the slope."""

    nargs = 2
    latex_name = r"\operatorname{LeakyReLU}'"
    below = below_numeric = below_float = staticmethod(lambda z, slope: slope)


class leaky_relu(ActivationFunction):  # noqa: N801
    r"""LeakyReLU(z) = z for z > 0, slope · z otherwise."""

    nargs = 2
    latex_name = r"\operatorname{LeakyReLU}"
    numeric = float_value = staticmethod(lambda z, slope: z if z > 0 else slope * z)

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return leaky_relu_prime(*self.args)

    def elementary(self) -> sp.Expr:
        z, slope = self.args
        return sp.Piecewise((z, sp.StrictGreaterThan(z, 0)), (slope * z, True))


class elu_prime(_Step):  # noqa: N801
    r"""ELU'(z) = 1 for z > 0, α e^z otherwise."""

    nargs = 2
    latex_name = r"\operatorname{ELU}'"
    below = staticmethod(lambda z, alpha: alpha * sp.exp(z))
    below_numeric = staticmethod(lambda z, alpha: alpha * mpmath.exp(z))
    below_float = staticmethod(lambda z, alpha: alpha * math.exp(z))

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        z, alpha = self.args
        return sp.Piecewise((0, sp.StrictGreaterThan(z, 0)), (alpha * sp.exp(z), True))


class elu(ActivationFunction):  # noqa: N801
    r"""ELU(z) = z for z > 0, α(e^z − 1) otherwise."""

    nargs = 2
    latex_name = r"\operatorname{ELU}"
    numeric = staticmethod(lambda z, alpha: z if z > 0 else alpha * (mpmath.exp(z) - 1))
    float_value = staticmethod(lambda z, alpha: z if z > 0 else alpha * math.expm1(z))

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return elu_prime(*self.args)

    def elementary(self) -> sp.Expr:
        z, alpha = self.args
        return sp.Piecewise((z, sp.StrictGreaterThan(z, 0)), (alpha * (sp.exp(z) - 1), True))
