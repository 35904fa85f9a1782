"""Where labels go: turned rectangles, their overlap, and a spot along each edge for its label.

Pure arithmetic on plain tuples (no SVG here), so the placement can be tested on its own:
``place`` puts each label along its segment where it overlaps the fewest boxes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

__all__ = ["Box", "Segment", "offset", "overlap", "place", "rect"]

Box = tuple  # (x, y, cos, sin, half width, half height, bounds): a turned rectangle
Segment = tuple[float, float, float, float]  # (x0, y0, x1, y1)
_SPOTS = tuple(0.2 + 0.075 * i for i in range(9))  # where along its edge a label may go


def rect(x: float, y: float, angle: float, w: float, h: float) -> Box:
    """A w x h rectangle centred at (x, y), turned by ``angle`` degrees, and its bounds."""
    c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    half_x, half_y = (w * abs(c) + h * abs(s)) / 2, (w * abs(s) + h * abs(c)) / 2
    return (x, y, c, s, w / 2, h / 2, (x - half_x, y - half_y, x + half_x, y + half_y))


def overlap(a: Box, b: Box) -> bool:
    """Whether two boxes overlap (touching is not overlapping): bounds first (cheap,
    usually decisive), then the separating-axis test."""
    ax0, ay0, ax1, ay1 = a[6]
    bx0, by0, bx1, by1 = b[6]
    if ax1 <= bx0 or bx1 <= ax0 or ay1 <= by0 or by1 <= ay0:
        return False
    ax, ay, ac, as_, aw, ah, _ = a
    bx, by, bc, bs, bw, bh, _ = b
    if as_ == 0 and bs == 0:  # bounds are exact for upright rectangles
        return True
    tx, ty = bx - ax, by - ay
    for lx, ly in ((ac, as_), (-as_, ac), (bc, bs), (-bs, bc)):
        reach_a = aw * abs(ac * lx + as_ * ly) + ah * abs(ac * ly - as_ * lx)
        reach_b = bw * abs(bc * lx + bs * ly) + bh * abs(bc * ly - bs * lx)
        if abs(tx * lx + ty * ly) >= reach_a + reach_b:
            return False
    return True


def offset(segment: Segment, by: float) -> Segment:
    """The segment moved ``by`` to its left-hand side (above a left-to-right edge)."""
    x0, y0, x1, y1 = segment
    length = math.hypot(x1 - x0, y1 - y0) or 1.0
    dx, dy = by * (y1 - y0) / length, -by * (x1 - x0) / length
    return (x0 + dx, y0 + dy, x1 + dx, y1 + dy)


def place(labels: Sequence[tuple[Segment, float, float]],
          blocked: Sequence[Box]) -> list[tuple[float, float, float]]:
    """Put each label (segment, width, height) along its segment where it overlaps least.

    A falling edge prefers a spot near its end, a rising one near its start, so crossing
    edges keep their labels apart; while some label overlaps, up to two more passes move
    each label given all the others. Returns (x, y, angle): labels turn with their edge.
    """
    steepest = max((abs(y1 - y0) for (_, y0, _, y1), _, _ in labels), default=0.0) or 1.0
    reaches = [_reach(segment, w, h) for segment, w, h in labels]
    near = [_meeting(reach, blocked) for reach in reaches]
    orders = [_spots(0.5 + 0.25 * (y1 - y0) / steepest) for (_, y0, _, y1), _, _ in labels]
    spots: list[tuple[int, Box, float, float, float] | None] = [None] * len(labels)
    left = math.inf
    for _ in range(3):
        for i, (segment, w, h) in enumerate(labels):
            placed = [spot[1] for j, spot in enumerate(spots) if spot is not None and j != i]
            spots[i] = _best_spot(segment, w, h, orders[i],
                                  near[i] + _meeting(reaches[i], placed))
        before, left = left, sum(spot[0] for spot in spots)  # type: ignore[index]
        if left == 0 or left >= before:
            break
    return [spot[2:] for spot in spots]  # type: ignore[index]


def _spots(preferred: float) -> tuple[float, ...]:
    """The spots along an edge, nearest to ``preferred`` first."""
    return tuple(sorted(_SPOTS, key=lambda t: (round(abs(t - preferred), 6), t)))


def _meeting(reach: Box, boxes: Iterable[Box]) -> list[Box]:
    """The boxes whose bounds meet the reach's: ``overlap``'s first test, written inline
    because it is made for every pair of label and box."""
    x0, y0, x1, y1 = reach[6]
    return [box for box in boxes
            if not (x1 <= box[6][0] or box[6][2] <= x0 or y1 <= box[6][1] or box[6][3] <= y0)]


def _reach(segment: Segment, w: float, h: float) -> Box:
    """An upright box holding every spot of a w x h label along the segment: only the
    boxes that meet it can overlap the label (the blocked ones are found once)."""
    x0, y0, x1, y1 = segment
    return rect((x0 + x1) / 2, (y0 + y1) / 2, 0, abs(x1 - x0) + w + h, abs(y1 - y0) + w + h)


def _best_spot(segment: Segment, w: float, h: float, order: Sequence[float],
               near: Sequence[Box]) -> tuple[int, Box, float, float, float]:
    """(overlaps, box, x, y, angle) of the first spot in ``order`` with no overlap, else
    the least (``near``: the boxes the label may overlap, those meeting its ``_reach``)."""
    x0, y0, x1, y1 = segment
    angle = math.degrees(math.atan2(y1 - y0, x1 - x0))
    best = None
    for t in order:
        x, y = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
        box = rect(x, y, angle, w, h)
        hits = sum(overlap(box, other) for other in near)
        if best is None or hits < best[0]:
            best = (hits, box, x, y, angle)
        if hits == 0:
            break
    return best  # type: ignore[return-value]
