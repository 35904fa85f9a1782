"""``Spec`` -> the network's SymPy graph -> the chain rule, the δ recursion and the matrix form.

    symbols      Role -> a SymPy symbol carrying it (``role_of`` reads it; names are never parsed)
    expressions  chain-ordered products and sums, ∂-fractions, factors, equations
    network      Spec -> Network: the forward graph, layer by layer
    chain        the chain rule for one parameter: local factors, paths, Gradient
    deltas       the δ recursion and the loss/activation shortcuts
    proofs       Prover: two forms equal, the sum over paths equal to δ
    matrix       the batch-matrix form, proved equal to the scalar results
    derivation   Network -> Derivation (derive)
    names        network symbols -> LaTeX in a notation preset
    printer      our structures and SymPy expressions -> LaTeX
"""

from __future__ import annotations

from .chain import Gradient
from .deltas import expanded_deltas, upstream
from .derivation import Derivation, derive
from .expressions import (ChainProduct, ChainSum, Equation, Factor, Partial, as_expr,
                          chain_product, chain_sum)
from .names import symbol_names
from .network import Network, build_network
from .printer import Memoized, Printer
from .proofs import Prover, prove_equal
from .symbols import (LOSS, Role, Symbol, activation_symbol, bias_symbol, delta_symbol, for_sample,
                      input_symbol, pre_activation_symbol, role_of, target_symbol, weight_symbol)

__all__ = ["LOSS", "ChainProduct", "ChainSum", "Derivation", "Equation", "Gradient", "Network",
           "Partial", "Printer", "Prover", "Role", "Symbol", "activation_symbol", "as_expr",
           "build_network", "delta_symbol", "derive", "expanded_deltas", "prove_equal", "role_of",
           "symbol_names", "weight_symbol", "Factor", "bias_symbol", "chain_product", "chain_sum",
           "for_sample", "input_symbol", "pre_activation_symbol", "target_symbol", "upstream",
           "Memoized"]
