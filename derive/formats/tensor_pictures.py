"""The pictures of a typed-layer page: one entry per layer type that draws one
(``PICTURES[type](model, worked, record) -> {name: svg text}``); the lesson shows each
as ``Figure(ctx.figure(name), caption)``."""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType

from ..tensor import LayerRecord, Model, TensorWorked
from .batchnorm_picture import batchnorm_paths
from .conv_picture import conv_pictures

__all__ = ["PICTURES", "tensor_pictures"]

Draw = Callable[[Model, TensorWorked, LayerRecord], dict[str, str]]

PICTURES: MappingProxyType[str, Draw] = MappingProxyType({
    "batchnorm": batchnorm_paths,
    "conv1d": conv_pictures, "conv2d": conv_pictures,
})


def tensor_pictures(model: Model, worked: TensorWorked, stem: str) -> dict[str, str]:
    """``{stem/name.svg: text}`` for every layer whose type draws a picture."""
    out: dict[str, str] = {}
    for record in model.layers:
        draw = PICTURES.get(record.spec.type)
        if draw is not None:
            out.update({f"{stem}/{name}.svg": text
                        for name, text in draw(model, worked, record).items()})
    return out
