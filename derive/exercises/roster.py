"""A class roster: one student per line in, a variant each, and the variant-student table."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ..errors import SpecError, SpecErrors
from ..formats.escape import escape_csv_cell
from ..spec.quoting import shorten

__all__ = ["read_roster", "roster_csv"]


def read_roster(path: str, *, most: int) -> list[str]:
    """The students named in ``path`` (one per line, blank lines skipped; at most ``most``,
    each once: a name twice would get two variants, and its grades would mix them)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError("--roster", "a readable UTF-8 file", got_text=type(exc).__name__,
                        file=path) from None
    lines = [(n, "".join(c for c in line.strip() if c.isprintable()))
             for n, line in enumerate(text.splitlines(), start=1)]
    lines = [(n, name) for n, name in lines if name]
    if not lines:
        raise SpecError("--roster", "a file with one student per line", got_text="no names",
                        file=path)
    if len(lines) > most:
        raise SpecError("--roster", f"at most {most} students (a variant each)",
                        got_text=str(len(lines)), file=path)
    first: dict[str, int] = {}
    twice = [SpecError("--roster", f"each student once (first on line {first[name]})",
                       got_text=shorten(name), file=path, line=n)
             for n, name in lines if first.setdefault(name, n) != n]
    if twice:
        raise SpecErrors(twice)
    return [name for _, name in lines]


def roster_csv(names: list[str]) -> str:
    """``variant,student``: which variant each student gets (variant K is the K-th name)."""
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(["variant", "student"])
    writer.writerows((n, escape_csv_cell(name)) for n, name in enumerate(names, start=1))
    return stream.getvalue()
