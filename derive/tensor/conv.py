"""Convolution layers (``conv1d``, ``conv2d``): torch.nn.Conv1d / Conv2d, groups = dilation = 1.

One sample's input is [C, L] or [C, H, W]; the layer's kernel W (out × in × k [× k]) and bias
b (out) are shared by every output position and every sample, so each kernel entry is read
by many nodes and its gradient is the sum over them (reverse mode does that). The output is
the cross-correlation z_{o,i} = b_o + Σ_c Σ_p W_{o,c,p} x_{c, i·s+p−pad} (zeros outside the
input), then the layer's activation.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import sympy as sp

from .graph import Builder, Tensor
from .layers import LayerType, Site, activate

__all__ = ["CONV1D", "CONV2D", "Geometry", "geometry"]

AXES = ("", "length", "height, width")       # the spatial axes by rank


@dataclass(frozen=True, slots=True)
class Geometry:
    """Sizes of one convolution: per spatial axis the kernel, stride, padding, input, output."""

    channels: int          # in
    out_channels: int
    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...]
    size: tuple[int, ...]          # the input's spatial sizes (unpadded)
    out: tuple[int, ...]           # the output's spatial sizes

    def source(self, position: tuple[int, ...], offset: tuple[int, ...]) -> tuple[int, ...] | None:
        """The input position kernel offset ``offset`` reads for output ``position``; None in
        the zero padding."""
        index = tuple(i * s + p - pad for i, p, s, pad in
                      zip(position, offset, self.stride, self.padding, strict=True))
        return index if all(0 <= j < n for j, n in zip(index, self.size)) else None


def _sizes(site: Site, key: str, rank: int, default: int) -> tuple[int, ...]:
    """An int for every axis, or one per axis (``[kh, kw]``, as torch takes a tuple)."""
    value = site.layer.get(key, default)
    sizes = tuple(value) if isinstance(value, (list, tuple)) else (value,) * rank
    if len(sizes) != rank:
        raise site.error(key, f"one size or {rank} (one per spatial axis)",
                         f"{len(sizes)} sizes")
    return sizes        # type: ignore[return-value]


def geometry(site: Site, shape: tuple[int, ...], rank: int) -> Geometry:
    """The layer's sizes for an input of per-sample ``shape``; a SpecError if none fit."""
    name = site.layer.type
    if len(shape) != rank + 1:
        source = f"a {site.previous} layer" if site.previous else "the input"
        raise site.error("type", f"{name} on a sample of shape [channels, {AXES[rank]}] "
                         "(a conv cannot follow flatten or dense, nor read [features])",
                         f"shape {list(shape)} from {source}")
    kernel = _sizes(site, "kernel", rank, 1)
    stride = _sizes(site, "stride", rank, 1)
    padding = _sizes(site, "padding", rank, 0)
    size = shape[1:]
    padded = tuple(n + 2 * p for n, p in zip(size, padding))
    if any(k > n for k, n in zip(kernel, padded)):
        raise site.error("kernel", f"a kernel of at most {_text(padded)} (the padded input "
                         f"{_text(size)} + 2 × padding)", _text(kernel))
    out = tuple((n - k) // s + 1 for n, k, s in zip(padded, kernel, stride))
    return Geometry(shape[0], int(site.layer.get("channels")), kernel,  # type: ignore[arg-type]
                    stride, padding, size, out)


def _text(sizes: tuple[int, ...]) -> str:
    return " × ".join(map(str, sizes))


def _conv(builder: Builder, site: Site, a: Tensor, rank: int) -> Tensor:
    g = geometry(site, a.sample_shape, rank)
    W = builder.parameter("W", "W", (g.out_channels, g.channels) + g.kernel)
    b = builder.parameter("b", "b", (g.out_channels,)) if site.layer.get("bias", True) else None
    offsets = tuple(product(*(range(k) for k in g.kernel)))

    def z(index: tuple[int, ...]) -> sp.Expr:
        n, o, *position = index
        terms = [W.at(o, c, *p) * a.at(n, c, *source)
                 for c in range(g.channels) for p in offsets
                 if (source := g.source(tuple(position), p)) is not None]
        return sp.Add(*terms, *([b.at(o)] if b is not None else []))
    return activate(builder, site, builder.values("z", "z", (g.out_channels,) + g.out, z))


def _conv1d(builder: Builder, site: Site, a: Tensor) -> Tensor:
    """z_{o,i} = b_o + Σ_c Σ_p W_{o,c,p} x_{c,i·s+p−pad} (torch.nn.Conv1d), then g."""
    return _conv(builder, site, a, 1)


def _conv2d(builder: Builder, site: Site, a: Tensor) -> Tensor:
    """z_{o,i,j} = b_o + Σ_c Σ_{p,q} W_{o,c,p,q} x_{c,i·s+p−pad,j·s+q−pad} (torch.nn.Conv2d), then g."""
    return _conv(builder, site, a, 2)


CONV1D = LayerType(name="conv1d", summary="cross-correlation of [channels, length] with a "
                   "shared kernel, stride and zero padding, bias per channel, then the "
                   "activation (torch.nn.Conv1d)", build=_conv1d)
CONV2D = LayerType(name="conv2d", summary="cross-correlation of [channels, height, width] "
                   "with a shared kernel, stride and zero padding, bias per channel, then the "
                   "activation (torch.nn.Conv2d)", build=_conv2d)
