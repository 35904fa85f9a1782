"""The activations a spec may name: one entry each.

An entry built with ``Activation.of`` points at its SymPy function class
(``functions``), which holds the mathematics (LaTeX, derivative, numeric forms);
the entry adds what a spec and a page need besides (its name, the formula
``derive-backprop list`` shows, options, the page's note, the PyTorch form).
linear, tanh and softmax are SymPy's own functions, so their entries say it all.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sympy as sp

from .functions import ActivationFunction, elu, leaky_relu, relu, sigmoid, softplus
from .table import Entry, Option, Registry

__all__ = ["Activation", "ACTIVATIONS"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Activation(Entry):
    """g and g' for one activation; ``derivative`` is in textbook form (σ(z)(1 − σ(z))).

    ``latex`` is the name formulas print and claims may write (``\\sigma``);
    ``function`` the class behind ``form``, when the activation has one.
    """

    latex: str
    vector: bool = False
    jacobian: Callable[..., sp.Expr] | None = None
    function: type[ActivationFunction] | None = None

    @classmethod
    def of(cls, function: type[ActivationFunction], *, formula: str, torch: Callable[..., Any],
           note: tuple[str, ...] = (), options: tuple[Option, ...] = (),
           aliases: tuple[str, ...] = ()) -> Activation:
        """The entry of ``function``: its name, LaTeX, form and derivative come from the class.

        Options become the class's extra arguments, in order, as SymPy Floats.
        """
        def applied(z: sp.Expr, values: Mapping[str, float]) -> sp.Expr:
            return function(z, *(sp.Float(values[option.name]) for option in options))

        return cls(name=function.__name__, latex=function.latex_name, formula=formula,
                   form=lambda z, **values: applied(z, values),
                   derivative=lambda z, **values: applied(z, values).fdiff(),
                   note=note, options=options, torch=torch, function=function,
                   custom=getattr(function, "custom", None), aliases=aliases)

    def value(self, z: tuple[sp.Expr, ...], j: int, **options: float) -> sp.Expr:
        """a_j as a function of the layer's z (all of them for a vector activation)."""
        return self.form(z, j) if self.vector else self.form(z[j], **options)


ACTIVATIONS: Registry[Activation] = Registry("activation", (
    Activation(name="linear", latex="", formula="g(z) = z",
               form=lambda z: z, derivative=lambda z: sp.S.One, torch=lambda t, z: z,
               aliases=("identity", "none")),
    Activation.of(sigmoid, formula="g(z) = 1 / (1 + exp(-z))", torch=lambda t, z: t.sigmoid(z),
                  aliases=("logistic",)),
    Activation(name="tanh", latex=r"\tanh", formula="g(z) = tanh(z)",
               form=sp.tanh, derivative=lambda z: 1 - sp.tanh(z) ** 2,
               torch=lambda t, z: t.tanh(z)),
    Activation.of(relu, formula="g(z) = max(0, z)", torch=lambda t, z: t.relu(z),
                  note=("ReLU is not differentiable at 0; like PyTorch we take ",
                        r"\operatorname{ReLU}'(0) = 0", ".")),
    Activation.of(leaky_relu, formula="g(z) = z if z > 0 else slope * z",
                  options=(Option("slope", 0.01, "a number >= 0", lambda v: v >= 0),),
                  torch=lambda t, z, slope: t.nn.functional.leaky_relu(z, slope),
                  aliases=("leakyrelu", "lrelu"),
                  note=("LeakyReLU is not differentiable at 0; like PyTorch we take the slope "
                        "there: ", r"\operatorname{LeakyReLU}'(0) = \text{slope}", ".")),
    Activation.of(softplus, formula="g(z) = log(1 + exp(z))",
                  torch=lambda t, z: t.nn.functional.softplus(z)),
    Activation.of(elu, formula="g(z) = z if z > 0 else alpha * (exp(z) - 1)",
                  options=(Option("alpha", 1.0, "a number > 0", lambda v: v > 0),),
                  torch=lambda t, z, alpha: t.nn.functional.elu(z, alpha),
                  note=("ELU is differentiable at 0 only for ", r"\alpha = 1",
                        "; like PyTorch we take ", r"\operatorname{ELU}'(0) = \alpha", ".")),
    Activation(name="softmax", latex=r"\operatorname{softmax}",
               formula="a_j = exp(z_j) / sum_i exp(z_i)   (output layer only)",
               form=lambda z, j: sp.exp(z[j]) / sp.Add(*(sp.exp(zi) for zi in z)),
               derivative=lambda z: sp.S.One, vector=True,
               jacobian=lambda a, i, j: a[i] * (1 - a[j]) if i == j else -a[i] * a[j],
               torch=lambda t, z: t.softmax(z, dim=-1),
               note=("softmax couples the units of its layer: ",
                     r"\frac{\partial a_i}{\partial z_j} = a_i \left(\delta_{ij} - a_j\right)",
                     " (the Jacobian is not diagonal).")),
))
