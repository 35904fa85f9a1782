"""``derive-backprop grade KEY ANSWERS.csv``: a class's answers against the key.

The key is ``answers.csv`` of ``derive-backprop exercises`` (or its folder); ANSWERS.csv has
the columns ``variant,quantity,answer`` and optionally ``student``. A number is right within
the key's tolerance; a formula (LaTeX) is right when the claim checker proves it equal to the
derived ∂L/∂θ, and otherwise gets the checker's diagnosis. The result is a CSV with one row
per answer: ``student,variant,quantity,answer,expected,correct,feedback``.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable
from pathlib import Path

from ..errors import SpecError, SpecErrors
from ..formats.escape import escape_csv_cell
from ..pipeline import read_spec
from ..spec import load
from .formulas import Verdict, grade_formulas, spec_derivation

__all__ = ["KeyRow", "grade_answers", "grade_number"]

# a number as typed, in ASCII digits (1,5 is read as 1.5); nan and inf are said to be no
# finite number
_ANSWER = re.compile(r"[+-]?(([0-9]+\.?[0-9]*|\.[0-9]+)(e[+-]?[0-9]+)?|nan|inf|infinity)", re.I)
KeyRow = tuple[str, str]                 # (answer, tolerance) as the key writes them
_HEADER = ("student", "variant", "quantity", "answer", "expected", "correct", "feedback")


def grade_number(text: str, expected: float, tolerance: float) -> Verdict:
    """Right within ``tolerance``; a flipped sign is named; text that is no number is said."""
    text = text.strip().replace("\u2212", "-")
    if not text:
        return Verdict(False, "no answer")
    written = text.replace(",", ".") if text.count(",") == 1 and "." not in text else text
    if not _ANSWER.fullmatch(written):       # float() would read 1_0 as 10, nan, ２, ...
        return Verdict(False, f"not a number: {text[:40]!r}")
    value = float(written)
    if not math.isfinite(value):
        return Verdict(False, f"not a finite number: {text[:40]!r}")
    slack = tolerance * (1 + 1e-9)      # a value rounded to the asked digits sits on the edge
    if abs(value - expected) <= slack:
        return Verdict(True, "right")
    if abs(value + expected) <= slack:
        return Verdict(False, "wrong: sign differs")
    return Verdict(False, f"wrong: off by {value - expected:.3g} (tolerance {tolerance:g})")


def _rows(text: str, file: str, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """The CSV's rows with their line numbers; a missing column or a ragged row: one line."""
    reader = csv.reader(io.StringIO(text), strict=True)
    try:
        header = next((row for row in reader if any(c.strip() for c in row)), None)
        line = max(reader.line_num, 1)       # an empty file: its line 1
        missing = [c for c in required if header is None or c not in header]
        if missing:
            raise SpecError("header", f"the columns {', '.join(required)}",
                            got_text=repr(",".join(header or [])), file=file, line=line)
        twice = sorted({c for c in header if c.strip() and header.count(c) > 1})
        if twice:
            raise SpecError("header", "each column once", got_text=", ".join(
                f"{c!r} twice" for c in twice), file=file, line=line)
        out = []
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise SpecError("row", f"{len(header)} fields like the header",
                                got_text=str(len(row)), file=file, line=reader.line_num)
            out.append((reader.line_num, dict(zip(header, row))))
    except csv.Error as exc:
        raise SpecError("row", "CSV", got_text=str(exc), file=file,
                        line=reader.line_num) from None
    return out


def _read(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")     # a spreadsheet's "CSV UTF-8" has a BOM
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(what, "a readable UTF-8 CSV file", got_text=type(exc).__name__,
                        file=str(path)) from None


def _key(path: Path) -> dict[tuple[str, str], KeyRow]:
    rows = _rows(_read(path, "KEY"), str(path), ("variant", "quantity", "answer", "tolerance"))
    for line, r in rows:
        if r["quantity"].strip().endswith(".formula"):
            continue
        for column in ("answer", "tolerance"):
            try:
                ok = math.isfinite(float(r[column]))
            except ValueError:
                ok = False
            if not ok:
                raise SpecError(column, "a number", got_text=repr(r[column]), file=str(path),
                                line=line)
    return {(r["variant"].strip(), r["quantity"].strip()): (r["answer"], r["tolerance"])
            for _, r in rows}


def _specs(folder: Path) -> Callable[[str], object]:
    """Variant -> its derivation (from ``variant-K/spec.yaml`` beside the key), made once."""
    made: dict[str, object] = {}

    def derivation(variant: str) -> object:
        if variant not in made:
            path = str(folder / f"variant-{variant}" / "spec.yaml")
            made[variant] = spec_derivation(load(read_spec(path), path))
        return made[variant]
    return derivation


def grade_answers(key_path: str, answers_path: str) -> tuple[str, int, int]:
    """The graded CSV, how many answers, how many right. Bad files raise ``SpecError``."""
    key_file = Path(key_path)
    key_file = key_file / "answers.csv" if key_file.is_dir() else key_file
    key = _key(key_file)
    rows = _rows(_read(Path(answers_path), "ANSWERS"), answers_path,
                 ("variant", "quantity", "answer"))
    problems = _unknown(rows, key, answers_path)
    if problems:
        raise SpecErrors(problems)
    verdicts = _verdicts(rows, key, _specs(key_file.parent))
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(_HEADER)
    for (_, row), verdict in zip(rows, verdicts):
        variant, quantity = row["variant"].strip(), row["quantity"].strip()
        writer.writerow([escape_csv_cell(row.get("student", "")), variant, quantity, escape_csv_cell(row["answer"]),
                         key[variant, quantity][0], "yes" if verdict.correct else "no",
                         verdict.feedback])
    return stream.getvalue(), len(rows), sum(v.correct for v in verdicts)


def _unknown(rows: list[tuple[int, dict[str, str]]], key: dict[tuple[str, str], KeyRow],
             file: str) -> list[SpecError]:
    """A line for each answer whose variant or quantity the key does not have."""
    variants = sorted({v for v, _ in key}, key=lambda v: (len(v), v))
    problems = []
    for line, row in rows:
        variant, quantity = row["variant"].strip(), row["quantity"].strip()
        if variant not in variants:
            problems.append(SpecError(
                "variant", f"a variant of the key ({variants[0]} … {variants[-1]})"
                if variants else "a key with answers", got_text=repr(variant), file=file,
                line=line))
        elif (variant, quantity) not in key:
            problems.append(SpecError(
                "quantity", f"a quantity of variant {variant} in the key, like "
                f"{next(q for v, q in key if v == variant)}", got_text=repr(quantity),
                file=file, line=line))
    return problems


def _verdicts(rows: list[tuple[int, dict[str, str]]], key: dict[tuple[str, str], KeyRow],
              derivation: Callable[[str], object]) -> list[Verdict]:
    """Numbers one by one; formulas per variant, each variant's checked in one pass."""
    out: list[Verdict | None] = []
    formulas: dict[str, list[tuple[int, str, str]]] = {}
    for n, (_, row) in enumerate(rows):
        variant, quantity = row["variant"].strip(), row["quantity"].strip()
        expected, tolerance = key[variant, quantity]
        if quantity.endswith(".formula"):
            formulas.setdefault(variant, []).append((n, quantity, row["answer"]))
            out.append(None)
        else:
            out.append(grade_number(row["answer"], float(expected), float(tolerance)))
    for variant, asked in formulas.items():
        graded = grade_formulas(derivation(variant),  # type: ignore[arg-type]
                                [(q, text) for _, q, text in asked])
        for (n, _, _), verdict in zip(asked, graded):
            out[n] = verdict
    return [v for v in out if v is not None]
