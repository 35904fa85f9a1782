"""Jupyter: the ``%%backprop`` cell magic (``%load_ext derive``), a YAML spec in, its page out.

The cell is a spec; the magic derives and checks it and displays the page in the plain
Markdown flavour, pictures inline. A bad spec shows its one-line error, no traceback.
"""

from __future__ import annotations

from typing import Any

from .api import load
from .errors import DeriveError, SpecError
from .spec.quoting import shorten

__all__ = ["backprop", "register"]


def backprop(line: str, cell: str) -> Any:
    """``%%backprop [seed]``: the cell's spec -> its ``Result`` (displayed as the page)."""
    from IPython.display import display

    try:
        seed = _seed(line)
        result = load(cell if "\n" in cell else cell + "\n", seed=seed)
    except DeriveError as exc:         # one line, as the command line prints it
        display({"text/plain": str(exc)}, raw=True)
        return None
    display(result)
    return None


def _seed(line: str) -> int:
    """The magic's one option, the check's seed (0 by default); anything else is refused,
    never silently ignored (``%%backprop --format json`` once drew the default)."""
    text = line.strip()
    if text and not (text.isascii() and text.isdigit()):
        raise SpecError("%%backprop", "an optional seed, a whole number (%%backprop 7)",
                        got_text=shorten(text), stage="notebook")
    return int(text) if text else 0


def register(ipython: Any) -> None:
    """Register the cell magic with a running IPython."""
    ipython.register_magic_function(backprop, magic_kind="cell", magic_name="backprop")
