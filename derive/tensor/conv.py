"""Convolution layers (placeholder until their entry lands)."""

from __future__ import annotations

from .layers import LayerType


def _unsupported(builder, site, a):  # type: ignore[no-untyped-def]
    raise site.error("type", "a layer type this version builds", repr(site.layer.type))


CONV1D = LayerType(name="conv1d", summary="(not yet built)", build=_unsupported)
CONV2D = LayerType(name="conv2d", summary="(not yet built)", build=_unsupported)
