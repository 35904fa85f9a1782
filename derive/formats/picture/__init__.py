"""One picture model, two writers: the page's pictures as SVG (beside the web page) and as
TikZ (inside the LaTeX page), drawn from the same shapes.

- ``model``: the shapes (texts, circles, rectangles, lines and arrows, polylines, plates,
  groups) and ``Words``, text as Unicode and as LaTeX;
- ``svg`` (with ``markup``, the SVG text primitives) and ``tikz``: the two writers.

The pictures themselves are built in derive/formats/svg/ (network, paths, loss curve) and
derive/formats/circuit_picture.py.
"""

from __future__ import annotations

from .model import Circle, Group, Line, Picture, Plate, Polyline, Rect, Shape, Text, Words
from .svg import svg_text
from .tikz import tikz_text

__all__ = ["Circle", "Group", "Line", "Picture", "Plate", "Polyline", "Rect", "Shape", "Text",
           "Words", "svg_text", "tikz_text"]
