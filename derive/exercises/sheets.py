"""A variant's question sheet: the network and its training (``document.sheet``, audited like
a page), the student's numbers and the blanks, printed as Markdown (the course site), LaTeX
(print) and HTML (Moodle, GIFT, PrairieLearn). The solution sheet is the variant's full
verified page."""

from __future__ import annotations

from ..document import Display, Line, Section, Text
from ..document.model import math, plain
from ..formats import escape_markdown
from ..formats.page_printers import HtmlPrinter, MarkdownPrinter
from .formulas import FormulaBlank
from .key import Answer
from .variants import Variant

__all__ = ["TYPING_FORMULAS", "blank_text", "numbers_latex", "question_markdown", "sheet_html",
           "sheet_sections"]


def _entry(value: float) -> str:
    return f"{value + 0.0:g}"             # -0.0 prints as 0


def _matrix(rows: list) -> str:
    rows = [rows] if rows and not isinstance(rows[0], list) else rows
    body = r" \\ ".join(" & ".join(map(_entry, row)) for row in rows)
    return rf"\begin{{pmatrix}} {body} \end{{pmatrix}}"


def numbers_latex(variant: Variant) -> list[str]:
    """The student's numbers as display formulas: x, y, each layer's W and b (a column), η."""
    example = variant.mapping["example"]
    lines = [rf"x = {_matrix(example['x'])}, \quad y = {_matrix(example['y'])}"]
    for number, layer in enumerate(example["init"], start=1):
        line = rf"W^{{({number})}} = {_matrix(layer['W'])}"
        if "b" in layer:
            line += rf", \quad b^{{({number})}} = {_matrix([[v] for v in layer['b']])}"
        lines.append(line)
    lines.append(rf"\eta = {_entry(example['learning_rate'])}")
    return lines


def sheet_sections(variant: Variant) -> tuple[Section, ...]:
    """The network, its training and the student's numbers."""
    numbers = Section(plain("Your numbers"), (
        Text() + "Rows of " + math("x") + " and " + math("y") + " are samples; " +
        math("W^{(l)}") + " holds layer l's weights, " + math(variant.task.weight) +
        " in row j, column k, and " + math("b^{(l)}") + " its biases.",
        Display(tuple(Line("&" + line) for line in numbers_latex(variant)), aligned=True)))
    return (*variant.task.sections, numbers)


# How a typed formula is read (verify.formula, the grader): said where a student types one.
TYPING_FORMULAS = ("A formula may be typed in LaTeX as its symbols are printed here, with "
                   "plain names such as `yhat`, `y`, `a_1_1`, `w_2_1_1` and `sigmoid(z_2_1)` "
                   "(layer, then row and column), or with the letters σ, ŷ, δ, ′, · and − "
                   "as the pages print them; any correct form, in any order, is right.")


def question_markdown(variant: Variant, answered: list[Answer | FormulaBlank], *,
                      digits: int) -> str:
    """The sheet a student gets: what the network is, their numbers, what to compute."""
    printer = MarkdownPrinter()
    out = [f"# {escape_markdown(str(variant.mapping['title']))}",
           f"Variant {variant.number}, seed {variant.seed}.",
           *(printer.doprint(section) for section in sheet_sections(variant)),
           f"## Compute, to {digits} decimals",
           "\n".join(f"{n}. {blank_text(a)}" for n, a in enumerate(answered, start=1))]
    if any(isinstance(a, FormulaBlank) for a in answered):
        out.append(TYPING_FORMULAS)
    return "\n\n".join(out) + "\n"


def sheet_html(variant: Variant) -> str:
    """The network, its training and the student's numbers as a quiz's HTML."""
    printer = HtmlPrinter()
    return "\n".join(printer.doprint(section) for section in sheet_sections(variant))


def blank_text(blank: Answer | FormulaBlank) -> str:
    """A blank as a sheet words it (Markdown with ``\\( \\)`` math)."""
    if isinstance(blank, FormulaBlank):
        return f"Write \\({blank.latex}\\) as a formula in the network's symbols: ______"
    return f"\\({blank.latex}\\) = ______"
