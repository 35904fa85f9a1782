"""The pictures of a typed-layer page: one entry per layer type that draws one
(``PICTURES[type](model, worked, record) -> {name: Picture}``); the lesson shows each as
``Figure(ctx.figure(name), caption)``: SVG beside the Markdown page, TikZ in the LaTeX one."""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType

from ..tensor import LayerRecord, Model, TensorWorked
from .batchnorm_picture import batchnorm_paths
from .conv_picture import conv_pictures
from .picture.model import Picture
from .picture.svg import svg_text

__all__ = ["PICTURES", "tensor_drawings", "tensor_pictures"]

Draw = Callable[[Model, TensorWorked, LayerRecord], dict[str, Picture]]

PICTURES: MappingProxyType[str, Draw] = MappingProxyType({
    "batchnorm": batchnorm_paths,
    "conv1d": conv_pictures, "conv2d": conv_pictures,
})


def tensor_drawings(model: Model, worked: TensorWorked, stem: str) -> dict[str, Picture]:
    """``{stem/name.svg: picture}`` for every layer whose type draws a picture (the paths
    the page's figures name)."""
    out: dict[str, Picture] = {}
    for record in model.layers:
        draw = PICTURES.get(record.spec.type)
        if draw is not None:
            out.update({f"{stem}/{name}.svg": picture
                        for name, picture in draw(model, worked, record).items()})
    return out


def tensor_pictures(model: Model, worked: TensorWorked, stem: str) -> dict[str, str]:
    """``{stem/name.svg: svg text}``: the files beside the Markdown page."""
    return {path: svg_text(picture)
            for path, picture in tensor_drawings(model, worked, stem).items()}
