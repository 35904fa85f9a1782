"""The picture model: what a picture is, apart from how a format writes it.

A ``Picture`` is a card of ``width`` x ``height`` units (an SVG pixel; y grows downwards)
holding shapes in drawing order: texts, circles, rectangles, lines and arrows, polylines,
text on a white plate, and groups of them. Every piece of text is ``Words``: the plain
Unicode an SVG shows and the LaTeX a TikZ picture typesets (symbols as math), so the web
page's picture and the LaTeX page's picture are one drawing (derive/formats/picture/svg.py,
tikz.py). ``cls`` and ``title`` say what a shape is (a class and a tooltip in SVG; TikZ has
neither); colours are ``#rrggbb``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Circle", "Group", "Line", "Picture", "Plate", "Polyline", "Rect", "Shape", "Text",
           "Words", "arrow_head"]


@dataclass(frozen=True, slots=True)
class Words:
    """One piece of text: ``text`` as SVG shows it, ``tex`` as LaTeX typesets it (text mode,
    mathematics inside ``$…$``, prose already escaped by derive/formats/escape.py)."""

    text: str
    tex: str

    def __add__(self, other: Words) -> Words:
        return Words(self.text + other.text, self.tex + other.tex)


@dataclass(frozen=True, slots=True)
class Text:
    """``words`` with their baseline at (x, y): ``anchor`` start, middle or end; ``rotate``
    degrees clockwise about (x, y)."""

    x: float
    y: float
    words: Words
    colour: str
    size: float | None = None          # None: the picture's size (13)
    anchor: str | None = None          # None: start
    bold: bool = False
    rotate: float | None = None


@dataclass(frozen=True, slots=True)
class Circle:
    """A disc; ``label`` inside it (or, ``outside``, ending left of it) at ``label_size``."""

    x: float
    y: float
    r: float
    fill: str
    stroke: str | None = None
    width: float | None = None
    cls: str | None = None
    title: str | None = None
    label: Words | None = None
    label_size: float = 13.0
    outside: bool = False
    label_colour: str = "#222222"


@dataclass(frozen=True, slots=True)
class Rect:
    """A rectangle with corner (x, y), rounded by ``rx``, dashed where ``dash`` is set;
    ``fill`` None: an outline only."""

    x: float
    y: float
    w: float
    h: float
    fill: str | None
    stroke: str | None = None
    width: float | None = None
    rx: float = 0.0
    dash: str | None = None            # "4 3": 4 drawn, 3 left out


@dataclass(frozen=True, slots=True)
class Line:
    """From (x0, y0) to (x1, y1); ``head``: an arrow whose tip is (x1, y1)."""

    x0: float
    y0: float
    x1: float
    y1: float
    stroke: str
    width: float | None = None
    cls: str | None = None
    title: str | None = None
    head: bool = False
    dash: str | None = None


@dataclass(frozen=True, slots=True)
class Polyline:
    """An open line through points (a loss curve, its axes)."""

    points: tuple[tuple[float, float], ...]
    stroke: str
    width: float | None = None


@dataclass(frozen=True, slots=True)
class Plate:
    """Lines of text (words, colour, size) centred on a white plate of ``w`` x ``h`` centred
    at (x, y), turned ``angle`` degrees clockwise with the edge it labels. ``grow``: the
    side it keeps when typeset text is taller than measured ("up": its bottom stays clear of
    the line below it, "down": its top clear of the node above it; None: its centre)."""

    x: float
    y: float
    angle: float
    w: float
    h: float
    lines: tuple[tuple[Words, str, float], ...]
    cls: str | None = None
    grow: str | None = None


@dataclass(frozen=True, slots=True)
class Group:
    """Shapes that are one thing (a node, a box with its text)."""

    cls: str
    shapes: tuple[Shape, ...]


Shape = Text | Circle | Rect | Line | Polyline | Plate | Group


@dataclass(frozen=True, slots=True)
class Picture:
    """The card and its shapes; ``title`` and ``desc`` say what it shows in words."""

    width: float
    height: float
    title: str
    desc: str
    shapes: tuple[Shape, ...]


def arrow_head(line: Line) -> tuple[tuple[float, float], tuple[tuple[float, float], ...]]:
    """Where an arrow's line stops, and its head's three corners (tip first): both writers
    draw the same head, as a filled triangle rather than a format's own arrow tip."""
    x0, y0, x1, y1 = line.x0, line.y0, line.x1, line.y1
    length = math.hypot(x1 - x0, y1 - y0) or 1.0
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    return ((x1 - 8 * ux, y1 - 8 * uy),
            ((x1, y1), (x1 - 9 * ux + 4 * uy, y1 - 9 * uy - 4 * ux),
             (x1 - 9 * ux - 4 * uy, y1 - 9 * uy + 4 * ux)))
