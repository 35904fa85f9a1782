"""The Elman RNN layer (``rnn``): torch.nn.RNN with ``batch_first``, one bias.

One sample's input is [T, F]; for t = 1 … T the pre-activation s_t = W x_t + U h_{t−1} + b
(h_0 = 0) and h_t = g(s_t), g = tanh unless the layer names another activation. W, U and b are
read at every step (tied through time), so their gradients sum over the steps: reverse mode
over the unrolled graph is backpropagation through time. ``return: last`` gives h_T,
``return: sequence`` every h_t ([T, units]; a dense layer after it is a head per step).
"""

from __future__ import annotations

import sympy as sp

from ..registry import ACTIVATIONS
from ..spec.model import Choice
from .graph import Builder, Tensor
from .layers import LayerType, Site

__all__ = ["RNN", "rnn_activation"]


def rnn_activation(site_layer) -> Choice:  # type: ignore[no-untyped-def]
    """The layer's g: its ``activation``, tanh by default (torch's nonlinearity)."""
    found = site_layer.get("activation")
    return found if isinstance(found, Choice) else Choice("tanh")


def _rnn(builder: Builder, site: Site, a: Tensor) -> Tensor:
    if len(a.sample_shape) != 2 or site.previous not in ("", "rnn"):
        got = "the input" if not site.previous else f"a {site.previous} layer"
        raise site.error("type", "an rnn on a sequence [steps, features] (the input, or an "
                         "rnn with return: sequence)", f"shape {list(a.sample_shape)} from {got}")
    steps, features = a.sample_shape
    units = int(site.layer.get("units"))    # type: ignore[arg-type]
    W = builder.parameter("W", "W", (units, features))
    U = builder.parameter("U", "U", (units, units))
    b = builder.parameter("b", "b", (units,)) if site.layer.get("bias", True) else None
    choice = rnn_activation(site.layer)
    g, options = choice.of(ACTIVATIONS), dict(choice.options)
    if g.vector:
        raise site.error("activation", "an elementwise activation (tanh or relu, as torch)",
                         repr(choice.name))
    s = builder.declare("s", "s", (steps, units))
    h = builder.declare("h", "h", (steps, units))
    for t in range(steps):                  # step by step: s_t reads h_{t−1}
        for n in range(builder.samples):
            for j in range(units):
                terms = [W.at(j, k) * a.at(n, t, k) for k in range(features)]
                if t:
                    terms += [U.at(j, i) * h.at(n, t - 1, i) for i in range(units)]
                builder.define(s.at(n, t, j), sp.Add(*terms, *([b.at(j)] if b else [])))
            for j in range(units):
                builder.define(h.at(n, t, j), g.form(s.at(n, t, j), **options))
    if site.layer.get("return", "last") == "sequence":
        return h
    last = tuple(h.at(n, steps - 1, j) for n in range(builder.samples) for j in range(units))
    return builder.add(Tensor(f"o{builder.layer}", h.latex, (builder.samples, units), last,
                              "value", True, builder.layer))


RNN = LayerType(name="rnn", summary="Elman RNN over [steps, features]: h_t = g(W x_t + U "
                "h_(t-1) + b), h_0 = 0, tanh by default; the last h or every h_t "
                "(torch.nn.RNN, batch_first, one bias)", build=_rnn)
