"""The page's pictures, as pictures of the picture model: SVG files beside the web page, TikZ
inside the LaTeX page, and the links the document's figures carry."""

from __future__ import annotations

from typing import Any

from ..calculus import LOSS, Gradient
from .page import Page
from .picture.model import Picture
from .picture.svg import svg_text


__all__ = ["page_pictures", "picture_files"]


def _slug(g: Gradient) -> str:
    return f"{g.role.kind.lower()}{g.role.layer}-" + "-".join(str(i + 1) for i in g.role.index)


def page_pictures(page: Page, stem: str) -> tuple[dict[str, Picture], dict[str, Any]]:
    """The page's pictures by file name (beside the page, in ``stem/``) and the links the
    document's figures carry (its ``pictures``).

    The network with the example's first forward pass, each layer's first weight with its
    computation paths (its arrows' local derivatives printed by the page's printer), the
    loss curve.
    """
    from . import svg as pictures    # only pages with pictures pay for it
    derivation, worked = page.derivation, page.worked
    network = derivation.network
    labels = pictures.symbol_labels(network, names=page.printer.symbol_names)
    first = worked.first.forwards[0] if worked is not None else None
    values = {**first.env, LOSS: first.loss} if first is not None else None
    drawn = {f"{stem}/network.svg": pictures.network_picture(network, labels, values=values)}
    paths = {}
    for layer in network.layers:
        g = next(g for g in derivation.gradients if g.role.layer == layer.number)
        drawn[f"{stem}/paths-{_slug(g)}.svg"] = pictures.path_picture(g, labels, page.printer)
        paths[g.parameter] = (f"{stem}/paths-{_slug(g)}.svg",)
    loss = None
    if worked is not None and len(worked.losses) > 2:
        loss = f"{stem}/loss.svg"
        drawn[loss] = pictures.loss_curve_picture(worked.losses, mode=worked.mode)
    return drawn, {"network": f"{stem}/network.svg", "paths": paths, "loss": loss}


def picture_files(page: Page, stem: str) -> tuple[dict[str, str], dict[str, Any]]:
    """The page's pictures as SVG files (``page_pictures``) and the document's links."""
    drawn, links = page_pictures(page, stem)
    return {name: svg_text(picture) for name, picture in drawn.items()}, links
