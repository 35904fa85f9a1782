"""The Elman RNN layer (placeholder until its entry lands)."""

from __future__ import annotations

from .conv import _unsupported
from .layers import LayerType

RNN = LayerType(name="rnn", summary="(not yet built)", build=_unsupported)
