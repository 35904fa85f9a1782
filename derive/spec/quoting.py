"""How a value the user wrote appears in an error line: quoted, cut short, with a guess.

Shared by the YAML composer and the reader; it knows nothing of YAML, so neither imports
the other for it.
"""

from __future__ import annotations

__all__ = ["MAX_SHOWN", "closest", "described", "did_you_mean", "shorten"]

MAX_SHOWN = 60            # characters of a value quoted in an error message


def shorten(value: str) -> str:
    """``repr`` of a value for an error line, cut to ``MAX_SHOWN`` characters."""
    if len(value) > MAX_SHOWN:
        return repr(value[:MAX_SHOWN]) + f" ({len(value)} characters)"
    return repr(value)


def described(value: object) -> str:
    """A plain value (as ``yaml.safe_load`` gives it) as an error line's ``got``, in the
    reader's words: the text or number quoted, ``a list of N``, ``a mapping``, ``nothing``."""
    if value is None:
        return "nothing"
    if isinstance(value, dict) and 0 < len(value) <= 3:
        keys = [shorten(str(k)) for k in value]
        return f"a mapping with the key{'s' if len(keys) > 1 else ''} {', '.join(keys)}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list) and len(value) <= 4 and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        return shorten("[" + ", ".join(f"{v:g}" for v in value) + "]")      # [1, -1]
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, bool):
        return repr("true" if value else "false")
    return shorten(str(value))


def _folded(word: str) -> str:
    return word.casefold().replace("-", "_").replace(" ", "_")


def closest(word: str, choices: tuple[str, ...] | list[str],
            aliases: dict[str, str] | None = None) -> str | None:
    """The choice ``word`` is most likely meant as, or None when none is close: the same
    name in other letters' case or with - for _ (ReLU, X), another tool's name for it
    (``aliases``: mse), or a misspelling."""
    import difflib  # only on the error path

    folded = {_folded(c): c for c in choices}
    key = _folded(word)
    if key in folded:
        return folded[key]
    if aliases and key in aliases:
        return aliases[key]
    close = difflib.get_close_matches(key, list(folded), n=1, cutoff=0.6)
    return folded[close[0]] if close else None


def did_you_mean(word: str, choices: tuple[str, ...] | list[str],
                 aliases: dict[str, str] | None = None) -> str:
    """The hint naming the closest choice, or ``""`` when none is close."""
    guess = closest(word, choices, aliases)
    return f"did you mean {guess!r}?" if guess else ""
