r"""LaTeX display rows -> rows broken to the text width (pure string layout, no TeX run).

texnodes parses a formula into nodes (groups, ``\left..\right`` pairs, environments),
texwidth estimates their printed widths in em, and this module breaks a long ``align*`` row at
relations, then at ``+``/``-``, then at products, keeping the alignment point.
A page has a few hundred rows: equal nodes are shared, and a row is measured once for all
the lines tried on it (``_Scan``).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence

from .texnodes import (
    FITS, ROWS_PER_ALIGN, TEX_LINE_EM, _LEVELS, _OPERAND, _RELATIONS, _SPACE, _Node, _nodes,
    _text)
from .texwidth import _opened, _running, _width

__all__ = ["ROWS_PER_ALIGN", "TEX_LINE_EM", "break_align"]


def _lines(nodes: Sequence[_Node], budget: float) -> list[list[_Node]]:
    """Pack a formula into lines of at most ``budget`` em: at relations, sums, products."""
    scan = _Scan(nodes)
    if scan.fits(0, len(nodes), budget):
        return [list(nodes)]
    return _packed(scan, 0, len(nodes), budget)


def _packed(scan: _Scan, start: int, stop: int, budget: float,
            level: int = 0) -> list[list[_Node]]:
    """The lines of ``scan.nodes[start:stop]``, a stretch too wide for ``budget``.

    A line grows by a piece while the joined stretch fits. A line too wide is one piece cut
    at ``_LEVELS[level - 1]``, which has no cut at that level or before it: so it is cut at
    the next level on.
    """
    nodes = scan.nodes
    for cut in range(level, len(_LEVELS)):
        pieces = _pieces(scan.roles, start, stop, cut)
        if len(pieces) > 1:
            break
    else:
        opened = _opened(nodes[start:stop])
        return [list(nodes[start:stop])] if opened is None else _lines(opened, budget)
    lines: list[list[int]] = []                     # first and last node, and if it grew
    for a, b in pieces:
        if lines and scan.fits(lines[-1][0], b, budget):
            lines[-1][1:] = b, True
        else:
            lines.append([a, b, False])
    return [part for a, b, grown in lines for part in
            ([list(nodes[a:b])] if grown or scan.fits(a, b, budget) else
             _packed(scan, a, b, budget, cut + 1))]


class _Scan:
    """A formula measured once for all the lines tried on it (``_running``).

    A stretch from one running width to another adds up the same widths in the same order
    as measuring it alone, so it is as wide as their difference but for rounding; within
    ``slack`` of the budget it is measured alone. Each sum rounds by at most 2^-53 of the
    magnitude per addition, and ``slack`` allows for 2^33 additions (more than a row has
    characters): the magnitude of what the units add is at most ``|total| + 2 * negative``.
    """

    __slots__ = ("nodes", "roles", "running", "slack")

    def __init__(self, nodes: Sequence[_Node]) -> None:
        self.nodes = nodes
        self.roles = [node.role for node in nodes]
        self.running, total, negative = _running(nodes, 0)
        self.slack = 1e-6 * (1.0 + abs(total) + 2.0 * negative)

    def fits(self, start: int, stop: int, budget: float) -> bool:
        """Whether ``_width(nodes[start:stop]) <= budget``."""
        first, last = self.running[start], self.running[stop]
        if first is not None and last is not None and abs(last - first - budget) > self.slack:
            return last - first < budget
        return _width(self.nodes[start:stop]) <= budget


def _pieces(roles: list[int], start: int, stop: int, level: int) -> list[tuple[int, int]]:
    """The stretch cut before every separator at ``level`` that follows an operand in it.

    The operand is the last node before the separator other than a space, within the
    stretch: so a leading minus stays.
    """
    cuts, separator = [start], start - 1
    while True:
        try:
            separator = roles.index(level, separator + 1, stop)
        except ValueError:
            break
        before = separator - 1
        while before >= start and roles[before] == _SPACE:
            before -= 1
        if before >= start and roles[before] == _OPERAND:
            cuts.append(separator)
    cuts.append(stop)
    return [(a, b) for a, b in itertools.pairwise(cuts) if a < b]


def break_align(rows: Sequence[str], *, width: float = TEX_LINE_EM) -> list[str]:
    r"""Rows of an ``align*``, long ones broken: ``a &= b + c`` -> ``a &= b``, ``&\quad + c``.

    A row aligns at its first top-level ``&``, or else at its first relation. A continuation
    starts at the alignment point, a quad further in unless it starts with a relation.
    Rows too short to overflow, already aligned, are returned as they are (not measured).
    """
    if all(len(row) < FITS and " &" in row and "&" not in row[:row.index(" &")] for row in rows):
        return [row.strip() for row in rows]
    left = max(map(_left_width, rows), default=0.0)
    return [line for row in rows for line in _broken(row, width - left - 1.0)]


@functools.lru_cache(maxsize=512)
def _left_width(row: str) -> float:
    """The width of a row left of its alignment point (memoised, as ``_sides``)."""
    return _width(_sides(row)[0])


@functools.lru_cache(maxsize=512)
def _sides(row: str) -> tuple[tuple[_Node, ...], tuple[_Node, ...]]:
    """A row's nodes left and right of its alignment point (memoised, as ``_broken``).

    The point is the first top-level ``&`` (dropped), or else the first relation (which
    starts the right side); without either the whole row is the right side.
    """
    nodes = _nodes(row)
    texts = [node.text for node in nodes]   # only an atom's text is "&" or a relation
    if "&" in texts:
        cut = texts.index("&")
        return nodes[:cut], nodes[cut + 1:]
    cut = next((i for i, text in enumerate(texts) if text in _RELATIONS), None)
    return ((), nodes) if cut is None else (nodes[:cut], nodes[cut:])


@functools.lru_cache(maxsize=512)
def _broken(row: str, budget: float) -> tuple[str, ...]:
    """A row's lines of LaTeX, its right side broken to ``budget`` em.

    Memoised: a page shows the same factor in several derivations, in the same width.
    """
    lhs, rhs = _sides(row)
    out = []
    for n, line in enumerate(_lines(rhs, budget)):
        text = _text(line).strip()
        if n == 0:
            out.append(f"{_text(lhs).strip()} &{text}" if lhs else f"&{text}")
        else:
            first = next((node.text for node in line if not node.text.isspace()), "")
            out.append(f"&{text}" if first in _RELATIONS else rf"&\quad {text}")
    return tuple(out)
