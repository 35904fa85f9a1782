"""One page being rendered: what its formats share, made once per render call, never kept.

The Markdown, LaTeX and JSON of a run print the same symbols with the same printer, and
the Markdown and LaTeX pages show the same math sections. A ``Page`` holds both for the
length of one ``render`` call: no module-level cache, so a render depends only on its
arguments (``render(d, None, r)`` after ``render(d, w, r)`` shows no worked example).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..calculus import Derivation, Printer, symbol_names
from ..numbers import WorkedExample
from ..registry import NOTATIONS, Notation
from ..verify import CheckReport
from .derivative_sections import derivative_section, forward_section, network_section
from .escape import page_meta_title
from .prose import Prose, note
from .summary_sections import check_section, delta_section, example_section, matrix_section

__all__ = ["Page", "page_context"]


class Page:
    """The derivation and example of one render call, with the work its formats share."""

    __slots__ = ("derivation", "worked", "notation", "printer", "_math")

    def __init__(self, derivation: Derivation, worked: WorkedExample | None) -> None:
        network = derivation.network
        self.derivation = derivation
        self.worked = worked
        self.notation: Notation = NOTATIONS[network.spec.notation]
        self.printer = Printer({"symbol_names": symbol_names(network, self.notation)})
        self._math: dict[str, Any] | None = None

    def math(self) -> dict[str, Any]:
        """The sections with no text from the spec, printed once for Markdown and LaTeX.

        Shared by both pages: read them, add to copies, never change them.
        """
        if self._math is None:
            derivation, p = self.derivation, self.printer
            network = derivation.network
            large = len(derivation.featured) < len(derivation.gradients)
            self._math = {
                "forward": forward_section(network, p, large),
                "derivatives": derivative_section(derivation, self.worked, p),
                "delta": delta_section(derivation, p, self.notation),
                "matrix": matrix_section(derivation, self.notation),
                "loss_symbol": self.notation.loss,
                "example": example_section(derivation, self.worked, p),
            }
        return self._math


def page_context(page: Page, report: CheckReport, text: Callable[[str], str]) -> dict[str, Any]:
    """Every string a page template needs, math already printed, prose escaped by ``text``."""
    network = page.derivation.network
    fmt = Prose(text)
    notes = [note(layer.activation.note, fmt) for layer in network.layers
             if layer.activation.note]
    return {
        "title": text(network.spec.title), "notation": page.notation.name,
        "meta_title": page_meta_title(network.spec.title),
        "about": text(network.spec.about),
        "network": network_section(network, page.printer, fmt),
        "notes": list(dict.fromkeys(notes)),
        "check": check_section(report, fmt),
        **page.math(),
    }
