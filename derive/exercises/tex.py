"""A variant's question sheet for print: a LaTeX document (pdflatex) with the seed, the
student's numbers and a ruled blank per answer."""

from __future__ import annotations

from ..formats import escape_latex
from .formulas import FormulaBlank
from .key import Answer
from .sheets import network_parts, numbers_latex
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
    """The printed sheet: title, ``Variant K, seed S``, the network, its numbers, blanks."""
    mapping = variant.mapping
    inputs, activations, loss, reduction = network_parts(mapping)
    layers = ", ".join(f"{units} {escape_latex(name)}" for units, name in activations)
    numbers = r" \\ ".join(f"&{line}" for line in numbers_latex(variant))
    body = [r"\begin{document}",
            rf"\section*{{{escape_latex(str(mapping['title']))}}}",
            rf"\noindent Variant {variant.number}, seed {variant.seed}.\par\medskip",
            (rf"\noindent A network with {inputs} inputs and layers of {layers} units; loss: "
             rf"{escape_latex(loss)} ({escape_latex(reduction)} over the samples). Rows of "
             r"\(x\) and \(y\) are samples; \(W\) is units \(\times\) inputs."),
            rf"\begin{{align*}}{numbers}\end{{align*}}",
            rf"\noindent Compute, to {digits} decimals:",
            r"\begin{enumerate}\itemsep 1.5em",
            *(_blank(a) for a in answered),
            r"\end{enumerate}", r"\end{document}"]
    return _PREAMBLE + "\n".join(body) + "\n"
