r"""Line breaking of LaTeX rows (formats.texbreak), through its public functions.

A broken row must say exactly what the row said (same tokens, same order, only ``&``, a
``\quad`` and spaces added at cuts), lines must fit the width wherever a cut is possible,
and the same rows must break the same way however often and in whatever order they come.
"""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from derive.formats.texbreak import TEX_LINE_EM, break_align
from derive.formats.texwidth import printed_width

TERMS = [r"w^{(2)}_{11}", r"\sigma\left(z^{(1)}_{1}\right)", r"\left(1 - \sigma\left(z_{2}\right)\right)",
         r"\frac{\partial L}{\partial \hat{y}_{1}}", r"a^{(1)}_{2}", "x_{1}", "0.25", r"\hat{y}_{3}",
         r"\operatorname{ReLU}'\left(z\right)", r"\delta^{(2)}_{1}", "2", r"\left(y - \hat{y}\right)"]
OPERATORS = [" + ", " - ", r" \cdot ", " "]


@st.composite
def rows(draw: st.DrawFn) -> str:
    """``lhs &= t op t op ...``: the shape of every row a page breaks."""
    terms = draw(st.lists(st.sampled_from(TERMS), min_size=1, max_size=30))
    ops = draw(st.lists(st.sampled_from(OPERATORS), min_size=len(terms), max_size=len(terms)))
    body = "".join(op + term if i else term for i, (op, term) in enumerate(zip(ops, terms)))
    return rf"\frac{{\partial L}}{{\partial w}} &= {body}"


def _content(lines: list[str]) -> str:
    """What the lines say, cuts removed: no ``&``, no ``\\quad`` put at a cut, no spaces."""
    text = "".join(re.sub(r"^&(\\quad )?", "", line) if i else line for i, line in enumerate(lines))
    return re.sub(r"\s+", "", text.replace("&", ""))


@given(rows())
def test_a_broken_row_says_what_the_row_said(row: str) -> None:
    lines = break_align([row])
    assert _content(lines) == _content([row])
    assert all(line.startswith("&") for line in lines[1:])


@given(rows())
def test_every_line_fits_unless_it_is_one_term(row: str) -> None:
    lines = break_align([row])
    left = printed_width(row.split("&")[0])
    for line in lines:
        right = line.split("&", 1)[1]
        if printed_width(right) > TEX_LINE_EM - left:
            # too wide only if nothing could be cut: one term after the cut point
            assert not any(op.strip() and op.strip() in right[1:] for op in ("+", r"\cdot"))


@given(st.lists(rows(), min_size=1, max_size=5))
def test_breaking_is_a_function_of_the_rows(batch: list[str]) -> None:
    first = break_align(batch)
    assert break_align(list(reversed(batch))) == [
        line for row in reversed(batch) for line in break_align([row])]
    assert break_align(batch) == first


def test_short_rows_come_back_as_they_are() -> None:
    assert break_align([r"a &= b + c", r" x &= 1 "]) == [r"a &= b + c", r"x &= 1"]


def test_a_long_sum_breaks_at_plus_signs_with_a_quad() -> None:
    row = r"L &= " + " + ".join([r"\left(y_{%d} - \hat{y}_{%d}\right)^{2}" % (i, i) for i in range(12)])
    lines = break_align([row])
    assert len(lines) > 1
    assert all(line.startswith(r"&\quad +") for line in lines[1:])
