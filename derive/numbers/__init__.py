"""Numbers from the derivation, in one of two precisions (precision: 50-digit mpmath or
float64): one evaluator (engine, one ``Engine`` per precision and run), one forward pass
(forward_pass) and the worked example's steps (worked). mpmath computes at 50 digits only
inside these functions (``precise``); importing the package sets no global.
"""

from __future__ import annotations

from .decay import decay_gradients, penalty, penalty_change
from .engine import Engine, Engines, compile_float, evaluate
from .forward_pass import Forward, Sweep, float_forward, forward, parameter_env
from .precision import FLOAT64, MPMATH, NonFinite, Precision, precise
from .worked import WorkedExample, gradient_forms, trained, with_deltas, work_example

__all__ = ["FLOAT64", "MPMATH", "Engine", "Engines", "Forward", "NonFinite", "Precision", "Sweep",
           "WorkedExample", "compile_float", "decay_gradients", "evaluate", "float_forward",
           "forward", "gradient_forms", "parameter_env", "penalty", "penalty_change", "precise", "trained",
           "with_deltas", "work_example"]
