"""The PyTorch oracle: autograd in float64 on the same network, a second opinion next to
finite differences. torch is imported only when this oracle is asked for (it costs ~1.4 s)."""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence

from ..calculus import Network

__all__ = ["available", "loss_and_gradients"]


def available() -> bool:
    """Whether torch is installed, without importing it."""
    return importlib.util.find_spec("torch") is not None


def loss_and_gradients(network: Network, params: Sequence[float], x: Sequence[Sequence[float]],
                       y: Sequence[Sequence[float]]) -> tuple[float, tuple[float, ...]]:
    """The reduced loss over the samples (with any weight decay's penalty) and ∂L/∂θ for every
    parameter, by torch.autograd: shared biases, residuals and weight decay written in torch."""
    import torch

    values = iter(float(v) for v in params)
    leaves, a = [], torch.tensor([list(row) for row in x], dtype=torch.float64)
    outputs = [a]                   # the inputs, then each layer's a (for residuals)
    penalty = 0.0
    for layer in network.layers:
        weight = torch.tensor([[next(values) for _ in range(layer.fan_in)]
                               for _ in range(layer.units)], dtype=torch.float64,
                              requires_grad=True)
        leaves.append(weight)
        if network.decays(layer.W[0][0]):
            penalty = penalty + (weight ** 2).sum()
        z = a @ weight.T
        if layer.b:     # one per unit, or one shared (shape (1,), broadcast over the units)
            bias = torch.tensor([next(values) for _ in layer.b], dtype=torch.float64,
                                requires_grad=True)
            leaves.append(bias)
            z = z + bias
        a = layer.activation.torch(torch, z, **dict(layer.options))
        if layer.source is not None:
            a = a + outputs[layer.source]
        outputs.append(a)
    target = torch.tensor([list(row) for row in y], dtype=torch.float64)
    per_sample = network.loss.torch(torch, a, target, **dict(network.loss_options)).sum(dim=1)
    loss = per_sample.sum() * float(network.spec.batch_scale(len(x))) \
        + network.spec.l2 / 2 * penalty
    grads = torch.autograd.grad(loss, leaves)
    return loss.item(), tuple(float(v) for g in grads for v in g.reshape(-1).tolist())
