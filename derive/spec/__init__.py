"""YAML text -> a validated, frozen ``Spec`` (the only yaml import)."""

from __future__ import annotations

from .loader import LIMIT_HINT, Claim, Example, LayerInit, Limits, Spec, load

__all__ = ["LIMIT_HINT", "Claim", "Example", "LayerInit", "Limits", "Spec", "load"]
