"""What a check found: ``CheckReport`` and its parts, and the ``Tally`` that adds them up.

Plain frozen data for the pages and the CLI; the tally is the one place a symbolic value
meets an oracle's (|symbolic − oracle| ≤ tolerance · max(1, |oracle|)).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import mpmath

from ..numbers import MPMATH, precise

if TYPE_CHECKING:
    from .claims import ClaimResult

__all__ = ["TOLERANCE", "CheckReport", "Disagreement", "OracleResult", "Tally"]

TOLERANCE = MPMATH.decimal(1e-9)   # |symbolic - numeric| <= TOLERANCE * max(1, |numeric|)


@dataclass(frozen=True, slots=True)
class Disagreement:
    """One parameter whose symbolic and numeric gradients differ at one point."""

    parameter: int
    point: str
    symbolic: float
    numeric: float
    method: str
    tolerance: float = 1e-9      # the relative error allowed where they were compared


@dataclass(frozen=True, slots=True)
class OracleResult:
    """How one oracle fared: comparisons made and the largest differences."""

    method: str
    compared: int
    max_abs_error: float
    max_rel_error: float
    agreed: bool
    precision: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckReport:
    """What was compared, with which oracle, and the largest difference."""

    passed: bool
    methods: tuple[str, ...]
    points: tuple[str, ...]
    compared: int
    skipped: int
    max_abs_error: float
    max_rel_error: float
    disagreements: tuple[Disagreement, ...]
    paths_proved: int
    paths_total: int
    matrix_proved: bool
    seed: int
    oracles: tuple[OracleResult, ...] = ()
    claims: tuple[ClaimResult, ...] = ()


class Tally:
    """Largest errors and disagreements of one oracle (its precision and tolerance may be
    changed by the oracle before the first comparison)."""

    def __init__(self, method: str, seed: int = 0) -> None:
        self.method, self.compared, self.seed = method, 0, seed
        self.tolerance = TOLERANCE
        self.precision = "float64" if method == "torch" else MPMATH.name
        self.max_abs = self.max_rel = mpmath.mpf(0)
        self.bad: list[Disagreement] = []

    def add(self, index: int, point: str, symbolic: object, oracle: mpmath.mpf) -> None:
        self.add_forms(index, point, (symbolic,), oracle)

    @precise
    def add_forms(self, index: int, point: str, forms: tuple, oracle: mpmath.mpf) -> None:
        """Compare the value of each form with one oracle value (its scale worked out once;
        a form whose value equals the previous one's has its verdict: counted, not reported
        again, so a wrong gradient is one line, not one per form)."""
        scale = max(1, abs(oracle))
        allowed = self.tolerance * scale
        previous = None
        for symbolic in forms:
            self.compared += 1
            if previous is not None and symbolic == previous:
                continue        # the same value: the same verdict, reported once
            error = abs(symbolic - oracle)
            self.max_abs = max(self.max_abs, error)
            self.max_rel = max(self.max_rel, error / scale)
            previous = symbolic
            if error > allowed:
                self.bad.append(Disagreement(index, point, float(symbolic), float(oracle),
                                             self.method, float(self.tolerance)))

    def result(self) -> OracleResult:
        return OracleResult(self.method, self.compared, float(self.max_abs), float(self.max_rel),
                            not self.bad, self.precision)
