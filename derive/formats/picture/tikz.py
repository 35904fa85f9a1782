r"""``Picture`` -> a TikZ picture for the LaTeX page: the SVG's drawing, typeset by TeX.

Needs only ``tikz`` (which loads ``xcolor``) and no TikZ library, so the environment also
compiles on its own in ``\documentclass[tikz]{standalone}``. One picture unit is 0.75 pt (an
SVG pixel at 96 dpi), shrunk so that the picture fits ``width`` points; lengths and font
sizes shrink with it, so the drawing keeps its proportions. Text is the ``Words``' LaTeX
(symbols as math), each placed where the SVG places it: at its baseline, or centred.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from functools import singledispatch
from types import MappingProxyType

from .markup import coordinate
from .model import Circle, Group, Line, Picture, Plate, Polyline, Rect, Shape, Text, arrow_head

__all__ = ["TEXT_WIDTH_PT", "tikz_text"]

TEXT_WIDTH_PT = 450.0     # A4 with the page's 2.2 cm margins is 472 pt wide
_ANCHORS = MappingProxyType({None: "base west", "start": "base west", "middle": "base",
                             "end": "base east"})


class Pen:
    """The scale of one picture: picture units -> points, and the colours it names."""

    def __init__(self, unit: float) -> None:
        self.unit = unit
        self.colours: dict[str, str] = {}

    def colour(self, hex_colour: str) -> str:
        """A colour by name (``dbpD55E00``), defined once at the picture's start."""
        name = "dbp" + hex_colour.lstrip("#").upper()
        self.colours[name] = hex_colour.lstrip("#").upper()
        return name

    def pt(self, length: float) -> str:
        return f"{length * self.unit:.2f}pt"

    def font(self, size: float, bold: bool = False) -> str:
        return (rf"\fontsize{{{self.pt(size)}}}{{{self.pt(size * 1.2)}}}\selectfont"
                + (r"\bfseries\boldmath" if bold else ""))

    def stroke(self, colour: str | None, width: float | None, dash: str | None) -> list[str]:
        """The options that draw an outline (none: ``colour`` None)."""
        if colour is None:
            return []
        out = [f"draw={self.colour(colour)}", f"line width={self.pt(width or 1.0)}"]
        if dash:
            on, off = (float(v) for v in dash.split())
            out.append(f"dash pattern=on {self.pt(on)} off {self.pt(off)}")
        return out


def _at(x: float, y: float) -> str:
    return f"({coordinate(x)},{coordinate(y)})"


def _turn(degrees: float | None) -> list[str]:
    """SVG turns clockwise on a y-down card, TikZ counter-clockwise."""
    return [f"rotate={coordinate(-degrees)}"] if degrees and round(degrees, 1) else []


def tikz_text(picture: Picture, *, width: float = TEXT_WIDTH_PT) -> str:
    r"""``\begin{tikzpicture}…\end{tikzpicture}``: the picture, at most ``width`` pt wide."""
    pen = Pen(0.75 * min(1.0, width / (0.75 * picture.width)))
    body = [line for shape in picture.shapes for line in _shape(shape, pen)]
    head = [f"\\begin{{tikzpicture}}[x={pen.pt(1)}, y=-{pen.pt(1)}, line join=round]",
            *(f"\\definecolor{{{name}}}{{HTML}}{{{value}}}"
              for name, value in sorted(pen.colours.items())),
            f"\\useasboundingbox (0,0) rectangle {_at(picture.width, picture.height)};"]
    return "\n".join([*head, *body, r"\end{tikzpicture}"])


def _node(pen: Pen, options: list[str], x: float, y: float, tex: str) -> str:
    return f"\\node[{', '.join(options)}] at {_at(x, y)} {{{tex}}};"



@singledispatch
def _shape(shape: object, pen: Pen) -> Iterator[str]:
    raise TypeError(f"tikz_text: expected a shape of the picture model, got {shape!r}")


@_shape.register
def _(shape: Text, pen: Pen) -> Iterator[str]:
    options = [f"anchor={_ANCHORS[shape.anchor]}", "inner sep=0pt",
               f"text={pen.colour(shape.colour)}", f"font={pen.font(shape.size or 13, shape.bold)}",
               *_turn(shape.rotate)]
    yield _node(pen, options, shape.x, shape.y, shape.words.tex)


@_shape.register
def _(shape: Circle, pen: Pen) -> Iterator[str]:
    options = [f"fill={pen.colour(shape.fill)}", *pen.stroke(shape.stroke, shape.width, None)]
    yield f"\\filldraw[{', '.join(options)}] {_at(shape.x, shape.y)} circle[radius={pen.pt(shape.r)}];"
    if shape.label is not None:
        x = shape.x - shape.r - 6 if shape.outside else shape.x
        yield _node(pen, ["anchor=east" if shape.outside else "anchor=center", "inner sep=0pt",
                          f"text={pen.colour(shape.label_colour)}",
                          f"font={pen.font(shape.label_size)}"], x, shape.y, shape.label.tex)


@_shape.register
def _(shape: Rect, pen: Pen) -> Iterator[str]:
    options = [*([f"fill={pen.colour(shape.fill)}"] if shape.fill is not None else []),
               *pen.stroke(shape.stroke, shape.width, shape.dash)]
    if shape.rx:
        options.append(f"rounded corners={pen.pt(shape.rx)}")
    command = "filldraw" if shape.fill is not None else "draw"
    yield (f"\\{command}[{', '.join(options)}] {_at(shape.x, shape.y)} rectangle "
           f"{_at(shape.x + shape.w, shape.y + shape.h)};")


@_shape.register
def _(shape: Line, pen: Pen) -> Iterator[str]:
    (x1, y1), head = arrow_head(shape) if shape.head else ((shape.x1, shape.y1), ())
    options = pen.stroke(shape.stroke, shape.width, shape.dash)
    yield f"\\draw[{', '.join(options)}] {_at(shape.x0, shape.y0)} -- {_at(x1, y1)};"
    if head:
        yield (f"\\fill[{pen.colour(shape.stroke)}] "
               + " -- ".join(_at(x, y) for x, y in head) + " -- cycle;")


@_shape.register
def _(shape: Polyline, pen: Pen) -> Iterator[str]:
    points = [_at(x, y) for x, y in shape.points]
    rows = [" -- ".join(points[i:i + 8]) for i in range(0, len(points), 8)]
    yield f"\\draw[{', '.join(pen.stroke(shape.stroke, shape.width, None))}] " + \
        " --\n  ".join(rows) + ";"


@_shape.register
def _(shape: Plate, pen: Pen) -> Iterator[str]:
    lines = [f"\\color{{{pen.colour(colour)}}}{pen.font(size)} {words.tex}"
             for words, colour, size in shape.lines]     # no "{{": see tests/test_hostile.py
    options = ["fill=white", "fill opacity=0.9", "text opacity=1", f"inner sep={pen.pt(1.5)}",
               f"font={pen.font(max(size for _, _, size in shape.lines))}",
               f"rounded corners={pen.pt(3)}", "align=center", *_turn(shape.angle)]
    x, y = shape.x, shape.y
    if shape.grow is not None:          # pinned at the measured plate's bottom or top edge
        sign = 1 if shape.grow == "up" else -1
        turn = math.radians(shape.angle)
        x, y = x - sign * math.sin(turn) * shape.h / 2, y + sign * math.cos(turn) * shape.h / 2
        options.append("anchor=south" if shape.grow == "up" else "anchor=north")
    yield _node(pen, options, x, y, "\\\\".join(lines))


@_shape.register
def _(shape: Group, pen: Pen) -> Iterator[str]:
    for inner in shape.shapes:
        yield from _shape(inner, pen)
