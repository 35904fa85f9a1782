"""What a spec may name, one entry per concept.

functions      the SymPy classes behind activations: LaTeX, derivative, numeric forms
activations    Activation entries (an entry points at its function class)
losses         Loss entries and the δ shortcuts of loss + output pairs
schemes        init schemes
notations      notation presets, as data
table          Registry, Option and the fields every entry shares
"""

from __future__ import annotations

from .activations import ACTIVATIONS, Activation
from .functions import ActivationFunction
from .losses import LOSSES, SHORTCUTS, Loss, Shortcut
from .notations import (
    DEFAULT_NOTATION, MATRIX_FORMS, NOTATIONS, Notation, Shape, general_symbol, matrix_symbol,
    symbol_latex)
from .schemes import INIT_SCHEMES, InitScheme
from .table import Entry, Option, Registry

__all__ = ["ACTIVATIONS", "INIT_SCHEMES", "LOSSES", "SHORTCUTS", "Activation", "Loss",
           "Registry", "DEFAULT_NOTATION", "MATRIX_FORMS", "NOTATIONS", "Notation", "Shape",
           "general_symbol", "matrix_symbol", "symbol_latex", "ActivationFunction", "Entry",
           "InitScheme", "Option", "Shortcut"]
