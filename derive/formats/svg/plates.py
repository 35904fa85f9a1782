"""Text on a white plate: the labels written on edges and under nodes, one or more lines.

A plate keeps its text readable over the lines it crosses. Its size is measured once, when
it is made: the column spacing, the placement (``geometry.place``) and the drawing use it.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..picture import model
from ..picture.model import Words
from .labels import text_width

__all__ = ["Line", "Plate"]

Line = tuple[Words, str, float]  # (words, colour, font size): one line of a label


class Plate:
    """Lines of text and the size of the plate that holds them."""

    __slots__ = ("height", "lines", "width")

    def __init__(self, lines: Sequence[Line]) -> None:
        self.lines = tuple(lines)
        self.width = max(text_width(words.text, size) for words, _, size in lines) + 6
        self.height = sum(size * 1.2 for _, _, size in lines) + 3

    def at(self, x: float, y: float, angle: float, cls: str | None = None,
           grow: str | None = None) -> model.Plate:
        """The plate centred at (x, y), turned by ``angle`` degrees (``grow``: see
        ``model.Plate``)."""
        return model.Plate(x, y, angle, self.width, self.height, self.lines, cls, grow)
