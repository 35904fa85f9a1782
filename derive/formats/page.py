"""One page being rendered: the derivation, the example and the printer its formats share.

Made once per ``render`` call and never kept, so a render depends only on its arguments. The
page's content is the ``Document`` (derive/document); this holds what the pictures and the
JSON read beside it.
"""

from __future__ import annotations

from ..calculus import Derivation, Printer, symbol_names
from ..numbers import WorkedExample
from ..registry import NOTATIONS, Notation

__all__ = ["Page"]


class Page:
    """The derivation and example of one render call, with the printer its formats share."""

    __slots__ = ("derivation", "worked", "notation", "printer")

    def __init__(self, derivation: Derivation, worked: WorkedExample | None) -> None:
        self.derivation = derivation
        self.worked = worked
        self.notation: Notation = NOTATIONS[derivation.network.spec.notation]
        self.printer = Printer({"symbol_names": symbol_names(derivation.network, self.notation)})
