"""How a page's sentences are made: prose escaped for the format, notes that mix text and
math, numbers in the page's one format.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import mpmath

from ..numerals import format_number


__all__ = ["Prose", "note", "num"]


@dataclass(frozen=True, slots=True)
class Prose:
    """How the page's prose is escaped and how notes mix text and math."""

    text: Callable[[str], str]


def note(segments: tuple[str, ...], fmt: Prose) -> str:
    return "".join(fmt.text(s) if i % 2 == 0 else rf"\({s}\)" for i, s in enumerate(segments))


def num(value: mpmath.mpf | float | None, digits: int = 6) -> str:
    return "" if value is None else format_number(float(value), digits)
