"""Is the derivation right? ``check`` compares every printed gradient with oracles at
seeded points (checking): where and in which precision (points), finite differences and
torch (oracles, torch_oracle), the verdict (report); hand-written claims (claims, formula).
"""

from __future__ import annotations

from .checking import CheckReport, check

__all__ = ["CheckReport", "check"]
