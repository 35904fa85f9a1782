"""``Document`` -> Markdown (MkDocs), LaTeX and a quiz's HTML, block by block, dispatched by type like SymPy's
printers: layout only, the mathematics arrives printed in the document's lines.

Both printers break long display rows the same way (``printed_rows``), so that the two
formats show the same mathematics and the JSON's equation LaTeX is what the page prints.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..document import Callout, Details, Display, Document, Figure, Line, Section, Table, Text
from .escape import escape_html, escape_latex, escape_markdown
from .picture.model import Picture
from .picture.tikz import tikz_text
from .texbreak import break_align

__all__ = ["SCREEN_ONLY", "HtmlPrinter", "LatexPrinter", "MarkdownPrinter", "printed_rows"]

SHORT_ROW = 80      # characters: a row this short always fits the line
LINE_EM = 32.0      # the width rows are broken to: a web column at 1280 px (and an A4 page)
SCREEN_ONLY = "derive-screen-only"    # a box the site's print style leaves out


def printed_rows(display: Display) -> list[tuple[Line, str]]:
    """Each line with its printed LaTeX (a long aligned row broken into several)."""
    out = []
    for line in display.lines:
        text = line.latex
        if display.aligned and len(text) >= SHORT_ROW:
            text = " \\\\\n".join(break_align([text], width=LINE_EM))
        out.append((line, text))
    return out


class _Printer:
    """``print_<Block>`` per block type; ``blocks`` joins them with blank lines."""

    def doprint(self, block: Any) -> str:
        return getattr(self, f"print_{type(block).__name__}")(block)

    def blocks(self, blocks: tuple) -> str:
        return "\n\n".join(text for text in map(self.doprint, blocks) if text)

    escape: Any
    strong: str          # the format of emphasised prose, around the escaped text

    def print_Text(self, text: Text) -> str:
        """Prose escaped for the format, inline math as ``\\( \\)`` (both formats)."""
        out = []
        for kind, value in text.segments:
            if kind == "math":
                out.append(rf"\({value}\)")
            else:
                escaped = self.escape(value)
                out.append(self.strong.format(escaped) if kind == "strong" else escaped)
        return "".join(out)


class MarkdownPrinter(_Printer):
    """MkDocs Material with pymdownx.arithmatex (generic), admonition and details."""

    escape = staticmethod(escape_markdown)
    strong = "**{}**"

    def print_Display(self, display: Display) -> str:
        rows = [text for _, text in printed_rows(display)]
        if display.aligned:
            body = "\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}"
        else:
            body = rows[0]
        return f"$$\n{body}\n$$"

    def print_Table(self, table: Table) -> str:
        cell = lambda t: self.print_Text(t).replace("|", r"\vert ")  # noqa: E731
        head = "| " + " | ".join(cell(h) for h in table.header) + " |"
        rule = "|" + "---|" * len(table.header)
        rows = ["| " + " | ".join(cell(c) for c in row) + " |" for row in table.rows]
        return "\n".join([head, rule, *rows])

    def print_Figure(self, figure: Figure) -> str:
        return f"![{self.print_Text(figure.caption)}]({figure.path})"

    def _box(self, marker: str, kind: str, title: Text, blocks: tuple) -> str:
        body = self.blocks(blocks)
        indented = "\n".join(("    " + ln) if ln else "" for ln in body.split("\n"))
        return f'{marker} {kind} "{self.print_Text(title)}"\n\n{indented}'

    def print_Details(self, details: Details) -> str:
        """A closed box; one for the screen only gets the class the site's print style hides
        (Material opens every box when printing)."""
        kind = "note" if details.on_paper else f"note {SCREEN_ONLY}"
        return self._box("???+" if details.open else "???", kind, details.title,
                         details.blocks)

    def print_Callout(self, callout: Callout) -> str:
        return self._box("!!!", callout.kind, callout.title, callout.blocks)

    def print_Section(self, section: Section) -> str:
        """Headings without math where the section has a plain title: Material's table of
        contents shows a heading's source, and would show raw LaTeX."""
        title = escape_markdown(section.plain_title) if section.plain_title else \
            self.print_Text(section.title)
        return "#" * section.level + " " + title + "\n\n" + self.blocks(section.blocks)

    def page(self, document: Document, meta_title: str) -> str:
        about = f"{escape_markdown(document.about)}\n\n" if document.about else ""
        parts = [f"---\ntitle: {meta_title}\n---\n\n# {escape_markdown(document.title)}\n",
                 about + self.doprint(document.banner),
                 *(self.doprint(s) for s in document.sections)]
        return "\n\n".join(p.strip("\n") for p in parts) + "\n"


class LatexPrinter(_Printer):
    """A standalone article (or a book chapter): the same blocks, every box printed open."""

    def __init__(self, *, book: bool = False, pictures: Mapping[str, Picture] | None = None
                 ) -> None:
        self.book = book
        self.pictures = pictures or {}

    escape = staticmethod(escape_latex)
    strong = r"\textbf{{{}}}"

    def print_Display(self, display: Display) -> str:
        rows = [text for _, text in printed_rows(display)]
        if display.aligned:
            return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"
        return "\\[\n" + rows[0] + "\n\\]"

    def print_Table(self, table: Table) -> str:
        columns = "l" * len(table.header)
        head = " & ".join(self.print_Text(h) for h in table.header) + r" \\"
        rows = [" & ".join(self.print_Text(c) for c in row) + r" \\" for row in table.rows]
        return "\n".join([rf"\begin{{longtable}}{{{columns}}}", r"\toprule", head, r"\midrule",
                          *rows, r"\bottomrule", r"\end{longtable}"])

    def print_Figure(self, figure: Figure) -> str:
        """The figure's picture as TikZ (the drawing of the SVG beside the web page, so the
        page needs no file beside it) and its caption; nothing for a picture not drawn."""
        picture = self.pictures.get(figure.path)
        if picture is None:
            return ""
        return ("\\begin{center}\n" + tikz_text(picture) + "\n\n"
                + rf"{{\small {self.print_Text(figure.caption)}}}" + "\n\\end{center}")

    def print_Details(self, details: Details) -> str:
        return rf"\paragraph{{{self.print_Text(details.title)}}}" + "\n\n" + \
            self.blocks(details.blocks)

    def print_Callout(self, callout: Callout) -> str:
        return ("\\begin{quote}\n" + rf"\textbf{{{self.print_Text(callout.title)}}}" + "\n\n" +
                self.blocks(callout.blocks) + "\n\\end{quote}")

    def print_Section(self, section: Section) -> str:
        command = ("section" if self.book else "section*") if section.level == 2 else \
            "subsection*"
        return rf"\{command}{{{self.print_Text(section.title)}}}" + "\n\n" + \
            self.blocks(section.blocks)

    def body(self, document: Document) -> str:
        about = escape_latex(document.about) + "\n\n" if document.about else ""
        parts = [about + self.doprint(document.banner),
                 *(self.doprint(s) for s in document.sections)]
        return "\n\n".join(parts) + "\n"


class HtmlPrinter(_Printer):
    """An HTML fragment for a quiz (Moodle, GIFT, PrairieLearn), whose MathJax reads
    ``\\( \\)`` and ``\\[ \\]``: prose and LaTeX alike escaped (``&`` of an aligned row
    too; MathJax reads the text the browser decoded)."""

    escape = staticmethod(escape_html)
    strong = "<strong>{}</strong>"

    def blocks(self, blocks: tuple) -> str:
        return "\n".join(f"<p>{self.doprint(b)}</p>" if isinstance(b, Text) else self.doprint(b)
                         for b in blocks if b)

    def print_Text(self, text: Text) -> str:
        return super().print_Text(Text(tuple((kind, escape_html(value))
                                             if kind == "math" else (kind, value)
                                             for kind, value in text.segments)))

    def print_Display(self, display: Display) -> str:
        rows = [text for _, text in printed_rows(display)]
        body = ("\\begin{aligned}" + " \\\\ ".join(rows) + "\\end{aligned}"
                if display.aligned else rows[0])
        return f"<p>\\[{escape_html(body)}\\]</p>"

    def print_Table(self, table: Table) -> str:
        head = "".join(f"<th>{self.print_Text(h)}</th>" for h in table.header)
        rows = "".join("<tr>" + "".join(f"<td>{self.print_Text(c)}</td>" for c in row)
                       + "</tr>" for row in table.rows)
        return f"<table><tr>{head}</tr>{rows}</table>"

    def print_Section(self, section: Section) -> str:
        return f"<h{section.level + 1}>{self.print_Text(section.title)}</h{section.level + 1}>" \
            + "\n" + self.blocks(section.blocks)
