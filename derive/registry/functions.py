"""SymPy functions that keep activations by name, so pages print σ(z), not 1/(1+e^{−z}).

Each class knows its derivative (``fdiff``, in textbook form), its numeric value
(``numeric``, mpmath) and, for piecewise ones, the definition the page prints as
``cases``. The printer gives each its LaTeX through ``_print_<ClassName>``.
"""

from __future__ import annotations

import math

import mpmath
import sympy as sp

__all__ = ["sigmoid", "relu", "relu_prime"]


class sigmoid(sp.Function):  # noqa: N801 - SymPy function classes are lower case
    r"""σ(z) = 1 / (1 + e^{-z}); σ'(z) = σ(z)(1 − σ(z))."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        z = self.args[0]
        return sigmoid(z) * (1 - sigmoid(z))

    @staticmethod
    def numeric(z: mpmath.mpf) -> mpmath.mpf:
        return 1 / (1 + mpmath.exp(-z))

    @staticmethod
    def float_value(z: float) -> float:
        if z >= 0:
            return 1.0 / (1.0 + math.exp(-z))
        e = math.exp(z)
        return e / (1.0 + e)

    def _eval_rewrite_as_exp(self, z: sp.Expr, **kwargs: object) -> sp.Expr:
        return 1 / (1 + sp.exp(-z))


class relu_prime(sp.Function):  # noqa: N801
    r"""ReLU'(z) = 1 for z > 0, else 0 (0 at z = 0: PyTorch's choice; SymPy's Heaviside(0) is 1/2)."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sp.S.Zero  # almost everywhere

    @staticmethod
    def numeric(z: mpmath.mpf) -> mpmath.mpf:
        return mpmath.mpf(1) if z > 0 else mpmath.mpf(0)

    @staticmethod
    def float_value(z: float) -> float:
        return 1.0 if z > 0 else 0.0

    @staticmethod
    def definition(z: sp.Expr) -> sp.Piecewise:
        return sp.Piecewise((1, sp.StrictGreaterThan(z, 0)), (0, True))


class relu(sp.Function):  # noqa: N801
    r"""ReLU(z) = max(0, z)."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return relu_prime(self.args[0])

    @staticmethod
    def numeric(z: mpmath.mpf) -> mpmath.mpf:
        return z if z > 0 else mpmath.mpf(0)

    @staticmethod
    def float_value(z: float) -> float:
        return z if z > 0 else 0.0

    def _eval_rewrite_as_Max(self, z: sp.Expr, **kwargs: object) -> sp.Expr:
        return sp.Max(0, z)


class leaky_relu_prime(sp.Function):  # noqa: N801
    r"""LeakyReLU'(z) = 1 for z > 0, else the slope (the slope at 0, as PyTorch)."""

    nargs = 2

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sp.S.Zero

    @staticmethod
    def numeric(z: mpmath.mpf, slope: mpmath.mpf) -> mpmath.mpf:
        return mpmath.mpf(1) if z > 0 else slope

    @staticmethod
    def float_value(z: float, slope: float) -> float:
        return 1.0 if z > 0 else slope

    @staticmethod
    def definition(z: sp.Expr, slope: sp.Expr) -> sp.Piecewise:
        return sp.Piecewise((1, sp.StrictGreaterThan(z, 0)), (slope, True))


class leaky_relu(sp.Function):  # noqa: N801
    r"""LeakyReLU(z) = z for z > 0, slope · z otherwise."""

    nargs = 2

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return leaky_relu_prime(*self.args)

    @staticmethod
    def numeric(z: mpmath.mpf, slope: mpmath.mpf) -> mpmath.mpf:
        return z if z > 0 else slope * z

    @staticmethod
    def float_value(z: float, slope: float) -> float:
        return z if z > 0 else slope * z


class elu_prime(sp.Function):  # noqa: N801
    r"""ELU'(z) = 1 for z > 0, α e^z otherwise (PyTorch: α at 0)."""

    nargs = 2

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        z, alpha = self.args
        return sp.Piecewise((0, sp.StrictGreaterThan(z, 0)), (alpha * sp.exp(z), True))

    @staticmethod
    def numeric(z: mpmath.mpf, alpha: mpmath.mpf) -> mpmath.mpf:
        return mpmath.mpf(1) if z > 0 else alpha * mpmath.exp(z)

    @staticmethod
    def float_value(z: float, alpha: float) -> float:
        return 1.0 if z > 0 else alpha * math.exp(z)

    @staticmethod
    def definition(z: sp.Expr, alpha: sp.Expr) -> sp.Piecewise:
        return sp.Piecewise((1, sp.StrictGreaterThan(z, 0)), (alpha * sp.exp(z), True))


class elu(sp.Function):  # noqa: N801
    r"""ELU(z) = z for z > 0, α(e^z − 1) otherwise."""

    nargs = 2

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return elu_prime(*self.args)

    @staticmethod
    def numeric(z: mpmath.mpf, alpha: mpmath.mpf) -> mpmath.mpf:
        return z if z > 0 else alpha * (mpmath.exp(z) - 1)

    @staticmethod
    def float_value(z: float, alpha: float) -> float:
        return z if z > 0 else alpha * math.expm1(z)


class softplus(sp.Function):  # noqa: N801
    r"""softplus(z) = log(1 + e^z); softplus'(z) = σ(z)."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sigmoid(self.args[0])

    @staticmethod
    def numeric(z: mpmath.mpf) -> mpmath.mpf:
        return mpmath.log1p(mpmath.exp(z))

    @staticmethod
    def float_value(z: float) -> float:
        return z + math.log1p(math.exp(-z)) if z > 0 else math.log1p(math.exp(z))


__all__ += ["leaky_relu", "leaky_relu_prime", "elu", "elu_prime", "softplus"]
