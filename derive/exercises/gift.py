"""GIFT (Moodle's plain-text quiz format) for static sets: one numerical question per
answer per variant, ``::title::text{#value:tolerance}``, every special character escaped."""

from __future__ import annotations

from .key import Answer, numeric
from .moodle import category_path
from ..formats.escape import escape_html
from .sheets import sheet_html
from .variants import Variant

__all__ = ["gift", "gift_escape"]

_SPECIAL = "\\~=#{}:"


def gift_escape(text: str) -> str:
    r"""A backslash before ``\ ~ = # { } :`` (GIFT's specials); newlines as ``\n``."""
    out = "".join("\\" + c if c in _SPECIAL else c for c in text)
    return out.replace("\r\n", "\n").replace("\n", "\\n")


def _question(variant: Variant, answer: Answer, digits: int) -> str:
    title = f"{variant.mapping['title']}: {answer.quantity}"
    text = (f"<p>Variant {variant.number} (seed {variant.seed}).</p>\n{sheet_html(variant)}\n"
            f"<p>Compute, to {digits} decimals, \\({escape_html(answer.latex)}\\).</p>")
    return (f"::{gift_escape(title)}::[html]{gift_escape(text)}"
            f"{{#{answer.value!r}:{answer.tolerance!r}}}\n")


def gift(title: str, rows: list[tuple[Variant, list]], digits: int) -> str:
    """The whole set in a category; questions separated by a blank line, as GIFT requires."""
    category = category_path(title)
    return f"$CATEGORY: {category}\n\n" + "\n".join(
        _question(v, a, digits) for v, answered in rows for a in numeric(answered))
