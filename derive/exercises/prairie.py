"""What a PrairieLearn question's ``server.py`` calls: ``generate(data)`` draws a variant
from PrairieLearn's ``variant_seed`` through the derivation and stores its numbers and
correct answers; ``grade(data)`` grades the formula blanks with the claim checker (the
numbers are graded by ``pl-number-input`` from ``correct_answers``)."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from ..spec import dump_spec, load, plain_mapping
from .formulas import FormulaBlank, formula_blanks, grade_formulas, spec_derivation
from .key import answers
from .settings import Exercise, read_exercise
from .sheets import numbers_latex, sheet_html
from .variants import draw_variant

__all__ = ["answer_name", "generate_variant", "grade_submission"]

SERVER_FILE = "server.py"


def answer_name(quantity: str) -> str:
    """``L2.W[0][1].grad`` -> ``L2_W_0_1_grad`` (an ``answers-name`` PrairieLearn accepts)."""
    return re.sub(r"[^A-Za-z0-9]+", "_", quantity).strip("_")


def _read(spec_text: str) -> tuple[dict[str, Any], Any, Exercise]:
    mapping = plain_mapping(spec_text)
    exercise = read_exercise(mapping.pop("exercise", None), SERVER_FILE)
    return mapping, load(spec_text, SERVER_FILE), exercise


def _seed(variant_seed: Any) -> int:
    """PrairieLearn's seed (a number or a string) -> the variant's integer seed."""
    text = str(variant_seed)
    return int(text) if text.isdigit() else int(hashlib.sha256(text.encode()).hexdigest()[:12], 16)


def generate_variant(data: dict[str, Any], spec_text: str) -> None:
    """Fill ``data["params"]`` (the numbers) and ``data["correct_answers"]`` (every blank)."""
    mapping, spec, exercise = _read(spec_text)
    variant = draw_variant(mapping, spec, exercise, seed=_seed(data.get("variant_seed", 0)),
                           number=1, dump=dump_spec)
    example = variant.mapping["example"]
    params = data.setdefault("params", {})
    params.update({"numbers": r" \\ ".join(f"&{line}" for line in numbers_latex(variant)),
                   "sheet": sheet_html(variant),
                   "seed": variant.seed, "x": example["x"], "y": example["y"],
                   "init": example["init"], "learning_rate": example["learning_rate"]})
    correct = data.setdefault("correct_answers", {})
    for blank in answers(variant, exercise):
        correct[answer_name(blank.quantity)] = \
            blank.answer if isinstance(blank, FormulaBlank) else blank.value


def grade_submission(data: dict[str, Any], spec_text: str) -> None:
    """Grade each formula blank (score and the checker's diagnosis), then the total score."""
    _, spec, exercise = _read(spec_text)
    derivation = spec_derivation(spec)
    blanks = formula_blanks(derivation, exercise.formulas, SERVER_FILE)
    submitted = data.get("submitted_answers", {})
    asked = [(b.quantity, str(submitted.get(answer_name(b.quantity)) or "")) for b in blanks]
    scores = data.setdefault("partial_scores", {})
    feedback = data.setdefault("feedback", {})
    for blank, verdict in zip(blanks, grade_formulas(derivation, asked)):
        name = answer_name(blank.quantity)
        scores[name] = {"score": 1.0 if verdict.correct else 0.0, "weight": 1,
                        "feedback": verdict.feedback}
        feedback[name] = verdict.feedback
    graded = [s for s in scores.values() if s.get("score") is not None]
    weight = sum(s.get("weight", 1) for s in graded)
    data["score"] = sum(s["score"] * s.get("weight", 1) for s in graded) / weight if weight else 0.0
