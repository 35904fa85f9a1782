"""A class roster: one student per line in, a variant each, and the variant-student table."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ..errors import SpecError

__all__ = ["read_roster", "roster_csv"]


def read_roster(path: str) -> list[str]:
    """The students named in ``path`` (one per line, blank lines skipped)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError("--roster", "a readable UTF-8 file", got_text=type(exc).__name__,
                        file=path) from None
    names = ["".join(c for c in line.strip() if c.isprintable()) for line in text.splitlines()]
    names = [name for name in names if name]
    if not names:
        raise SpecError("--roster", "a file with one student per line", got_text="no names",
                        file=path)
    return names


def roster_csv(names: list[str]) -> str:
    """``variant,student``: which variant each student gets (variant K is the K-th name)."""
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(["variant", "student"])
    writer.writerows((n, name) for n, name in enumerate(names, start=1))
    return stream.getvalue()
