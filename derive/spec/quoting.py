"""How a value the user wrote appears in an error line: quoted, cut short, with a guess.

Shared by the YAML composer and the reader; it knows nothing of YAML, so neither imports
the other for it.
"""

from __future__ import annotations

__all__ = ["MAX_SHOWN", "closest", "did_you_mean", "shorten"]

MAX_SHOWN = 60            # characters of a value quoted in an error message


def shorten(value: str) -> str:
    """``repr`` of a value for an error line, cut to ``MAX_SHOWN`` characters."""
    if len(value) > MAX_SHOWN:
        return repr(value[:MAX_SHOWN]) + f" ({len(value)} characters)"
    return repr(value)


def closest(word: str, choices: tuple[str, ...] | list[str]) -> str | None:
    """The choice ``word`` is most likely a misspelling of, or None when none is close."""
    import difflib  # only on the error path

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(word: str, choices: tuple[str, ...] | list[str]) -> str:
    """The hint naming the closest choice, or ``""`` when none is close."""
    guess = closest(word, choices)
    return f"did you mean {guess!r}?" if guess else ""
