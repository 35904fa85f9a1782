"""Numbers from the derivation: the evaluator (evaluate) and the worked example's steps (worked).
"""

from __future__ import annotations

from .evaluate import Forward, compile_float, evaluate, forward, parameter_env
from .worked import WorkedExample, float_forward, gradient_forms, with_deltas, work_example

__all__ = ["Forward", "compile_float", "evaluate", "forward", "parameter_env", "WorkedExample",
           "float_forward", "gradient_forms", "with_deltas", "work_example"]
