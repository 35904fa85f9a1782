r"""Proofs in SymPy: two forms are equal (``prove_equal``), the sum over paths is δ
(``prove_unit``).

Both are decisions, not blind ``simplify``: a difference that expands to 0, or
whose numerator over one denominator does (``cancel``), after using only what
the network guarantees (ŷ = g(z) for an elementwise output, Σ y = 1 for
distributions). One ``Prover`` serves one derivation and keeps what it proved.
"""

from __future__ import annotations

import sympy as sp

from .deltas import Deltas, expanded_deltas
from .expressions import ChainProduct, ChainSum, Factor, as_expr
from .network import Network
from .symbols import delta_symbol, for_sample

__all__ = ["Prover", "prove_equal", "prove_unit"]

Paths = tuple[tuple[Factor, ...], ...]


def prove_equal(network: Network, left: sp.Expr, right: sp.Expr,
                sample: int | None = None) -> bool:
    """left = right by expansion, else after using ŷ = g(z) and Σ y = 1, as rational functions
    (``cancel``: a decision procedure, not blind ``simplify``)."""
    return Prover(network).equal(left, right, sample)


class Prover:
    """The proofs of one derivation, each made once.

    ``equal`` remembers its answers: the output δ's shortcut is proved for the page and
    again as the first rows of the batch matrix. ``unit`` proves each unit's paths once
    for all its parameters, over one ``_Opaque`` (each δ is then written out once).
    """

    def __init__(self, network: Network, deltas: Deltas = ()) -> None:
        self.network, self.deltas = network, deltas
        self._relations: dict[int | None, dict[sp.Symbol, sp.Expr]] = {}
        self._equal: dict[tuple[sp.Expr, sp.Expr, int | None], bool] = {}
        self._units: dict[tuple[int, int], bool] = {}
        self._opaque = _Opaque()

    def equal(self, left: sp.Expr, right: sp.Expr, sample: int | None = None) -> bool:
        """``prove_equal`` for this network; ``sample``: the relations of that batch sample."""
        key = (left, right, sample)
        if key not in self._equal:
            self._equal[key] = _equal(left, right, self.relations(sample))
        return self._equal[key]

    def relations(self, sample: int | None) -> dict[sp.Symbol, sp.Expr]:
        """What a shortcut may use: ŷ = g(z) (elementwise output), Σ y = 1 (distributions)."""
        if sample not in self._relations:
            layer, network = self.network.output, self.network
            relations: dict[sp.Symbol, sp.Expr] = {}
            if not layer.activation.vector:
                relations.update({layer.a[j]: layer.a_expr[j] for j in range(layer.units)})
            if network.loss.targets_sum_to_one:
                relations[network.y[-1]] = 1 - sp.Add(*network.y[:-1])
            if sample is not None:
                relations = {for_sample(k, sample): for_sample(v, sample)
                             for k, v in relations.items()}
            self._relations[sample] = relations
        return self._relations[sample]

    def unit(self, layer: int, j: int, paths: Paths) -> bool:
        """``prove_unit`` for unit j of ``layer``, made once and shared by its parameters."""
        if (layer, j) not in self._units:
            self._units[(layer, j)] = prove_unit(self.network, layer, j, paths, self.deltas,
                                                 self._opaque)
        return self._units[(layer, j)]


def _equal(left: sp.Expr, right: sp.Expr, relations: dict[sp.Symbol, sp.Expr]) -> bool:
    """Before ``cancel``, its cheap half: over one denominator, a numerator that expands to 0
    already decides (4x faster on BCE's); the same canonical form needs none of it."""
    if left == right:
        return True
    difference = sp.expand(left - right)
    if difference == 0:
        return True
    rewritten = difference.xreplace(relations)
    if sp.expand(rewritten) == 0:
        return True
    combined = sp.together(rewritten)
    return sp.expand(sp.numer(combined)) == 0 or sp.cancel(combined) == 0


def prove_unit(network: Network, layer_number: int, j: int, paths: Paths, deltas: Deltas,
               opaque: _Opaque | None = None) -> bool:
    r"""Σ over paths of Π factors = δ^{(l)}_j (every later δ written out), once per unit.

    Each parameter's result is this sum times its own last factor, and its δ form is
    δ^{(l)}_j times the same factor, so one proof per unit covers all its parameters.
    Both sides are built from the same local derivatives; each stands for a symbol of its
    own (``_Opaque``), because expanding them too (σ(1 − σ) per layer) only multiplies the
    terms. Failing that, the proof is redone with everything written out. One ``opaque``
    may serve every unit of a network (each δ is then written out once).
    """
    opaque = _Opaque() if opaque is None else opaque
    total = sp.Add(*(sp.Mul(*(opaque.factor(f.value) for f in path)) for path in paths))
    if sp.expand(total - opaque.delta(deltas, layer_number, j)) == 0:
        return True
    total = sp.Add(*(sp.Mul(*(as_expr(f.value) for f in path)) for path in paths))
    full = expanded_deltas(network, deltas)
    return sp.expand(total - full[delta_symbol(layer_number, j)]) == 0


class _Opaque:
    """Local derivatives as fresh symbols, and δ written out over them.

    An identity between polynomials in free symbols holds whatever is put in for them,
    so a difference that expands to 0 here is 0 for the real derivatives too.
    """

    def __init__(self) -> None:
        self.symbols: dict[sp.Expr, sp.Dummy] = {}
        self.written: dict[sp.Symbol, sp.Expr] = {}

    def factor(self, value: object) -> sp.Expr:
        """A chain or a factor with each derivative in it (not a weight, δ or number) opaque."""
        if isinstance(value, ChainProduct):
            return sp.Mul(*(self.factor(f) for f in value.factors))
        if isinstance(value, ChainSum):
            return sp.Add(*(self.factor(t) for t in value.terms))
        expr = as_expr(value)
        if isinstance(expr, (sp.Symbol, sp.Number)):
            return self.written.get(expr, expr)
        if expr not in self.symbols:
            self.symbols[expr] = sp.Dummy()
        return self.symbols[expr]

    def delta(self, deltas: Deltas, layer: int, j: int) -> sp.Expr:
        """δ^{(layer)}_j with every later δ written out, over the opaque derivatives."""
        for later in reversed(deltas[layer - 1:]):
            for eq in later:
                if eq.symbol not in self.written:
                    self.written[eq.symbol] = self.factor(eq.written)
        return self.written[delta_symbol(layer, j)]
