"""texbreak's shortcuts give exactly what the plain way gives.

Groups and ``\\left..\\right`` pairs are read as one token, and a formula of such tokens
is not parsed; equal nodes are shared between formulas and keep their LaTeX; a formula is
measured once, and a stretch of it is as wide as the difference of two running widths,
unless that is near the budget; rows are memoised. A width differing in its last bit could
move a break, so these compare against the plain way, to the bit and to the byte: reading
one token at a time, cutting and measuring each stretch alone, with every cache emptied.
"""

from __future__ import annotations

import itertools
import math

from hypothesis import given
from hypothesis import strategies as st

from derive.formats import texbreak as tb

TOKENS = ["a", "x", "1.5", r"\sigma", r"\partial L", r"\cdot", r"\times", "+", "-", "=",
          r"\approx", r"\to", " ", r"\,", r"\quad", "^{2}", "_{i}", "^", "_", r"\hat{y}",
          r"\log", r"\frac{\partial L}{\partial w}", r"\frac", r"\text{ if }", r"\text",
          r"\underbrace", r"\underbrace{a+b}_{c}", r"\left(a + b\right)", "{x + y}",
          r"\left(x^{2} - \left(y\right)\right)", r"\tanh{\left(z_{1} \right)}",
          r"\begin{cases} a & b \\ c \end{cases}"]
# Commands still waiting for an argument where a line is cut: the running width of the
# whole formula does not hold there (the argument is the next piece's first node).
DANGLING = [r"y &= \frac{a} + b + c", r"y &= a + \frac + \frac{1}{2} + c",
            r"y &= x^{2} + \text + y + \underbrace = z", r"y &= a \frac{b}  - c - d",
            r"y &= x^{ab}_{c} + x_{a}^{bb} - b^{2}_{3} + \left(a\right)^{2}_{1}"]
# Pieces of LaTeX that are, or almost are, a group or pair token.
PIECES = ["a", " ", "  ", "{", "}", "{x}", "{a{b}}", "{a{b{c}}}", r"\{", r"\}", "\\\\",
          r"\left(", r"\right)", r"\left", r"\right", r"\left.", r"\right|", r"\left\{",
          r"\right\}", r"\left (", r"\right )", r"\left\left(", r"\leftarrow",
          r"\leftrightarrow", r"\rightarrow", r"\left(a\right)", r"\left[{b}\right]",
          r"\left|\left(c\right)\right|", r"{\left(d\right)}", r"\left\ ", r"\begin{cases}",
          r"\end{cases}", "&", r"\frac", "^", "-", r"\!", "\\", "\n", "é"]

formulas = st.lists(st.sampled_from(TOKENS), min_size=1, max_size=60).map("".join)
pieces = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)


def clear_caches() -> None:
    for value in vars(tb).values():
        if hasattr(value, "cache_clear"):
            value.cache_clear()


def plain_split(nodes: list, separators: frozenset[str]) -> list[list]:
    """Cut before every separator that follows an operand, a node at a time."""
    cuts, operand = [0], False
    for i, node in enumerate(nodes):
        if node.kind != "atom":
            operand = node.kind != "open"
        elif not node.text.isspace():
            if operand and node.text in separators:
                cuts.append(i)
            operand = node.text not in tb._NO_OPERAND
    cuts.append(len(nodes))
    return [list(nodes[a:b]) for a, b in itertools.pairwise(cuts) if a < b]


def plain_lines(nodes: list, budget: float) -> list[list]:
    """``_lines`` as it reads without the scan: each candidate line measured whole."""
    if tb._width(nodes) <= budget:
        return [list(nodes)]
    for separators in tb._LEVELS:
        pieces = plain_split(nodes, separators)
        if len(pieces) > 1:
            break
    else:
        opened = tb._opened(nodes)
        return [list(nodes)] if opened is None else plain_lines(opened, budget)
    lines: list[list] = [[]]
    for piece in pieces:
        if lines[-1] and tb._width(lines[-1] + piece) > budget:
            lines.append([])
        lines[-1].extend(piece)
    return [part for line in lines for part in plain_lines(line, budget)]


def assert_same_lines(formula: str, budget: float) -> None:
    nodes = list(tb._nodes(formula))
    got = [tb._text(line) for line in tb._lines(nodes, budget)]
    clear_caches()
    assert got == [tb._text(line) for line in plain_lines(nodes, budget)]


@given(formulas, st.sampled_from([3.0, 8.0, 15.0, 38.0]))
def test_lines_pack_as_measuring_each_line_whole(formula: str, budget: float) -> None:
    assert_same_lines(formula, budget)


def test_commands_missing_their_argument_at_a_cut_are_measured_alone() -> None:
    for formula in DANGLING:
        for budget in (1.0, 2.0, 3.0, 4.0, 6.0, 9.0):
            assert_same_lines(formula, budget)


def assert_stretch_fits_as_measured_alone(nodes: list, start: int, stop: int) -> None:
    scan = tb._Scan(nodes)
    width = tb._width(nodes[start:stop])
    # budgets near the width, where rounding could tip the difference of running widths
    near = [width, math.nextafter(width, -math.inf), math.nextafter(width, math.inf),
            width - 1e-9, width + 1e-9, width - 1e-3, width + 1e-3, width / 2, 2 * width + 1]
    for budget in near:
        assert scan.fits(start, stop, budget) == (width <= budget)


def assert_stretch_cut_as_split(nodes: list, start: int, stop: int) -> None:
    scan = tb._Scan(nodes)
    for level, separators in enumerate(tb._LEVELS):
        got = [nodes[a:b] for a, b in tb._pieces(scan.roles, start, stop, level)]
        assert got == plain_split(nodes[start:stop], separators)


@given(formulas, st.data())
def test_a_stretch_fits_as_it_is_measured_alone(formula: str, data: st.DataObject) -> None:
    nodes = list(tb._nodes(formula))
    start = data.draw(st.integers(0, len(nodes)))
    stop = data.draw(st.integers(start, len(nodes)))
    assert_stretch_fits_as_measured_alone(nodes, start, stop)
    assert_stretch_cut_as_split(nodes, start, stop)


def test_every_stretch_of_awkward_formulas_fits_and_is_cut_as_alone() -> None:
    for formula in [*DANGLING, r"a^{2}_{i} - b_{i}^{22}\,c \! -  - x^{y}_{z}_{w}", r"y = \!\!+ a"]:
        nodes = list(tb._nodes(formula))
        for start in range(len(nodes) + 1):
            for stop in range(start, len(nodes) + 1):
                assert_stretch_fits_as_measured_alone(nodes, start, stop)
                assert_stretch_cut_as_split(nodes, start, stop)


def as_tuples(nodes: tuple) -> tuple:
    return tuple((n.kind, n.text, as_tuples(n.children)) for n in nodes)


def plain_text(nodes: tuple) -> str:
    """The nodes' LaTeX made afresh, or the error making it raises (``\\left\\ ``)."""
    def latex(node) -> str:
        if node.kind == "group":
            return "{" + "".join(map(latex, node.children)) + "}"
        if node.kind == "pair":
            opening, closing = node.text.split(" ")
            return rf"\left{opening}{''.join(map(latex, node.children))}\right{closing}"
        return node.text
    try:
        return "".join(map(latex, nodes))
    except ValueError as error:
        return repr(error)


def printed(nodes: tuple) -> str:
    try:
        return tb._text(nodes)
    except ValueError as error:
        return repr(error)


@given(pieces)
def test_groups_and_pairs_read_whole_parse_as_token_by_token(formula: str) -> None:
    nodes = tb._nodes(formula)
    one_by_one = tb._parse(map(tb._token_node, tb._ONE_TOKEN.findall(formula)))
    assert as_tuples(nodes) == as_tuples(one_by_one)
    assert printed(nodes) == plain_text(one_by_one)


@given(st.lists(formulas, min_size=1, max_size=4))
def test_memoised_rows_break_as_on_a_cold_start(rows: list[str]) -> None:
    rows = [f"z &= {row}" for row in rows]
    warm = [tb.break_align(rows, width=width) for width in (10.0, 20.0, 38.0)]
    clear_caches()
    assert warm == [tb.break_align(rows, width=width) for width in (10.0, 20.0, 38.0)]


def test_equal_groups_and_pairs_are_one_node() -> None:
    a = tb._nodes(r"\frac{\partial L}{\partial w} \left(x\right)")
    b = tb._nodes(r"y \frac{\partial L}{\partial w}\left(x\right)")
    assert a[1] is b[3] and a[2] is b[4] and a[4] is b[5]
