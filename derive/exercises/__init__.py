"""Exercises: per-student numbers for a spec, question sheets, answer keys, Moodle XML.

    settings   the spec's ``exercise:`` section -> ``Exercise`` (what to ask, ranges, digits)
    variants   seeded draws of a variant's numbers, kept when they meet the conditions
    key        the answers of a variant (from the derivation, full precision) and the CSV
    moodle     Moodle XML: a category, one cloze question per variant, worked feedback
    roster     a class list in, which variant each student gets
    build      ``exercise_files``: every file of ``derive-backprop exercises``
"""

from __future__ import annotations

from .build import exercise_files
from .roster import read_roster, roster_csv
from .settings import Exercise, read_exercise

__all__ = ["Exercise", "exercise_files", "read_exercise", "read_roster", "roster_csv"]
