"""Every file of ``derive-backprop exercises SPEC --variants N --seed S -o DIR``:
``answers.csv``, ``moodle.xml``, ``questions.gift``, a PrairieLearn question directory
``prairielearn/<slug>/``, and per variant ``variant-K/spec.yaml`` (the complete spec with
the variant's numbers), ``question.md``, ``question.tex`` and the solution page with its
pictures."""

from __future__ import annotations

from typing import Any

from ..calculus import Derivation
from ..errors import SpecError
from ..spec import Spec
from .formulas import formula_blanks, quantity_of, spec_derivation
from .gift import gift
from .key import answers, key_csv
from .moodle import moodle_xml
from .prairielearn import prairielearn_files
from .settings import Exercise
from .sheets import question_markdown
from .tex import question_tex
from .variants import draw_variant

__all__ = ["exercise_files"]


def exercise_files(base: dict[str, Any], spec: Spec, exercise: Exercise, *, variants: int,
                   seed: int, dump: Any) -> dict[str, str | bytes]:
    """Path -> content; ``dump`` writes a mapping as YAML (the spec package's writer)."""
    derivation = spec_derivation(spec)
    try:
        formula_blanks(derivation, exercise.formulas, spec.file)   # a bad one: exit 2
    except SpecError as exc:
        exc.line = spec.line_of("exercise")
        raise
    _known_parameters(derivation, exercise, spec)
    rows, files = [], {}
    for number in range(1, variants + 1):
        variant = draw_variant(base, spec, exercise, seed=seed, number=number, dump=dump)
        answered = answers(variant, exercise)
        rows.append((variant, answered))
        folder = f"variant-{number}"
        files[f"{folder}/spec.yaml"] = dump(variant.mapping)
        files[f"{folder}/question.md"] = question_markdown(variant, answered,
                                                           digits=exercise.answer_digits)
        files[f"{folder}/question.tex"] = question_tex(variant, answered,
                                                       digits=exercise.answer_digits)
        for name, content in variant.result.files.items():
            files[f"{folder}/{name}"] = content
    files["answers.csv"] = key_csv(rows)
    files["moodle.xml"] = moodle_xml(spec.title, rows, exercise.answer_digits)
    files["questions.gift"] = gift(spec.title, rows, exercise.answer_digits)
    if rows:
        files.update(prairielearn_files(base, spec.title, spec.file, exercise, rows[0][1],
                                        seed=seed, dump=dump))
    return files


def _known_parameters(derivation: Derivation, exercise: Exercise, spec: Spec) -> None:
    """Every name in ``exercise.parameters`` is one of the network's (a misspelt one would
    silently ask nothing about it)."""
    names = [quantity_of(p) for p in derivation.network.parameters]
    unknown = [n for n in exercise.parameters or () if n not in names]
    if unknown:
        raise SpecError("exercise.parameters", f"parameters of this network ({names[0]} … "
                        f"{names[-1]})", got_text=", ".join(unknown), file=spec.file,
                        line=spec.line_of("exercise"))
