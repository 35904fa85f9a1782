"""Pictures as SVG text: ``Network`` / ``Gradient`` / losses -> ``str`` (issue 5).

Pure functions that return finished SVG; the page decides where it goes and ``write``
puts it on disk. One module per job:

- ``markup``: the SVG writer (escaping, the one number format, elements, the document);
- ``palette``: the colours (Okabe–Ito on a white card);
- ``labels``: symbols' LaTeX as plain text, worked numbers, text widths;
- ``geometry``: turned rectangles and where each edge's label goes;
- ``plates``: text on a white plate (edge labels, worked values);
- ``network``: the network, θ's paths marked; ``paths``: one parameter's computation
  paths; ``loss_curve``: the loss over the steps.
"""

from __future__ import annotations

from .labels import Labels, symbol_labels, unicode_label
from .loss_curve import loss_curve_svg
from .network import network_svg, path_highlight
from .paths import path_svg

__all__ = ["Labels", "loss_curve_svg", "network_svg", "path_highlight", "path_svg",
           "symbol_labels", "unicode_label"]
