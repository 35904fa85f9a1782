"""Exercises: per-student numbers for a spec, question sheets, answer keys, the formats
courses import (Moodle XML, GIFT, PrairieLearn), and grading a class's answers.

    settings   the spec's ``exercise:`` section -> ``Exercise`` (what to ask, ranges, digits)
    variants   seeded draws of a variant's numbers, kept when they meet the conditions
    key        the answers of a variant (from the derivation, full precision) and the CSV
    formulas   formula blanks: asked from the derivation, graded by the claim checker
    moodle     Moodle XML: a category, one cloze question per variant, worked feedback
    gift       GIFT for static sets: one numerical question per answer per variant
    tex        the question sheet for print (LaTeX, pdflatex)
    prairie    what a PrairieLearn server.py calls: generate(data), grade(data)
    prairielearn  the PrairieLearn question directory: info.json, question.html, server.py
    grade      ``derive-backprop grade KEY ANSWERS.csv``: numbers and formulas, with feedback
    roster     a class list in, which variant each student gets
    build      ``exercise_files``: every file of ``derive-backprop exercises``
"""

from __future__ import annotations

from .build import exercise_files
from .roster import read_roster, roster_csv
from .settings import Exercise, read_exercise

__all__ = ["Exercise", "exercise_files", "read_exercise", "read_roster", "roster_csv"]
