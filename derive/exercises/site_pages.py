"""An exercise spec in the course site: variant 1's question sheet and its solution page
beside the spec's own page, so a teacher sees what a student gets and the worked key."""

from __future__ import annotations

from pathlib import PurePosixPath

from ..spec import dump_spec, load, plain_mapping
from .key import answers
from .settings import read_exercise
from .sheets import question_markdown
from .variants import draw_variant

__all__ = ["exercise_pages"]

SITE_SEED = 0      # the site shows variant 1 of seed 0: the same pages on every build


def exercise_pages(text: str, path: str, stem: str, title: str
                   ) -> tuple[dict[str, str | bytes], tuple[tuple[str, str], ...]]:
    """(files by name beside the page, (nav title, page without ".md") of each extra page);
    nothing for a spec without an ``exercise:`` section."""
    mapping = plain_mapping(text)
    if "exercise" not in mapping:
        return {}, ()
    spec = load(text, path, default_title=PurePosixPath(path).stem)
    exercise = read_exercise(mapping.pop("exercise"), path, dict(spec.lines))
    variant = draw_variant(mapping, spec, exercise, seed=SITE_SEED, number=1, dump=dump_spec)
    answered = answers(variant, exercise)
    folder = f"{stem}-exercise"
    question = question_markdown(variant, answered, digits=exercise.answer_digits)
    question += ("\nEvery student gets their own numbers (`derive-backprop exercises`); "
                 "[the worked solution of this variant](solution.md) is its full checked "
                 "page.\n")
    files: dict[str, str | bytes] = {f"{folder}/question.md": question}
    files.update({f"{folder}/{name}": content for name, content in variant.result.files.items()
                  if not name.endswith((".tex", ".json"))})
    return files, ((f"{title}: the question (variant 1)", f"{folder}/question"),
                   (f"{title}: its solution", f"{folder}/solution"))
