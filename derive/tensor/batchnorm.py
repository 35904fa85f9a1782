"""Batch normalization in training mode (torch.nn.BatchNorm1d): each feature normalized by
the mean and biased variance of the whole batch, then scaled and shifted by learned γ, β.

The batch statistics μ and σ² are unbatched nodes that read every sample, so each sample's
output reads every sample's input: reverse mode adds three paths into each input (through
x̂ directly, through μ, through σ²). On a ``[C, L]`` sample the statistics of channel c run
over the batch and the length, as torch's do.
"""

from __future__ import annotations

import sympy as sp

from .graph import Builder, Tensor
from .layers import LayerType, Site, activate

__all__ = ["BATCHNORM", "EPS"]

EPS = 1e-5      # torch.nn.BatchNorm1d's default


def _build(builder: Builder, site: Site, a: Tensor) -> Tensor:
    """μ_c = mean, σ²_c = biased variance over (n, l); y = γ (x − μ)/√(σ² + ε) + β."""
    shape = a.sample_shape
    if len(shape) not in (1, 2):
        raise site.error("type", "a [features] or [channels, length] sample for batchnorm",
                         f"shape {list(shape)}")
    length = shape[1] if len(shape) == 2 else 1
    count = builder.samples * length
    if count < 2:       # torch: "Expected more than 1 value per channel when training"
        raise site.error("type", "a batch of at least 2 samples for batchnorm (its statistics "
                         "are over the batch, as torch.nn.BatchNorm1d in training mode)",
                         f"{builder.samples} sample")
    kept = site.layer.get("trainable")
    if kept not in (None, (), ("W", "b")):      # [W] or [b] would freeze γ and β unasked
        raise site.error("trainable", "true or false for batchnorm (its tensors are gamma "
                         "and beta)", f"[{', '.join(kept)}]")      # type: ignore[arg-type]
    channels = shape[0]
    eps = sp.Float(float(site.layer.get("eps", EPS)))    # type: ignore[arg-type]

    def reads(c: int) -> list[sp.Symbol]:
        """Every value of channel c in the batch."""
        return [a.at(n, c, *([l] if len(shape) == 2 else []))
                for n in range(builder.samples) for l in range(length)]

    gamma = builder.parameter("gamma", r"\gamma", (channels,))
    beta = builder.parameter("beta", r"\beta", (channels,))
    scale = sp.Rational(1, count)
    mu = builder.values("mu", r"\mu", (channels,),
                        lambda i: scale * sp.Add(*reads(i[0])), batched=False)
    var = builder.values("var", r"{\sigma^2}", (channels,), lambda i: scale * sp.Add(*(
        (v - mu.at(i[0])) ** 2 for v in reads(i[0]))), batched=False)
    xhat = builder.values("xhat", r"\hat{x}", shape, lambda i: (a.at(*i) - mu.at(i[1]))
                          / sp.sqrt(var.at(i[1]) + eps))
    out = builder.values("y", "y", shape,
                         lambda i: gamma.at(i[1]) * xhat.at(*i) + beta.at(i[1]))
    return activate(builder, site, out)


BATCHNORM = LayerType(
    name="batchnorm", summary="y = γ (x − μ)/√(σ² + ε) + β with the batch's mean and biased "
    "variance per feature (torch.nn.BatchNorm1d, training mode), then the activation",
    build=_build, defaults=(("gamma", 1.0), ("beta", 0.0)))
