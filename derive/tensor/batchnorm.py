"""Batch normalization (placeholder until its entry lands)."""

from __future__ import annotations

from .conv import _unsupported
from .layers import LayerType

BATCHNORM = LayerType(name="batchnorm", summary="(not yet built)", build=_unsupported)
