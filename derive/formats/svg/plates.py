"""Text on a white plate: the labels written on edges and under nodes, one or more lines.

A plate keeps its text readable over the lines it crosses. Its size is measured once, when
it is made: the column spacing, the placement (``geometry.place``) and the drawing use it.
"""

from __future__ import annotations

from collections.abc import Sequence

from .labels import text_width
from .markup import Sheet, coordinate

__all__ = ["Line", "Plate"]

Line = tuple[str, str, float]  # (text, colour, font size): one line of a label


class Plate:
    """Lines of text and the size of the plate that holds them."""

    __slots__ = ("height", "lines", "width")

    def __init__(self, lines: Sequence[Line]) -> None:
        self.lines = tuple(lines)
        self.width = max(text_width(text, size) for text, _, size in lines) + 6
        self.height = sum(size * 1.2 for _, _, size in lines) + 3

    def draw(self, sheet: Sheet, x: float, y: float, angle: float, **attrs: object) -> str:
        """Centred lines on the plate centred at (x, y), turned by ``angle`` degrees."""
        w, h = self.width, self.height
        turn = (f"translate({coordinate(x)} {coordinate(y)})"
                + (f" rotate({coordinate(angle)})" if round(angle, 1) else ""))
        parts = [sheet.tag("rect", {"x": -w / 2, "y": -h / 2, "width": w, "height": h,
                                    "rx": 3, "fill": "#ffffff", "fill-opacity": 0.9})]
        baseline = -h / 2 + 1.5
        for text, colour, size in self.lines:
            baseline += size * 1.2
            parts.append(sheet.text(0, baseline - size * 0.27, text, fill=colour,
                                    font_size=size))
        return sheet.tag("g", {**attrs, "transform": turn, "text-anchor": "middle"},
                         "".join(parts))

