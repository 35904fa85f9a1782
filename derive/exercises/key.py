"""The answers of a variant, read from its derivation's JSON at full precision, and the key
as CSV (``variant,seed,quantity,answer,tolerance``, SPEC.md)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from .formulas import FormulaBlank, formula_blanks
from .settings import Exercise
from .variants import EXACT_ZERO, Variant

__all__ = ["Answer", "answers", "key_csv", "numeric"]


@dataclass(frozen=True, slots=True)
class Answer:
    """One blank: ``quantity`` (``loss``, ``L2.W[0][1].grad``), its LaTeX, value, tolerance."""

    quantity: str
    latex: str
    value: float
    tolerance: float


def answers(variant: Variant, exercise: Exercise) -> list[Answer | FormulaBlank]:
    """The numbers asked, then the formulas asked (their key is the derived formula)."""
    document = json.loads(str(variant.result.files["solution.json"]))
    tolerance = 0.5 * 10 ** -exercise.answer_digits
    loss = variant.task.objective      # what the first step descends: L, 𝓛, L₁ or J
    out: list[Answer | FormulaBlank] = []
    if "loss" in exercise.ask:
        out.append(Answer("loss", loss, float(document["loss"]["value"]), tolerance))
    for p in document["parameters"]:
        name = f"L{p['layer']}.{p['kind']}" + "".join(f"[{i}]" for i in p["index"])
        if exercise.parameters is not None and name not in exercise.parameters:
            continue
        for field in ("grad", "updated", "final"):
            if field in exercise.ask and p[field] is not None:
                out.append(Answer(f"{name}.{field}", _shown(p["symbol"], field, loss, variant),
                                  _snapped(float(p[field])), tolerance))
    return out + formula_blanks(variant.result.derivation, exercise.formulas,
                                f"variant-{variant.number}/spec.yaml")


def _shown(symbol: str, field: str, loss: str, variant: Variant) -> str:
    """∂loss/∂θ, θ after step 1, θ after the last step (step N: the sheet says N)."""
    if field == "grad":
        return rf"\frac{{\partial {loss}}}{{\partial {symbol}}}"
    worked = variant.result.worked
    step = 1 if field == "updated" or worked is None else len(worked.steps)
    return rf"{symbol}\ \text{{after step {step}}}"


def _snapped(value: float) -> float:
    """A gradient that is 0 for every draw (1e-52 in 50 digits: a softmax layer's shared bias)
    as the 0 it is."""
    return 0.0 if abs(value) <= EXACT_ZERO else value


def numeric(answered: list[Answer | FormulaBlank]) -> list[Answer]:
    """The blanks with a number for an answer (what Moodle, GIFT and the sheets' numbers ask)."""
    return [a for a in answered if isinstance(a, Answer)]


def key_csv(rows: list[tuple[Variant, list[Answer | FormulaBlank]]]) -> str:
    """One row per blank; a formula blank's answer is the derived LaTeX, no tolerance."""
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(["variant", "seed", "quantity", "answer", "tolerance"])
    for variant, answered in rows:
        for a in answered:
            writer.writerow([variant.number, variant.seed, a.quantity, a.answer, ""]
                            if isinstance(a, FormulaBlank) else
                            [variant.number, variant.seed, a.quantity, repr(a.value),
                             repr(a.tolerance)])
    return stream.getvalue()
