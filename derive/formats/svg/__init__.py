"""The page's pictures: ``Network`` / ``Gradient`` / losses -> a ``Picture`` of the picture
model (derive/formats/picture), written as SVG beside the web page and as TikZ inside the
LaTeX page (issues 5 and 15).

Pure functions; the page decides where a picture goes and ``write`` puts it on disk. One
module per job:

- ``markup``: the SVG text primitives (kept here for their importers; they live in
  derive/formats/picture/markup.py);
- ``palette``: the colours (Okabe–Ito on a white card);
- ``labels``: symbols' LaTeX as plain text, worked numbers, text widths;
- ``geometry``: turned rectangles and where each edge's label goes;
- ``plates``: text on a white plate (edge labels, worked values);
- ``network``: the network, θ's paths marked; ``paths``: one parameter's computation
  paths; ``loss_curve``: the loss over the steps.
"""

from __future__ import annotations

from .labels import Labels, symbol_labels, unicode_label
from .loss_curve import loss_curve_picture, loss_curve_svg
from .network import network_picture, network_svg, path_highlight
from .paths import path_picture, path_svg

__all__ = ["Labels", "loss_curve_picture", "loss_curve_svg", "network_picture", "network_svg",
           "path_highlight", "path_picture", "path_svg", "symbol_labels", "unicode_label"]
