r"""``Network`` -> ``Derivation``: every ∂L/∂θ, the δ recursion and the matrix form.

Derived structurally, as a textbook does: the chain rule walks the graph from
θ to L one local factor at a time (``chain``), each factor differentiated on its
own. Nothing is expanded into one big loss, so the cost grows with the number of
edges, not with depth.

    δ^{(L)}_j = ∂L/∂ŷ_j · g'(z^{(L)}_j)                              (deltas)
    δ^{(l)}_j = (Σ_i w^{(l+1)}_{ij} δ^{(l+1)}_i) · g'(z^{(l)}_j)
    ∂L/∂w^{(l)}_{jk} = δ^{(l)}_j a^{(l-1)}_k,   ∂L/∂b^{(l)}_j = δ^{(l)}_j   (chain)

Small networks also get every path written out and the sum over paths is proved
equal to the δ form (``proofs``); the batch-matrix form is proved equal to the
scalar results entry by entry (``matrix``). One ``Prover`` per run holds what the
proofs share.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .chain import Gradient, gradient
from .deltas import DeltaEquation, Deltas, delta_recursion
from .expressions import as_expr
from .matrix import MATRIX_WINDOW, MatrixCheck, matrix_check
from .network import Network
from .proofs import Prover
from .symbols import role_of

# Gradient, DeltaEquation and MatrixCheck are made in their stage's modules and named here too,
# for the readers of a Derivation.
__all__ = ["DeltaEquation", "Derivation", "Gradient", "MatrixCheck", "batch_scale", "derive",
           "featured"]

MAX_SYMBOLIC_CHECK = 100_000  # prove the matrix form (a corner of wide layers) up to this many θ
FEATURE_ALL_UP_TO = 24  # a page shows every derivative in full up to this many parameters


@dataclass(frozen=True, slots=True, kw_only=True)
class Derivation:
    """Everything derived from one network, for the check and the pages."""

    network: Network
    deltas: Deltas
    gradients: tuple[Gradient, ...]
    matrix: tuple[MatrixCheck, ...]
    shortcut_proved: bool = True
    shortcut_units: tuple[int, int] = (0, 0)   # output units whose shortcut was proved, of all
    featured: tuple[int, ...] = ()      # gradients a page shows in full (indices)

    def delta(self, layer: int, unit: int) -> DeltaEquation:
        return self.deltas[layer - 1][unit]


def featured(parameters: tuple[sp.Symbol, ...]) -> tuple[int, ...]:
    """Every parameter of a small network; else each layer's first weight and first bias."""
    if len(parameters) <= FEATURE_ALL_UP_TO:
        return tuple(range(len(parameters)))
    firsts: dict[tuple[int, str], int] = {}
    for index, parameter in enumerate(parameters):
        role = role_of(parameter)
        assert role is not None
        firsts.setdefault((role.layer, role.kind), index)
    return tuple(sorted(firsts.values()))


def batch_scale(network: Network, samples: int) -> sp.Expr:
    """The spec's reduction as a SymPy factor: 1/N for a mean over the batch, 1 for a sum."""
    return sp.Rational(network.spec.batch_scale(samples))


def derive(network: Network) -> Derivation:
    """Derive every gradient, the δ recursion and the checked matrix form."""
    deltas = delta_recursion(network)
    prover = Prover(network, deltas)
    shown = featured(network.parameters)
    expand = set(shown) if len(shown) < len(network.parameters) else None
    gradients = tuple(gradient(network, p, prover, paths=expand is None or i in expand)
                      for i, p in enumerate(network.parameters))
    example = network.spec.example
    samples = max(2, min(len(example.x), 3)) if example is not None else 2
    matrix = ()
    if len(network.parameters) <= MAX_SYMBOLIC_CHECK:
        matrix = matrix_check(network, deltas, gradients, samples, batch_scale(network, samples),
                              prover)
    proved = shortcut_units(deltas[-1])
    shortcut_ok = all(prover.equal(as_expr(eq.general), as_expr(eq.value)) for eq in proved)
    return Derivation(
        network=network, shortcut_proved=shortcut_ok, featured=shown,
        shortcut_units=(len(proved), len(deltas[-1]) if proved else 0),
        deltas=deltas, gradients=gradients, matrix=matrix)


def shortcut_units(output: tuple[DeltaEquation, ...]) -> tuple[DeltaEquation, ...]:
    """The output units whose shortcut (softmax + cross-entropy: ŷ − y) is proved: all of a
    layer up to MATRIX_WINDOW + 1 units, else the first MATRIX_WINDOW and the last.

    Each proof expands a sum over the whole layer (softmax couples its units), so proving
    every unit costs O(units²): 999 units took minutes. The others are the same equation with
    other indices (the last is proved too: Σ y = 1 rewrites its target, not the others').
    """
    simplified = tuple(eq for eq in output if eq.general_of is not None)
    if len(simplified) <= MATRIX_WINDOW + 1:
        return simplified
    return (*simplified[:MATRIX_WINDOW], simplified[-1])
