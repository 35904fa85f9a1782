"""A variant's question sheet for print: a LaTeX document (pdflatex) with the seed, the
network and its training, the student's numbers and a ruled blank per answer."""

from __future__ import annotations

from ..formats import escape_latex
from ..formats.page_printers import LatexPrinter
from .formulas import FormulaBlank
from .key import Answer
from .sheets import sheet_sections
from .variants import Variant

__all__ = ["question_tex"]

_PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[T1]{fontenc}
\usepackage[utf8]{inputenc}
\usepackage{lmodern}
\usepackage{amsmath,amssymb}
\usepackage[margin=2.2cm]{geometry}
\pagestyle{empty}
"""


def _blank(blank: Answer | FormulaBlank) -> str:
    if isinstance(blank, FormulaBlank):
        return (rf"\item Write \(\displaystyle {blank.latex}\) as a formula in the network's "
                r"symbols:\\[1.2em] \rule{0.9\linewidth}{0.4pt}")
    return rf"\item \(\displaystyle {blank.latex} = \) \rule{{4cm}}{{0.4pt}}"


def question_tex(variant: Variant, answered: list[Answer | FormulaBlank], *,
                 digits: int) -> str:
    """The printed sheet: title, ``Variant K, seed S``, the network, its training, the
    student's numbers, a blank per answer."""
    printer = LatexPrinter()
    body = [r"\begin{document}",
            rf"{{\Large\bfseries {escape_latex(str(variant.mapping['title']))}\par}}",
            rf"\noindent Variant {variant.number}, seed {variant.seed}.",
            *(printer.doprint(section) for section in sheet_sections(variant)),
            rf"\subsection*{{Compute, to {digits} decimals}}",
            r"\begin{enumerate}\itemsep 1.5em",
            *(_blank(a) for a in answered),
            r"\end{enumerate}", r"\end{document}"]
    return _PREAMBLE + "\n\n".join(body) + "\n"
