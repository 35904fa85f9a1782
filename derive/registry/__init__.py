"""What a spec may name: activations, losses, init schemes (entries), notation presets (notations),
and the SymPy functions behind them (functions).
"""

from __future__ import annotations

from .entries import ACTIVATIONS, INIT_SCHEMES, LOSSES, SHORTCUTS, Activation, Loss, Registry
from .notations import (
    DEFAULT_NOTATION, MATRIX_FORMS, NOTATIONS, Notation, Shape, general_symbol, matrix_symbol,
    symbol_latex)

__all__ = ["ACTIVATIONS", "INIT_SCHEMES", "LOSSES", "SHORTCUTS", "Activation", "Loss",
           "Registry", "DEFAULT_NOTATION", "MATRIX_FORMS", "NOTATIONS", "Notation", "Shape",
           "general_symbol", "matrix_symbol", "symbol_latex"]
