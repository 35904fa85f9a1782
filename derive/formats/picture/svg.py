"""``Picture`` -> SVG text: each shape as the elements the web page shows (``markup.Sheet``).

One shape is one top-level part (an arrow is its line and its head), so the markup reads
line by line; attributes are written in one order per kind of element.
"""

from __future__ import annotations

from functools import singledispatch

from .markup import Sheet, coordinate
from .model import Circle, Group, Line, Picture, Plate, Polyline, Rect, Text, arrow_head

__all__ = ["svg_text"]


def svg_text(picture: Picture) -> str:
    """The picture as one SVG document (xmlns, viewBox, title and desc, a white card)."""
    sheet = Sheet()
    return sheet.document(picture.width, picture.height, picture.title, picture.desc,
                          [_shape(shape, sheet) for shape in picture.shapes])


def _points(points: tuple[tuple[float, float], ...]) -> str:
    return " ".join(f"{coordinate(x)},{coordinate(y)}" for x, y in points)


def _given(**attrs: object) -> dict[str, object]:
    """The attributes that are set, in the order given."""
    return {key: value for key, value in attrs.items() if value is not None}


def _element(sheet: Sheet, name: str, attrs: dict[str, object], title: str | None) -> str:
    return sheet.titled(name, attrs, title) if title is not None else sheet.tag(name, attrs)


@singledispatch
def _shape(shape: object, sheet: Sheet) -> str:
    raise TypeError(f"svg_text: expected a shape of the picture model, got {shape!r}")


@_shape.register
def _(shape: Text, sheet: Sheet) -> str:
    turn = (f"rotate({coordinate(shape.rotate)} {coordinate(shape.x)} {coordinate(shape.y)})"
            if shape.rotate is not None else None)
    return sheet.text(shape.x, shape.y, shape.words.text, **_given(
        text_anchor=shape.anchor, font_weight="bold" if shape.bold else None,
        font_size=shape.size, fill=shape.colour, transform=turn))


@_shape.register
def _(shape: Circle, sheet: Sheet) -> str:
    disc = _element(sheet, "circle", _given(**{"class": shape.cls}, cx=shape.x, cy=shape.y,
                                            r=shape.r, fill=shape.fill, stroke=shape.stroke,
                                            stroke_width=shape.width), shape.title)
    if shape.label is None:
        return disc
    size = shape.label_size
    x = shape.x - shape.r - 6 if shape.outside else shape.x
    return disc + sheet.text(x, shape.y + size * 0.35, shape.label.text, font_size=size,
                             text_anchor="end" if shape.outside else "middle", fill=shape.label_colour)


@_shape.register
def _(shape: Rect, sheet: Sheet) -> str:
    return sheet.tag("rect", _given(x=shape.x, y=shape.y, width=shape.w, height=shape.h,
                                    rx=shape.rx or None, fill=shape.fill or "none",
                                    stroke=shape.stroke,
                                    stroke_width=shape.width, stroke_dasharray=shape.dash))


@_shape.register
def _(shape: Line, sheet: Sheet) -> str:
    (x1, y1), head = arrow_head(shape) if shape.head else ((shape.x1, shape.y1), ())
    line = _element(sheet, "line", _given(**{"class": shape.cls}, x1=shape.x0, y1=shape.y0,
                                          x2=x1, y2=y1, stroke=shape.stroke,
                                          stroke_width=shape.width,
                                          stroke_dasharray=shape.dash), shape.title)
    if not head:
        return line
    return line + sheet.tag("polygon", {"points": _points(head), "fill": shape.stroke})


@_shape.register
def _(shape: Polyline, sheet: Sheet) -> str:
    return sheet.tag("polyline", _given(points=_points(shape.points), fill="none",
                                        stroke=shape.stroke, stroke_width=shape.width))


@_shape.register
def _(shape: Plate, sheet: Sheet) -> str:
    w, h = shape.w, shape.h
    turn = (f"translate({coordinate(shape.x)} {coordinate(shape.y)})"
            + (f" rotate({coordinate(shape.angle)})" if round(shape.angle, 1) else ""))
    parts = [sheet.tag("rect", {"x": -w / 2, "y": -h / 2, "width": w, "height": h, "rx": 3,
                                "fill": "#ffffff", "fill-opacity": 0.9})]
    baseline = -h / 2 + 1.5
    for words, colour, size in shape.lines:
        baseline += size * 1.2
        parts.append(sheet.text(0, baseline - size * 0.27, words.text, fill=colour,
                                font_size=size))
    return sheet.tag("g", {**_given(**{"class": shape.cls}), "transform": turn,
                           "text-anchor": "middle"}, "".join(parts))


@_shape.register
def _(shape: Group, sheet: Sheet) -> str:
    return sheet.tag("g", {"class": shape.cls}, "".join(_shape(s, sheet) for s in shape.shapes))
