"""A variant's question sheet (Markdown, for the course site): the network, the student's
numbers, and the blanks. The solution sheet is the variant's full verified page."""

from __future__ import annotations

from ..formats import escape_markdown
from .formulas import FormulaBlank
from .key import Answer
from .variants import Variant

__all__ = ["blank_text", "network_parts", "numbers_latex", "question_markdown"]


def _matrix(rows: list) -> str:
    rows = [rows] if rows and not isinstance(rows[0], list) else rows
    body = r" \\ ".join(" & ".join(f"{v:g}" for v in row) for row in rows)
    return rf"\begin{{pmatrix}} {body} \end{{pmatrix}}"


def numbers_latex(variant: Variant) -> list[str]:
    """The student's numbers as display formulas: x, y, each layer's W and b, η."""
    example = variant.mapping["example"]
    lines = [rf"x = {_matrix(example['x'])}, \quad y = {_matrix(example['y'])}"]
    for number, layer in enumerate(example["init"], start=1):
        line = rf"W^{{({number})}} = {_matrix(layer['W'])}"
        if "b" in layer:
            line += rf", \quad b^{{({number})}} = {_matrix(layer['b'])}"
        lines.append(line)
    lines.append(rf"\eta = {example['learning_rate']:g}")
    return lines


def question_markdown(variant: Variant, answered: list[Answer | FormulaBlank], *,
                      digits: int) -> str:
    """The sheet a student gets: what the network is, their numbers, what to compute."""
    mapping = variant.mapping
    inputs, activations, loss, reduction = network_parts(mapping)
    layers = ", ".join(f"{units} {escape_markdown(name)}" for units, name in activations)
    out = [f"# {escape_markdown(str(mapping['title']))}", "",
           f"Variant {variant.number}, seed {variant.seed}.", "",
           f"A network with {inputs} inputs and layers of {layers} units; loss: "
           f"{escape_markdown(loss)} ({reduction} over "
           f"the samples). Rows of \\(x\\) and \\(y\\) are samples; \\(W\\) is units × inputs.",
           "", "$$", r"\begin{aligned}", r" \\ ".join(f"&{line}" for line in
                                                     numbers_latex(variant)),
           r"\end{aligned}", "$$", "",
           f"Compute, to {digits} decimals:", ""]
    out += [f"{n}. {blank_text(a)}" for n, a in enumerate(answered, start=1)]
    return "\n".join(out) + "\n"


def blank_text(blank: Answer | FormulaBlank) -> str:
    """A blank as a sheet words it (Markdown with ``\\( \\)`` math)."""
    if isinstance(blank, FormulaBlank):
        return f"Write \\({blank.latex}\\) as a formula in the network's symbols: ______"
    return f"\\({blank.latex}\\) = ______"


def network_parts(mapping: dict) -> tuple[int, list[tuple[int, str]], str, str]:
    """Inputs, (units, activation) per layer, loss and reduction, as a sheet names them."""
    return (_inputs(mapping), [(layer["units"], str(_activation(layer)))
                               for layer in mapping["layers"]],
            str(_loss(mapping)), str(mapping.get("reduction", "mean")))


def _inputs(mapping: dict) -> int:
    inputs = mapping["inputs"]
    return inputs if isinstance(inputs, int) else len(inputs)


def _activation(layer: dict) -> str:
    activation = layer["activation"]
    return activation["name"] if isinstance(activation, dict) else activation


def _loss(mapping: dict) -> str:
    loss = mapping["loss"]
    return loss["name"] if isinstance(loss, dict) else loss
