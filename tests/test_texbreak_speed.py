"""texbreak's shortcuts give exactly what measuring everything afresh gives.

Line breaking measures a growing line by adding only the new piece to its running width,
shares equal nodes between formulas, and memoises rows. A width differing in its last bit
could move a break, so these compare against the plain way, to the bit and to the byte:
re-measuring the joined line, with every cache emptied first.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from derive import texbreak as tb

TOKENS = ["a", "x", "1.5", r"\sigma", r"\partial L", r"\cdot", r"\times", "+", "-", "=",
          r"\approx", r"\to", " ", r"\,", r"\quad", "^{2}", "_{i}", "^", "_", r"\hat{y}",
          r"\log", r"\frac{\partial L}{\partial w}", r"\frac", r"\text{ if }", r"\text",
          r"\underbrace", r"\underbrace{a+b}_{c}", r"\left(a + b\right)", "{x + y}",
          r"\begin{cases} a & b \\ c \end{cases}"]
# Commands still waiting for an argument where a line is cut: the one case in which the
# running width must not be used (the argument would be the next piece's first node).
DANGLING = [r"y &= \frac{a} + b + c", r"y &= a + \frac + \frac{1}{2} + c",
            r"y &= x^{2} + \text + y + \underbrace = z", r"y &= a \frac{b}  - c - d"]

formulas = st.lists(st.sampled_from(TOKENS), min_size=1, max_size=60).map("".join)


def clear_caches() -> None:
    for value in vars(tb).values():
        if hasattr(value, "cache_clear"):
            value.cache_clear()


def plain_lines(nodes: list, budget: float) -> list[list]:
    """``_lines`` as it reads without the running width: each candidate line measured whole."""
    if tb._width(nodes) <= budget:
        return [list(nodes)]
    for separators in (tb._RELATIONS, tb._SUMS, tb._PRODUCTS):
        pieces = tb._split(nodes, separators)
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
    nodes = list(tb._parse(tb._tokens(formula)))
    got = [tb._text(line) for line in tb._lines(nodes, budget)]
    clear_caches()
    assert got == [tb._text(line) for line in plain_lines(nodes, budget)]


@given(formulas, st.sampled_from([3.0, 8.0, 15.0, 38.0]))
def test_running_width_packs_like_measuring_each_line_whole(formula: str, budget: float) -> None:
    assert_same_lines(formula, budget)


def test_commands_missing_their_argument_at_a_cut_are_measured_whole() -> None:
    for formula in DANGLING:
        for budget in (1.0, 2.0, 3.0, 4.0, 6.0, 9.0):
            assert_same_lines(formula, budget)


@given(formulas, formulas)
def test_a_grown_line_is_as_wide_to_the_bit_as_the_joined_line(line: str, piece: str) -> None:
    line_nodes = list(tb._parse(tb._tokens(line)))
    piece_nodes = list(tb._parse(tb._tokens("+" + piece)))     # a piece starts at its cut
    grown = tb._grown(line_nodes, tb._measure(line_nodes, 0), piece_nodes)
    clear_caches()
    assert grown[0] == tb._width(line_nodes + piece_nodes)


@given(st.lists(formulas, min_size=1, max_size=4))
def test_memoised_rows_break_as_on_a_cold_start(rows: list[str]) -> None:
    rows = [f"z &= {row}" for row in rows]
    warm = [tb.break_align(rows, width=width) for width in (10.0, 20.0, 38.0)]
    clear_caches()
    assert warm == [tb.break_align(rows, width=width) for width in (10.0, 20.0, 38.0)]


def test_equal_groups_are_one_node() -> None:
    a = tb._parse(tb._tokens(r"\frac{\partial L}{\partial w} x"))
    b = tb._parse(tb._tokens(r"y \frac{\partial L}{\partial w}"))
    assert a[1] is b[3] and a[2] is b[4]
