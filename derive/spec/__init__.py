"""YAML text -> a validated, frozen ``Spec`` (the only yaml import)."""

from __future__ import annotations

from .loader import LIMIT_HINT, Claim, Example, LayerInit, Limits, Spec, load
from .plain import dump_spec, plain_mapping

__all__ = ["LIMIT_HINT", "Claim", "Example", "LayerInit", "Limits", "Spec", "load", "dump_spec", "plain_mapping"]
