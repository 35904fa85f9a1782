"""The page's SVG pictures, beside it, and the links its template needs."""

from __future__ import annotations

from typing import Any

from ..calculus import LOSS, Gradient
from .page import Page


__all__ = ["picture_files"]


def _slug(g: Gradient) -> str:
    return f"{g.role.kind.lower()}{g.role.layer}-" + "-".join(str(i + 1) for i in g.role.index)


def picture_files(page: Page, stem: str) -> tuple[dict[str, str], dict[str, Any]]:
    """The page's SVG pictures (beside it, in ``stem/``) and what the template links to.

    The network with the example's first forward pass, each layer's first weight with its
    computation paths, the loss curve.
    """
    from . import svg as pictures    # only pages with pictures pay for it
    derivation, worked = page.derivation, page.worked
    network = derivation.network
    labels = pictures.symbol_labels(network, names=page.printer.symbol_names)
    first = worked.first.forwards[0] if worked is not None else None
    values = {**first.env, LOSS: first.loss} if first is not None else None
    files = {f"{stem}/network.svg": pictures.network_svg(network, labels, values=values)}
    paths = {}
    for layer in network.layers:
        g = next(g for g in derivation.gradients if g.role.layer == layer.number)
        files[f"{stem}/paths-{_slug(g)}.svg"] = pictures.path_svg(g, labels)
        paths[g.parameter] = (f"{stem}/paths-{_slug(g)}.svg",)
    loss = None
    if worked is not None and len(worked.losses) > 2:
        loss = f"{stem}/loss.svg"
        files[loss] = pictures.loss_curve_svg(worked.losses, mode=worked.mode)
    return files, {"network": f"{stem}/network.svg", "paths": paths, "loss": loss}
