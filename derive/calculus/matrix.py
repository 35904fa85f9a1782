r"""The batch-matrix form, proved equal to the scalar results entry by entry, in SymPy.

    ∂L/∂W^{(l)} = Δ^{(l)ᵀ} A^{(l-1)},   ∂L/∂b^{(l)} = Δ^{(l)ᵀ} 1,
    Δ^{(l)} = (Δ^{(l+1)} W^{(l+1)} + Σ_m ∂L/∂A^{(m)}) ⊙ g'(Z^{(l)})   (m: residuals adding A^{(l)})
    ∂L/∂b^{(l)} = 1ᵀ Δ^{(l)ᵀ} 1   (a shared bias)

Rows are samples: sample n's quantities are the same symbols with the role's
sample set (``for_sample``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from .chain import Gradient
from .deltas import Deltas, upstream
from .expressions import as_expr
from .network import Layer, Network
from .proofs import Prover
from .symbols import activation_symbol, delta_symbol, for_sample

__all__ = ["MATRIX_WINDOW", "MatrixCheck", "matrix_check"]

MATRIX_WINDOW = 6   # rows and columns of each matrix proved entry by entry


@dataclass(frozen=True, slots=True, kw_only=True)
class MatrixCheck:
    """Whether the batch-matrix equations of one layer equal the scalar ones."""

    layer: int
    samples: int
    weights: bool
    bias: bool
    delta: bool
    symbolic: bool
    shape: tuple[int, int] = (0, 0)          # the shape Δᵀ A came out with (W's shape)
    entries: tuple[int, int] = (0, 0)        # entries proved, entries in all


def matrix_check(network: Network, deltas: Deltas, gradients: tuple[Gradient, ...], samples: int,
                 scale: sp.Expr, prover: Prover | None = None) -> tuple[MatrixCheck, ...]:
    r"""Prove ∂L/∂W = Δᵀ A, ∂L/∂b = Δᵀ 1 and Δ^{(l)} = (Δ^{(l+1)} W^{(l+1)}) ⊙ g'(Z^{(l)}).

    Rows are samples; Δ_{nj} = scale · δ_{nj} with scale = 1/N for a mean loss. Each
    entry must equal scale · Σ_n of the scalar result for sample n. The scale multiplies the
    matrix product (the same matrix), so that SymPy's canonical forms of the two sides are
    usually identical and the difference is 0 without expanding. The product's shape is
    checked against W's; entries are proved in a MATRIX_WINDOW × MATRIX_WINDOW corner (every
    entry of small layers: the others are the same equation with other indices).
    """
    prover = Prover(network, deltas) if prover is None else prover
    by_param = {g.parameter: g for g in gradients}

    def summed(parameter: sp.Symbol) -> sp.Expr:
        """scale · Σ_n of the parameter's δ form for sample n."""
        form = as_expr(by_param[parameter].delta_form)
        return scale * sp.Add(*(for_sample(form, n) for n in range(samples)))

    checks = []
    for layer in network.layers:
        l = layer.number  # noqa: E741
        rows, cols = min(layer.units, MATRIX_WINDOW), min(layer.fan_in, MATRIX_WINDOW)
        big_delta = sp.Matrix(samples, layer.units, lambda n, j: delta_symbol(l, j, n))
        a_prev = sp.Matrix(samples, layer.fan_in, lambda n, k: activation_symbol(l - 1, k, n))
        shape = (big_delta.T.shape[0], a_prev.shape[1])
        delta = big_delta[:, :rows]
        grad_w = scale * (delta.T * a_prev[:, :cols])
        weights_ok = shape == (len(layer.W), layer.fan_in) and all(
            _same(grad_w[j, k], summed(layer.W[j][k])) for j in range(rows) for k in range(cols))
        bias_ok = _bias_ok(layer, big_delta if layer.shared else delta, samples, scale, summed)
        delta_ok = _delta_matrix_ok(prover, layer, deltas, samples, scale, rows)
        checks.append(MatrixCheck(layer=l, samples=samples, weights=weights_ok, bias=bias_ok,
                                  delta=delta_ok, symbolic=True, shape=shape,
                                  entries=(rows * cols, layer.units * layer.fan_in)))
    return tuple(checks)


def _bias_ok(layer: Layer, delta: sp.Matrix, samples: int, scale: sp.Expr,
             summed: Callable[[sp.Symbol], sp.Expr]) -> bool:
    """∂L/∂b = Δᵀ 1 entry by entry, or 1ᵀ Δᵀ 1 (every unit's δ) for a shared bias."""
    grad_b = scale * (delta.T * sp.ones(samples, 1))
    if layer.shared:
        return _same(sp.Add(*grad_b), summed(layer.b[0]))
    return all(_same(grad_b[j, 0], summed(layer.b[j]))
               for j in range(min(len(layer.b), delta.shape[1])))


def _same(left: sp.Expr, right: sp.Expr) -> bool:
    """Equal as polynomials: the same canonical form (the usual case, and no work), else a
    difference that expands to 0."""
    return left == right or sp.expand(left - right) == 0


def _delta_matrix_ok(prover: Prover, layer: Layer, deltas: Deltas, samples: int,
                     scale: sp.Expr, rows: int) -> bool:
    """Δ^{(L)} = ∂L/∂Ŷ ⊙ g'(Z^{(L)}) (row by row through the Jacobian for softmax), and
    Δ^{(l)} = (Δ^{(l+1)} W^{(l+1)}) ⊙ g'(Z^{(l)}), for the first ``rows`` units.

    Every row of Δ^{(L)} is one sample's ∂L/∂ŷ times the Jacobian: the same equation with
    renamed symbols, so it is proved once, without sample indices (renaming symbols keeps an
    identity true). A hidden layer's rows come out of the matrix product and are proved each.
    """
    network = prover.network
    l = layer.number  # noqa: E741
    if layer is network.output:
        return all(prover.equal(sp.Add(*(network.loss_derivative(i) * layer.jacobian(i, j)
                                         for i in layer.fanout(j))),
                                as_expr(deltas[l - 1][j].value))
                   for j in range(rows))
    following = network.layers[l]
    next_delta = sp.Matrix(samples, following.units, lambda n, i: delta_symbol(l + 1, i, n))
    slope = sp.Matrix(samples, rows, lambda n, j: for_sample(layer.derivative(j), n))
    weights = sp.Matrix(following.units, rows, lambda i, j: following.W[i][j])
    back = next_delta * weights
    for consumer in network.consumers(l):     # a residual adds ∂L/∂A^{(m)} to the sum
        back += sp.Matrix(samples, rows, lambda n, j: for_sample(
            as_expr(upstream(network, consumer.number, j)), n))
    matrix = scale * back.multiply_elementwise(slope)
    return all(
        prover.equal(matrix[n, j], scale * for_sample(as_expr(deltas[l - 1][j].value), n),
                     sample=n)
        for n in range(samples) for j in range(rows))
