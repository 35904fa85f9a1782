"""Where a path picture's boxes go: a column per step, a row per path, each gap wide enough
for the local derivatives written over its arrows; one long chain snakes over several rows
(left to right, then right to left) so that a page's column, or the LaTeX page, holds it.

Pure arithmetic on the drawing's nodes (any hashable keys): positions and arrow ends.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Mapping, Sequence

__all__ = ["BOX_H", "arrow_ends", "layout"]

BOX_H, MARGIN = 28.0, 20.0
_ROW, _SNAKE_ROW, _GAP = 48.0, 100.0, 72.0
_WIDEST = 820.0       # a chain wider than this snakes over rows no wider than it

Place = tuple[int, float]                      # (column, row)
Need = Callable[[Hashable, Hashable], float]   # the room an arrow's label needs (0: none)


def layout(places: Mapping[Hashable, Place], edges: Sequence[tuple[Hashable, Hashable]],
           width: float, need: Need, snake: bool) -> dict[Hashable, tuple[float, float]]:
    """Each node's centre: boxes ``width`` wide; ``snake``: a single chain may wrap."""
    gaps = _gaps(places, edges, need)
    natural = 2 * MARGIN + sum(gaps) + len(gaps) * width + width
    if not snake or natural <= _WIDEST:
        return _at(places, gaps, width, _ROW)
    columns = len(gaps) + 1
    per_row = math.ceil(columns / math.ceil(natural / _WIDEST))
    while per_row > 2:
        folded = {key: _fold(col, per_row) for key, (col, _) in places.items()}
        gaps = _gaps(folded, edges, need)
        if 2 * MARGIN + sum(gaps) + len(gaps) * width + width <= _WIDEST:
            break
        per_row -= 1
    folded = {key: _fold(col, per_row) for key, (col, _) in places.items()}
    return _at(folded, _gaps(folded, edges, need), width, _SNAKE_ROW)


def _fold(column: int, per_row: int) -> Place:
    """Column ``column`` of a chain laid ``per_row`` to a row, every other row backwards."""
    row, offset = divmod(column, per_row)
    return (offset if row % 2 == 0 else per_row - 1 - offset, float(row))


def _gaps(places: Mapping[Hashable, Place], edges: Sequence[tuple[Hashable, Hashable]],
          need: Need) -> list[float]:
    """The space between each column and the next: the widest label an arrow across it
    carries (arrows within a column, from row to row, need none)."""
    gaps = [_GAP] * max(c for c, _ in places.values())
    for source, target in edges:
        (c0, r0), (c1, r1) = places[source], places[target]
        if c0 != c1:
            slant = 1.5 if r0 != r1 else 1.0       # a slanted arrow has less room
            gaps[min(c0, c1)] = max(gaps[min(c0, c1)], need(source, target) * slant + 24)
    return gaps


def _at(places: Mapping[Hashable, Place], gaps: Sequence[float], width: float,
        row: float) -> dict[Hashable, tuple[float, float]]:
    lefts = [MARGIN + sum(gaps[:c]) + c * width for c in range(len(gaps) + 1)]
    return {key: (lefts[c] + width / 2, MARGIN + BOX_H / 2 + r * row)
            for key, (c, r) in places.items()}


def arrow_ends(x0: float, y0: float, x1: float, y1: float, width: float
               ) -> tuple[float, float, float, float]:
    """From the side of the source box to the side of the target box: down between rows of
    a snake, leftwards on its backward rows, else rightwards."""
    if abs(x1 - x0) < 1:
        return x0, y0 + BOX_H / 2, x1, y1 - BOX_H / 2 - 1
    if x1 < x0:
        return x0 - width / 2, y0, x1 + width / 2 + 1, y1
    return x0 + width / 2, y0, x1 - width / 2 - 1, y1
