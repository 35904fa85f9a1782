"""Each registry activation and loss as NumPy source: the table ``--format numpy`` copies from.

A parallel table keyed by registry name (``registry.ACTIVATIONS`` / ``LOSSES``), so the
registry stays free of code text; tests/test_numpy_export.py checks that every registry
entry has a form here. The source is ours: a spec's own text never reaches it, only the
registry's names (as keys) and the spec's numbers (as option values, printed with repr).

An elementwise activation gives ``NAME(z)`` and ``NAME_prime(z)``; a vector one (softmax)
gives ``NAME(z)`` and ``NAME_backward(a, grad)``, the Jacobian-transpose product Jᵀ grad.
A loss gives ``NAME(yhat, y)`` per output unit and ``NAME_prime(yhat, y)`` = ∂ℓ/∂ŷ.
Options are keyword arguments named as the registry's options (``slope``, ``alpha``,
``delta``). Kinks follow the registry (PyTorch's choices): ReLU′(0) = 0, sgn(0) = 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["ACTIVATION_CODE", "LOSS_CODE", "SHORTCUT_CODE", "NumpyForm"]


@dataclass(frozen=True, slots=True)
class NumpyForm:
    """The NumPy source of one registry entry: its function (and derivative) definitions."""

    function: str          # the name the source defines (the derivative adds _prime/_backward)
    source: str
    vector: bool = False   # a vector activation: NAME_backward(a, grad) instead of NAME_prime


def _form(function: str, value: str, derivative: str, args: str = "z") -> NumpyForm:
    first = args.split(",")[0]
    return NumpyForm(function, (
        f"def {function}({args}):\n    return {value}\n\n\n"
        f"def {function}_prime({args}):\n"
        f"    \"\"\"d{function}/d{first}, elementwise.\"\"\"\n    return {derivative}\n"))


ACTIVATION_CODE = MappingProxyType({
    "linear": _form("linear", "z", "np.ones_like(z)"),
    "sigmoid": _form("sigmoid", "1.0 / (1.0 + np.exp(-z))", "sigmoid(z) * (1.0 - sigmoid(z))"),
    "tanh": _form("tanh", "np.tanh(z)", "1.0 - np.tanh(z) ** 2"),
    "relu": _form("relu", "np.maximum(z, 0.0)",
                  "np.where(z > 0, 1.0, 0.0)  # ReLU'(0) = 0, as PyTorch"),
    "leaky_relu": _form("leaky_relu", "np.where(z > 0, z, slope * z)",
                        "np.where(z > 0, 1.0, slope)", "z, slope=0.01"),
    "softplus": _form("softplus", "np.logaddexp(0.0, z)", "1.0 / (1.0 + np.exp(-z))"),
    "elu": _form("elu", "np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0.0)))",
                 "np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0.0)))", "z, alpha=1.0"),
    "softmax": NumpyForm("softmax", (
        "def softmax(z):\n"
        "    \"\"\"exp(z_j) / sum_i exp(z_i) down each column (shifted: the same value).\"\"\"\n"
        "    e = np.exp(z - z.max(axis=0))\n"
        "    return e / e.sum(axis=0)\n\n\n"
        "def softmax_backward(a, grad):\n"
        "    \"\"\"J^T grad with J_ij = a_i (delta_ij - a_j): the Jacobian is not diagonal.\"\"\"\n"
        "    return a * (grad - (a * grad).sum(axis=0))\n"), vector=True),
})

LOSS_CODE = MappingProxyType({
    "squared_error": _form("squared_error", "(y - yhat) ** 2", "-2.0 * (y - yhat)", "yhat, y"),
    "half_squared_error": _form("half_squared_error", "0.5 * (yhat - y) ** 2", "yhat - y",
                                "yhat, y"),
    "binary_cross_entropy": _form(
        "binary_cross_entropy", "-(y * np.log(yhat) + (1.0 - y) * np.log(1.0 - yhat))",
        "-y / yhat + (1.0 - y) / (1.0 - yhat)", "yhat, y"),
    "cross_entropy": _form("cross_entropy", "-y * np.log(yhat)", "-y / yhat", "yhat, y"),
    "absolute_error": _form("absolute_error", "np.abs(y - yhat)",
                            "np.sign(yhat - y)  # sgn(0) = 0, as PyTorch", "yhat, y"),
    "huber": _form("huber", "np.where(np.abs(yhat - y) <= delta, 0.5 * (yhat - y) ** 2, "
                            "delta * (np.abs(yhat - y) - delta / 2))",
                   "np.where(np.abs(yhat - y) <= delta, yhat - y, delta * np.sign(yhat - y))",
                   "yhat, y, delta=1.0"),
})

# (loss, output activation) -> δ(L) in a[L] and y, for the pairs registry.SHORTCUTS simplifies.
SHORTCUT_CODE = MappingProxyType({
    ("cross_entropy", "softmax"): "a[{L}] - y",
    ("binary_cross_entropy", "sigmoid"): "a[{L}] - y",
})
