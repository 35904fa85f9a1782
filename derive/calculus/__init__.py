"""``Spec`` -> the network's SymPy graph (network) -> the chain rule, the δ recursion and the
matrix form (derivation), and the LaTeX printer of its symbols (printer, names).
"""

from __future__ import annotations

from .derivation import Derivation, Gradient, derive, expanded_deltas, prove_equal
from .expressions import ChainProduct, ChainSum, Equation, Partial, as_expr
from .names import symbol_names
from .network import Network, build_network
from .symbols import LOSS, Role, Symbol, activation_symbol, delta_symbol, role_of, weight_symbol
from .printer import Printer

__all__ = ["Derivation", "Gradient", "derive", "expanded_deltas", "prove_equal", "ChainProduct",
           "ChainSum", "Equation", "Partial", "as_expr", "symbol_names", "LOSS", "Network", "Role",
           "activation_symbol", "build_network", "delta_symbol", "role_of", "weight_symbol", "Printer",
           "Symbol"]
