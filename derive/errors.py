"""Errors that carry where and what went wrong; the CLI alone turns them into exit codes.

Modelled on click's exceptions: the class holds the exit code, ``__str__`` builds
the one-line message ``FILE:LINE: KEY: expected EXPECTED, got ACTUAL[; hint]``.
No module here prints or exits.
"""

from __future__ import annotations

__all__ = ["CheckFailed", "DeriveError", "NumericError", "OutputError", "SpecError", "SpecErrors"]


class DeriveError(Exception):
    """Base class: one located problem with the user's input or the result."""

    exit_code = 2

    def __init__(
        self,
        key: str,
        expected: str,
        got: object = None,
        *,
        file: str | None = None,
        line: int | None = None,
        hint: str = "",
        stage: str = "",
        got_text: str | None = None,
    ) -> None:
        super().__init__(key)
        self.key = key
        self.expected = expected
        self.got = got
        self.file = file
        self.line = line
        self.hint = hint
        self.stage = stage
        self.got_text = got_text

    def where(self) -> str:
        """Return ``FILE:LINE`` (or the stage name when there is no file position).

        A file name with a newline or another unprintable character is shown escaped, so the
        message stays one line.
        """
        file = self.file
        if file is not None and not file.isprintable():
            file = file.encode("unicode_escape", "backslashreplace").decode("ascii")
        if file is not None and self.line is not None:
            return f"{file}:{self.line}"
        if file is not None:
            return file
        return self.stage or "derive-backprop"

    def __str__(self) -> str:
        got = self.got_text if self.got_text is not None else repr(self.got)
        got = " ".join(got.splitlines())        # an exception's message may span lines
        text = f"{self.where()}: {self.key}: expected {self.expected}, got {got}"
        return f"{text}; {self.hint}" if self.hint else text


class SpecError(DeriveError):
    """The spec is not valid (exit 2)."""


class SpecErrors(SpecError):
    """Every problem found in one validation pass, one line each, ordered by line.

    It is a ``SpecError`` itself (the first problem's fields), so a caller that expects one
    located error gets it. At most ``SHOWN`` lines are printed, then one line counting the rest.
    """

    SHOWN = 100

    def __init__(self, errors: list[SpecError]) -> None:
        ordered = sorted(errors, key=lambda e: (e.line or 0, e.key))
        first = ordered[0]
        super().__init__(first.key, first.expected, first.got, file=first.file, line=first.line,
                         hint=first.hint, got_text=first.got_text)
        self.errors = tuple(ordered)

    def __str__(self) -> str:
        lines = [str(e) for e in self.errors[:self.SHOWN]]
        hidden = len(self.errors) - self.SHOWN
        if hidden > 0:
            lines.append(str(SpecError("(spec)", f"at most {self.SHOWN} problems shown",
                                       got_text=f"{hidden} more", file=self.errors[0].file,
                                       stage="spec")))
        return "\n".join(lines)


class NumericError(DeriveError):
    """A worked example produced a number a float cannot hold (exit 2: the input asks for it)."""


class OutputError(DeriveError):
    """An output path is not allowed or cannot be written (exit 2)."""


class CheckFailed(DeriveError):
    """A symbolic gradient or a claim disagrees with an oracle (exit 1)."""

    exit_code = 1
