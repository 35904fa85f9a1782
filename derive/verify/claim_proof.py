"""Is a claim symbolically equal to the derived result, different, or undecided?

A proof expands ``claim − derived`` (with ŷ = g(z) and Σ y = 1) over one denominator.
A numerator that expands to 0 proves the claim. A numerator that is a non-zero number, or
a non-zero polynomial once every z and a is written out in the parameters, inputs and
targets (independent symbols), with no function left in it, proves the claim false — such
a difference (10⁻¹², say) may be far too small for any test point to show. Anything else
(σ, exp, ReLU left in the difference) is undecided: the points decide.

Every expansion is bounded: a ``Budget`` of terms for the whole run, so that fifty large
claims cost seconds, not minutes; a claim past it is "unproved, checked at N points".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import sympy as sp

from ..calculus import Network, Prover

__all__ = ["MAX_EXPANSION", "RUN_BUDGET", "Budget", "Decision", "decide", "expansion_size"]

MAX_EXPANSION = 2_000     # terms of the expanded difference one proof may handle
RUN_BUDGET = 12_000       # terms all the claims of one run may expand, together


class Budget:
    """Terms left to expand in this run (one per ``verify_claims`` call)."""

    def __init__(self, terms: int = RUN_BUDGET) -> None:
        self.left = terms

    def take(self, terms: int) -> bool:
        """Spend ``terms`` if this one proof fits (and the run has them left)."""
        if terms > MAX_EXPANSION or terms > self.left:
            return False
        self.left -= terms
        return True


@dataclass(frozen=True, slots=True)
class Decision:
    """``verdict``: proved | differs | undecided | over budget; ``difference``: the non-zero
    difference a "differs" found."""

    verdict: str
    difference: sp.Expr | None = None


def expansion_size(expr: sp.Basic, cap: int = 2_000) -> int:
    """An upper bound on the terms ``sp.expand`` makes of ``expr`` (``cap + 1`` means more)."""
    if not expr.args:
        return 1
    sizes = [expansion_size(arg, cap) for arg in expr.args]
    if isinstance(expr, sp.Add):
        return min(cap + 1, sum(sizes))
    if isinstance(expr, sp.Mul):
        return min(cap + 1, math.prod(sizes))
    if isinstance(expr, sp.Pow) and expr.exp.is_Integer:
        n, k = abs(int(expr.exp)), sizes[0]
        if k == 1:
            return 1
        if n > cap:
            return cap + 1
        return min(cap + 1, math.comb(n + k - 1, k - 1))
    return min(cap + 1, max(sizes))


def _written_out(network: Network) -> dict[sp.Symbol, sp.Expr]:
    """Every z and elementwise a in the parameters, inputs and targets (forward order)."""
    out: dict[sp.Symbol, sp.Expr] = {}
    for layer in network.layers:
        for j in range(layer.units):
            out[layer.z[j]] = layer.z_expr[j].xreplace(out)
        if not layer.activation.vector:
            for j in range(layer.units):
                out[layer.a[j]] = layer.a_expr[j].xreplace(out)
    return out


def _polynomial(expr: sp.Expr, network: Network) -> bool:
    """A polynomial in the parameters, inputs and targets alone (no δ, no function)."""
    independent = {*network.parameters, *network.x, *network.y}
    return expr.free_symbols <= independent and expr.is_polynomial(*independent)


def decide(network: Network, left: sp.Expr, right: sp.Expr, budget: Budget) -> Decision:
    """Proved, a non-zero difference found, undecided, or over the run's budget."""
    difference = left - right
    if not budget.take(expansion_size(difference, MAX_EXPANSION)):
        return Decision("over budget")
    expanded = sp.expand(difference)
    if expanded == 0:
        return Decision("proved")
    rewritten = sp.expand(expanded.xreplace(Prover(network).relations(None)))
    if rewritten == 0:
        return Decision("proved")
    numerator = rewritten
    if any(power.exp.is_negative for power in rewritten.atoms(sp.Pow)):   # over one denominator
        if not budget.take(2 * len(sp.Add.make_args(rewritten))):      # cancel costs twice
            return Decision("over budget")
        numerator = sp.expand(sp.numer(sp.together(rewritten)))
        if numerator == 0 or sp.cancel(sp.together(rewritten)) == 0:
            return Decision("proved")
    if numerator.is_Number:
        return Decision("differs", rewritten)
    forward = numerator.xreplace(_written_out(network))     # every z and a written out
    if not budget.take(expansion_size(forward, MAX_EXPANSION)):
        return Decision("undecided")
    forward = sp.expand(forward)
    if forward == 0:
        return Decision("proved")
    if _polynomial(forward, network):
        return Decision("differs", rewritten)
    return Decision("undecided")
