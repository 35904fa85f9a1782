"""The one rule for a name that reaches an output: a title, a file stem, a folder name, a
claim's text.

Such a name is one line of visible text: no control character (C0, C1, ESC, NUL), no
format character (the bidirectional overrides and isolates U+202A-202E, U+2066-2069, the
zero-width space, joiners outside an emoji sequence, the byte-order mark), no line or
paragraph separator, no lone surrogate, and at least one character a reader can see.
``unsafe_character`` and ``is_blank`` tell the spec loader (or a command's option) whether
a user's text keeps the rule, ``name_problem`` both at once; ``display_name`` makes any
text keep it (a file or folder name the user did not type for a page); ``decoded_name``
turns a name read from the file system, whatever its bytes, into text. Each format
escapes the result once, for its own syntax.
"""

from __future__ import annotations

import os
import re
import unicodedata

__all__ = ["NAME_RULE", "decoded_name", "display_name", "is_blank", "name_problem",
           "unsafe_character"]

NAME_RULE = ("one line of visible text without control, format or bidirectional "
             "characters")
_JOINER = "\u200d"                # allowed inside an emoji sequence (👩‍💻) only
_FORBIDDEN = frozenset(("Cc", "Cf", "Cs", "Zl", "Zp"))
_INVISIBLE = frozenset(("Cc", "Cf", "Cs", "Zl", "Zp", "Zs", "Mn", "Me", "Mc"))
# Letters and symbols that print as blank space although Unicode does not class them so.
_BLANK = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f")
_SPACES = re.compile(r"\s+")


def _joins(text: str, index: int) -> bool:
    """A zero-width joiner between two characters that are neither format nor space."""
    return 0 < index < len(text) - 1 and not (
        unicodedata.category(text[index - 1]) in _INVISIBLE
        or unicodedata.category(text[index + 1]) in _INVISIBLE)


def _forbidden(text: str, index: int) -> bool:
    char = text[index]
    return unicodedata.category(char) in _FORBIDDEN \
        and not (char == _JOINER and _joins(text, index))


def _visible(char: str) -> bool:
    return unicodedata.category(char) not in _INVISIBLE and char not in _BLANK


def unsafe_character(text: str) -> str | None:
    """The first character the rule forbids in ``text``, named (``RIGHT-TO-LEFT OVERRIDE
    (U+202E)``), or None."""
    for index, char in enumerate(text):
        if _forbidden(text, index):
            return f"{unicodedata.name(char, 'control character')} (U+{ord(char):04X})"
    return None


def is_blank(text: str) -> bool:
    """Nothing a reader can see: empty, white space, zero-width or combining marks only."""
    return not any(_visible(char) for char in text)


def name_problem(text: str) -> str | None:
    """What breaks the rule in ``text`` (its first forbidden character, or "nothing
    visible"), or None when it keeps it."""
    return unsafe_character(text) or ("nothing visible" if is_blank(text) else None)


def display_name(text: str, *, default: str) -> str:
    """``text`` made to keep the rule: line breaks and other white space become one space,
    every other forbidden character U+FFFD (so a reader sees that something was there);
    ``default`` when nothing visible is left."""
    if is_blank(text):
        return default
    kept = []
    for index, char in enumerate(text):
        if char.isspace():
            kept.append(" ")
        elif _forbidden(text, index):
            kept.append("\ufffd")
        else:
            kept.append(char)
    return _SPACES.sub(" ", "".join(kept)).strip()


def decoded_name(name: str | bytes) -> str:
    """A name from the file system as text: bytes that are not UTF-8 (a Latin-1 ``café``,
    kept by Python as lone surrogates) become U+FFFD instead of failing every encoder."""
    if isinstance(name, str):
        try:
            name = os.fsencode(name)
        except UnicodeEncodeError:      # a surrogate no file system decoder makes
            name = name.encode("utf-8", "surrogatepass")
    return name.decode("utf-8", "replace")
