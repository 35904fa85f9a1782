"""PyTorch's opinion of a typed-layer model: the same layers written with torch's own
functions (``F.linear``, ``F.conv1d``/``F.conv2d``, the Elman recurrence torch.nn.RNN
computes, ``F.batch_norm`` in training mode), the loss and any weight decay, and
autograd's gradient of every parameter in float64.

Independent of the graph: nothing here reads a node, only the spec's layer options and the
parameters' values, so a layer built with the wrong semantics (a flipped kernel, a missing
U h_{t−1}, the unbiased variance) disagrees here even where finite differences of our own
graph agree. Activations and losses are their registry entries' ``torch`` forms (one entry
each). torch is imported only when this oracle is asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType
from typing import Any

import sympy as sp

from ..registry import ACTIVATIONS, LOSSES
from .build import LayerRecord, Model
from .rnn import rnn_activation

__all__ = ["TORCH_LAYERS", "torch_gradients"]


def _activate(t: Any, record: LayerRecord, z: Any, choice: Any = None) -> Any:
    choice = choice or record.spec.activation
    return choice.of(ACTIVATIONS).torch(t, z, **dict(choice.options))


def _sizes(value: object) -> Any:
    return tuple(value) if isinstance(value, (list, tuple)) else value  # type: ignore[arg-type]


def _dense(t: Any, record: LayerRecord, a: Any, p: dict) -> Any:
    n = record.number
    return _activate(t, record, t.nn.functional.linear(a, p[f"W{n}"], p.get(f"b{n}")))


def _flatten(t: Any, record: LayerRecord, a: Any, p: dict) -> Any:
    return t.flatten(a, 1)


def _conv(rank: int) -> Callable[..., Any]:
    def conv(t: Any, record: LayerRecord, a: Any, p: dict) -> Any:
        n, spec = record.number, record.spec
        function = t.nn.functional.conv1d if rank == 1 else t.nn.functional.conv2d
        z = function(a, p[f"W{n}"], p.get(f"b{n}"), stride=_sizes(spec.get("stride", 1)),
                     padding=_sizes(spec.get("padding", 0)))
        return _activate(t, record, z)
    return conv


def _rnn(t: Any, record: LayerRecord, a: Any, p: dict) -> Any:
    """h_t = g(W x_t + U h_{t−1} + b), h_0 = 0, over a's steps (batch first)."""
    n = record.number
    W, U, b = p[f"W{n}"], p[f"U{n}"], p.get(f"b{n}")
    h = t.zeros(a.shape[0], W.shape[0], dtype=a.dtype)
    states = []
    for step in range(a.shape[1]):
        h = _activate(t, record, t.nn.functional.linear(a[:, step], W, b) + h @ U.T,
                      rnn_activation(record.spec))
        states.append(h)
    return t.stack(states, 1) if record.spec.get("return", "last") == "sequence" else h


def _batchnorm(t: Any, record: LayerRecord, a: Any, p: dict) -> Any:
    n = record.number
    z = t.nn.functional.batch_norm(a, None, None, p[f"gamma{n}"], p[f"beta{n}"],
                                   training=True, eps=float(record.spec.get("eps", 1e-5)))
    return _activate(t, record, z)


# layer type -> (torch, its record, its input, the parameters by name) -> its output
TORCH_LAYERS: MappingProxyType[str, Callable[..., Any]] = MappingProxyType({
    "dense": _dense, "flatten": _flatten, "conv1d": _conv(1), "conv2d": _conv(2),
    "rnn": _rnn, "batchnorm": _batchnorm})


def torch_gradients(model: Model, leaves: dict[sp.Symbol, float]) -> dict[sp.Symbol, float]:
    """∂𝓛/∂θ for every parameter symbol at ``leaves`` (the example's x and y, parameter
    values), by torch.autograd in float64."""
    import torch

    def tensor(symbols: tuple, shape: tuple, grad: bool = False) -> Any:
        return torch.tensor([float(leaves[s]) for s in symbols], dtype=torch.float64) \
            .reshape(shape).requires_grad_(grad)

    spec = model.spec
    params = {t.name: tensor(t.symbols, t.shape, True) for t in model.graph.parameters}
    a = tensor(model.x.symbols, model.x.shape)
    for record in model.layers:
        a = TORCH_LAYERS[record.spec.type](torch, record, a, params)
    y = tensor(model.y.symbols, model.y.shape)
    loss = spec.loss.of(LOSSES)
    per = loss.torch(torch, a, y, **dict(spec.loss.options)).reshape(len(y), -1).sum(1)
    total = per.mean() if spec.reduction == "mean" else per.sum()
    decayed = [params[t.name] for r in model.layers for t in r.decayed]
    if spec.l2 and decayed:
        total = total + spec.l2 / 2 * sum((w ** 2).sum() for w in decayed)
    grads = torch.autograd.grad(total, list(params.values()), allow_unused=True)
    out: dict[sp.Symbol, float] = {}
    for t, g in zip(model.graph.parameters, grads):
        values = [0.0] * len(t.symbols) if g is None else g.reshape(-1).tolist()
        out.update(zip(t.symbols, values))
    return out
