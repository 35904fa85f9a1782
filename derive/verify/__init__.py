"""Is the derivation right? Finite differences and torch at seeded points, claims, proofs
(checking).
"""

from __future__ import annotations

from .checking import CheckReport, check

__all__ = ["CheckReport", "check"]
