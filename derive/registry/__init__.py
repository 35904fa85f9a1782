"""What a spec may name, one entry per concept.

functions      the SymPy classes behind activations: LaTeX, derivative, numeric forms
activations    Activation entries (an entry points at its function class)
losses         Loss entries and the δ shortcuts of loss + output pairs
schemes        init schemes
optimizers     the worked example's update rules (sgd, momentum, adam: torch.optim's)
grammar        the safe formula grammar (graph nodes, custom activations and losses)
formulas       an activation or loss given by formula: one entry, made at load time
notations      notation presets, as data
table          Registry, Option and the fields every entry shares
"""

from __future__ import annotations

from .activations import ACTIVATIONS, Activation
from .formulas import Custom, formula_activation, formula_loss
from .functions import ActivationFunction
from .grammar import FORMULA_FUNCTIONS, Formula, FormulaError, parse_formula
from .losses import LOSSES, SHORTCUTS, Loss, Shortcut
from .notations import (
    DEFAULT_NOTATION, MATRIX_FORMS, NOTATIONS, Notation, Shape, general_symbol, matrix_symbol,
    symbol_latex)
from .optimizers import OPTIMIZERS, Optimizer
from .schemes import INIT_SCHEMES, InitScheme
from .table import Entry, Option, Registry

__all__ = ["ACTIVATIONS", "INIT_SCHEMES", "LOSSES", "SHORTCUTS", "Activation", "Loss",
           "Registry", "DEFAULT_NOTATION", "MATRIX_FORMS", "NOTATIONS", "Notation", "Shape",
           "general_symbol", "matrix_symbol", "symbol_latex", "ActivationFunction", "Entry",
           "InitScheme", "Option", "Shortcut", "OPTIMIZERS", "Optimizer", "Custom",
           "formula_activation", "formula_loss", "FORMULA_FUNCTIONS", "Formula", "FormulaError",
           "parse_formula"]
