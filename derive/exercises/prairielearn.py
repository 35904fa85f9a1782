"""A PrairieLearn question directory: ``info.json`` (exactly uuid, type, title, topic, as
PrairieLearn's question schema allows), ``question.html`` (a ``pl-number-input`` per number,
a ``pl-string-input`` per formula) and a ``server.py`` that generates and grades each
variant through this package (``derive.exercises.prairie``)."""

from __future__ import annotations

import hashlib
import html
import json
import re
import uuid
from pathlib import Path
from typing import Any

from .formulas import FormulaBlank
from .key import Answer
from .prairie import answer_name

__all__ = ["prairielearn_files"]

_SERVER = '''"""A PrairieLearn question's server (derive-backprop exercises, seed {seed}).

Every variant's numbers, correct answers and formula grades come from the derive package
(pip install derive-backprop): generate(data) and grade(data) are PrairieLearn's calls.
"""

from derive.exercises.prairie import generate_variant, grade_submission

TITLE = {title!r}
SPEC = {spec!r}


def generate(data):
    generate_variant(data, SPEC)


def grade(data):
    grade_submission(data, SPEC)
'''


def _slug(spec_file: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", Path(spec_file).stem).strip("-").lower() or "exercise"


def _input(blank: Answer | FormulaBlank) -> str:
    name = answer_name(blank.quantity)
    if isinstance(blank, FormulaBlank):
        label = html.escape(f"${blank.latex} =$")
        return (f'<pl-string-input answers-name="{name}" label="{label}" '
                f'placeholder="LaTeX, like \\sigma\'(z) a" size="60"></pl-string-input>\n'
                f"<pl-submission-panel>{{{{feedback.{name}}}}}</pl-submission-panel>")
    label = html.escape(f"${blank.latex} =$")
    return (f'<pl-number-input answers-name="{name}" label="{label}" comparison="relabs" '
            f'rtol="0" atol="{blank.tolerance!r}"></pl-number-input>')


def _question_html(blanks: list[Answer | FormulaBlank], digits: int) -> str:
    return ("<pl-question-panel>\n<p>Variant seed {{params.seed}}.</p>\n{{{params.sheet}}}\n"
            f"<p>Compute, to {digits} decimals:</p>\n</pl-question-panel>\n"
            + "\n".join(_input(b) for b in blanks) + "\n")


def prairielearn_files(base: dict[str, Any], title: str, spec_file: str, exercise: Any,
                       blanks: list[Answer | FormulaBlank], *, seed: int,
                       dump: Any) -> dict[str, str]:
    """``prairielearn/<slug>/…``; the uuid is a v4 uuid made from the seed and the spec."""
    spec = dump({**base, "exercise": exercise.as_mapping()})
    digest = hashlib.sha256(f"{seed}\n{spec}".encode()).digest()[:16]
    info = {"uuid": str(uuid.UUID(bytes=digest, version=4)), "type": "v3", "title": title,
            "topic": "Backpropagation"}
    folder = f"prairielearn/{_slug(spec_file)}"
    return {f"{folder}/info.json": json.dumps(info, indent=2, ensure_ascii=False) + "\n",
            f"{folder}/question.html": _question_html(blanks, exercise.answer_digits),
            f"{folder}/server.py": _SERVER.format(title=title, seed=seed, spec=spec)}
