"""The layer types a typed-layer spec may name: one entry each (``LAYERS``).

An entry's ``build`` adds the layer's parameters and values to the graph being built and
returns its output tensor, or raises a one-line ``SpecError`` for a shape it cannot take.
Dense and flatten live here; convolution, recurrence and batch normalization in their own
modules (``conv``, ``rnn``, ``batchnorm``), each one entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from ..errors import SpecError
from ..registry import ACTIVATIONS, Registry
from ..spec.tensor import TensorLayer, TensorSpec
from .graph import Builder, Tensor

__all__ = ["LAYERS", "LayerType", "Site", "activate"]


@dataclass(frozen=True, slots=True)
class Site:
    """Where a layer is in its spec: for error lines that name the file, line and key."""

    spec: TensorSpec
    layer: TensorLayer
    previous: str = ""          # the type of the layer before ("": the input)

    def error(self, key: str, expected: str, got: str) -> SpecError:
        path = f"{self.layer.key}.{key}" if key else self.layer.key
        return SpecError(path, expected, got_text=got, file=self.spec.file,
                         line=self.spec.line_of(path))


Build = Callable[[Builder, Site, Tensor], Tensor]


@dataclass(frozen=True, slots=True, kw_only=True)
class LayerType:
    """One layer type: what ``derive-backprop list`` says of it, and how it is built."""

    name: str
    summary: str
    build: Build
    defaults: tuple[tuple[str, float], ...] = ()    # a parameter's first value, not drawn


def activate(builder: Builder, site: Site, z: Tensor) -> Tensor:
    """a = g(z) elementwise, or softmax over the last axis; the identity adds no nodes."""
    choice = site.layer.activation
    if choice.name == "linear":
        return z
    entry = choice.of(ACTIVATIONS)
    shape = z.sample_shape
    if entry.vector:                    # softmax: each a reads its row's denominator
        rows = shape[:-1]
        total = builder.values("S", "S", rows, lambda i: sp.Add(*(
            sp.exp(z.at(*i, k)) for k in range(shape[-1]))))
        return builder.values("a", "a", shape, lambda i: sp.exp(z.at(*i)) / total.at(*i[:-1]))
    options = dict(choice.options)
    return builder.values("a", "a", shape, lambda i: entry.form(z.at(*i), **options))


def _dense(builder: Builder, site: Site, a: Tensor) -> Tensor:
    """z_j = Σ_k W_jk a_k + b_j (torch.nn.Linear), then g: on a vector per sample, or on
    each step of an RNN's output sequence (a head per step, as nn.Linear on (N, T, H))."""
    if len(a.sample_shape) != 1 and site.previous != "rnn":
        got = "the input" if not site.previous else f"a {site.previous} layer"
        raise site.error("type", "a vector per sample for a dense layer (add {type: flatten} "
                         "before it)", f"shape {list(a.sample_shape)} from {got}")
    units, fan_in = int(site.layer.get("units")), a.sample_shape[-1]   # type: ignore[arg-type]
    W = builder.parameter("W", "W", (units, fan_in))
    shared = bool(site.layer.get("shared", False))      # one bias for every unit (Mazur's)
    b = builder.parameter("b", "b", (1 if shared else units,)) \
        if site.layer.get("bias", True) else None
    shape = a.sample_shape[:-1] + (units,)

    def z(i: tuple[int, ...]) -> sp.Expr:
        *outer, j = i
        terms = [W.at(j, k) * a.at(*outer, k) for k in range(fan_in)]
        return sp.Add(*terms, *([b.at(0 if shared else j)] if b is not None else []))
    out = activate(builder, site, builder.values("z", "z", shape, z))
    source = site.layer.get("add")      # a residual: + an earlier output (0: the inputs)
    if source is None:
        return out
    skip = builder.outputs[int(source) - 1] if source else builder.tensors[0]  # type: ignore[arg-type]
    return builder.values("r", "r", shape, lambda i: out.at(*i) + skip.at(*i))


def _flatten(builder: Builder, site: Site, a: Tensor) -> Tensor:
    """One sample's values as one vector (row-major, as torch.flatten(start_dim=1))."""
    size = 1
    for n in a.sample_shape:
        size *= n
    return builder.add(a.reshaped(f"f{builder.layer}", f"f^{{({builder.layer})}}", (size,),
                                  builder.layer))


def _layers() -> tuple[LayerType, ...]:
    from .batchnorm import BATCHNORM
    from .conv import CONV1D, CONV2D
    from .rnn import RNN
    return (LayerType(name="dense", summary="z = W a + b on a vector per sample (or on each "
                      "step of an RNN's outputs), then the activation (torch.nn.Linear)",
                      build=_dense),
            LayerType(name="flatten", summary="one sample's values as one vector, row-major "
                      "(torch.flatten(x, 1))", build=_flatten),
            CONV1D, CONV2D, RNN, BATCHNORM)


LAYERS: Registry[LayerType] = Registry("layer type", _layers())
