"""The page as data: sections of blocks, each equation with its sides as SymPy expressions.

Markdown, LaTeX and JSON are printers of one ``Document`` (derive/formats); the audit
(``audit``) evaluates every ``Equation`` before any printer runs. Text is kept as
``Text`` segments (prose, inline math, emphasis) so that each printer escapes prose for its
own format and never sees mathematics built by a template.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Block", "Callout", "Details", "Display", "Document", "Equation", "Figure", "Line",
           "Section", "Table", "Text", "math", "note_text", "plain", "strong"]


@dataclass(frozen=True, slots=True)
class Text:
    """A sentence as segments: ("text", prose), ("math", LaTeX), ("strong", prose)."""

    segments: tuple[tuple[str, str], ...] = ()

    def __add__(self, other: Text | str) -> Text:
        other = plain(other) if isinstance(other, str) else other
        return Text(self.segments + other.segments)

    def __radd__(self, other: str) -> Text:
        return plain(other) + self

    def __bool__(self) -> bool:
        return bool(self.segments)


def plain(text: str) -> Text:
    return Text((("text", text),)) if text else Text()


def math(latex: str) -> Text:
    return Text((("math", latex),))


def strong(text: str) -> Text:
    return Text((("strong", text),))


def note_text(note: tuple[str, ...]) -> Text:
    """A registry entry's ``note`` (prose and LaTeX alternating, odd items math) as Text."""
    out = Text()
    for i, part in enumerate(note):
        out += math(part) if i % 2 else plain(part)
    return out


@dataclass(frozen=True, slots=True)
class Equation:
    """All ``sides`` are equal (wherever differentiable): SymPy expressions over the network's
    symbols, with ``PARTIAL(A, B)`` for ∂A/∂B through the graph; a matrix side is a tuple of
    rows. ``at="example"``: the sides hold the example's numbers as printed; ``samples``: the
    equation is about a batch of that many samples (names carry a sample)."""

    sides: tuple[object, ...]
    at: str | None = None
    samples: int | None = None
    digits: int = 6


@dataclass(frozen=True, slots=True)
class Line:
    """One printed row of a display block and the equation it shows (None: no claim)."""

    latex: str
    equation: Equation | None = None


@dataclass(frozen=True, slots=True)
class Display:
    """A display-math block; ``aligned`` rows share their ``&`` point."""

    lines: tuple[Line, ...]
    aligned: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    """A table of text cells: a header row and body rows."""

    header: tuple[Text, ...]
    rows: tuple[tuple[Text, ...], ...]


@dataclass(frozen=True, slots=True)
class Figure:
    """A picture beside the page (``path`` relative to it, an SVG); the LaTeX page draws the
    same picture in TikZ (derive/formats/figures.py)."""

    path: str
    caption: Text


@dataclass(frozen=True, slots=True)
class Details:
    """Closed by default: what a reader opens when they want it (always printed in LaTeX)."""

    title: Text
    blocks: tuple[Block, ...]
    open: bool = False
    on_paper: bool = True      # False: a reference for the screen, left out when printed


@dataclass(frozen=True, slots=True)
class Callout:
    """A box: ``kind`` is note, success, danger, warning, tip, example."""

    kind: str
    title: Text
    blocks: tuple[Block, ...]


Block = Text | Display | Table | Figure | Details | Callout


@dataclass(frozen=True, slots=True)
class Section:
    """A titled run of blocks; level 2 is a page section, 3 a subsection."""

    title: Text
    blocks: tuple[Block, ...]
    level: int = 2
    plain_title: str = ""     # the title without LaTeX, for a heading a table of contents shows


@dataclass(frozen=True, slots=True)
class Document:
    """One page, printed by every format: its title, banner and sections."""

    title: str
    about: str
    banner: Callout
    sections: tuple[Section, ...]

    def displays(self) -> list[tuple[str, Display]]:
        """Every display block in page order, with the title of its section."""
        out: list[tuple[str, Display]] = []

        def visit(blocks: tuple[Block, ...], where: str) -> None:
            for block in blocks:
                if isinstance(block, Display):
                    out.append((where, block))
                elif isinstance(block, (Details, Callout)):
                    visit(block.blocks, where)

        visit(self.banner.blocks, "banner")
        for section in self.sections:
            visit(section.blocks, "".join(s for _, s in section.title.segments))
        return out
